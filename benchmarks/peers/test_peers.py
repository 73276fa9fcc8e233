"""Both reference peers speak the benchmark's pattern (README.md beside this file) exactly.

Each test starts the peer as a real subprocess on port 0 (its first stdout line is its URL)
and talks to it with python-socketio's client over WebSocket, or with raw Engine.IO frames.
The Node.js peer needs ``npm ci --prefix benchmarks/peers/node_socketio`` first.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.helpers import Recorder, connect, refused

HERE = Path(__file__).resolve().parent
NODE_PEER = HERE / "node_socketio"
PEERS = {
    "node_socketio": ["node", str(NODE_PEER / "server.js")],
    "raw_aiohttp": [sys.executable, str(HERE / "raw_aiohttp.py")],
}
START_WITHIN = 30.0
WAIT = 5.0
HZ = 4


class _IsoTime:
    """Equal to any ISO 8601 time that carries its offset."""

    def __eq__(self, other: object) -> bool:
        try:
            return isinstance(other, str) and datetime.fromisoformat(other).tzinfo is not None
        except ValueError:
            return False

    def __repr__(self) -> str:
        return "<an ISO 8601 time>"


ISO = _IsoTime()


@dataclass
class Peer:
    """A running peer: its process, its URL, and the clients a test connected to it."""

    process: asyncio.subprocess.Process
    url: str
    clients: list[socketio.AsyncClient] = field(default_factory=list)

    @property
    def engine_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def connect(self, namespace: str, auth: Any) -> Recorder:
        """Connect to ``namespace``; returns once its snapshot arrived."""
        recorder = await connect(self.url, namespace, auth)
        self.clients.append(recorder.client)
        return recorder

    async def refusal(self, namespace: str, auth: Any) -> Any:
        """Try to connect; return the ``connect_error`` payload the peer answered."""
        return await refused(self.url, namespace, auth)


StartPeer = Callable[..., Awaitable[Peer]]


@pytest.fixture(params=sorted(PEERS))
async def start_peer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StartPeer]:
    """Start the peer under test with extra flags (at most once per test); stopped after, and
    what it printed is shown when the test fails."""
    name: str = request.param
    if name == "node_socketio":
        if shutil.which("node") is None:
            pytest.fail("node is not on PATH: the Node.js peer needs Node.js 18 or later")
        if not (NODE_PEER / "node_modules" / "socket.io").is_dir():
            pytest.fail(
                "socket.io is not installed: npm ci --prefix benchmarks/peers/node_socketio"
            )
    log = tmp_path / f"{name}.stderr"
    started: list[Peer] = []

    async def start(*flags: str) -> Peer:
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *PEERS[name],
                *("--port", "0", "--rooms", "10", "--console-hz", str(HZ), *flags),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        assert process.stdout is not None
        try:
            first = await asyncio.wait_for(process.stdout.readline(), START_WITHIN)
        except TimeoutError:
            first = b""
        peer = Peer(process, first.decode().strip())
        started.append(peer)
        if not peer.url.startswith("http://127.0.0.1:"):
            raise AssertionError(f"{name} did not print its URL first: {peer.url!r}")
        return peer

    yield start
    for peer in started:
        for client in peer.clients:
            await client.disconnect()
        process = peer.process
        if process.returncode is None:
            process.terminate()
        await process.wait()
        assert process.stdout is not None
        rest = (await process.stdout.read()).decode()
        print(f"=== {name} at {peer.url}\n--- stdout\n{rest}--- stderr\n{log.read_text()}")


def _packet(raw: str, prefix: str) -> Any:
    assert raw.startswith(prefix), raw
    return json.loads(raw.removeprefix(prefix))


async def test_peer_opens_engineio_v4_over_websocket_only(start_peer: StartPeer) -> None:
    peer = await start_peer()
    async with aiohttp.ClientSession() as http:
        async with http.get(peer.url + "/socket.io/?EIO=4&transport=polling") as polling:
            assert (polling.status, await polling.json()) == (
                400,
                {"code": 0, "message": "Transport unknown"},
            )
        async with http.ws_connect(peer.engine_url) as ws:
            opened = _packet(await ws.receive_str(timeout=WAIT), "0")
    assert isinstance(opened.pop("sid"), str)
    assert opened == {
        "upgrades": [],
        "pingInterval": 25000,
        "pingTimeout": 20000,
        "maxPayload": 1000000,
    }


async def test_peer_pings_and_keeps_a_client_that_answers(start_peer: StartPeer) -> None:
    peer = await start_peer("--ping-interval", "1")
    async with aiohttp.ClientSession() as http, http.ws_connect(peer.engine_url) as ws:
        assert _packet(await ws.receive_str(timeout=WAIT), "0")["pingInterval"] == 1000
        for _ in range(2):
            assert await ws.receive_str(timeout=WAIT) == "2"
            await ws.send_str("3")
        await ws.send_str('40/room,{"token":"F1"}')
        assert isinstance(_packet(await ws.receive_str(timeout=WAIT), "40/room,")["sid"], str)


async def test_peer_frames_connect_event_and_ack_on_the_wire(start_peer: StartPeer) -> None:
    peer = await start_peer()
    async with aiohttp.ClientSession() as http, http.ws_connect(peer.engine_url) as ws:
        await ws.receive_str(timeout=WAIT)
        await ws.send_str('40/nope,{"token":"admin"}')
        assert _packet(await ws.receive_str(timeout=WAIT), "44/nope,") == {
            "message": "Invalid namespace"
        }
        await ws.send_str('40/resident,{"code":"R00007"}')
        assert isinstance(_packet(await ws.receive_str(timeout=WAIT), "40/resident,")["sid"], str)
        assert _packet(await ws.receive_str(timeout=WAIT), "42/resident,") == [
            "snapshot",
            {"kind": "resident", "room": "room-7", "seq": 0},
        ]
        help_ = {"client_id": "c1", "kind": "tech", "seat": "B4", "text": 't=1.5 é ✓ "q"'}
        await ws.send_str("42/resident,1234" + json.dumps(["help", help_]))
        assert _packet(await ws.receive_str(timeout=WAIT), "43/resident,1234") == [
            {
                "ok": True,
                "data": {
                    "id": "h1",
                    "room": "room-7",
                    "kind": "tech",
                    "seat": "B4",
                    "text": 't=1.5 é ✓ "q"',
                    "state": "open",
                },
            }
        ]
        await ws.send_str("41/resident,")
        # An event after leaving the namespace is not acted on (Node's socket.io even closes
        # the whole connection for it, so the console looks on a connection of its own).
        await ws.send_str('42/resident,["help",{"client_id":"c2","kind":"tech"}]')
    async with aiohttp.ClientSession() as http, http.ws_connect(peer.engine_url) as ws:
        await ws.receive_str(timeout=WAIT)
        await ws.send_str('40/console,{"token":"admin"}')
        assert isinstance(_packet(await ws.receive_str(timeout=WAIT), "40/console,")["sid"], str)
        snapshot = _packet(await ws.receive_str(timeout=WAIT), "42/console,")
    assert snapshot[1]["totals"] == {"present": 0, "checked_in": 0, "help_open": 1, "help_total": 1}


async def test_peer_relays_a_residents_actions_to_its_rooms_facilitators(
    start_peer: StartPeer,
) -> None:
    peer = await start_peer()
    facilitator = await peer.connect("/room", {"token": "F3"})
    other_room = await peer.connect("/room", {"token": "F4"})
    resident = await peer.connect("/resident", {"code": "R00003"})
    assert facilitator.of("snapshot") == [
        {"kind": "facilitator", "room": {"site": "room-3"}, "seq": 0}
    ]
    assert resident.of("snapshot") == [{"kind": "resident", "room": "room-3", "seq": 0}]

    checked_in = await resident.call("checkin", {"client_id": "c1", "name": "Awa"})
    resident_id = checked_in["data"]["resident_id"]
    assert checked_in == {
        "ok": True,
        "data": {
            "resident_id": resident_id,
            "resident_token": checked_in["data"]["resident_token"],
        },
    }
    assert resident_id.startswith("r")
    assert checked_in["data"]["resident_token"].startswith("R")
    assert await facilitator.wait_for("resident_checked_in") == {
        "session_id": "bench",
        "seq": 1,
        "at": ISO,
        "resident_id": resident_id,
        "room": "room-3",
        "name": "Awa",
    }

    text = "sent=1732812345.678901 ✓"
    asked = await resident.call(
        "help", {"client_id": "c2", "kind": "lost", "seat": "A2", "text": text}
    )
    request_id = asked["data"]["id"]
    assert request_id.startswith("h")
    assert asked == {
        "ok": True,
        "data": {
            "id": request_id,
            "room": "room-3",
            "kind": "lost",
            "seat": "A2",
            "text": text,
            "state": "open",
        },
    }
    requested = await facilitator.wait_for("help_requested")
    request = {
        "id": request_id,
        "room": "room-3",
        "kind": "lost",
        "seat": "A2",
        "text": text,
        "state": "open",
        "created_at": requested["at"],
        "updated_at": None,
        "answer": None,
    }
    assert requested == {
        "session_id": "bench",
        "seq": 2,
        "at": ISO,
        "request_id": request_id,
        "resident_id": resident_id,
        "room": "room-3",
        "kind": "lost",
        "seat": "A2",
        "text": text,
        "request": request,
    }

    cancelled = await resident.call("cancel_help", {"client_id": "c3", "request_id": request_id})
    event = await facilitator.wait_for("help_cancelled")
    view = {**request, "state": "cancelled", "updated_at": event["at"]}
    assert cancelled == {"ok": True, "data": view}
    assert event == {
        "session_id": "bench",
        "seq": 3,
        "at": ISO,
        "request_id": request_id,
        "room": "room-3",
        "request": view,
    }
    again = await resident.call("cancel_help", {"client_id": "c4", "request_id": request_id})
    assert again == {
        "ok": False,
        "error": {"code": "not_found", "message": again["error"]["message"]},
    }
    assert isinstance(again["error"]["message"], str)

    latecomer = await peer.connect("/resident", {"code": "R00004"})
    assert latecomer.of("snapshot") == [{"kind": "resident", "room": "room-4", "seq": 3}]
    assert [name for name, _ in facilitator.events] == [
        "snapshot",
        "resident_checked_in",
        "help_requested",
        "help_cancelled",
    ]
    assert other_room.events == [
        ("snapshot", {"kind": "facilitator", "room": {"site": "room-4"}, "seq": 0})
    ]
    assert [name for name, _ in resident.events] == ["snapshot"]


async def test_peer_coalesces_console_updates_to_changed_rooms(start_peer: StartPeer) -> None:
    peer = await start_peer()
    console = await peer.connect("/console", {"token": "admin"})
    snapshot = console.of("snapshot")[0]
    zero = {"present": 0, "checked_in": 0, "help_open": 0, "help_total": 0}
    assert snapshot == {
        "kind": "console",
        "session_id": "bench",
        "seq": 0,
        "rooms": {f"room-{i}": zero for i in range(10)},
        "totals": zero,
    }
    first = await peer.connect("/resident", {"code": "R00003"})
    second = await peer.connect("/resident", {"code": "R00005"})

    await first.call("checkin", {"client_id": "c0"})
    update = await console.wait_for("console_update")
    after_checkin = {"present": 1, "checked_in": 1, "help_open": 0, "help_total": 0}
    assert update == {
        "session_id": "bench",
        "seq": 1,
        "at": ISO,
        "rooms": {"room-3": after_checkin},
        "totals": after_checkin,
    }

    loop = asyncio.get_running_loop()
    began = loop.time()
    seen = len(console.of("console_update"))
    acks = await asyncio.gather(
        *(second.call("help", {"client_id": f"h{i}", "kind": "question"}) for i in range(50))
    )
    assert [ack["ok"] for ack in acks] == [True] * 50
    last = await console.wait_for("console_update", lambda u: u["totals"]["help_total"] == 50)
    elapsed = loop.time() - began
    updates = console.of("console_update")[seen:]
    assert updates[-1] is last
    assert len(updates) <= elapsed * HZ + 1, (len(updates), elapsed)
    assert [list(u["rooms"]) for u in updates] == [["room-5"]] * len(updates)
    assert last == {
        "session_id": "bench",
        "seq": 51,
        "at": ISO,
        "rooms": {"room-5": {"present": 0, "checked_in": 0, "help_open": 50, "help_total": 50}},
        "totals": {"present": 1, "checked_in": 1, "help_open": 50, "help_total": 50},
    }


async def test_peer_refuses_unknown_credentials(start_peer: StartPeer) -> None:
    peer = await start_peer()
    assert await peer.refusal("/resident", {"code": "R99999"}) == {"message": "unknown join code"}
    assert await peer.refusal("/room", {"token": "F99"}) == {"message": "unknown facilitator token"}
    assert await peer.refusal("/console", {"token": "nope"}) == {"message": "bad admin token"}
    assert await peer.refusal("/resident", None) == {"message": "unknown join code"}


async def test_peer_exits_at_once_on_sigterm_with_clients_connected(
    start_peer: StartPeer,
) -> None:
    peer = await start_peer()
    await peer.connect("/room", {"token": "F2"})
    peer.process.terminate()
    assert await asyncio.wait_for(peer.process.wait(), WAIT) == 0
