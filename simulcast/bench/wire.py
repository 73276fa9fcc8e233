"""A light Socket.IO v5 / Engine.IO v4 client (WebSocket transport, text packets only).

python-socketio's client costs about three times the CPU per emit; a load generator that
wants to saturate the server, not itself, speaks the wire protocol directly: one task per
connection (the reader), acknowledgements as futures, events to one callback.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

OnEvent = Callable[[str, Any], None]


class Refused(Exception):
    """The server refused the namespace connection (its CONNECT_ERROR payload)."""


class LightClient:
    """One connection to one namespace."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, namespace: str) -> None:
        self._http = http
        self._url = base_url.replace("http", "ws", 1).rstrip("/") + (
            "/socket.io/?EIO=4&transport=websocket"
        )
        self.namespace = namespace
        self._prefix = "" if namespace == "/" else f"{namespace},"
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._callbacks: dict[int, Callable[[Any], None]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self._connected: asyncio.Future[Any] | None = None
        self.on_event: OnEvent = lambda name, data: None
        self.closed = asyncio.Event()

    async def connect(self, auth: dict[str, Any], within: float = 30.0) -> Any:
        """Open the socket and the namespace; returns the CONNECT payload or raises Refused."""
        loop = asyncio.get_running_loop()
        self._connected = loop.create_future()
        self._ws = await self._http.ws_connect(
            self._url,
            timeout=aiohttp.ClientWSTimeout(ws_close=5),
            autoping=False,
            max_msg_size=0,
        )
        opening = await asyncio.wait_for(self._ws.receive(), within)
        if opening.type != aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
            raise Refused(f"no Engine.IO open packet: {opening.data!r}")
        await self._ws.send_str(f"40{self._prefix}{orjson.dumps(auth).decode()}")
        self.closed.clear()
        self._reader = loop.create_task(self._read())
        return await asyncio.wait_for(self._connected, within)

    async def emit(self, event: str, data: Any) -> None:
        assert self._ws is not None
        await self._ws.send_str(f"42{self._prefix}{orjson.dumps([event, data]).decode()}")

    async def send(self, event: str, data: Any, on_ack: Callable[[Any], None]) -> None:
        """Emit with an acknowledgement handled by ``on_ack`` (no future, no task: what a
        generator sending thousands of actions per second can afford)."""
        assert self._ws is not None
        ack_id = next(self._ids)
        self._callbacks[ack_id] = on_ack
        await self._ws.send_str(f"42{self._prefix}{ack_id}{orjson.dumps([event, data]).decode()}")

    async def call(self, event: str, data: Any) -> Any:
        """Emit with an acknowledgement; returns the ack's first argument."""
        assert self._ws is not None
        ack_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        await self._ws.send_str(f"42{self._prefix}{ack_id}{orjson.dumps([event, data]).decode()}")
        return await future

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                self._packet(message.data)
        finally:
            self.closed.set()
            error = ConnectionError("connection closed")
            if self._connected is not None and not self._connected.done():
                self._connected.set_exception(error)
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(error)
            self._acks.clear()
            for callback in self._callbacks.values():
                callback(None)
            self._callbacks.clear()

    def _packet(self, text: str) -> None:
        kind = text[0]
        if kind == "2":  # Engine.IO ping
            assert self._ws is not None
            asyncio.get_running_loop().create_task(self._ws.send_str("3"))
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
