"""The socket.io server: namespaces, fan-out and console coalescer, wired to the hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import socketio

from simulcast.realtime.coalescer import Coalescer
from simulcast.realtime.context import Services
from simulcast.realtime.fanout import Fanout
from simulcast.realtime.namespaces import ConsoleNamespace, ResidentNamespace, RoomNamespace
from simulcast.realtime.packets import JsonPacket

NAMESPACES = ("/console", "/room", "/resident")


@dataclass
class Realtime:
    sio: socketio.AsyncServer
    fanout: Fanout
    coalescer: Coalescer


def create_realtime(services: Services, *, console_hz: float) -> Realtime:
    """A socket.io server whose namespaces act through ``services.hub``."""
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        serializer=JsonPacket,
        # Handle each client's events in its own reader, in order, instead of one task per
        # event: a client waits for its acknowledgement anyway, and ordering per client is
        # what the protocol promises.
        async_handlers=False,
        max_http_buffer_size=16 * 1024,
        # With handlers run in the reader, a slow action (OBS answering within its 5 s request
        # timeout) must not look like a dead client: pongs wait behind it.
        ping_interval=15,
        ping_timeout=20,
    )
    sio.register_namespace(ConsoleNamespace("/console", services))
    sio.register_namespace(RoomNamespace("/room", services))
    sio.register_namespace(ResidentNamespace("/resident", services))
    coalescer = Coalescer(sio, services.registry, console_hz)
    fanout = Fanout(sio, coalescer)
    services.hub.subscribe(fanout)
    return Realtime(sio=sio, fanout=fanout, coalescer=coalescer)


@asynccontextmanager
async def running(realtime: Realtime) -> AsyncIterator[None]:
    """Run the fan-out and coalescer tasks for the lifetime of the app."""
    tasks = [
        asyncio.create_task(realtime.fanout.run(), name="fanout"),
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
