"""Property tests of simulcast's socket layer (realtime/engineio.py, sio.py): random and
mutated packets sent to a real controller over long-polling and WebSocket.

Whatever a client sends, the controller never fails (no 5xx, nothing logged at ERROR), keeps
answering the client or closes its connection, and once the client is gone every table it
keeps per connection is back to its size before. The examples are derandomized: a failure
replays as is, and Hypothesis prints the shrunk packets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from simulcast.realtime.engineio import SEPARATOR
from tests.conftest import Controller
from tests.helpers import ADMIN
from tests.integration.test_socketio_wire import table_sizes

ROOM = "cs-lille-sud"
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""One controller serves every example of a test, so each example compares the server's
tables with their sizes at its own start. No shrinking: a leak makes every later example
fail too, and shrinking against a real server outlasts the per-test timeout; the first
failing example is printed whole, and derandomize replays it."""

NAMESPACES = ["/room", "/console", "/resident", "/", "/nowhere", "/room?v=1", "/résident"]
EVENTS = [
    "snapshot", "watch", "start", "end", "announce", "launch_check", "close_check", "answer",
    "preflight", "clear_problem", "heartbeat", "screen_state", "report_problem", "claim",
    "resolve", "escalate", "walkins", "checkin", "help", "cancel_help", "answer_check",
    "leave", "disconnect", "connect", "on_connect", "__init__", "", "x" * 300,
]  # fmt: skip
"""Every event the namespaces handle, and names that must not reach a method."""

WEIRD_JSON = [
    "1e999",
    "-1e999",
    "123456789012345678901234567890",
    "-0",
    "[" * 1100 + "]" * 1100,
    '{"a":' * 600 + "1" + "}" * 600,
    "[1,",
    "{",
    '"\\ud800"',
    "NaN",
    "[]",
    '""',
    "null",
]
"""JSON (or nearly) that a stock encoder never writes."""

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
ack_ids = st.none() | st.integers(min_value=0, max_value=10**15 - 1) | st.just(10**16)


def tokens(live: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Credentials that are right, wrong, or not credentials at all."""
    room = live[ROOM]
    right = [room["facilitator_token"], room["screen_token"], ADMIN, room["join_code"]]
    return st.sampled_from([*right, "", "bad", right[0][:-1] + "x"]) | json_values


def auths(live: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries({"token": tokens(live)}),
        st.fixed_dictionaries({"code": tokens(live)}, optional={"token": tokens(live)}),
        st.fixed_dictionaries({"token": st.just(ADMIN)}, optional={"session": json_values}),
        json_values,
    )


def body(values: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return values.map(lambda value: orjson.dumps(value).decode()) | st.sampled_from(WEIRD_JSON)


def socketio_packets(live: dict[str, Any]) -> st.SearchStrategy[str]:
    """socket.io packets as a client writes them, valid or nearly."""

    def packet(kind: str, namespace: str, ack: int | None, data: str) -> str:
        prefix = "" if namespace == "/" else namespace + ","
        return kind + prefix + ("" if ack is None else str(ack)) + data

    namespace = st.sampled_from(NAMESPACES)
    event = st.tuples(st.sampled_from(EVENTS) | st.text(max_size=12), st.lists(json_values))
    return st.one_of(
        st.builds(packet, st.just("0"), namespace, st.none(), body(auths(live))),
        st.builds(packet, st.just("0"), namespace, st.none(), st.just("")),
        st.builds(
            packet,
            st.just("2"),
            namespace,
            ack_ids,
            body(event.map(lambda e: [e[0], *e[1]])) | body(json_values),
        ),
        st.builds(packet, st.sampled_from("13456"), namespace, ack_ids, body(json_values)),
        st.builds(packet, st.just("5"), st.just("1-/room"), st.none(), st.just('["x",{}]')),
    )


def mutated(packets: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A packet with characters dropped, inserted or replaced, or cut short."""

    def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
        for op, at, char in edits:
            at %= len(text) + 1
            if op == 0:
                text = text[:at] + text[at + 1 :]
            elif op == 1:
                text = text[:at] + char + text[at:]
            elif op == 2:
                text = text[:at] + char + text[at + 1 :]
            else:
                text = text[:at]
        return text

    edit = st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.characters(codec="utf-8"))
    return st.builds(mutate, packets, st.lists(edit, min_size=1, max_size=3))


def connect(live: dict[str, Any]) -> st.SearchStrategy[str]:
    """A connect that succeeds (unless rate limited), so that what follows reaches handlers."""
    room = live[ROOM]
    return st.sampled_from(
        [
            f'40/room,{{"token":"{room["facilitator_token"]}"}}',
            f'40/room,{{"token":"{room["screen_token"]}"}}',
            f'40/console,{{"token":"{ADMIN}"}}',
            f'40/resident,{{"code":"{room["join_code"]}"}}',
        ]
    )


def connects(live: dict[str, Any]) -> st.SearchStrategy[list[str]]:
    return st.lists(connect(live), max_size=2)


def engineio_packets(live: dict[str, Any]) -> st.SearchStrategy[str]:
    """Engine.IO packets: mostly messages carrying a socket.io packet, mutated or not."""
    sio = socketio_packets(live)
    return st.one_of(
        sio.map(lambda text: "4" + text),
        mutated(sio).map(lambda text: "4" + text),
        mutated(sio.map(lambda text: "4" + text)),
        st.sampled_from(["1", "2", "3", "5", "6", "2probe", "3probe", "", "4", "7"]),
        st.text(st.characters(codec="utf-8"), max_size=40),
    )


@pytest.fixture
async def live(controller: Controller) -> dict[str, Any]:
    """A started session in ROOM: its access links, for credentials that are right."""
    _, access = await controller.api.live_session([ROOM])
    return access


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR
    ]


async def settled(check: Callable[[], bool], within: float = 1.0) -> None:
    """Until ``check()`` holds, or ``within`` seconds (the caller then asserts and shows
    what differs): the server's side of a WebSocket close may end a few loop turns after
    the client's, as aiohttp sends its close frame first."""

    async def wait() -> None:
        # No event to await: the server exposes none, and its code is not to be patched.
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0)

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wait(), within)


TIMEOUT = aiohttp.ClientTimeout(total=10)


def note_connects(packets: list[str]) -> None:
    """Tell Hypothesis's statistics how many examples got as far as a namespace."""
    for packet in packets:
        if packet.startswith("40/"):
            event("a namespace accepted the connect")
        elif packet.startswith("44/"):
            event("a namespace refused the connect")


async def poll_until(http: aiohttp.ClientSession, url: str, last: str) -> list[str] | None:
    """GET polls until ``last`` arrives (the packets so far) or the connection is closed
    (None)."""
    seen: list[str] = []
    while True:
        async with http.get(url) as got:
            assert got.status < 500, await got.text()
            if got.status != 200:
                return None
            packets = (await got.text()).split(SEPARATOR)
        seen += packets
        if last in packets:
            return seen
        if "1" in packets:
            return None


@EXAMPLES
@given(data=st.data())
async def test_polling_client_sending_anything_never_breaks_the_server(
    controller: Controller,
    live: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    payload = data.draw(
        st.builds(
            lambda first, then: SEPARATOR.join(first + then).encode(),
            connects(live),
            st.lists(engineio_packets(live), min_size=1, max_size=6),
        )
        | st.binary(max_size=300)
        | st.just(b"4" + b"x" * 20_000),
        label="payload",
    )
    caplog.clear()
    before = table_sizes(controller)
    base = f"{controller.base}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        async with http.get(base) as opened:
            sid = orjson.loads((await opened.text())[1:])["sid"]
        url = f"{base}&sid={sid}"
        async with http.post(url, data=payload) as posted:
            assert posted.status in (200, 400, 413), await posted.text()
        async with http.post(url, data=b"2end") as pinged:
            assert pinged.status in (200, 400), await pinged.text()
            still_open = pinged.status == 200
        answered = await poll_until(http, url, "3end")
        note_connects(answered or [])
        assert (answered is not None) == still_open  # an open connection answers its ping
        if still_open:
            async with http.post(url, data=b"1") as closing:
                assert closing.status == 200
    assert table_sizes(controller) == before  # a POST returns once its packets are handled
    assert errors_logged(caplog) == []


@EXAMPLES
@given(data=st.data())
async def test_websocket_client_sending_anything_never_breaks_the_server(
    controller: Controller,
    live: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    messages = data.draw(
        st.builds(
            list.__add__,
            connects(live),
            st.lists(
                engineio_packets(live) | st.binary(max_size=100) | st.just("4" + "x" * 20_000),
                min_size=1,
                max_size=6,
            ),
        ),
        label="messages",
    )
    caplog.clear()
    before = table_sizes(controller)
    url = f"{controller.base}/socket.io/?EIO=4&transport=websocket"
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
        http.ws_connect(url, max_msg_size=0) as ws,
    ):
        assert (await ws.receive_str(timeout=5)).startswith("0{")
        closed = False
        try:
            for message in [*messages, "2end"]:
                if isinstance(message, bytes):
                    await ws.send_bytes(message)
                else:
                    await ws.send_str(message)
        except ConnectionError:
            closed = True  # the server closed it meanwhile: nothing more to send
        while True:  # the answer to our ping, or the end of the connection
            received = await ws.receive(timeout=5)
            if received.type != aiohttp.WSMsgType.TEXT:
                closed = True
                break
            note_connects([received.data])
            if received.data == "3end":
                break
        assert closed or received.data == "3end"
        if not closed:
            await ws.send_str("1")
    await settled(lambda: table_sizes(controller) == before)
    assert table_sizes(controller) == before
    assert errors_logged(caplog) == []


@EXAMPLES
@given(data=st.data())
async def test_upgrading_client_sending_anything_on_both_transports_never_breaks_the_server(
    controller: Controller,
    live: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    """The upgrade's window: a WebSocket probing a polling connection, packets on both,
    the upgrade packet ``5`` anywhere (or never), the polling side closing meanwhile."""
    packet = st.sampled_from(["1", "5"]) | connect(live) | engineio_packets(live)
    steps = data.draw(
        st.lists(st.tuples(st.sampled_from(["poll", "ws"]), packet), min_size=1, max_size=8),
        label="steps",
    )
    caplog.clear()
    before = table_sizes(controller)
    base = f"{controller.base}/socket.io/?EIO=4&transport="
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        async with http.get(base + "polling") as opened:
            sid = orjson.loads((await opened.text())[1:])["sid"]
        async with http.ws_connect(f"{base}websocket&sid={sid}") as ws:
            await ws.send_str("2probe")
            assert await ws.receive_str(timeout=5) == "3probe"
            for transport, text in steps:
                if transport == "poll":
                    async with http.post(f"{base}polling&sid={sid}", data=text.encode()) as sent:
                        assert sent.status in (200, 400, 413), await sent.text()
                elif not ws.closed:
                    with contextlib.suppress(ConnectionError):
                        await ws.send_str(text)
        async with http.post(f"{base}polling&sid={sid}", data=b"1") as closing:
            assert closing.status in (200, 400), await closing.text()
    await settled(lambda: table_sizes(controller) == before)
    assert table_sizes(controller) == before
    assert errors_logged(caplog) == []
