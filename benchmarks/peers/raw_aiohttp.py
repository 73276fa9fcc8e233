"""Reference peer for ``simulcast bench``: the floor of this stack.

    python benchmarks/peers/raw_aiohttp.py --port 0 --rooms 100 [--console-hz 4]

The benchmark's client pattern (benchmarks/peers/README.md) on bare aiohttp websockets,
uvloop and orjson, with just enough Engine.IO v4 / Socket.IO v5 framing for any Socket.IO v4
client: WebSocket transport only, text packets, namespaces, events, acks, server pings.
Validation-free and in memory only. Each event is encoded once and that same frame is written
to every recipient in turn, from the handler that made it: no task per event or recipient, no
queue per socket. Prints the bound URL ``http://HOST:PORT`` as its first stdout line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from base64 import urlsafe_b64encode
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

try:
    import orjson
    import uvloop
except ImportError as missing:  # pragma: no cover - a setup error, said in one line
    sys.exit(f"error: raw_aiohttp needs uvloop and orjson ({missing.name} is missing)")

SESSION = "bench"
ADMIN_TOKEN = "admin"
PING_TIMEOUT = 20.0
MAX_PAYLOAD = 1_000_000
CLOSE_TIMEOUT = 2.0
TEXT = WSMsgType.TEXT

JSON = dict[str, Any]


class _Clock:
    """ISO 8601 UTC time with milliseconds, like JavaScript's toISOString(); the date and
    time of day are formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self) -> str:
        moment = time.time()
        second = int(moment)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((moment - second) * 1000):03d}Z"


now = _Clock()


def new_sid() -> str:
    return urlsafe_b64encode(os.urandom(15)).decode()


def frame(namespace: str, event: str, data: Any) -> bytes:
    """A server EVENT packet, ready to write to any socket of ``namespace``."""
    return b'42%s,["%s",%s]' % (namespace.encode(), event.encode(), orjson.dumps(data))


class Room:
    __slots__ = ("checked_in", "facilitators", "help_open", "help_total", "name", "open", "present")

    def __init__(self, name: str) -> None:
        self.name = name
        self.present = 0
        self.checked_in = 0
        self.help_open = 0
        self.help_total = 0
        self.open: dict[str, JSON] = {}
        self.facilitators: dict[Conn, None] = {}

    def tile(self) -> JSON:
        return {
            "present": self.present,
            "checked_in": self.checked_in,
            "help_open": self.help_open,
            "help_total": self.help_total,
        }


class Conn:
    """One Engine.IO connection and the namespaces it joined."""

    __slots__ = ("facilitating", "resident_id", "residing", "unanswered_since", "ws")

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.residing: Room | None = None
        self.resident_id: str | None = None
        self.facilitating: Room | None = None
        self.unanswered_since: float | None = None

    async def send(self, data: bytes) -> None:
        """Write one text frame; a socket that is going away is skipped."""
        with suppress(ConnectionError):
            await self.ws.send_frame(data, TEXT)


class Peer:
    """The rooms, their counters and open requests, who listens where, the session's seq."""

    def __init__(self, rooms: int, console_hz: float, ping_interval: int) -> None:
        self.rooms = [Room(f"room-{i}") for i in range(rooms)]
        self.by_code = {f"R{i:05d}": room for i, room in enumerate(self.rooms)}
        self.by_token = {f"F{i}": room for i, room in enumerate(self.rooms)}
        self.totals = {"present": 0, "checked_in": 0, "help_open": 0, "help_total": 0}
        self.consoles: dict[Conn, None] = {}
        self.dirty: dict[Room, None] = {}
        self.seq = 0
        self.residents = 0
        self.requests = 0
        self.console_period = 1.0 / console_hz
        self.ping_interval = ping_interval
        # Server pings: connections are spread over one-second buckets, one bucket a second.
        self.buckets: list[dict[Conn, None]] = [{} for _ in range(ping_interval)]
        self.tick = 0
        self.closing: set[asyncio.Task[Any]] = set()
        self.actions: dict[str, Callable[[Conn, Room, JSON], Awaitable[bytes]]] = {
            "checkin": self.checkin,
            "help": self.help,
            "cancel_help": self.cancel_help,
        }

    # Engine.IO

    async def engine(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("EIO") != "4":
            return web.json_response(
                {"code": 5, "message": "Unsupported protocol version"}, status=400
            )
        if request.query.get("transport") != "websocket":
            return web.json_response({"code": 0, "message": "Transport unknown"}, status=400)
        ws = web.WebSocketResponse(compress=False, max_msg_size=MAX_PAYLOAD, timeout=CLOSE_TIMEOUT)
        await ws.prepare(request)
        conn = Conn(ws)
        bucket = self.buckets[self.tick % len(self.buckets)]
        bucket[conn] = None
        opened = {
            "sid": new_sid(),
            "upgrades": [],
            "pingInterval": self.ping_interval * 1000,
            "pingTimeout": round(PING_TIMEOUT * 1000),
            "maxPayload": MAX_PAYLOAD,
        }
        await conn.send(b"0" + orjson.dumps(opened))
        try:
            async for message in ws:
                if message.type is not TEXT:
                    break  # binary packets are not part of the pattern
                data = message.data
                kind = data[:1]
                if kind == "4":
                    try:
                        await self.socketio(conn, data)
                    except (ValueError, LookupError, TypeError, AttributeError):
                        break  # an unparsable packet: drop the connection, like socket.io
                elif kind == "3":
                    conn.unanswered_since = None
                elif kind == "2":
                    await conn.send(b"3" + data[1:].encode())
                elif kind == "1":
                    break
        finally:
            bucket.pop(conn, None)
            self.consoles.pop(conn, None)
            if conn.facilitating is not None:
                conn.facilitating.facilitators.pop(conn, None)
            await ws.close()
        return ws

    async def pinger(self) -> None:
        """Ping each connection every ``ping_interval``; drop it after ``PING_TIMEOUT``
        without a pong."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while True:
            next_tick += 1.0
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            self.tick += 1
            moment = loop.time()
            for conn in list(self.buckets[self.tick % len(self.buckets)]):
                if conn.unanswered_since is None:
                    conn.unanswered_since = moment
                elif moment - conn.unanswered_since >= PING_TIMEOUT:
                    task = asyncio.create_task(conn.ws.close())
                    self.closing.add(task)
                    task.add_done_callback(self.closing.discard)
                    continue
                await conn.send(b"2")

    async def close_all(self, app: web.Application) -> None:
        """On shutdown, close every connection at once (1001, going away)."""
        sockets = [conn.ws for bucket in self.buckets for conn in bucket]
        await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY) for ws in sockets))

    # Socket.IO

    async def socketio(self, conn: Conn, packet: str) -> None:
        kind = packet[1]
        at = 2
        namespace = "/"
        if packet.startswith("/", at):
            comma = packet.find(",", at)
            end = len(packet) if comma < 0 else comma
            namespace, at = packet[at:end], end + 1
        start = at
        while at < len(packet) and "0" <= packet[at] <= "9":
            at += 1
        ack = packet[start:at]
        body: Any = orjson.loads(packet[at:]) if at < len(packet) else None
        if kind == "2":
            event, *args = body
            action = self.actions.get(event) if namespace == "/resident" else None
            room = conn.residing
            if action is None or room is None:
                return  # not an action of the pattern, or a namespace this socket never joined
            data = args[0] if args and isinstance(args[0], dict) else {}
            answer = await action(conn, room, data)
            if ack:
                await conn.send(b"43%s,%s[%s]" % (namespace.encode(), ack.encode(), answer))
        elif kind == "0":
            await self.connect(conn, namespace, body if isinstance(body, dict) else {})
        elif kind == "1":
            self.leave(conn, namespace)
        elif kind != "3":
            raise ValueError("binary packets are not part of the pattern")

    async def connect(self, conn: Conn, namespace: str, auth: JSON) -> None:
        if namespace == "/":  # socket.io's main namespace is always there; the pattern uses none
            await conn.send(b"40" + orjson.dumps({"sid": new_sid()}))
            return
        prefix = b"%s," % namespace.encode()
        joined = self.join(conn, namespace, auth)
        if isinstance(joined, str):
            await conn.send(b"44%s%s" % (prefix, orjson.dumps({"message": joined})))
            return
        await conn.send(b"40%s%s" % (prefix, orjson.dumps({"sid": new_sid()})))
        await conn.send(frame(namespace, "snapshot", joined))

    def join(self, conn: Conn, namespace: str, auth: JSON) -> JSON | str:
        """Join ``namespace`` with ``auth``: the snapshot to send, or why it is refused."""
        if namespace == "/resident":
            room = self.by_code.get(str(auth.get("code")))
            if room is None:
                return "unknown join code"
            conn.residing, conn.resident_id = room, None
            return {"kind": "resident", "room": room.name, "seq": self.seq}
        if namespace == "/room":
            room = self.by_token.get(str(auth.get("token")))
            if room is None:
                return "unknown facilitator token"
            self.leave(conn, namespace)
            conn.facilitating = room
            room.facilitators[conn] = None
            return {"kind": "facilitator", "room": {"site": room.name}, "seq": self.seq}
        if namespace == "/console":
            if auth.get("token") != ADMIN_TOKEN:
                return "bad admin token"
            self.consoles[conn] = None
            return {
                "kind": "console",
                "session_id": SESSION,
                "seq": self.seq,
                "rooms": {room.name: room.tile() for room in self.rooms},
                "totals": dict(self.totals),
            }
        return "Invalid namespace"

    def leave(self, conn: Conn, namespace: str) -> None:
        if namespace == "/resident":
            conn.residing = None
        elif namespace == "/room" and conn.facilitating is not None:
            conn.facilitating.facilitators.pop(conn, None)
            conn.facilitating = None
        elif namespace == "/console":
            self.consoles.pop(conn, None)

    async def fan_out(self, room: Room, event: str, data: JSON) -> None:
        encoded = frame("/room", event, data)
        for facilitator in tuple(room.facilitators):
            await facilitator.send(encoded)

    # The pattern's actions: each returns its encoded ack.

    async def checkin(self, conn: Conn, room: Room, data: JSON) -> bytes:
        self.residents += 1
        resident_id = conn.resident_id = f"r{self.residents}"
        room.present += 1
        room.checked_in += 1
        self.totals["present"] += 1
        self.totals["checked_in"] += 1
        self.dirty[room] = None
        self.seq += 1
        await self.fan_out(
            room,
            "resident_checked_in",
            {
                "session_id": SESSION,
                "seq": self.seq,
                "at": now(),
                "resident_id": resident_id,
                "room": room.name,
                "name": data.get("name"),
            },
        )
        result = {"resident_id": resident_id, "resident_token": f"R.{SESSION}.{resident_id}"}
        return orjson.dumps({"ok": True, "data": result})

    async def help(self, conn: Conn, room: Room, data: JSON) -> bytes:
        self.requests += 1
        request_id = f"h{self.requests}"
        kind, seat, text = data.get("kind"), data.get("seat"), data.get("text")
        at = now()
        request = {
            "id": request_id,
            "room": room.name,
            "kind": kind,
            "seat": seat,
            "text": text,
            "state": "open",
            "created_at": at,
            "updated_at": None,
            "answer": None,
        }
        room.open[request_id] = request
        room.help_open += 1
        room.help_total += 1
        self.totals["help_open"] += 1
        self.totals["help_total"] += 1
        self.dirty[room] = None
        self.seq += 1
        await self.fan_out(
            room,
            "help_requested",
            {
                "session_id": SESSION,
                "seq": self.seq,
                "at": at,
                "request_id": request_id,
                "resident_id": conn.resident_id,
                "room": room.name,
                "kind": kind,
                "seat": seat,
                "text": text,
                "request": request,
            },
        )
        result = {
            "id": request_id,
            "room": room.name,
            "kind": kind,
            "seat": seat,
            "text": text,
            "state": "open",
        }
        return orjson.dumps({"ok": True, "data": result})

    async def cancel_help(self, conn: Conn, room: Room, data: JSON) -> bytes:
        request_id = str(data.get("request_id"))
        request = room.open.pop(request_id, None)
        if request is None:
            return orjson.dumps(
                {
                    "ok": False,
                    "error": {"code": "not_found", "message": f"no open help request {request_id}"},
                }
            )
        at = now()
        cancelled = {**request, "state": "cancelled", "updated_at": at}
        room.help_open -= 1
        self.totals["help_open"] -= 1
        self.dirty[room] = None
        self.seq += 1
        await self.fan_out(
            room,
            "help_cancelled",
            {
                "session_id": SESSION,
                "seq": self.seq,
                "at": at,
                "request_id": request_id,
                "room": room.name,
                "request": cancelled,
            },
        )
        return orjson.dumps({"ok": True, "data": cancelled})

    async def console_updates(self) -> None:
        """At most ``console_hz`` times a second, when a room changed: one ``console_update``
        with the changed rooms' tiles and the totals, encoded once, to every console."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while True:
            next_tick += self.console_period
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            if not self.dirty:
                continue
            rooms = {room.name: room.tile() for room in self.dirty}
            self.dirty = {}
            encoded = frame(
                "/console",
                "console_update",
                {
                    "session_id": SESSION,
                    "seq": self.seq,
                    "at": now(),
                    "rooms": rooms,
                    "totals": dict(self.totals),
                },
            )
            for console in tuple(self.consoles):
                await console.send(encoded)


async def serve(host: str, port: int, peer: Peer) -> None:
    app = web.Application()
    app.router.add_get("/socket.io/", peer.engine)
    app.on_shutdown.append(peer.close_all)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1]
    print(f"http://{host}:{bound}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    background = [asyncio.create_task(peer.pinger()), asyncio.create_task(peer.console_updates())]
    try:
        await stop.wait()
    finally:
        for task in background:
            task.cancel()
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--console-hz", type=float, default=4.0)
    parser.add_argument("--ping-interval", type=int, default=25, help="seconds")
    args = parser.parse_args()
    if args.rooms < 1 or args.console_hz <= 0 or args.ping_interval < 1:
        parser.error("--rooms must be >= 1, --console-hz > 0, --ping-interval >= 1")
    peer = Peer(args.rooms, args.console_hz, args.ping_interval)
    uvloop.run(serve(args.host, args.port, peer))


if __name__ == "__main__":
    main()
