"""realtime/sio.py's packet codec: ``decode``, ``encode`` and ``SocketServer.frame``."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulcast.errors import InputError
from simulcast.realtime.sio import (
    ACK,
    CONNECT,
    CONNECT_ERROR,
    DISCONNECT,
    EVENT,
    SocketServer,
    decode,
    encode,
    refusal_ack,
)


@pytest.mark.parametrize(
    ("text", "packet"),
    [
        ("0", (CONNECT, "/", None, None)),
        ("0{}", (CONNECT, "/", None, {})),
        ('0/room,{"token":"t"}', (CONNECT, "/room", None, {"token": "t"})),
        ("0/room?v=2,{}", (CONNECT, "/room", None, {})),
        ("0/room", (CONNECT, "/room", None, None)),
        ("1/console,", (DISCONNECT, "/console", None, None)),
        ("1", (DISCONNECT, "/", None, None)),
        ('2["hello",1]', (EVENT, "/", None, ["hello", 1])),
        ('2/resident,["help",{"seat":"3"}]', (EVENT, "/resident", None, ["help", {"seat": "3"}])),
        ('2/resident,12["help",{}]', (EVENT, "/resident", 12, ["help", {}])),
        ('2/resident,0["help"]', (EVENT, "/resident", 0, ["help"])),
        ("2/resident,999999999999999[]", (EVENT, "/resident", 999_999_999_999_999, [])),
        ('2/room,7"x"', (EVENT, "/room", 7, "x")),
        ("3/room,4[true]", (ACK, "/room", 4, [True])),
        ("3/room,4", (ACK, "/room", 4, None)),
        ('4/room,{"message":"no"}', (CONNECT_ERROR, "/room", None, {"message": "no"})),
        ("2/room,[1.5e300,-0]", (EVENT, "/room", None, [1.5e300, 0])),
        ("2/room,[18446744073709551616]", (EVENT, "/room", None, [1.8446744073709552e19])),
        ('2/é€,["ü"]', (EVENT, "/é€", None, ["ü"])),
    ],
)
def test_decode_reads_every_packet_type_namespace_and_ack_id(
    text: str, packet: tuple[str, str, int | None, Any]
) -> None:
    assert decode(text) == packet


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a socket.io packet: ''"),
        ("7", "not a socket.io packet: '7'"),
        ("x0/room,{}", "not a socket.io packet: 'x0/room,{}'"),
        (" 0", "not a socket.io packet: ' 0'"),
        ("5-/room,[]", "binary attachments are not accepted"),
        ("6-/room,3[]", "binary attachments are not accepted"),
        ("2/room,1234567890123456[]", "acknowledgement id too long"),
        ("2/room,{not json", "invalid JSON in a socket.io packet: "),
        ("2/room,[1,]", "invalid JSON in a socket.io packet: "),
        ("2/room,[1e999]", "invalid JSON in a socket.io packet: "),
        ("2/room," + "[" * 2000 + "]" * 2000, "invalid JSON in a socket.io packet: "),
        ('2/room,["\ud800"]', "invalid JSON in a socket.io packet: "),
        ("2/room,٣[]", "invalid JSON in a socket.io packet: "),  # not an ASCII digit
        ("2[]x", "invalid JSON in a socket.io packet: "),
    ],
)
def test_decode_refuses_malformed_packets_with_value_error(text: str, message: str) -> None:
    # After "…: " come orjson's own words, which its version may change.
    whole = re.escape(message) + ("" if message.endswith(": ") else r"\Z")
    with pytest.raises(ValueError, match=r"\A" + whole):
        decode(text)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((CONNECT, "/room", b'{"sid":"abc"}'), b'0/room,{"sid":"abc"}'),
        ((CONNECT, "/", b'{"sid":"abc"}'), b'0{"sid":"abc"}'),
        ((DISCONNECT, "/room"), b"1/room,"),
        ((DISCONNECT, "/"), b"1"),
        ((EVENT, "/console", b'["snapshot",{}]'), b'2/console,["snapshot",{}]'),
        ((ACK, "/console", b"[null]", 0), b"3/console,0[null]"),
        ((ACK, "/console", b'[{"ok":true}]', 123), b'3/console,123[{"ok":true}]'),
        ((CONNECT_ERROR, "/nowhere", b'{"message":"x"}'), b'4/nowhere,{"message":"x"}'),
        ((EVENT, "/é", b'["a"]'), '2/é,["a"]'.encode()),
    ],
)
def test_encode_writes_type_namespace_ack_and_body(args: tuple[Any, ...], text: bytes) -> None:
    assert encode(*args) == text


def test_frame_is_an_engineio_message_of_the_encoded_packet() -> None:
    sio = SocketServer()
    frame = sio.frame("/room", b'["news",{"n":1}]')
    assert frame.text == b'42/room,["news",{"n":1}]'
    assert sio.frame("/room", b"[1]", ACK, 5).text == b"43/room,5[1]"
    assert sio.frame("/", b"", DISCONNECT).text == b"41"


def test_refusal_ack_is_the_one_error_shape() -> None:
    error = InputError("bad seat", code="invalid_input", details=[{"field": "seat"}])
    assert refusal_ack(error) == {
        "ok": False,
        "error": {"code": "invalid_input", "message": "bad seat", "details": [{"field": "seat"}]},
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
namespaces = st.just("/") | st.text(
    st.characters(exclude_characters=",?", codec="utf-8"), min_size=1
).map(lambda name: "/" + name)


@settings(max_examples=400, derandomize=True)
@given(
    kind=st.sampled_from([CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR]),
    namespace=namespaces,
    ack=st.none() | st.integers(min_value=0, max_value=10**15 - 1),
    data=st.lists(json_values, max_size=4) | st.dictionaries(st.text(), json_values, max_size=4),
)
def test_decode_inverts_encode(
    kind: str, namespace: str, ack: int | None, data: list[Any] | dict[str, Any]
) -> None:
    text = encode(kind, namespace, orjson.dumps(data), ack).decode()
    assert decode(text) == (kind, namespace, ack, data)


@settings(max_examples=1000, derandomize=True)
@given(st.text(max_size=60) | st.from_regex(r"\A[0-6](/[a-z?=,]{0,8},)?[0-9]{0,20}.{0,20}\Z"))
@example("2/room,[" + "[" * 1100 + "]")
@example("2/room,\ud800")
def test_decode_raises_nothing_but_value_error(text: str) -> None:
    try:
        kind, namespace, ack, _ = decode(text)
    except ValueError:
        return
    assert kind in "01234"
    assert namespace.startswith("/")
    assert ack is None or 0 <= ack < 10**15
