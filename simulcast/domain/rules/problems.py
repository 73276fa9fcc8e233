"""Room problems: a facilitator reports what goes wrong in their room (no sound, frozen
image, …); they or the mediator clear it."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, ClearProblem, ReportProblem
from simulcast.domain.guards import require, session_room
from simulcast.domain.state import Problem, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import Event, ProblemCleared, ProblemReported


@decides(ReportProblem, principal=ProblemReported)
def report_problem(state: SessionState, actor: Actor, command: ReportProblem) -> list[Event]:
    require(actor, "facilitator")
    room = session_room(state, actor.room or "")
    if not state.accepts_room_activity:
        raise ConflictError(f"this session is {state.state}", code="session_closed")
    return [
        ProblemReported(
            problem_id=command.problem_id, room=room, problem=command.problem, text=command.text
        )
    ]


@decides(ClearProblem, principal=ProblemCleared)
def clear_problem(state: SessionState, actor: Actor, command: ClearProblem) -> list[Event]:
    """A facilitator clears their own room's problems only; the mediator clears any."""
    require(actor, "admin", "facilitator")
    problem = state.problems.get(command.problem_id)
    if problem is None:
        raise NotFoundError(f"no problem {command.problem_id} in this session")
    if actor.role == "facilitator" and problem.room != actor.room:
        raise ForbiddenError(f"this problem belongs to room {problem.room}")
    if problem.cleared_at is not None:
        raise ConflictError("this problem is already cleared", code="problem_cleared")
    return [ProblemCleared(problem_id=problem.id, room=problem.room)]


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
