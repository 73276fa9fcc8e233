"""Test helpers: a real controller on port 0, a REST client, recording socket.io clients."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ROOMS = ROOT / "rooms.yaml"
ADMIN = "test-admin-token-0123456789"


def roomy_rooms(folder: Path) -> Path:
    """The sample rooms.yaml with every room as large as rooms.yaml allows (x_capacity 500):
    for tests that check many people in from one address (the per-address check-in limit is
    2 × x_capacity per 10 min; tests/integration/test_checkin_limits.py tests it)."""
    path = folder / "rooms-roomy.yaml"
    path.write_text(re.sub(r"x_capacity: \d+", "x_capacity: 500", SAMPLE_ROOMS.read_text()))
    return path


def cid() -> str:
    return str(uuid.uuid4())


@dataclass
class Response:
    status: int
    body: Any


class Api:
    """A tiny REST client that never raises on HTTP errors: tests assert statuses."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = http

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
    ) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if raw is not None:
            kwargs["data"] = raw
            headers["Content-Type"] = "application/json"
        elif body is not None:
            kwargs["json"] = body
        async with self.http.request(method, self.base + path, **kwargs) as response:
            payload = await response.json(content_type=None)
            return Response(response.status, payload)

    async def get(self, path: str, *, token: str | None = ADMIN) -> Response:
        return await self.call("GET", path, token=token)

    async def post(self, path: str, body: Any = None, *, token: str | None = ADMIN) -> Response:
        return await self.call("POST", path, body, token=token)

    async def new_session(self, rooms: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"title": "Envoyer un e-mail", "origin": "studio-lille-sud", **fields}
        if rooms is not None:
            body["rooms"] = rooms
        created = await self.post("/api/sessions", body)
        assert created.status == 201, created.body
        return dict(created.body)

    async def live_session(self, rooms: list[str]) -> tuple[str, dict[str, Any]]:
        """A started session and its access links per room."""
        session = await self.new_session(rooms)
        started = await self.post(f"/api/sessions/{session['id']}/start", {"client_id": cid()})
        assert started.status == 200, started.body
        access = await self.get(f"/api/sessions/{session['id']}/access")
        return session["id"], access.body["rooms"]


@dataclass
class Recorder:
    """A socket.io client that keeps every event it receives, in order."""

    namespace: str
    client: socketio.AsyncClient
    events: list[tuple[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, name: str) -> list[Any]:
        return [data for event, data in self.events if event == name]

    async def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda _: True, within: float = 5.0
    ) -> Any:
        async def look() -> Any:
            seen = 0
            while True:
                for event, data in self.events[seen:]:
                    if event == name and where(data):
                        return data
                seen = len(self.events)
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(look(), within)

    async def call(self, event: str, data: Any) -> Any:
        return await self.client.call(event, data, namespace=self.namespace, timeout=5)

    async def close(self) -> None:
        await self.client.disconnect()


async def connect(
    base: str,
    namespace: str,
    auth: dict[str, Any],
    transports: list[str] | None = None,
) -> Recorder:
    """Connect a real socket.io client and record what it hears (over WebSocket unless
    ``transports`` says otherwise, e.g. ``["polling"]`` or ``None`` for polling then upgrade)."""
    client = socketio.AsyncClient(reconnection=False)
    recorder = Recorder(namespace, client)

    async def on_any(event: str, data: Any = None) -> None:
        recorder.events.append((event, data))
        recorder.changed.set()

    client.on("*", on_any, namespace=namespace)
    await client.connect(
        base,
        namespaces=[namespace],
        auth=auth,
        transports=transports or ["websocket"],
        wait_timeout=5,
    )
    await recorder.wait_for("snapshot")
    return recorder


async def refused(base: str, namespace: str, auth: Any) -> Any:
    """Try to connect; return the connect_error payload the server sent."""
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[Any] = []
    client.on("connect_error", lambda data=None: reasons.append(data), namespace=namespace)
    try:
        await client.connect(
            base, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=5
        )
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await client.disconnect()
        raise AssertionError("the connection was accepted")
    await client.disconnect()
    return reasons[0] if reasons else None


async def view_until(
    api: Api, console: Recorder, session_id: str, check: Callable[[Any], bool], within: float
) -> Any:
    """The session view (REST) once ``check(view)`` holds, read again on every message the
    console hears (at most a second apart), instead of sleeping."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        view = (await api.get(f"/api/sessions/{session_id}")).body
        if check(view):
            return view
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"never reached; last view: {view}")
        console.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(console.changed.wait(), min(left, 1.0))
