"""RoomSizeClient and RoomSizePoller against a fake Prosody speaking mod_muc_size."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import aiohttp
import pytest

from simulcast.domain.clock import ManualClock
from simulcast.integrations.jitsi.errors import JitsiError, JitsiUnavailable
from simulcast.integrations.jitsi.room_size import (
    RoomSizeClient,
    RoomSizePoller,
    RoomSizeReading,
)
from tests.fakes.prosody import FakeProsody, RoomSizeRequest

DOMAIN = "meet.example.org"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def prosody(clock: ManualClock) -> AsyncIterator[FakeProsody]:
    async with FakeProsody(domain=DOMAIN, clock=clock) as fake:
        yield fake


def client(
    prosody: FakeProsody,
    http: aiohttp.ClientSession,
    *,
    timeout: float = 5.0,
    token: str | None = None,
) -> RoomSizeClient:
    return RoomSizeClient(prosody.url, http, DOMAIN, timeout=timeout, token=token)


async def test_room_size_counts_participants(
    prosody: FakeProsody, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    prosody.set_participants("atelier-abc", 7)
    assert await client(prosody, http).participants("atelier-abc") == 7
    assert prosody.requests == [RoomSizeRequest("atelier-abc", DOMAIN, None, clock.now())]


async def test_room_size_of_an_empty_room_is_zero(
    prosody: FakeProsody, http: aiohttp.ClientSession
) -> None:
    prosody.set_participants("atelier-abc", 0)
    assert await client(prosody, http).participants("atelier-abc") == 0


async def test_room_size_is_none_when_the_room_does_not_exist(
    prosody: FakeProsody, http: aiohttp.ClientSession
) -> None:
    assert await client(prosody, http).participants("nobody-yet") is None


async def test_room_size_drops_the_port_from_the_domain(
    prosody: FakeProsody, http: aiohttp.ClientSession
) -> None:
    prosody.set_participants("r", 2)
    sized = RoomSizeClient(prosody.url + "/", http, "Meet.Example.org:8443")
    assert await sized.participants("r") == 2


async def test_room_size_sends_the_token_when_given(http: aiohttp.ClientSession) -> None:
    async with FakeProsody(domain=DOMAIN, require_token="tok") as prosody:
        prosody.set_participants("r", 3)
        assert await client(prosody, http, token="tok").participants("r") == 3
        with pytest.raises(JitsiError) as refused:
            await client(prosody, http).participants("r")
    assert (refused.value.status, refused.value.code) == (502, "jitsi_forbidden")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html>oops</html>", "which is not JSON"),
        ('{"occupants": 3}', 'expected {"participants": N}'),
        ("[3]", 'expected {"participants": N}'),
        ('{"participants": -1}', "expected a whole number ≥ 0"),
        ('{"participants": "3"}', "expected a whole number ≥ 0"),
        ('{"participants": true}', "expected a whole number ≥ 0"),
        ('{"participants": 2.5}', "expected a whole number ≥ 0"),
    ],
)
async def test_room_size_bad_reply_is_a_jitsi_error(
    prosody: FakeProsody, http: aiohttp.ClientSession, body: str, problem: str
) -> None:
    prosody.fail(status=200, body=body)
    with pytest.raises(JitsiError) as caught:
        await client(prosody, http).participants("r")
    error = caught.value
    assert type(error) is JitsiError
    assert (error.status, error.code) == (502, "jitsi_bad_reply")
    assert error.message.startswith(f"Prosody room-size at {prosody.url}/room-size for room 'r'")
    assert problem in error.message


async def test_room_size_server_error_is_unavailable(
    prosody: FakeProsody, http: aiohttp.ClientSession
) -> None:
    prosody.fail(status=500)
    with pytest.raises(JitsiUnavailable) as caught:
        await client(prosody, http).participants("r")
    assert (caught.value.status, caught.value.code) == (503, "jitsi_unavailable")
    assert caught.value.message == (
        f"Prosody room-size at {prosody.url}/room-size for room 'r' failed with HTTP 500"
    )


async def test_room_size_timeout_is_unavailable(
    prosody: FakeProsody, http: aiohttp.ClientSession
) -> None:
    prosody.fail(hang=True)
    with pytest.raises(JitsiUnavailable) as caught:
        await client(prosody, http, timeout=0.2).participants("r")
    assert caught.value.message == (
        f"Prosody room-size at {prosody.url}/room-size for room 'r' did not answer within 0.2 s"
    )


async def test_room_size_refused_connection_is_unavailable(http: aiohttp.ClientSession) -> None:
    async with FakeProsody() as gone:
        url = gone.url
    with pytest.raises(JitsiUnavailable, match="is unreachable"):
        await RoomSizeClient(url, http, DOMAIN).participants("r")


class Recorder:
    """Collects readings; ``until`` waits (under a timeout) for a condition on them."""

    def __init__(self) -> None:
        self.readings: list[RoomSizeReading] = []
        self._changed = asyncio.Event()

    def __call__(self, reading: RoomSizeReading) -> None:
        self.readings.append(reading)
        self._changed.set()

    def of(self, room: str) -> list[RoomSizeReading]:
        return [reading for reading in self.readings if reading.room == room]

    async def until(self, room: str, count: int) -> list[RoomSizeReading]:
        async with asyncio.timeout(10):
            while len(self.of(room)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.of(room)[:count]


def manual_sleep(clock: ManualClock) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the manual clock instead of waiting (and lets the loop run)."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return sleep


def offsets(times: list[datetime | None], start: datetime) -> list[float]:
    return [(at - start).total_seconds() for at in times if at is not None]


async def test_room_size_poller_reports_each_room_every_interval(
    prosody: FakeProsody, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    start = clock.now()
    prosody.set_participants("a", 4)
    recorder = Recorder()
    poller = RoomSizePoller(
        client(prosody, http),
        recorder,
        clock=clock,
        interval=1,
        max_interval=8,
        sleep=manual_sleep(clock),
        rooms=["a", "b"],
    )
    poller.start()
    a = await recorder.until("a", 3)
    b = await recorder.until("b", 3)
    await poller.stop()
    assert [(r.participants, r.error, r.failures, r.next_poll_in) for r in a] == [
        (4, None, 0, 1)
    ] * 3
    assert [(r.participants, r.error, r.failures) for r in b] == [(None, None, 0)] * 3
    assert offsets(prosody.times("a"), start)[:3] == [0, 1, 2]


async def test_room_size_poller_backs_off_a_failing_room_then_recovers(
    prosody: FakeProsody, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    start = clock.now()
    prosody.set_participants("ok", 2)
    prosody.set_participants("broken", 5)
    prosody.fail("broken", status=503)
    recorder = Recorder()
    poller = RoomSizePoller(
        client(prosody, http),
        recorder,
        clock=clock,
        interval=1,
        max_interval=8,
        sleep=manual_sleep(clock),
        rooms=["ok", "broken"],
    )
    poller.start()
    failed = await recorder.until("broken", 5)
    prosody.heal("broken")
    recovered = (await recorder.until("broken", 7))[5:]
    await poller.stop()

    # Requests the fake saw for the broken room: 0, then +2, +4, +8 and +8 (capped).
    assert offsets(prosody.times("broken"), start)[:5] == [0, 2, 6, 14, 22]
    assert [(r.failures, r.next_poll_in) for r in failed] == [
        (1, 2),
        (2, 4),
        (3, 8),
        (4, 8),
        (5, 8),
    ]
    assert {type(r.error) for r in failed} == {JitsiUnavailable}
    assert [(r.participants, r.failures, r.next_poll_in) for r in recovered] == [(5, 0, 1)] * 2
    # The healthy room kept its one-second rhythm while the other backed off.
    assert offsets(prosody.times("ok"), start)[:23] == list(range(23))


async def test_room_size_poller_survives_a_failing_callback(
    prosody: FakeProsody, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    prosody.set_participants("a", 1)
    seen: list[int | None] = []
    done = asyncio.Event()

    async def on_reading(reading: RoomSizeReading) -> None:
        seen.append(reading.participants)
        if len(seen) == 3:
            done.set()
        raise RuntimeError("a broken listener")

    poller = RoomSizePoller(
        client(prosody, http), on_reading, clock=clock, interval=1, sleep=manual_sleep(clock)
    )
    poller.watch("a")
    poller.start()
    async with asyncio.timeout(10):
        await done.wait()
    await poller.stop()
    assert seen[:3] == [1, 1, 1]


async def test_room_size_poller_unwatch_stops_polling_a_room(
    prosody: FakeProsody, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    recorder = Recorder()
    poller = RoomSizePoller(
        client(prosody, http), recorder, clock=clock, interval=1, sleep=manual_sleep(clock)
    )
    poller.watch("a")
    poller.watch("b")
    assert await poller.poll_due() == recorder.readings
    assert [r.room for r in recorder.readings] == ["a", "b"]
    poller.unwatch("a")
    clock.advance(1)
    await poller.poll_due()
    assert [r.room for r in recorder.readings] == ["a", "b", "b"]
    assert poller.rooms == frozenset({"b"})
