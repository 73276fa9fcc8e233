"""The load generator's WebSocket framing (benchmarks/load/wire.py), byte by byte."""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.load.wire import _client_frame, _Socket


def server_frame(text: str, *, final: bool = True, opcode: int = 0x1) -> bytes:
    payload = text.encode()
    size = len(payload)
    first = (0x80 if final else 0) | opcode
    if size < 126:
        return bytes((first, size)) + payload
    if size < 65536:
        return bytes((first, 126)) + size.to_bytes(2, "big") + payload
    return bytes((first, 127)) + size.to_bytes(8, "big") + payload


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


async def test_messages_of_every_size_arrive_whole_whatever_the_chunks() -> None:
    texts: list[str] = []
    socket = _Socket(b"GET / HTTP/1.1\r\n\r\n", texts.append)
    transport: Any = Transport()
    socket.connection_made(transport)
    messages = ["0{}", "x" * 200, "é" * 40_000, "y" * 70_000]
    stream = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    stream += b"".join(server_frame(text) for text in messages)
    stream += server_frame("frag", final=False) + server_frame("ment", opcode=0x0)
    for at in range(0, len(stream), 1000):  # as TCP may cut it
        socket.data_received(stream[at : at + 1000])
    await asyncio.sleep(0)
    assert socket.opened.done()
    assert texts == [*messages, "fragment"]
    assert transport.written[0] == b"GET / HTTP/1.1\r\n\r\n"


async def test_a_refused_upgrade_fails_the_opening() -> None:
    socket = _Socket(b"GET / HTTP/1.1\r\n\r\n", lambda text: None)
    transport: Any = Transport()
    socket.connection_made(transport)
    socket.data_received(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    assert isinstance(socket.opened.exception(), ConnectionError)
    assert transport.closing


def test_client_frames_are_masked_final_text_frames() -> None:
    short, medium = _client_frame("42/room,1[]"), _client_frame("z" * 300)
    assert short[:2] == bytes((0x81, 0x80 | 11))
    assert short[2:6] == b"\x00\x00\x00\x00"
    assert short[6:] == b"42/room,1[]"
    assert medium[:4] == bytes((0x81, 0x80 | 126)) + (300).to_bytes(2, "big")
    assert len(medium) == 4 + 4 + 300
