"""The socket.io server: namespaces, fan-out and console coalescer, wired to the hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from simulcast.engine.actions import Action
from simulcast.engine.services import Services
from simulcast.engine.tasks import running
from simulcast.realtime.coalescer import Coalescer
from simulcast.realtime.engineio import CloseReason
from simulcast.realtime.fanout import Fanout
from simulcast.realtime.namespaces import ConsoleNamespace, ResidentNamespace, RoomNamespace
from simulcast.realtime.sio import SocketServer
from simulcast.registry import Registry

NAMESPACES = ("/console", "/room", "/resident")


@dataclass
class Realtime:
    sio: SocketServer
    fanout: Fanout
    coalescer: Coalescer


def create_realtime(
    registry: Registry,
    base_url: Callable[[], str],
    *,
    console_hz: float,
    max_connections_per_address: int | None = None,
) -> Realtime:
    """The socket.io server, before it serves: its HTTP routes can be attached at once, its
    namespaces come with the services (``serving``)."""
    sio = SocketServer(public_url=base_url, max_per_address=max_connections_per_address)
    coalescer = Coalescer(sio, registry, console_hz)
    return Realtime(sio=sio, fanout=Fanout(sio, coalescer), coalescer=coalescer)


@asynccontextmanager
async def serving(
    realtime: Realtime, services: Services, actions: Iterable[Action]
) -> AsyncIterator[None]:
    """Serve the namespaces (their events from ``actions``) and the hub's events, with the
    pinger and the console coalescer running, for the lifetime of the block."""
    sio = realtime.sio
    actions = tuple(actions)
    sio.register(ConsoleNamespace("/console", services, actions))
    sio.register(RoomNamespace("/room", services, actions))
    sio.register(ResidentNamespace("/resident", services, actions))
    services.hub.subscribe(realtime.fanout)
    async with running(sio.engine.run(), realtime.coalescer.run()):
        yield


def close_all(realtime: Realtime, reason: CloseReason = CloseReason.SERVER_SHUTDOWN) -> int:
    """Close every connection now (a long-poll returns, a WebSocket gets its close frame), so
    that the server stops without waiting for clients to time out; returns how many."""
    sockets = list(realtime.sio.engine.sockets.values())
    for socket in sockets:
        socket.close(reason)
    return len(sockets)
