"""Each room's screen and, while a broadcast is on air, its dispatch: whether the room was
told to play and whether its screen does."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import (
    Actor,
    FailDispatch,
    RecordDispatch,
    RecordScreenOffline,
    RecordScreenOnline,
    ReportScreenState,
)
from simulcast.domain.guards import broadcast_in, require, session_room
from simulcast.domain.state import RoomState, SessionState
from simulcast.domain.table import decides, folds
from simulcast.models.events import (
    DispatchFailed,
    Event,
    ScreenDispatched,
    ScreenOffline,
    ScreenOnline,
    ScreenStateReported,
)


@decides(RecordScreenOnline, principal=ScreenOnline)
def record_screen_online(
    state: SessionState, actor: Actor, command: RecordScreenOnline
) -> list[Event]:
    require(actor, "system")
    return [ScreenOnline(room=session_room(state, command.room))]


@decides(RecordScreenOffline, principal=ScreenOffline)
def record_screen_offline(
    state: SessionState, actor: Actor, command: RecordScreenOffline
) -> list[Event]:
    require(actor, "system")
    return [ScreenOffline(room=session_room(state, command.room), reason=command.reason)]


@decides(RecordDispatch, principal=ScreenDispatched)
def record_dispatch(state: SessionState, actor: Actor, command: RecordDispatch) -> list[Event]:
    require(actor, "system")
    broadcast_in(state, ("live",), "dispatch")
    return [ScreenDispatched(room=session_room(state, command.room), attempt=command.attempt)]


@decides(FailDispatch, principal=DispatchFailed)
def fail_dispatch(state: SessionState, actor: Actor, command: FailDispatch) -> list[Event]:
    require(actor, "system")
    return [DispatchFailed(room=session_room(state, command.room), reason=command.reason)]


@decides(ReportScreenState, principal=ScreenStateReported)
def report_screen_state(
    state: SessionState, actor: Actor, command: ReportScreenState
) -> list[Event]:
    """A screen reports for its own room only (the room of its token)."""
    require(actor, "screen")
    room = session_room(state, actor.room or "")
    return [ScreenStateReported(room=room, state=command.state, detail=command.detail)]


@folds(ScreenOnline)
def screen_online(state: SessionState, event: ScreenOnline, at: datetime) -> None:
    room = state.rooms[event.room]
    room.screen = "waiting"
    room.screen_detail = None
    if state.broadcast.state == "live" and room.dispatch in (None, "offline"):
        room.dispatch = "pending"


@folds(ScreenOffline)
def screen_offline(state: SessionState, event: ScreenOffline, at: datetime) -> None:
    room = state.rooms[event.room]
    room.screen = "offline"
    room.screen_detail = event.reason
    if room.dispatch is not None:
        room.dispatch = "offline"


@folds(ScreenDispatched)
def screen_dispatched(state: SessionState, event: ScreenDispatched, at: datetime) -> None:
    room = state.rooms[event.room]
    # A failed room stays failed (and says why) until its screen reports playing; a room
    # whose screen reported playing while this ``play`` was on its way stays playing.
    if room.dispatch not in ("failed", "playing"):
        room.dispatch = "pending"
    room.dispatch_attempts = event.attempt


@folds(ScreenStateReported)
def screen_state_reported(state: SessionState, event: ScreenStateReported, at: datetime) -> None:
    room = state.rooms[event.room]
    room.screen = event.state
    room.screen_detail = event.detail
    _follow_screen(room, state.broadcast.state)


@folds(DispatchFailed)
def dispatch_failed(state: SessionState, event: DispatchFailed, at: datetime) -> None:
    room = state.rooms[event.room]
    room.dispatch = "failed"
    room.dispatch_detail = event.reason


def _follow_screen(room: RoomState, broadcast_state: str) -> None:
    """A screen's own report moves its room's dispatch status while on air."""
    if broadcast_state != "live" or room.dispatch is None:
        return
    if room.screen == "playing":
        room.dispatch = "playing"
        room.dispatch_detail = None
    elif room.screen == "error":
        room.dispatch = "failed"
        room.dispatch_detail = room.screen_detail
    elif room.screen == "waiting" and room.dispatch == "playing":
        room.dispatch = "pending"
