"""The socket.io server: namespaces, fan-out and console coalescer, wired to the hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from simulcast.realtime.coalescer import Coalescer
from simulcast.realtime.context import Services
from simulcast.realtime.fanout import Fanout
from simulcast.realtime.namespaces import ConsoleNamespace, ResidentNamespace, RoomNamespace
from simulcast.realtime.sio import SocketServer

NAMESPACES = ("/console", "/room", "/resident")


@dataclass
class Realtime:
    sio: SocketServer
    fanout: Fanout
    coalescer: Coalescer


def create_realtime(services: Services, *, console_hz: float) -> Realtime:
    """A socket.io server whose namespaces act through ``services.hub``."""
    sio = SocketServer(public_host=lambda: urlsplit(services.base_url()).netloc)
    sio.register(ConsoleNamespace("/console", services))
    sio.register(RoomNamespace("/room", services))
    sio.register(ResidentNamespace("/resident", services))
    coalescer = Coalescer(sio, services.registry, console_hz)
    fanout = Fanout(sio, coalescer)
    services.hub.subscribe(fanout)
    return Realtime(sio=sio, fanout=fanout, coalescer=coalescer)


@asynccontextmanager
async def running(realtime: Realtime) -> AsyncIterator[None]:
    """Run the pinger and the console coalescer for the lifetime of the app."""
    tasks = [
        asyncio.create_task(realtime.sio.engine.run(), name="engineio-pings"),
        asyncio.create_task(realtime.coalescer.run(), name="console-coalescer"),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
