"""A session's lifecycle: scheduled → live → ended, or scheduled → cancelled."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import (
    Actor,
    CancelSession,
    EndSession,
    StartSession,
    UpdateSession,
)
from simulcast.domain.guards import require
from simulcast.domain.state import RoomState, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, InputError
from simulcast.models.events import (
    Event,
    SessionCancelled,
    SessionEnded,
    SessionScheduled,
    SessionStarted,
    SessionUpdated,
)


@decides(StartSession, principal=SessionStarted)
def start_session(state: SessionState, actor: Actor, command: StartSession) -> list[Event]:
    require(actor, "admin")
    _session_in(state, "scheduled", "start", "started")
    return [SessionStarted()]


@decides(EndSession, principal=SessionEnded)
def end_session(state: SessionState, actor: Actor, command: EndSession) -> list[Event]:
    require(actor, "admin")
    _session_in(state, "live", "end", "ended")
    return [SessionEnded()]


@decides(CancelSession, principal=SessionCancelled)
def cancel_session(state: SessionState, actor: Actor, command: CancelSession) -> list[Event]:
    require(actor, "admin")
    _session_in(state, "scheduled", "cancel", "cancelled")
    return [SessionCancelled()]


@decides(UpdateSession, principal=SessionUpdated)
def update_session(state: SessionState, actor: Actor, command: UpdateSession) -> list[Event]:
    """Only a scheduled session changes (its id and join codes stay); a room where residents
    have already checked in stays in it."""
    require(actor, "admin")
    _session_in(state, "scheduled", "change", "changed")
    rooms = command.rooms
    if rooms is not None:
        if not rooms:
            raise InputError("a session needs at least one room", code="no_rooms")
        busy = [site for site in state.rooms if site not in rooms and state.rooms[site].checked_in]
        if busy:
            raise ConflictError(
                f"residents have already checked in at {', '.join(busy)}: keep the room",
                code="room_in_use",
            )
        missing = [
            site for site in rooms if site not in state.rooms and site not in command.new_codes
        ]
        if missing:
            raise ValueError(f"no join code chosen for the new rooms {missing}")
    new_rooms = rooms if rooms is not None and rooms != list(state.rooms) else None
    changed = SessionUpdated(
        title=command.title if command.title != state.title else None,
        starts_at=command.starts_at if command.starts_at != state.starts_at else None,
        duration_min=command.duration_min if command.duration_min != state.duration_min else None,
        rooms=new_rooms,
        join_codes={s: command.new_codes[s] for s in new_rooms or () if s not in state.rooms},
    )
    if changed == SessionUpdated():
        raise ConflictError(
            "nothing to change: every field given has its current value", code="no_change"
        )
    return [changed]


def _session_in(state: SessionState, allowed: str, verb: str, past: str) -> None:
    if state.state != allowed:
        raise ConflictError(
            f"cannot {verb} a session that is {state.state} "
            f"(only a {allowed} session can be {past})",
            code="invalid_session_state",
        )


@folds(SessionScheduled)
def session_scheduled(state: SessionState, event: SessionScheduled, at: datetime) -> None:
    raise ValueError("session_scheduled starts a session: use new_session()")


@folds(SessionUpdated)
def session_updated(state: SessionState, event: SessionUpdated, at: datetime) -> None:
    if event.title is not None:
        state.title = event.title
    if event.starts_at is not None:
        state.starts_at = event.starts_at
    if event.duration_min is not None:
        state.duration_min = event.duration_min
    if event.rooms is not None:
        state.rooms = {
            site: state.rooms.get(site) or RoomState(site=site, join_code=event.join_codes[site])
            for site in event.rooms
        }


@folds(SessionStarted)
def session_started(state: SessionState, event: SessionStarted, at: datetime) -> None:
    state.state = "live"
    state.started_at = at


@folds(SessionEnded)
def session_ended(state: SessionState, event: SessionEnded, at: datetime) -> None:
    state.state = "ended"
    state.ended_at = at


@folds(SessionCancelled)
def session_cancelled(state: SessionState, event: SessionCancelled, at: datetime) -> None:
    state.state = "cancelled"
    state.ended_at = at
