"""Socket.IO v5 over engineio.py: namespaces, rooms, events with acknowledgements.

Only what simulcast's protocol uses (docs/protocol.md): JSON packets (no binary
attachments), connect with an ``auth`` payload, ``connect_error`` with
``{"message", "data"}``, events with one payload and an optional acknowledgement.
``emit`` is synchronous: it encodes the packet once for its whole audience and writes it to
each connection without waiting (see engineio.Frame).

Each client's events are handled in its connection's reader, one after the other, not in a
task per event: a client waits for its acknowledgement anyway, and ordering per client is
what the protocol promises.
"""

from __future__ import annotations

import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import orjson

from simulcast.errors import SimulcastError
from simulcast.realtime.engineio import CloseReason, EngineServer, EngineSocket, Frame

log = logging.getLogger(__name__)

CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = "0", "1", "2", "3", "4"

EventHandler = Callable[..., Awaitable[Any]]


class ConnectionRefused(Exception):
    """Raised by ``Namespace.on_connect``: the client gets ``connect_error``."""

    def __init__(self, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class Client:
    """A connection's membership of one namespace."""

    __slots__ = ("gone", "namespace", "ready", "rooms", "sid", "socket")

    def __init__(self, sid: str, socket: EngineSocket, namespace: str) -> None:
        self.sid = sid
        self.socket = socket
        self.namespace = namespace
        self.rooms: set[str] = set()
        self.ready = False
        """True once the client has its CONNECT packet: only then does it hear room events."""
        self.gone: CloseReason | None = None
        """Why it left, once it has."""


class Namespace:
    """Base of the application's namespaces: ``on_connect``, ``on_connected``,
    ``on_disconnect`` and one ``on_<event>(sid, data)`` coroutine per event."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._server: SocketServer | None = None

    @property
    def server(self) -> SocketServer:
        assert self._server is not None, "register the namespace on a SocketServer first"
        return self._server

    def events(self) -> dict[str, EventHandler]:
        return {
            name.removeprefix("on_"): method
            for name, method in inspect.getmembers(self, inspect.iscoroutinefunction)
            if name.startswith("on_") and name not in ("on_connect", "on_connected")
        }

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        """Accept (return) or refuse (raise ConnectionRefused) a client."""

    async def on_connected(self, sid: str) -> None:
        """After the client has its CONNECT packet: send it what it needs first."""

    def on_disconnect(self, sid: str, reason: CloseReason) -> None:
        """The client left (synchronous: it has already left its rooms). Called once per
        connect, and once more should the client leave while ``on_connect`` was running
        (whatever that added for ``sid`` afterwards is to be removed again)."""

    def disconnect(self, sid: str, reason: CloseReason = CloseReason.SERVER_DISCONNECT) -> bool:
        """Disconnect client ``sid`` from this namespace only: see SocketServer.disconnect."""
        return self.server.disconnect(self.namespace, sid, reason)

    def close_connection(
        self, sid: str, reason: CloseReason = CloseReason.SERVER_DISCONNECT
    ) -> bool:
        """Close the whole connection of client ``sid``: see SocketServer.close_connection."""
        return self.server.close_connection(self.namespace, sid, reason)

    def enter_room(self, sid: str, room: str) -> None:
        self.server.enter_room(self.namespace, sid, room)

    def leave_room(self, sid: str, room: str) -> None:
        self.server.leave_room(self.namespace, sid, room)

    def emit(self, event: str, data: Any, *, to: str) -> None:
        self.server.emit(event, data, namespace=self.namespace, to=to)


class SocketServer:
    """Implements engineio.Handler; serves the registered namespaces."""

    def __init__(self, **engine_options: Any) -> None:
        self.engine = EngineServer(self, **engine_options)
        self._namespaces: dict[str, Namespace] = {}
        self._events: dict[str, dict[str, EventHandler]] = {}
        self.clients: dict[str, dict[str, Client]] = {}
        """namespace → sid → client."""
        self._rooms: dict[str, dict[str, dict[str, Client]]] = {}
        """namespace → room → sid → client."""
        self._by_socket: dict[str, dict[str, Client]] = {}
        """engine sid → namespace → client."""

    def register(self, namespace: Namespace) -> None:
        name = namespace.namespace
        namespace._server = self
        self._namespaces[name] = namespace
        self._events[name] = namespace.events()
        self.clients[name] = {}
        self._rooms[name] = {}

    # -- sending ------------------------------------------------------------------------

    def frame(
        self, namespace: str, body: bytes, kind: str = EVENT, ack: int | None = None
    ) -> Frame:
        """``4`` (Engine.IO message) + the socket.io packet (see ``encode``)."""
        return Frame(b"4" + encode(kind, namespace, body, ack))

    def emit(
        self,
        event: str,
        data: Any,
        *,
        namespace: str,
        room: str | None = None,
        to: str | None = None,
    ) -> int:
        """Send ``event`` to a room or one client of ``namespace``; returns how many got it."""
        if to is not None:
            client = self.clients[namespace].get(to)
            audience: Iterable[Client] = () if client is None else (client,)
        else:
            assert room is not None, "emit to a room or to a client"
            members = self._rooms[namespace].get(room)
            if not members:
                return 0
            audience = list(members.values())
        frame: Frame | None = None
        sent = 0
        for client in audience:
            if not client.ready:
                continue
            if frame is None:
                frame = self.frame(namespace, orjson.dumps([event, data]))
            client.socket.send(frame)
            sent += 1
        return sent

    def enter_room(self, namespace: str, sid: str, room: str) -> None:
        client = self.clients[namespace].get(sid)
        if client is None:
            return
        client.rooms.add(room)
        self._rooms[namespace].setdefault(room, {})[sid] = client

    def leave_room(self, namespace: str, sid: str, room: str) -> None:
        client = self.clients[namespace].get(sid)
        if client is None:
            return
        client.rooms.discard(room)
        members = self._rooms[namespace].get(room)
        if members is not None:
            members.pop(sid, None)
            if not members:
                del self._rooms[namespace][room]

    def room_size(self, namespace: str, room: str) -> int:
        return len(self._rooms[namespace].get(room, ()))

    def disconnect(
        self, namespace: str, sid: str, reason: CloseReason = CloseReason.SERVER_DISCONNECT
    ) -> bool:
        """Disconnect client ``sid`` from ``namespace``: before this returns, it is sent
        socket.io's DISCONNECT packet for that namespace, has left its rooms (no emit reaches
        it any more) and the namespace's ``on_disconnect(sid, reason)`` has run. Its
        Engine.IO connection stays open, with its other namespaces. A client whose connect
        handler is still running gets ``connect_error`` instead. False if ``sid`` is not
        connected to ``namespace`` (any more)."""
        client = self.clients.get(namespace, {}).get(sid)
        if client is None:
            return False
        if client.ready:
            client.socket.send(self.frame(namespace, b"", DISCONNECT))
        self._leave(client.socket, namespace, reason)
        return True

    def close_connection(
        self, namespace: str, sid: str, reason: CloseReason = CloseReason.SERVER_DISCONNECT
    ) -> bool:
        """Close the Engine.IO connection of client ``sid`` of ``namespace``, with every
        namespace on it: each gets a DISCONNECT packet and runs ``on_disconnect`` with
        ``reason`` before this returns, then the client gets Engine.IO's close packet and its
        transport ends. False if ``sid`` is not connected to ``namespace`` (any more)."""
        client = self.clients.get(namespace, {}).get(sid)
        if client is None:
            return False
        socket = client.socket
        for other in self._by_socket.get(socket.sid, {}).values():
            if other.ready:
                socket.send(self.frame(other.namespace, b"", DISCONNECT))
        socket.close(reason)
        return True

    # -- receiving (engineio.Handler) ---------------------------------------------------

    async def on_message(self, socket: EngineSocket, text: str) -> None:
        try:
            kind, namespace, ack, data = decode(text)
        except ValueError as error:
            log.info("closing %s: %s", socket.remote, error)
            socket.close(CloseReason.PARSE_ERROR)
            return
        if kind == EVENT:
            await self._event(socket, namespace, ack, data)
        elif kind == CONNECT:
            await self._connect(socket, namespace, data)
        elif kind == DISCONNECT:
            self._leave(socket, namespace, CloseReason.CLIENT_DISCONNECT)
        elif kind != ACK:  # simulcast never asks clients for acknowledgements
            log.info("closing %s: socket.io packet type %s is not accepted", socket.remote, kind)
            socket.close(CloseReason.PARSE_ERROR)

    def on_close(self, socket: EngineSocket, reason: CloseReason) -> None:
        for namespace in list(self._by_socket.get(socket.sid, ())):
            self._leave(socket, namespace, reason)
        self._by_socket.pop(socket.sid, None)

    async def _connect(self, socket: EngineSocket, namespace: str, auth: Any) -> None:
        handler = self._namespaces.get(namespace)
        if handler is None:
            return self._send(socket, namespace, CONNECT_ERROR, {"message": "Invalid namespace"})
        joined = self._by_socket.setdefault(socket.sid, {})
        if namespace in joined:
            return  # already connected: a duplicate CONNECT changes nothing
        client = Client(secrets.token_urlsafe(15), socket, namespace)
        joined[namespace] = client
        self.clients[namespace][client.sid] = client
        try:
            await handler.on_connect(client.sid, socket.remote, auth)
        except ConnectionRefused as refusal:
            self._forget(client)
            error: dict[str, Any] = {"message": refusal.message}
            if refusal.data is not None:
                error["data"] = refusal.data
            return self._send(socket, namespace, CONNECT_ERROR, error)
        except Exception:
            self._forget(client)
            log.exception("connect handler of %s failed", namespace)
            return self._send(socket, namespace, CONNECT_ERROR, {"message": "internal error"})
        if socket.closed or self.clients[namespace].get(client.sid) is not client:
            # Gone while on_connect ran: its disconnect may have come first, tell it again.
            self._forget(client)
            handler.on_disconnect(client.sid, client.gone or CloseReason.TRANSPORT_CLOSE)
            if not socket.closed:  # disconnected by the server: never leave a connect unanswered
                self._send(socket, namespace, CONNECT_ERROR, {"message": "disconnected"})
            return
        self._send(socket, namespace, CONNECT, {"sid": client.sid})
        client.ready = True
        try:
            await handler.on_connected(client.sid)
        except Exception:  # the client stays connected; what failed is in the log
            log.exception("after-connect handler of %s failed", namespace)

    async def _event(
        self, socket: EngineSocket, namespace: str, ack: int | None, data: Any
    ) -> None:
        client = self._by_socket.get(socket.sid, {}).get(namespace)
        if client is None:
            if ack is not None:
                self._ack(socket, namespace, ack, _error("not_connected", "connect first"))
            return
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            if ack is not None:
                self._ack(socket, namespace, ack, _error("invalid_input", _MALFORMED))
            return
        name, args = data[0], data[1:]
        handler = self._events[namespace].get(name)
        if handler is None:
            result: Any = _error(
                "unknown_event",
                f'no event "{name}" on {namespace}: see docs/protocol.md for the list',
            )
        elif len(args) > 1:
            result = _error("invalid_input", f'send "{name}" with one payload object')
        else:
            try:
                result = await handler(client.sid, *args)
            except Exception:
                log.exception("handler of %s on %s failed", name, namespace)
                result = refusal_ack(INTERNAL_ERROR)
        if ack is not None:
            self._ack(socket, namespace, ack, result)

    def _leave(self, socket: EngineSocket, namespace: str, reason: CloseReason) -> None:
        client = self._by_socket.get(socket.sid, {}).pop(namespace, None)
        if client is None:
            return
        client.gone = reason
        self._forget(client)
        try:
            self._namespaces[namespace].on_disconnect(client.sid, reason)
        except Exception:
            log.exception("disconnect handler of %s failed", namespace)

    def _forget(self, client: Client) -> None:
        for room in list(client.rooms):
            self.leave_room(client.namespace, client.sid, room)
        self.clients[client.namespace].pop(client.sid, None)
        joined = self._by_socket.get(client.socket.sid)
        if joined is not None and joined.get(client.namespace) is client:
            del joined[client.namespace]

    def _send(self, socket: EngineSocket, namespace: str, kind: str, data: Any) -> None:
        socket.send(self.frame(namespace, orjson.dumps(data), kind))

    def _ack(self, socket: EngineSocket, namespace: str, ack: int, result: Any) -> None:
        socket.send(self.frame(namespace, orjson.dumps([result]), ACK, ack))


def encode(kind: str, namespace: str, body: bytes = b"", ack: int | None = None) -> bytes:
    """A socket.io packet: ``<type>[<namespace>,][<ack id>][<json>]``, the inverse of
    ``decode``. ``body`` is the JSON, already encoded; the ``/`` namespace is left out, as
    the protocol has it."""
    prefix = b"" if namespace == "/" else namespace.encode() + b","
    return kind.encode() + prefix + (b"" if ack is None else str(ack).encode()) + body


def decode(text: str) -> tuple[str, str, int | None, Any]:
    """``<type>[/<namespace>,][<ack id>][<json>]`` → (type, namespace, ack id, data).

    The namespace's query string (``/room?x=1``) is dropped; no JSON gives ``None``. Raises
    ValueError, and nothing else, for anything that is not such a packet: an unknown type,
    binary attachments (types 5 and 6), an ack id over 15 digits, JSON that does not parse."""
    if not text or text[0] not in "0123456":
        raise ValueError(f"not a socket.io packet: {text[:40]!r}")
    kind = text[0]
    if kind in "56":
        raise ValueError("binary attachments are not accepted")
    at = 1
    namespace = "/"
    if text.startswith("/", at):
        comma = text.find(",", at)
        end = len(text) if comma < 0 else comma
        namespace = text[at:end].split("?", 1)[0]
        at = end + 1
    start = at
    while at < len(text) and "0" <= text[at] <= "9":
        at += 1
    if at - start > _MAX_ACK_DIGITS:
        raise ValueError("acknowledgement id too long")
    ack = int(text[start:at]) if at > start else None
    try:
        data = orjson.loads(text[at:]) if at < len(text) else None
    except orjson.JSONDecodeError as error:
        raise ValueError(f"invalid JSON in a socket.io packet: {error}") from None
    return kind, namespace, ack, data


_MALFORMED = 'an event is ["name", payload]: see docs/protocol.md'
_MAX_ACK_DIGITS = 15


def refusal_ack(error: SimulcastError) -> dict[str, Any]:
    """The acknowledgement of an action that failed: ``{"ok": false, "error": {…}}``."""
    return {"ok": False, **error.to_dict()}


INTERNAL_ERROR = SimulcastError("internal error")


def _error(code: str, message: str) -> dict[str, Any]:
    return refusal_ack(SimulcastError(message, code=code))
