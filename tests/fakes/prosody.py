"""A fake Prosody serving mod_muc_size's ``GET /room-size``, on a real port.

It speaks only what jitsi-meet ``resources/prosody-plugins/mod_muc_size.lua`` does:
``?room=<name>&domain=<base domain>[&token=<jwt>]`` → 200 ``{"participants":N}`` (no JSON
content type, like the module), 404 when the room does not exist (including a room of another
domain), 403 when a token is required and wrong, 400 without a query. Tests set the rooms,
make it fail (a status, a garbage body, or no answer at all) and read what it was asked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from aiohttp.test_utils import TestServer

from simulcast.domain.clock import Clock


@dataclass(frozen=True)
class RoomSizeRequest:
    room: str | None
    domain: str | None
    token: str | None
    at: datetime | None


@dataclass(frozen=True)
class Failure:
    status: int = 500
    body: str = "Internal Server Error"
    hang: bool = False


class FakeProsody:
    """``async with FakeProsody() as prosody:`` then point a client at ``prosody.url``."""

    def __init__(
        self,
        *,
        domain: str = "meet.example.org",
        clock: Clock | None = None,
        require_token: str | None = None,
    ) -> None:
        self.domain = domain
        self.clock = clock
        self.require_token = require_token
        self.rooms: dict[str, int] = {}
        self.requests: list[RoomSizeRequest] = []
        self._failures: dict[str | None, Failure] = {}
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_get("/room-size", self._room_size)
        self._server = TestServer(app, host="127.0.0.1", port=0)

    @property
    def url(self) -> str:
        return str(self._server.make_url("/")).rstrip("/")

    async def __aenter__(self) -> FakeProsody:
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._release.set()
        await self._server.close()

    def set_participants(self, room: str, count: int) -> None:
        self.rooms[room] = count

    def remove_room(self, room: str) -> None:
        self.rooms.pop(room, None)

    def fail(
        self,
        room: str | None = None,
        *,
        status: int = 500,
        body: str = "Internal Server Error",
        hang: bool = False,
    ) -> None:
        """Answer ``room`` (every room if ``None``) with ``status``/``body``, or never."""
        self._failures[room] = Failure(status=status, body=body, hang=hang)

    def heal(self, room: str | None = None) -> None:
        self._failures.pop(room, None)

    def count(self, room: str) -> int:
        return sum(1 for request in self.requests if request.room == room)

    def times(self, room: str) -> list[datetime | None]:
        return [request.at for request in self.requests if request.room == room]

    async def _room_size(self, request: web.Request) -> web.StreamResponse:
        if not request.query_string:
            return web.Response(status=400)
        room = request.query.get("room")
        domain = request.query.get("domain")
        token = request.query.get("token")
        at = self.clock.now() if self.clock else None
        self.requests.append(RoomSizeRequest(room, domain, token, at))
        failure = self._failures.get(room) or self._failures.get(None)
        if failure is not None:
            if failure.hang:
                await self._release.wait()
            return web.Response(status=failure.status, text=failure.body)
        if room is None or domain is None:
            return web.Response(status=400)
        if self.require_token is not None and token != self.require_token:
            return web.Response(status=403)
        if domain != self.domain or room not in self.rooms:
            return web.Response(status=404)
        return web.Response(text='{"participants":' + str(self.rooms[room]) + "}")
