"""Engine.IO v4, the transport under socket.io, on aiohttp: WebSocket and HTTP long-polling.

Written for simulcast instead of python-engineio because of what the profile showed
(docs/benchmarks.md): a queue, a writer task and a ping task per connected client cost more
than the actions themselves. Here each connection has one reader (its request handler),
writes go straight to the socket's transport without a task or an await, one frame is encoded
once for a whole audience (``Frame``), and one task pings every client, spread over time.

The wire protocol is the standard one (https://socket.io/docs/v4/engine-io-protocol/), so
the stock clients (socket.io-client in the dashboards, python-socketio in the tests) work.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address
from typing import Protocol
from urllib.parse import urlsplit

import orjson
from aiohttp import WSMsgType, web

from simulcast.engine.ratelimit import address_key
from simulcast.errors import ForbiddenError, InputError, PayloadTooLargeError, RateLimitedError

log = logging.getLogger(__name__)

PING_INTERVAL_S = 25
"""Engine.IO's defaults. A client that has not answered a ping by the next one is closed."""
PING_TIMEOUT_S = 20
MAX_MESSAGE = 16 * 1024
"""Largest packet a client may send; the biggest real action is well under 4 KiB."""
MAX_PENDING_BYTES = 1024 * 1024
"""A client that lets this much go unread is closed rather than held in memory; it reconnects
and catches up from a snapshot."""
MAX_POLL_QUEUE = MAX_PENDING_BYTES // 64
"""The same bound for a long-polling client, counted in packets (64 bytes or more each)."""
POLL_HOLD_S = PING_INTERVAL_S + 5
"""A long-poll returns a no-op after this, should no ping have gone out meanwhile."""

SEPARATOR = "\x1e"
"""Between packets in a polling payload."""


class CloseReason(enum.StrEnum):
    """Why a connection, or a client's membership of a namespace, ended: what
    ``Handler.on_close`` and ``Namespace.on_disconnect`` receive. The values are
    python-socketio's where it has one, so that logs read the same."""

    TRANSPORT_CLOSE = "transport close"
    """The client's WebSocket ended, or the connection went while a connect handler ran."""
    CLIENT_CLOSE = "client close"
    """The client sent Engine.IO's close packet."""
    CLIENT_DISCONNECT = "client namespace disconnect"
    """The client sent socket.io's DISCONNECT packet for one namespace."""
    SERVER_DISCONNECT = "server disconnect"
    """The server ended it (``SocketServer.disconnect`` or ``close_connection``)."""
    SERVER_SHUTDOWN = "server shutting down"
    """The controller is stopping: clients reconnect (to this controller once restarted, or
    to another process)."""
    PARSE_ERROR = "parse error"
    """The client sent something that is not simulcast's protocol."""
    PAYLOAD_TOO_LARGE = "payload too large"
    """A polling payload over ``MAX_MESSAGE``."""
    PING_TIMEOUT = "ping timeout"
    """No answer to the last ping."""
    SLOW_CLIENT = "slow client"
    """The client let more than ``MAX_PENDING_BYTES`` go unread: its connection is cut and
    what it has not read is dropped."""
    WRITE_ERROR = "write error"
    """Writing to its transport failed."""


class Frame:
    """One Engine.IO packet to send to one or many clients, encoded once.

    ``text`` is the packet as UTF-8 (for long-polling), ``ws`` the same packet as a complete
    server-to-client WebSocket text frame (unmasked, final, uncompressed).
    """

    __slots__ = ("_ws", "text")

    def __init__(self, text: bytes) -> None:
        self.text = text
        self._ws: bytes | None = None

    @property
    def ws(self) -> bytes:
        if self._ws is None:
            size = len(self.text)
            if size < 126:
                header = bytes((0x81, size))
            elif size < 65536:
                header = bytes((0x81, 126)) + size.to_bytes(2, "big")
            else:
                header = bytes((0x81, 127)) + size.to_bytes(8, "big")
            self._ws = header + self.text
        return self._ws


_CLOSING: set[asyncio.Task[bool]] = set()
"""WebSocket close handshakes under way (referenced so that they are not collected)."""

PING = Frame(b"2")
NOOP = Frame(b"6")
CLOSE = Frame(b"1")


class Handler(Protocol):
    """What the layer above (socket.io) does with a connection."""

    async def on_message(self, socket: EngineSocket, text: str) -> None:
        """One Engine.IO message packet (without its ``4``); never called once ``socket``
        is closed."""

    def on_close(self, socket: EngineSocket, reason: CloseReason) -> None:
        """Called once per connection, as soon as it is closed (by either side)."""


class Outbox:
    """Frames sent to a WebSocket client during one turn of the event loop leave in one write
    (one system call) at the end of that turn: an acknowledgement and the event it caused,
    or several events for a busy room, share a packet."""

    __slots__ = ("_dirty", "_scheduled")

    def __init__(self) -> None:
        self._dirty: list[EngineSocket] = []
        self._scheduled = False

    def add(self, socket: EngineSocket) -> None:
        self._dirty.append(socket)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        dirty, self._dirty = self._dirty, []
        for socket in dirty:
            try:
                socket.flush()
            except Exception:  # one broken connection must not strand the others' frames
                log.exception("write to %s failed", socket.remote)
                socket.close(CloseReason.WRITE_ERROR)


class EngineSocket:
    """One client connection, over WebSocket or long-polling (until it upgrades)."""

    __slots__ = (
        "_on_closed",
        "_outbox",
        "_queue",
        "_transport",
        "_waiter",
        "_ws",
        "address",
        "answered",
        "busy",
        "closed",
        "remote",
        "sid",
        "upgrading",
    )

    def __init__(
        self,
        sid: str,
        remote: str,
        outbox: Outbox,
        on_closed: Callable[[EngineSocket, CloseReason], None],
    ) -> None:
        self.sid = sid
        self.remote = remote
        self.address = address_key(remote)
        """Whom the connection counts against (``max_per_address``): the client's address,
        the /64 of an IPv6 one."""
        self.closed = False
        self.answered = True
        """False from a ping until its pong."""
        self.busy = 0
        """Handlers of this client's messages running: its pongs wait behind them, so it is
        not timed out meanwhile (an OBS request may take seconds)."""
        self.upgrading = False
        self._transport: asyncio.Transport | None = None
        self._ws: web.WebSocketResponse | None = None
        self._queue: list[bytes] = []
        """WebSocket: frames for the end of this turn (see Outbox). Polling: packets waiting
        for the next poll."""
        self._waiter: asyncio.Future[None] | None = None
        self._outbox = outbox
        self._on_closed = on_closed

    @property
    def polling(self) -> bool:
        return self._transport is None

    def send(self, frame: Frame) -> None:
        """Queue ``frame`` on the connection without waiting."""
        if self.closed:
            return
        if self._transport is not None:
            if not self._queue:
                self._outbox.add(self)
            self._queue.append(frame.ws)
            return
        if len(self._queue) > MAX_POLL_QUEUE:
            self.close(CloseReason.SLOW_CLIENT)
            return
        self._queue.append(frame.text)
        self._wake()

    def flush(self) -> None:
        """Write this turn's frames (WebSocket), unless the client stopped reading."""
        transport, queued = self._transport, self._queue
        if transport is None or not queued:
            return
        self._queue = []
        if self.closed or transport.is_closing():
            return
        if transport.get_write_buffer_size() > MAX_PENDING_BYTES:
            log.warning("closing %s: it does not read what it is sent", self.remote)
            self.close(CloseReason.SLOW_CLIENT)
            return
        transport.write(queued[0] if len(queued) == 1 else b"".join(queued))

    def use_websocket(self, ws: web.WebSocketResponse, transport: asyncio.Transport) -> None:
        """Switch to the WebSocket; what waited for a poll goes out on it, in order."""
        queued, self._queue = self._queue, []
        self._ws = ws
        self._transport = transport
        self.upgrading = False
        for text in queued:
            self.send(Frame(text))
        self._wake()

    def close(self, reason: CloseReason) -> None:
        """Close the connection: the layer above hears ``on_close`` at once (and once), then
        the client gets what was queued for it and a close packet. Nothing it sends after
        that is processed."""
        if self.closed:
            return
        self.closed = True
        self._on_closed(self, reason)
        transport, ws = self._transport, self._ws
        if transport is not None and ws is not None and not transport.is_closing():
            if reason == CloseReason.SLOW_CLIENT:
                transport.abort()  # what it has not read is lost anyway
            else:
                transport.write(b"".join([*self._queue, CLOSE.ws]))
                task = asyncio.get_running_loop().create_task(ws.close())
                _CLOSING.add(task)
                task.add_done_callback(_CLOSING.discard)
            self._queue = []
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def poll(self) -> bytes:
        """Hold a long-poll until there is something to send (or a no-op, see POLL_HOLD_S)."""
        if self._waiter is not None:
            raise InputError("one long-poll at a time per client", code="bad_transport")
        if not self._queue and not self.closed and self.polling and not self.upgrading:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._waiter, POLL_HOLD_S)
            except TimeoutError:
                pass
            finally:
                self._waiter = None
        if self._queue:
            queued, self._queue = self._queue, []
            if self.closed:
                queued.append(CLOSE.text)
            return encode_payload(queued)
        if self.closed:
            return CLOSE.text
        return NOOP.text


class EngineServer:
    """Serves ``/socket.io/`` and keeps every connection alive with pings."""

    def __init__(
        self,
        handler: Handler,
        *,
        ping_interval_s: float = PING_INTERVAL_S,
        ping_timeout_s: float = PING_TIMEOUT_S,
        public_url: Callable[[], str | None] = lambda: None,
        max_per_address: int | None = None,
    ) -> None:
        self._handler = handler
        self.max_per_address = max_per_address
        """Open connections allowed per client address (``address_key``); None: no cap."""
        self._per_address: dict[str, int] = {}
        self._public_url = public_url
        """The base URL of the pages: ``--public-url``, else the address the controller is
        bound to (see ``_check_origin``)."""
        self.ping_interval_s = ping_interval_s
        self.ping_timeout_s = ping_timeout_s
        self.sockets: dict[str, EngineSocket] = {}
        self._wheel: dict[int, list[EngineSocket]] = {}
        self._outbox = Outbox()
        self._tick = 0

    def attach(self, app: web.Application, path: str = "/socket.io/") -> None:
        app.router.add_route("GET", path, self.handle)
        app.router.add_route("POST", path, self.handle)

    # -- HTTP entry point ---------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("EIO") != "4":
            raise InputError(
                "this server speaks Engine.IO 4 (socket.io 3 or later): "
                "upgrade the client or add EIO=4",
                code="bad_transport",
            )
        self._check_origin(request)
        transport = query.get("transport")
        sid = query.get("sid")
        if transport == "websocket":
            return await self._websocket(request, sid)
        if transport != "polling":
            raise InputError('transport must be "websocket" or "polling"', code="bad_transport")
        if sid is None:
            if request.method != "GET":
                raise InputError("open a connection with GET first", code="bad_transport")
            socket = self._open(self._admit(request))
            return _text(b"0" + self._handshake(socket, upgrades=["websocket"]))
        socket = self._known(sid)
        if not socket.polling:
            raise InputError("this connection has moved to WebSocket", code="bad_transport")
        if request.method == "GET":
            return _text(await socket.poll())
        body = await request.read()
        if len(body) > MAX_MESSAGE:
            socket.close(CloseReason.PAYLOAD_TOO_LARGE)
            raise PayloadTooLargeError(f"a socket.io message is {MAX_MESSAGE} bytes at most")
        try:
            packets = decode_payload(body)
        except InputError:
            socket.close(CloseReason.PARSE_ERROR)
            raise
        for packet in packets:
            if socket.closed:
                break
            await self._receive(socket, packet)
        return _text(b"ok")

    async def _websocket(self, request: web.Request, sid: str | None) -> web.StreamResponse:
        socket = self._known(sid) if sid is not None else None
        if socket is not None and (not socket.polling or socket.upgrading):
            raise InputError(
                "this connection is already upgrading or upgraded", code="bad_transport"
            )
        remote = self._admit(request) if socket is None else None
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, compress=False, autoping=True)
        await ws.prepare(request)
        transport = request.transport
        assert transport is not None, "a prepared WebSocket has a transport"
        if socket is None:
            assert remote is not None
            socket = self._open(remote)
            socket.use_websocket(ws, transport)
            socket.send(Frame(b"0" + self._handshake(socket, upgrades=[])))
        upgraded = not socket.polling
        probing = False
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    break  # binary is not part of simulcast's protocol
                text: str = message.data
                if socket.closed:
                    break  # closed over polling while probing: nothing left to upgrade
                if not upgraded:
                    if text == "2probe" and not socket.upgrading:
                        probing = socket.upgrading = True
                        transport.write(Frame(b"3probe").ws)
                        socket._wake()  # the held poll returns a no-op: the client pauses it
                    elif text == "5" and probing:
                        socket.use_websocket(ws, transport)
                        upgraded = True
                    continue
                await self._receive(socket, text)
                if socket.closed:
                    break
        finally:
            if upgraded:
                socket.close(CloseReason.TRANSPORT_CLOSE)
            elif probing:
                socket.upgrading = False  # the probe failed: the client keeps polling
        return ws

    def _check_origin(self, request: web.Request) -> None:
        """Browsers send Origin: only pages of this controller may connect.

        The origin is compared with the controller's own addresses, never with the request's
        ``Host`` header, which DNS rebinding lets a foreign page choose (a name of the
        attacker's that resolves to this controller): the public URL (``--public-url``, else
        the bound address); the address and port this connection reached, when the page was
        opened at that address (an IP address in the origin, which no other site can use);
        and, when that address is a loopback one, ``localhost`` or any loopback address on
        the same port (the same machine, the same listening port: this controller)."""
        origin = request.headers.get("Origin")
        if origin is None:  # not a browser: nothing to protect it from
            return
        page = _origin(origin)
        if page is not None:
            public = self._public_url()
            if public is not None and page == _origin(public):
                return
            if page == ("http", *_own_address(request)) or _both_loopback(page, request):
                return
        raise ForbiddenError(
            "connections are accepted from this controller's own pages only, and this page "
            f"comes from {origin[:100]!r}: if people open the pages at that address (behind a "
            "reverse proxy, or by a name on the local network), start the controller with "
            f"--public-url set to it (its pages are now at {self._public_url() or 'its address'})"
        )

    # -- connections --------------------------------------------------------------------

    def _admit(self, request: web.Request) -> str:
        """The address of a new connection, if it may open one (else RateLimitedError)."""
        remote = request.remote or "unknown"
        cap = self.max_per_address
        if cap is not None and self._per_address.get(address_key(remote), 0) >= cap:
            raise RateLimitedError(
                f"too many connections from your address ({cap} open): close the pages of "
                "this controller you no longer use, or wait for them to time out; if many "
                "people share this address, the controller's operator can raise "
                "--max-connections-per-address (behind a reverse proxy: set --trusted-proxy)",
                retry_after=round(2 * self.ping_interval_s),
                code="too_many_connections",
            )
        return remote

    def _open(self, remote: str) -> EngineSocket:
        socket = EngineSocket(secrets.token_urlsafe(15), remote, self._outbox, self._drop)
        self.sockets[socket.sid] = socket
        count = self._per_address[socket.address] = self._per_address.get(socket.address, 0) + 1
        if count == self.max_per_address:
            log.warning(
                "%s has %d connections open, the most allowed (--max-connections-per-address): "
                "its next ones are refused",
                socket.address,
                count,
            )
        self._schedule(socket)
        return socket

    def counts(self) -> dict[str, int]:
        """Open connections by transport, and those of the address with the most."""
        websocket = sum(1 for socket in self.sockets.values() if not socket.polling)
        return {
            "polling": len(self.sockets) - websocket,
            "websocket": websocket,
            "busiest_address": max(self._per_address.values(), default=0),
        }

    def _known(self, sid: str) -> EngineSocket:
        socket = self.sockets.get(sid)
        if socket is None:
            raise InputError("unknown or closed session id: connect again", code="bad_session")
        return socket

    def _handshake(self, socket: EngineSocket, upgrades: list[str]) -> bytes:
        return orjson.dumps(
            {
                "sid": socket.sid,
                "upgrades": upgrades,
                "pingInterval": int(self.ping_interval_s * 1000),
                "pingTimeout": int(self.ping_timeout_s * 1000),
                "maxPayload": MAX_MESSAGE,
            }
        )

    def _drop(self, socket: EngineSocket, reason: CloseReason) -> None:
        if self.sockets.pop(socket.sid, None) is not None:
            left = self._per_address.pop(socket.address) - 1
            if left:
                self._per_address[socket.address] = left
            self._handler.on_close(socket, reason)

    async def _receive(self, socket: EngineSocket, text: str) -> None:
        if socket.closed:
            # A packet behind a close (later in the same polling payload, or read by an
            # upgrade that raced it) would recreate the state that on_close has just removed.
            return
        kind = text[:1]
        if kind == "4":
            socket.busy += 1
            try:
                await self._handler.on_message(socket, text[1:])
            finally:
                socket.busy -= 1
        elif kind == "3":
            socket.answered = True
        elif kind == "1":
            socket.close(CloseReason.CLIENT_CLOSE)
        elif kind == "2":
            socket.send(Frame(b"3" + text[1:].encode()))
        elif kind != "6":
            log.info("closing %s: not an Engine.IO packet: %.40r", socket.remote, text)
            socket.close(CloseReason.PARSE_ERROR)

    # -- pings: one timer wheel with a slot per second ----------------------------------

    def _schedule(self, socket: EngineSocket) -> None:
        due = self._tick + max(1, round(self.ping_interval_s))
        self._wheel.setdefault(due, []).append(socket)

    async def run(self) -> None:
        """Ping each client every ``ping_interval_s``; close those that did not answer."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += 1.0
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            self._tick += 1
            for socket in self._wheel.pop(self._tick, ()):
                if socket.closed:
                    continue
                if not socket.answered and not socket.busy:
                    log.info("closing %s: no answer to the last ping", socket.remote)
                    socket.close(CloseReason.PING_TIMEOUT)
                    continue
                socket.answered = False
                socket.send(PING)
                self._schedule(socket)


def decode_payload(body: bytes) -> list[str]:
    """A polling POST body → its Engine.IO packets, in order (``SEPARATOR`` between them;
    an empty body is one empty packet, which the server refuses as it refuses any packet of
    no known type). Raises InputError (``bad_packet``) if the body is not UTF-8."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise InputError("a polling payload must be UTF-8 text", code="bad_packet") from None
    return text.split(SEPARATOR)


def encode_payload(packets: list[bytes]) -> bytes:
    """Engine.IO packets → one polling response body (the inverse of ``decode_payload``)."""
    return _SEPARATOR_BYTES.join(packets)


_SEPARATOR_BYTES = SEPARATOR.encode()


def _text(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


Origin = tuple[str, str, int]
"""(scheme, host, port) of a page, the host in lower case without brackets."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> Origin | None:
    """An origin or base URL as (scheme, host, port); None when it is not an http(s) one
    (e.g. ``null``, sent by sandboxed frames and local files)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, _host(host), port if port is not None else _DEFAULT_PORTS[scheme]


def _host(host: str) -> str:
    """One spelling per host: an IPv4-mapped IPv6 address as IPv4, addresses in their
    compressed form, names in lower case."""
    try:
        ip = ip_address(host)
    except ValueError:
        return host.lower()
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _own_address(request: web.Request) -> tuple[str, int]:
    """The address and port of this controller that the connection reached."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        return _host(str(sockname[0])), int(sockname[1])
    return "", -1


def _loopback(host: str) -> bool:
    if host == "localhost":  # browsers resolve it themselves, never through DNS
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _both_loopback(page: Origin, request: web.Request) -> bool:
    """A page of ``localhost`` or a loopback address, on the port of this controller's
    loopback address: the same machine and the same listening port, so this controller."""
    host, port = _own_address(request)
    return page[0] == "http" and page[2] == port and _loopback(page[1]) and _loopback(host)
