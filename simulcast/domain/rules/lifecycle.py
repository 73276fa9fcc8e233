"""A session's lifecycle: scheduled → live → ended, or scheduled → cancelled."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, CancelSession, EndSession, StartSession
from simulcast.domain.guards import require
from simulcast.domain.state import SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError
from simulcast.models.events import (
    Event,
    SessionCancelled,
    SessionEnded,
    SessionScheduled,
    SessionStarted,
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
