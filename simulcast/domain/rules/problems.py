"""Room problems: a facilitator reports what goes wrong in their room (no sound, frozen
image, …); they or the mediator clear it."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import AcknowledgeProblem, Actor, ClearProblem, ReportProblem
from simulcast.domain.guards import require, session_room
from simulcast.domain.state import Problem, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import Event, ProblemCleared, ProblemReported, ProblemSeen


@decides(ReportProblem, principal=ProblemReported)
def report_problem(state: SessionState, actor: Actor, command: ReportProblem) -> list[Event]:
    require(actor, "facilitator")
    room = session_room(state, actor.room or "")
    if not state.accepts_room_activity:
        raise ConflictError(f"this session is {state.state}", code="session_closed")
    for known in state.problems.values():
        if (known.room, known.problem, known.cleared_at) == (room, command.problem, None):
            raise ConflictError(
                "this problem is already reported for your room: the mediator sees it",
                code="problem_open",
            )
    return [
        ProblemReported(
            problem_id=command.problem_id, room=room, problem=command.problem, text=command.text
        )
    ]


@decides(ClearProblem, principal=ProblemCleared)
def clear_problem(state: SessionState, actor: Actor, command: ClearProblem) -> list[Event]:
    """A facilitator clears their own room's problems only; the mediator clears any."""
    require(actor, "admin", "facilitator")
    problem = _problem(state, command.problem_id)
    if actor.role == "facilitator" and problem.room != actor.room:
        raise ForbiddenError(f"this problem belongs to room {problem.room}")
    if problem.cleared_at is not None:
        raise ConflictError("this problem is already cleared", code="problem_cleared")
    return [ProblemCleared(problem_id=problem.id, room=problem.room)]


@decides(AcknowledgeProblem, principal=ProblemSeen)
def acknowledge_problem(
    state: SessionState, actor: Actor, command: AcknowledgeProblem
) -> list[Event]:
    """The mediator tells the room they saw its problem (once)."""
    require(actor, "admin")
    problem = _problem(state, command.problem_id)
    if problem.cleared_at is not None:
        raise ConflictError("this problem is already cleared", code="problem_cleared")
    if problem.seen_at is not None:
        raise ConflictError("this problem is already marked as seen", code="problem_seen")
    return [ProblemSeen(problem_id=problem.id, room=problem.room)]


def _problem(state: SessionState, problem_id: str) -> Problem:
    problem = state.problems.get(problem_id)
    if problem is None:
        raise NotFoundError(f"no problem {problem_id} in this session")
    return problem


@folds(ProblemSeen)
def problem_seen(state: SessionState, event: ProblemSeen, at: datetime) -> None:
    state.problems[event.problem_id].seen_at = at


@folds(ProblemReported)
def problem_reported(state: SessionState, event: ProblemReported, at: datetime) -> None:
    state.problems[event.problem_id] = Problem(
        id=event.problem_id,
        room=event.room,
        problem=event.problem,
        text=event.text,
        reported_at=at,
    )


@folds(ProblemCleared)
def problem_cleared(state: SessionState, event: ProblemCleared, at: datetime) -> None:
    state.problems[event.problem_id].cleared_at = at
