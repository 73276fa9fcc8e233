"""The broadcast supervisor: brings a session's source up and down, dispatches ``play`` to
every room screen with retries, watches screen heartbeats and the broadcast's health.

Everything it concludes becomes an event through the hub (as the ``system`` actor), so the
console, the reports and a restarted controller all see the same story.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from simulcast.domain.commands import (
    Actor,
    BroadcastCommand,
    FailBroadcast,
    FailDispatch,
    MarkBroadcastLive,
    MarkBroadcastStopped,
    MarkObsBack,
    MarkObsLost,
    RecordDispatch,
    RecordHealth,
    RecordScreenOffline,
    RecordScreenOnline,
    RequestBroadcastStart,
    RequestBroadcastStop,
    SwitchScene,
)
from simulcast.domain.state import SessionState
from simulcast.engine.broadcast.channel import ScreenChannel
from simulcast.engine.broadcast.screens import ScreenKey, ScreenTracker
from simulcast.engine.broadcast.sources import JSON, BroadcastSource
from simulcast.engine.hub import Hub
from simulcast.errors import ConflictError, InputError, SimulcastError
from simulcast.models.events import Recorded

log = logging.getLogger(__name__)

SYSTEM = Actor(role="system")
ADMIN = Actor(role="admin")

SourceFactory = Callable[[SessionState], BroadcastSource]


@dataclass(frozen=True)
class Timing:
    """How patient the supervisor is. Tests shorten these; defaults suit real rooms."""

    tick_s: float = 0.25
    screen_timeout_s: float = 15.0
    first_retry_s: float = 8.0
    max_retry_s: float = 60.0
    max_attempts: int = 5
    health_period_s: float = 2.0
    sample_period_s: float = 30.0


@dataclass
class _Plan:
    attempts: int = 0
    next_at: float = 0.0


class BroadcastSupervisor:
    def __init__(
        self,
        hub: Hub,
        make_source: SourceFactory,
        channel: ScreenChannel,
        *,
        timing: Timing = Timing(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hub = hub
        self.make_source = make_source
        self.channel = channel
        self.timing = timing
        self._now = monotonic
        self.screens = ScreenTracker(monotonic, timing.screen_timeout_s)
        self.sources: dict[str, BroadcastSource] = {}
        self.health: dict[str, JSON] = {}
        self._plans: dict[ScreenKey, _Plan] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        """The bring-up or take-down in flight, per session."""
        self._background: set[asyncio.Task[None]] = set()
        self._last_sample: dict[str, tuple[float, tuple[Any, ...]]] = {}
        self._next_health = 0.0
        hub.subscribe(self._on_commit)

    # --- start-up ---------------------------------------------------------------------------

    async def recover(self) -> None:
        """After a restart no screen is connected, and no start or stop is in flight."""
        for state in list(self.hub.sessions.values()):
            broadcast = state.broadcast.state
            if broadcast == "starting":
                await self._system(
                    state.id, FailBroadcast("the controller restarted while starting")
                )
            elif broadcast == "stopping":
                await self._system(state.id, MarkBroadcastStopped("the controller restarted"))
            elif broadcast == "live":
                self.sources[state.id] = self.make_source(state)
            for site, room in state.rooms.items():
                if room.screen != "offline":
                    await self._system(state.id, RecordScreenOffline(site, "controller restarted"))

    # --- the mediator's actions -------------------------------------------------------------

    async def preflight(self, session_id: str) -> JSON:
        state = self.hub.get(session_id)
        source = self.sources.get(session_id) or self.make_source(state)
        checks = await source.preflight()
        screens = {
            site: {
                "online": room.screen != "offline",
                "state": room.screen,
                "last_seen_s": self.screens.last_seen_ago((session_id, site)),
            }
            for site, room in state.rooms.items()
        }
        return {"source": source.kind, **checks, "screens": screens}

    async def start(self, session_id: str, client_id: str | None) -> None:
        """Ask for the broadcast; it comes up in the background (events tell how it went)."""
        state = self.hub.get(session_id)
        source = self.make_source(state)
        outcome = await self.hub.execute(
            session_id, ADMIN, RequestBroadcastStart(source.kind), client_id
        )
        if outcome.replayed:
            return
        self.sources[session_id] = source
        self._spawn(session_id, self._bring_up(session_id, source))

    async def stop(self, session_id: str, client_id: str | None, actor: Actor = ADMIN) -> None:
        outcome = await self.hub.execute(session_id, actor, RequestBroadcastStop(), client_id)
        if outcome.replayed:
            return
        task = self._tasks.pop(session_id, None)
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        self._spawn(session_id, self._take_down(session_id))

    async def switch_scene(self, session_id: str, scene: str, client_id: str | None) -> None:
        state = self.hub.get(session_id)
        source = self.sources.get(session_id) or self.make_source(state)
        switch = getattr(source, "switch_scene", None)
        if switch is None:
            raise InputError(
                f"this session's source is {source.kind}: scenes exist only with OBS",
                code="no_scenes",
            )
        await switch(scene)
        await self.hub.execute(session_id, ADMIN, SwitchScene(scene), client_id)

    def links(self, state: SessionState) -> JSON:
        """Extra join links of the session's source (Jitsi: mediator and facilitators)."""
        source = self.sources.get(state.id) or self.make_source(state)
        links = getattr(source, "links", None)
        return {} if links is None else {source.kind: links()}

    def play_for(self, state: SessionState, site: str) -> JSON | None:
        """What a screen of ``site`` should be playing now (sent in its snapshot), or None."""
        source = self.sources.get(state.id)
        if state.broadcast.state != "live" or source is None:
            return None
        return {"session_id": state.id, **source.play(site)}

    # --- room screens (called by the /room namespace) -------------------------------------

    async def screen_connected(self, session_id: str, site: str, sid: str) -> None:
        if self.screens.connected((session_id, site), sid):
            await self._screen_back(session_id, site)

    async def screen_heartbeat(self, session_id: str, site: str) -> None:
        if self.screens.beat((session_id, site)):
            await self._screen_back(session_id, site)

    async def screen_disconnected(self, session_id: str, site: str, sid: str) -> None:
        if self.screens.disconnected((session_id, site), sid):
            await self._screen_gone(session_id, site, "disconnected")

    async def _screen_back(self, session_id: str, site: str) -> None:
        state = self.hub.get(session_id)
        if not state.accepts_room_activity:  # over: its log takes no more screen news
            return
        self._plans[(session_id, site)] = _Plan(next_at=self._now())
        if state.rooms[site].screen == "offline":
            await self._system(session_id, RecordScreenOnline(site))
            if not self.screens.alive((session_id, site)):  # it left during the commit
                await self._screen_gone(session_id, site, "disconnected")

    async def _screen_gone(self, session_id: str, site: str, reason: str) -> None:
        if self.hub.get(session_id).rooms[site].screen != "offline":
            await self._system(session_id, RecordScreenOffline(site, reason))

    # --- background work --------------------------------------------------------------------

    async def run(self) -> None:
        """The supervisor's loop: silent screens, dispatch retries, health readings."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast supervisor tick failed")
            await asyncio.sleep(self.timing.tick_s)

    async def tick(self) -> None:
        for session_id, site in self.screens.silent():
            await self._screen_gone(
                session_id, site, f"no heartbeat for {self.timing.screen_timeout_s:g} s"
            )
        for session_id in list(self.sources):
            state = self.hub.sessions.get(session_id)
            if state is not None and state.broadcast.state == "live":
                await self._dispatch(state)
        if self._now() >= self._next_health:
            self._next_health = self._now() + self.timing.health_period_s
            for session_id, source in list(self.sources.items()):
                await self._read_health(session_id, source)

    async def _bring_up(self, session_id: str, source: BroadcastSource) -> None:
        try:
            kind, url = await source.start()
        except SimulcastError as error:
            await self._fail(session_id, source, error.message)
            return
        except Exception as error:
            log.exception("broadcast start failed")
            await self._fail(session_id, source, f"internal error: {error}")
            return
        await self._system(session_id, MarkBroadcastLive(kind, url))
        for site in self.hub.get(session_id).rooms:
            self._plans[(session_id, site)] = _Plan(next_at=self._now())
        await self._dispatch(self.hub.get(session_id))

    async def _fail(self, session_id: str, source: BroadcastSource, reason: str) -> None:
        with suppress(Exception):
            await source.stop()
        await self._system(session_id, FailBroadcast(reason))
        await self._stop_screens(session_id, reason)

    async def _take_down(self, session_id: str) -> None:
        source = self.sources.get(session_id)
        reason = None
        if source is not None:
            try:
                await source.stop()
            except SimulcastError as error:
                reason = f"the source did not stop cleanly: {error.message}"
        await self._system(session_id, MarkBroadcastStopped(reason))
        await self._stop_screens(session_id, reason)

    async def _stop_screens(self, session_id: str, reason: str | None) -> None:
        self.sources.pop(session_id, None)
        self.health.pop(session_id, None)
        for site in self.hub.get(session_id).rooms:
            self._plans.pop((session_id, site), None)
            await self.channel.stop(session_id, site, reason)

    async def _dispatch(self, state: SessionState) -> None:
        """Send ``play`` to each online room not yet playing, backing off between tries."""
        now = self._now()
        timing = self.timing
        for site, room in state.rooms.items():
            if room.screen == "offline":
                continue
            plan = self._plans.setdefault((state.id, site), _Plan(next_at=now))
            if room.dispatch == "playing":
                plan.attempts = 0
                continue
            if now < plan.next_at:
                continue
            if plan.attempts >= timing.max_attempts and room.dispatch != "failed":
                await self._system(
                    state.id,
                    FailDispatch(site, f"no screen reported playing after {plan.attempts} tries"),
                )
            plan.attempts += 1
            plan.next_at = now + min(
                timing.first_retry_s * 2 ** (plan.attempts - 1), timing.max_retry_s
            )
            payload = self.play_for(state, site)
            if payload is None:
                return
            await self.channel.play(state.id, site, {**payload, "attempt": plan.attempts})
            await self._system(state.id, RecordDispatch(site, plan.attempts))

    async def _read_health(self, session_id: str, source: BroadcastSource) -> None:
        state = self.hub.sessions.get(session_id)
        if state is None:
            return
        try:
            reading = await source.health()
        except SimulcastError as error:
            reading = {"error": error.message}
        reading["rooms"] = {
            site: {
                "screen": room.screen,
                "dispatch": room.dispatch,
                "last_seen_s": self.screens.last_seen_ago((session_id, site)),
            }
            for site, room in state.rooms.items()
        }
        previous = self.health.get(session_id, {})
        self.health[session_id] = reading
        await self._follow_obs(state, source, previous.get("obs"), reading.get("obs"))
        await self.channel.health(session_id, {"session_id": session_id, **reading})
        await self._sample(state, reading)

    async def _follow_obs(
        self, state: SessionState, source: BroadcastSource, before: Any, now: Any
    ) -> None:
        """OBS lost, back, or no longer streaming: say so, and fail a live broadcast."""
        if not isinstance(now, dict):
            return
        was = isinstance(before, dict) and before.get("connected")
        if was and not now.get("connected"):
            await self._system(state.id, MarkObsLost(str(now.get("error") or "connection lost")))
        elif not was and now.get("connected") and state.broadcast.obs_lost:
            await self._system(state.id, MarkObsBack(str(now.get("version") or "?")))
        if (
            state.broadcast.state == "live"
            and not now.get("streaming")
            and not now.get("reconnecting")
        ):
            reason = "OBS is no longer streaming" + (
                "" if now.get("connected") else f" (OBS unreachable: {now.get('error')})"
            )
            await self._fail(state.id, source, reason)

    async def _sample(self, state: SessionState, reading: JSON) -> None:
        """Keep a health sample in the log when something changed, or every sample period."""
        obs = reading.get("obs") if isinstance(reading.get("obs"), dict) else {}
        assert isinstance(obs, dict)
        sample = {
            "ingest_live": reading.get("ingest_live"),
            "obs_connected": obs.get("connected"),
            "obs_streaming": obs.get("streaming"),
            "obs_reconnecting": obs.get("reconnecting"),
            "bitrate_kbps": obs.get("bitrate_kbps"),
            "skipped_frames": obs.get("skipped_frames"),
            "participants": reading.get("participants"),
        }
        sample = {key: value for key, value in sample.items() if value is not None}
        flags = tuple(value for key, value in sorted(sample.items()) if isinstance(value, bool))
        last = self._last_sample.get(state.id)
        now = self._now()
        if last is not None and last[1] == flags and now - last[0] < self.timing.sample_period_s:
            return
        self._last_sample[state.id] = (now, flags)
        await self._system(state.id, RecordHealth(sample))

    # --- glue -------------------------------------------------------------------------------

    def _on_commit(self, state: SessionState, records: Sequence[Recorded]) -> None:
        for record in records:
            if record.event.type in (
                "session_ended",
                "session_cancelled",
            ) and state.broadcast.state in ("starting", "live"):
                task = asyncio.get_running_loop().create_task(self.stop(state.id, None, SYSTEM))
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    def _spawn(self, session_id: str, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work, name=f"broadcast-{session_id}")
        self._tasks[session_id] = task
        task.add_done_callback(
            lambda done: (
                self._tasks.pop(session_id, None) if self._tasks.get(session_id) is done else None
            )
        )

    async def _system(self, session_id: str, command: BroadcastCommand) -> None:
        try:
            await self.hub.execute(session_id, SYSTEM, command, None)
        except ConflictError as error:
            log.info(
                "broadcast %s: %s skipped (%s)", session_id, type(command).__name__, error.message
            )

    async def close(self) -> None:
        tasks = [*self._tasks.values(), *self._background]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
