"""Comprehension checks: the mediator asks a question with options, residents answer and may
change their answer while it is open, each room's tallies follow (decision 0005). One check
is open at a time."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, AnswerCheck, CloseCheck, LaunchCheck
from simulcast.domain.guards import open_for_activity, present_resident, require, room_of
from simulcast.domain.state import Check, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, NotFoundError
from simulcast.models.events import CheckAnswered, CheckClosed, CheckLaunched, Event


@decides(LaunchCheck, principal=CheckLaunched)
def launch_check(state: SessionState, actor: Actor, command: LaunchCheck) -> list[Event]:
    require(actor, "admin")
    open_for_activity(state)
    active = state.active_check
    if active is not None:
        raise ConflictError(
            f"check {active.id} is still open: close it before launching another",
            code="check_already_open",
        )
    return [
        CheckLaunched(check_id=command.check_id, question=command.question, options=command.options)
    ]


@decides(AnswerCheck, principal=CheckAnswered)
def answer_check(state: SessionState, actor: Actor, command: AnswerCheck) -> list[Event]:
    require(actor, "resident")
    resident = present_resident(state, actor)
    open_for_activity(state)
    check = _check(state, command.check_id)
    if check.closed_at is not None:
        raise ConflictError("this check is closed", code="check_closed")
    if not 0 <= command.option < len(check.options):
        raise ConflictError(
            f"option {command.option} does not exist: this check has options "
            f"0 to {len(check.options) - 1}",
            code="invalid_option",
        )
    return [
        CheckAnswered(
            check_id=check.id,
            resident_id=resident,
            room=room_of(state, actor),
            option=command.option,
        )
    ]


@decides(CloseCheck, principal=CheckClosed)
def close_check(state: SessionState, actor: Actor, command: CloseCheck) -> list[Event]:
    require(actor, "admin")
    check = _check(state, command.check_id)
    if check.closed_at is not None:
        raise ConflictError("this check is already closed", code="check_closed")
    return [CheckClosed(check_id=check.id)]


def _check(state: SessionState, check_id: str) -> Check:
    check = state.checks.get(check_id)
    if check is None:
        raise NotFoundError(f"no check {check_id} in this session")
    return check


@folds(CheckLaunched)
def check_launched(state: SessionState, event: CheckLaunched, at: datetime) -> None:
    state.checks[event.check_id] = Check(
        id=event.check_id,
        question=event.question,
        options=list(event.options),
        launched_at=at,
        tallies={site: [0] * len(event.options) for site in state.rooms},
    )


@folds(CheckAnswered)
def check_answered(state: SessionState, event: CheckAnswered, at: datetime) -> None:
    """A changed answer moves the resident's vote from the old option to the new one."""
    check = state.checks[event.check_id]
    previous = check.answers.get(event.resident_id)
    tally = check.tallies[event.room]
    if previous is not None:
        tally[previous] -= 1
    tally[event.option] += 1
    check.answers[event.resident_id] = event.option


@folds(CheckClosed)
def check_closed(state: SessionState, event: CheckClosed, at: datetime) -> None:
    check = state.checks[event.check_id]
    check.closed_at = at
    check.present_at_close = {site: room.present for site, room in state.rooms.items()}
