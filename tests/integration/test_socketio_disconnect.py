"""Server-side disconnects (SocketServer.disconnect, close_connection): what a stock client
(python-socketio) sees, and what the server forgets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulcast.realtime import channels
from simulcast.realtime.engineio import CloseReason
from simulcast.realtime.sio import Namespace, SocketServer
from tests.conftest import Controller
from tests.helpers import cid

TRANSPORTS = pytest.mark.parametrize("transport", ["websocket", "polling"])


class Recording(Namespace):
    """Puts every client in room "all"; records every disconnect and its reason."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.left: list[tuple[str, str]] = []
        self.hold: asyncio.Event | None = None
        """When set, connects wait for it (a slow connect handler)."""
        self.connecting = asyncio.Event()

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        self.enter_room(sid, "all")
        self.connecting.set()
        if self.hold is not None:
            await self.hold.wait()

    def on_disconnect(self, sid: str, reason: CloseReason) -> None:
        self.left.append((sid, reason))


class Client:
    """A python-socketio client on /a and /b that records what each namespace hears."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.heard: dict[str, list[tuple[str, Any]]] = {"/a": [], "/b": []}
        self.gone: dict[str, asyncio.Future[str]] = {}
        self.changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        for namespace in ("/a", "/b"):
            self.gone[namespace] = loop.create_future()
            self.sio.on("*", self._recorder(namespace), namespace=namespace)
            self.sio.on("disconnect", self._on_gone(namespace), namespace=namespace)

    def _recorder(self, namespace: str) -> Any:
        async def record(event: str, data: Any = None) -> None:
            self.heard[namespace].append((event, data))
            self.changed.set()

        return record

    def _on_gone(self, namespace: str) -> Any:
        def gone(reason: str = "") -> None:
            if not self.gone[namespace].done():
                self.gone[namespace].set_result(reason)

        return gone

    async def hears(self, namespace: str, event: str, within: float = 5.0) -> None:
        async def look() -> None:
            while all(name != event for name, _ in self.heard[namespace]):
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(look(), within)


@pytest.fixture
async def server() -> AsyncIterator[tuple[SocketServer, str]]:
    sio = SocketServer()
    sio.register(Recording("/a"))
    sio.register(Recording("/b"))
    app = web.Application()
    sio.engine.attach(app)
    test_server = TestServer(app, host="127.0.0.1", port=0)
    await test_server.start_server()
    yield sio, f"http://127.0.0.1:{test_server.port}"
    await test_server.close()


def recording(sio: SocketServer, namespace: str) -> Recording:
    found = sio._namespaces[namespace]
    assert isinstance(found, Recording)
    return found


async def connected(base: str, transport: str) -> Client:
    client = Client()
    await client.sio.connect(base, namespaces=["/a", "/b"], transports=[transport], wait_timeout=5)
    return client


@TRANSPORTS
async def test_disconnect_ends_one_namespace_and_keeps_the_connection(
    server: tuple[SocketServer, str], transport: str
) -> None:
    sio, base = server
    client = await connected(base, transport)
    try:
        sid = client.sio.get_sid("/a")
        other = client.sio.get_sid("/b")
        assert sio.disconnect("/a", sid, CloseReason.SERVER_DISCONNECT) is True
        # All of it done before disconnect returns:
        assert recording(sio, "/a").left == [(sid, "server disconnect")]
        assert recording(sio, "/b").left == []
        assert (sio.room_size("/a", "all"), sio.room_size("/b", "all")) == (0, 1)
        assert (list(sio.clients["/a"]), list(sio.clients["/b"])) == ([], [other])
        assert await asyncio.wait_for(client.gone["/a"], 5) == "server disconnect"
        assert sio.emit("news", {"n": 1}, namespace="/a", room="all") == 0
        assert sio.emit("news", {"n": 2}, namespace="/b", room="all") == 1
        await client.hears("/b", "news")  # one connection, in order: /a's would be first
        assert client.heard == {"/a": [], "/b": [("news", {"n": 2})]}
        assert not client.gone["/b"].done()
        assert client.sio.connected
        assert len(sio.engine.sockets) == 1
        assert sio.disconnect("/a", sid) is False  # already gone
    finally:
        await client.sio.disconnect()


@TRANSPORTS
async def test_close_connection_ends_every_namespace_and_the_connection(
    server: tuple[SocketServer, str], transport: str
) -> None:
    sio, base = server
    client = await connected(base, transport)
    try:
        sid_a, sid_b = client.sio.get_sid("/a"), client.sio.get_sid("/b")
        assert sio.close_connection("/b", sid_b, CloseReason.SERVER_DISCONNECT) is True
        assert recording(sio, "/a").left == [(sid_a, "server disconnect")]
        assert recording(sio, "/b").left == [(sid_b, "server disconnect")]
        assert (sio.clients, sio.engine.sockets, sio._by_socket) == (
            {"/a": {}, "/b": {}},
            {},
            {},
        )
        assert await asyncio.wait_for(client.gone["/a"], 5) == "server disconnect"
        assert await asyncio.wait_for(client.gone["/b"], 5) == "server disconnect"
        assert sio.emit("news", {}, namespace="/a", room="all") == 0
        assert sio.close_connection("/b", sid_b) is False
    finally:
        await client.sio.disconnect()


async def test_a_client_disconnected_while_connecting_gets_connect_error(
    server: tuple[SocketServer, str],
) -> None:
    sio, base = server
    namespace = recording(sio, "/a")
    namespace.hold = asyncio.Event()
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{base}/socket.io/?EIO=4&transport=websocket") as ws,
    ):
        await ws.receive_str()
        await ws.send_str("40/a,{}")
        await asyncio.wait_for(namespace.connecting.wait(), 5)
        (sid,) = sio.clients["/a"]
        assert sio.disconnect("/a", sid, CloseReason.SERVER_DISCONNECT) is True
        namespace.hold.set()
        assert await ws.receive_str(timeout=5) == '44/a,{"message":"disconnected"}'
        # on_disconnect once when it was disconnected, once more after on_connect returned:
        assert namespace.left == [(sid, "server disconnect"), (sid, "server disconnect")]
        assert sio.room_size("/a", "all") == 0
        await ws.send_str("40/b,{}")  # the connection itself is still open
        assert (await ws.receive_str(timeout=5)).startswith('40/b,{"sid":"')


ROOM = "cs-lille-sud"


async def test_a_facilitator_disconnected_from_room_no_longer_hears_its_room(
    controller: Controller,
) -> None:
    """Against the real controller, as a revoked token will be: the facilitator's client is
    told, its namespace forgets it, and the room's events no longer reach it."""
    session_id, access = await controller.api.live_session([ROOM])
    facilitator = await controller.connect("/room", {"token": access[ROOM]["facilitator_token"]})
    resident = await controller.connect("/resident", {"code": access[ROOM]["join_code"]})
    gone: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    facilitator.client.on("disconnect", gone.set_result, namespace="/room")
    sio = controller.realtime.sio
    room = sio._namespaces["/room"]
    sid = facilitator.client.get_sid("/room")
    audience = channels.facilitators(session_id, ROOM)
    assert sio.room_size("/room", audience) == 1

    assert room.disconnect(sid, CloseReason.SERVER_DISCONNECT) is True
    assert sio.room_size("/room", audience) == 0
    assert sio.room_size("/room", channels.session(session_id)) == 0
    assert sid not in getattr(room, "clients")  # noqa: B009 - RoomNamespace's own table
    assert await asyncio.wait_for(gone, 5) == "server disconnect"
    answer = await resident.call("help", {"client_id": cid(), "kind": "tech", "seat": "4"})
    assert answer["ok"] is True, answer
    assert sio.emit("probe", {}, namespace="/room", room=audience) == 0
    assert "help_requested" not in facilitator.names()
