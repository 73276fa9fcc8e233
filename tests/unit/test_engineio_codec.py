"""realtime/engineio.py's encoders and decoders: WebSocket frame headers, polling payloads."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from wsproto.frame_protocol import FrameProtocol, Opcode

from simulcast.errors import InputError
from simulcast.realtime.engineio import (
    CLOSE,
    NOOP,
    PING,
    SEPARATOR,
    Frame,
    decode_payload,
    encode_payload,
)


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (0, b"\x81\x00"),
        (1, b"\x81\x01"),
        (125, b"\x81\x7d"),
        (126, b"\x81\x7e\x00\x7e"),
        (65_535, b"\x81\x7e\xff\xff"),
        (65_536, b"\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
        (1_000_000, b"\x81\x7f\x00\x00\x00\x00\x00\x0f\x42\x40"),
    ],
)
def test_frame_ws_is_a_final_unmasked_text_frame_with_the_shortest_length(
    size: int, header: bytes
) -> None:
    text = b"4" * size
    frame = Frame(text)
    assert frame.text == text
    assert frame.ws == header + text


@pytest.mark.parametrize("size", [0, 125, 126, 65_535, 65_536])
def test_frame_ws_parses_as_one_whole_text_message_in_a_reference_parser(size: int) -> None:
    text = "é".encode() * (size // 2) + b"x" * (size % 2)  # two-byte UTF-8, exact length
    parser = FrameProtocol(client=True, extensions=[])
    parser.receive_bytes(Frame(text).ws)
    frames = list(parser.received_frames())
    assert [(f.opcode, f.payload, f.frame_finished, f.message_finished) for f in frames] == [
        (Opcode.TEXT, text.decode(), True, True)
    ]


def test_frame_ws_is_encoded_once_however_many_read_it() -> None:
    frame = Frame(b'42/room,["x",1]')
    assert frame.ws is frame.ws


def test_control_packets_are_engineio_types() -> None:
    assert (PING.text, NOOP.text, CLOSE.text) == (b"2", b"6", b"1")
    assert (PING.ws, NOOP.ws, CLOSE.ws) == (b"\x81\x012", b"\x81\x016", b"\x81\x011")


@pytest.mark.parametrize(
    ("body", "packets"),
    [
        (b"4hello", ["4hello"]),
        (b'2\x1e42/room,["a",{}]\x1e3', ["2", '42/room,["a",{}]', "3"]),
        (b"", [""]),  # one empty packet: the server closes the connection for it
        (b"\x1e", ["", ""]),
        ("4é€😀".encode(), ["4é€😀"]),
    ],
    ids=["one", "several", "empty", "separator-only", "utf8"],
)
def test_decode_payload_splits_on_the_record_separator(body: bytes, packets: list[str]) -> None:
    assert decode_payload(body) == packets


@pytest.mark.parametrize("body", [b"4\xff\xfe", b"\x80", b"4\xed\xa0\x80", b"4\xc3"])
def test_decode_payload_refuses_bytes_that_are_not_utf8(body: bytes) -> None:
    with pytest.raises(InputError) as raised:
        decode_payload(body)
    assert raised.value.to_dict() == {
        "error": {"code": "bad_packet", "message": "a polling payload must be UTF-8 text"}
    }
    assert raised.value.status == 400


def test_encode_payload_joins_with_the_record_separator() -> None:
    assert encode_payload([b"2", b'42/room,["a",1]', b"1"]) == b'2\x1e42/room,["a",1]\x1e1'
    assert encode_payload([b"6"]) == b"6"
    assert encode_payload([]) == b""


packet_text = st.text(st.characters(exclude_characters=SEPARATOR, codec="utf-8"))


@settings(max_examples=300, derandomize=True)
@given(st.lists(packet_text, min_size=1))
def test_decode_payload_inverts_encode_payload(packets: list[str]) -> None:
    assert decode_payload(encode_payload([p.encode() for p in packets])) == packets


@settings(max_examples=500, derandomize=True)
@given(st.binary(max_size=200))
@example(b"\xff")
def test_decode_payload_raises_nothing_but_input_error(body: bytes) -> None:
    try:
        body.decode()
    except UnicodeDecodeError:
        with pytest.raises(InputError, match="must be UTF-8"):
            decode_payload(body)
    else:
        assert SEPARATOR.join(decode_payload(body)).encode() == body
