"""How many people are in a Jitsi room, from Prosody's ``mod_muc_size``; and a poller of it.

The protocol (jitsi-meet ``resources/prosody-plugins/mod_muc_size.lua``)::

    GET /room-size?room=<name>&domain=<base domain>[&token=<jwt>]
    200 {"participants": N}     N occupants, Jicofo's focus not counted
    404                         no such room (nobody has joined it yet, or it was destroyed)
    403                         enable_roomsize_token_verification is on and the token is not
                                valid for that room

The module sets no JSON content type, so the body is parsed whatever the header says.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from yarl import URL

from simulcast.domain.clock import Clock
from simulcast.integrations.jitsi.errors import JitsiError, JitsiUnavailable

log = logging.getLogger(__name__)

_MAX_BODY = 64 * 1024


class RoomSizeClient:
    """Asks one Prosody (``base_url``, where mod_muc_size is served) about rooms of ``domain``.

    ``domain`` is the deployment's base domain (``meet.example.org``; Prosody looks the room
    up as ``<room>@conference.<domain>``); a ``:port`` is dropped. ``token`` is sent only when
    the deployment verifies room-size requests (a token for room ``"*"`` does for every room).
    """

    def __init__(
        self,
        base_url: str,
        http: aiohttp.ClientSession,
        domain: str,
        *,
        timeout: float = 5.0,
        token: str | None = None,
    ) -> None:
        self._endpoint = URL(base_url.rstrip("/") + "/room-size")
        self._http = http
        self.domain = domain.lower().split(":", 1)[0]
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token = token

    def __repr__(self) -> str:
        return f"RoomSizeClient({str(self._endpoint)!r}, domain={self.domain!r})"

    async def participants(self, room: str) -> int | None:
        """The number of participants in ``room``, or ``None`` if the room does not exist.

        Raises :class:`JitsiUnavailable` when Prosody does not answer in time, refuses the
        connection or fails (5xx), and :class:`JitsiError` when the reply is not the
        documented one.
        """
        query = {"room": room, "domain": self.domain}
        if self._token is not None:
            query["token"] = self._token
        where = f"Prosody room-size at {self._endpoint} for room {room!r}"
        try:
            async with self._http.get(
                self._endpoint.with_query(query), timeout=self._timeout
            ) as response:
                status = response.status
                body = await response.content.read(_MAX_BODY + 1)
        except TimeoutError:
            raise JitsiUnavailable(
                f"{where} did not answer within {self._timeout.total:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise JitsiUnavailable(f"{where} is unreachable: {exc}") from None
        if status == 404:
            return None
        if status >= 500:
            raise JitsiUnavailable(f"{where} failed with HTTP {status}")
        if status == 403:
            raise JitsiError(
                f"{where} was refused (HTTP 403): the deployment verifies room-size tokens "
                "(enable_roomsize_token_verification), so give the client a valid token",
                code="jitsi_forbidden",
            )
        if status != 200:
            raise JitsiError(f"{where} answered HTTP {status}, expected 200 or 404")
        return _participants(body, where)


def _participants(body: bytes, where: str) -> int:
    if len(body) > _MAX_BODY:
        raise JitsiError(f"{where} answered more than {_MAX_BODY} bytes, expected a small JSON")
    try:
        reply = json.loads(body)
    except ValueError:
        raise JitsiError(
            f'{where} answered {body[:80]!r}, which is not JSON (expected {{"participants": N}})'
        ) from None
    if not isinstance(reply, dict) or "participants" not in reply:
        raise JitsiError(f'{where} answered {reply!r}, expected {{"participants": N}}')
    count = reply["participants"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise JitsiError(f"{where} answered participants={count!r}, expected a whole number ≥ 0")
    return count


@dataclass(frozen=True)
class RoomSizeReading:
    """One poll of one room: a count (``None``: the room does not exist yet) or an error."""

    room: str
    participants: int | None
    error: JitsiError | None
    at: datetime
    failures: int
    """Consecutive failed polls of this room, this one included (0 after a success)."""
    next_poll_in: float
    """Seconds until this room is polled again."""


OnReading = Callable[[RoomSizeReading], Awaitable[None] | None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Due:
    at: datetime
    failures: int = 0


class RoomSizePoller:
    """Polls a set of rooms every ``interval`` seconds and reports each reading.

    A room whose poll fails is polled again after ``interval × 2^failures`` seconds, capped at
    ``max_interval``; one success brings it back to ``interval``. Each room backs off on its
    own, so one broken room does not slow the others. Rooms due at the same time are polled
    concurrently. ``on_reading`` may be a plain function or a coroutine function; its errors
    are logged and never stop the poller. Time comes from ``clock`` and waiting from ``sleep``,
    so a test can drive both. A room added with :meth:`watch` is polled at the next wake-up,
    at most ``interval`` seconds later.
    """

    def __init__(
        self,
        client: RoomSizeClient,
        on_reading: OnReading,
        *,
        clock: Clock,
        interval: float = 5.0,
        max_interval: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        rooms: Iterable[str] = (),
    ) -> None:
        if interval <= 0 or max_interval < interval:
            raise ValueError("need 0 < interval <= max_interval")
        self._client = client
        self._on_reading = on_reading
        self._clock = clock
        self.interval = interval
        self.max_interval = max_interval
        self._sleep = sleep
        self._due: dict[str, _Due] = {}
        self._task: asyncio.Task[None] | None = None
        for room in rooms:
            self.watch(room)

    @property
    def rooms(self) -> frozenset[str]:
        return frozenset(self._due)

    def watch(self, room: str) -> None:
        """Poll ``room`` from now on (no-op if it is already watched)."""
        self._due.setdefault(room, _Due(at=self._clock.now()))

    def unwatch(self, room: str) -> None:
        """Stop polling ``room`` (no-op if it is not watched)."""
        self._due.pop(room, None)

    def backoff(self, failures: int) -> float:
        """Seconds between polls of a room after ``failures`` consecutive failures."""
        factor: int = 2 ** min(failures, 32)
        return min(self.interval * factor, self.max_interval)

    def start(self) -> None:
        """Start polling in a task of the running loop (no-op if already running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="room-size")

    async def stop(self) -> None:
        """Cancel the polling task and wait for it to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def poll_due(self) -> list[RoomSizeReading]:
        """Poll every room that is due now, report and return the readings."""
        now = self._clock.now()
        due = sorted(room for room, state in self._due.items() if state.at <= now)
        results = await asyncio.gather(*(self._poll(room) for room in due))
        readings = [reading for reading in results if reading is not None]
        for reading in readings:
            await self._report(reading)
        return readings

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_due()
                delay = self._seconds_to_next()
            except Exception:  # a bug must not silence the console for the rest of a session
                log.exception("room-size poll failed; retrying in %g s", self.interval)
                delay = self.interval
            await self._sleep(delay)

    def _seconds_to_next(self) -> float:
        if not self._due:
            return self.interval
        earliest = min(state.at for state in self._due.values())
        return max(0.0, (earliest - self._clock.now()).total_seconds())

    async def _poll(self, room: str) -> RoomSizeReading | None:
        participants: int | None = None
        error: JitsiError | None = None
        try:
            participants = await self._client.participants(room)
        except JitsiError as exc:
            error = exc
        state = self._due.get(room)
        if state is None:  # unwatched while the request was in flight
            return None
        state.failures = state.failures + 1 if error else 0
        delay = self.backoff(state.failures)
        now = self._clock.now()
        state.at = now + timedelta(seconds=delay)
        return RoomSizeReading(room, participants, error, now, state.failures, delay)

    async def _report(self, reading: RoomSizeReading) -> None:
        try:
            outcome = self._on_reading(reading)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            log.exception("room-size reading callback failed for room %r", reading.room)
