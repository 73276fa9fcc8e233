"""A light Socket.IO v5 / Engine.IO v4 client (WebSocket transport, text packets only).

The load generator shares the machine with the server it measures, so each client must cost
as little as possible: python-socketio's client costs about three times the CPU per emit, and
aiohttp's WebSocket client spends most of a reconnect storm in its connection machinery
(timers, host checks, the request object). This one is an asyncio Protocol: the HTTP upgrade
written by hand, server frames parsed as they arrive, events and acknowledgements handed to
callbacks. Client frames carry a zero masking key (RFC 6455 asks browsers for a random one,
to protect proxies; servers accept any key, and unmasking with zero is free).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import orjson

OnEvent = Callable[[str, Any], None]

_MASK = b"\x00\x00\x00\x00"


class Refused(Exception):
    """The server refused the namespace connection (its CONNECT_ERROR payload)."""


def _client_frame(text: str) -> bytes:
    """A final, masked (zero key) text frame."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, 0x80 | size))
    elif size < 65536:
        header = bytes((0x81, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 0x80 | 127)) + size.to_bytes(8, "big")
    return header + _MASK + payload


class _Socket(asyncio.Protocol):
    """One WebSocket connection: handshake, then whole text messages to ``on_text``."""

    def __init__(self, request: bytes, on_text: Callable[[str], None]) -> None:
        self._request = request
        self._on_text = on_text
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = asyncio.Event()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self.opened.done():
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
            del self._buffer[: end + 4]
            if not status.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(f"no WebSocket upgrade: {status!r}"))
                self.close()
                return
            self.opened.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            size, at = second & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    return
                size, at = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                if len(buffer) < 10:
                    return
                size, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + size:
                return
            payload = bytes(buffer[at : at + size])
            del buffer[: at + size]
            opcode = first & 0x0F
            if opcode in (0x1, 0x0):  # text, or the continuation of a fragmented one
                self._fragments.append(payload)
                if first & 0x80:
                    self._on_text(b"".join(self._fragments).decode())
                    self._fragments.clear()
            elif opcode == 0x9 and self.transport is not None:  # ping → pong
                self.transport.write(bytes((0x8A, 0x80 | len(payload))) + _MASK + payload)
            elif opcode == 0x8:
                self.close()
                return

    def send(self, text: str) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("connection closed")
        self.transport.write(_client_frame(text))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"\x88\x82" + _MASK + (1000).to_bytes(2, "big"))
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost: {exc}"))
        self.closed.set()


class LightClient:
    """One connection to one namespace."""

    def __init__(self, base_url: str, namespace: str) -> None:
        url = urlsplit(base_url)
        self._host = url.hostname or "127.0.0.1"
        self._port = url.port or 80
        self._path = url.path.rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        self.namespace = namespace
        self._prefix = "" if namespace == "/" else f"{namespace},"
        self._socket: _Socket | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._callbacks: dict[int, Callable[[Any], None]] = {}
        self._ids = itertools.count(1)
        self._opening: asyncio.Future[None] | None = None
        self._connected: asyncio.Future[Any] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self.on_event: OnEvent = lambda name, data: None

    async def connect(self, auth: dict[str, Any], within: float = 30.0) -> Any:
        """Open the socket and the namespace; returns the CONNECT payload or raises Refused."""
        loop = asyncio.get_running_loop()
        self._opening = loop.create_future()
        self._connected = loop.create_future()
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {self._path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        _, socket = await asyncio.wait_for(
            loop.create_connection(lambda: _Socket(request, self._packet), self._host, self._port),
            within,
        )
        self._socket = socket
        self._watcher = loop.create_task(self._watch(socket))
        await asyncio.wait_for(socket.opened, within)
        await asyncio.wait_for(self._opening, within)  # the Engine.IO open packet
        socket.send(f"40{self._prefix}{orjson.dumps(auth).decode()}")
        return await asyncio.wait_for(self._connected, within)

    async def emit(self, event: str, data: Any) -> None:
        self._send(f"42{self._prefix}{orjson.dumps([event, data]).decode()}")

    async def send(self, event: str, data: Any, on_ack: Callable[[Any], None]) -> None:
        """Emit with an acknowledgement handled by ``on_ack`` (no future, no task: what a
        generator sending thousands of actions per second can afford)."""
        ack_id = next(self._ids)
        self._callbacks[ack_id] = on_ack
        self._send(f"42{self._prefix}{ack_id}{orjson.dumps([event, data]).decode()}")

    async def call(self, event: str, data: Any) -> Any:
        """Emit with an acknowledgement; returns the ack's first argument."""
        ack_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send(f"42{self._prefix}{ack_id}{orjson.dumps([event, data]).decode()}")
        return await future

    async def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            await self._socket.closed.wait()

    def _send(self, text: str) -> None:
        assert self._socket is not None, "connect first"
        self._socket.send(text)

    async def _watch(self, socket: _Socket) -> None:
        await socket.closed.wait()
        self._lost()

    def _lost(self) -> None:
        error = ConnectionError("connection closed")
        for waiting in (self._opening, self._connected):
            if waiting is not None and not waiting.done():
                waiting.set_exception(error)
                waiting.exception()  # retrieved: the caller may already have given up
        for future in self._acks.values():
            if not future.done():
                future.set_exception(error)
        self._acks.clear()
        callbacks, self._callbacks = self._callbacks, {}
        for callback in callbacks.values():
            callback(None)

    def _packet(self, text: str) -> None:
        kind = text[0]
        if kind == "0" and self._opening is not None and not self._opening.done():
            self._opening.set_result(None)
            return
        if kind == "2":  # Engine.IO ping
            if self._socket is not None:
                self._socket.send("3")
            return
        if kind != "4" or len(text) < 2:
            return
        body = text[2:]
        if body.startswith("/"):
            _, _, body = body.partition(",")
        packet = text[1]
        if packet == "2":  # EVENT
            start = body.find("[")
            if start < 0:
                return
            payload = orjson.loads(body[start:])
            self.on_event(payload[0], payload[1] if len(payload) > 1 else None)
        elif packet == "3":  # ACK
            start = body.find("[")
            ack_id = int(body[:start])
            arguments = orjson.loads(body[start:])
            answer = arguments[0] if arguments else None
            callback = self._callbacks.pop(ack_id, None)
            if callback is not None:
                callback(answer)
                return
            future = self._acks.pop(ack_id, None)
            if future is not None and not future.done():
                future.set_result(answer)
        elif packet == "0" and self._connected is not None and not self._connected.done():
            self._connected.set_result(orjson.loads(body) if body else None)
        elif packet == "4" and self._connected is not None and not self._connected.done():
            self._connected.set_exception(Refused(body))
