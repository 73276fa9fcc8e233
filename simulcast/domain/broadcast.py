"""The broadcast part of a session: its lifecycle, each room's screen and dispatch, problems.

``apply_broadcast`` folds the broadcast events; ``decide_broadcast`` checks the broadcast
commands. Most of them come from the controller itself (the ``system`` actor: the broadcast
supervisor), a few from the mediator, the room screens and facilitators.
"""

from __future__ import annotations

from simulcast.domain.commands import (
    Actor,
    BroadcastCommand,
    ClearProblem,
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
    ReportProblem,
    ReportScreenState,
    RequestBroadcastStart,
    RequestBroadcastStop,
    Role,
    SwitchScene,
)
from simulcast.domain.state import Problem, RoomState, SessionState
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import (
    BroadcastFailed,
    BroadcastHealthSampled,
    BroadcastLive,
    BroadcastStarting,
    BroadcastStopped,
    BroadcastStopping,
    DispatchFailed,
    Event,
    ObsBack,
    ObsLost,
    ProblemCleared,
    ProblemReported,
    Recorded,
    SceneSwitched,
    ScreenDispatched,
    ScreenOffline,
    ScreenOnline,
    ScreenStateReported,
)

ON_AIR = ("starting", "live")


def apply_broadcast(state: SessionState, record: Recorded) -> bool:
    """Fold a broadcast event into ``state``; False if ``record`` is not one."""
    event = record.event
    broadcast = state.broadcast
    at = record.at
    match event:
        case BroadcastStarting():
            broadcast.state = "starting"
            broadcast.source = event.source
            broadcast.reason = None
            broadcast.started_at = at
            broadcast.url = None
            broadcast.kind = None
            broadcast.stopped_at = None
        case BroadcastLive():
            broadcast.state = "live"
            broadcast.kind = event.kind
            broadcast.url = event.url
            broadcast.live_at = at
            for room in state.rooms.values():
                room.dispatch = "pending" if room.screen != "offline" else "offline"
                room.dispatch_detail = None
                room.dispatch_attempts = 0
        case BroadcastFailed():
            broadcast.state = "failed"
            broadcast.reason = event.reason
            broadcast.stopped_at = at
            _clear_dispatch(state)
        case BroadcastStopping():
            broadcast.state = "stopping"
        case BroadcastStopped():
            broadcast.state = "stopped"
            broadcast.reason = event.reason
            broadcast.stopped_at = at
            _clear_dispatch(state)
        case ScreenOnline():
            room = state.rooms[event.room]
            room.screen = "waiting"
            room.screen_detail = None
            if broadcast.state == "live" and room.dispatch in (None, "offline"):
                room.dispatch = "pending"
        case ScreenOffline():
            room = state.rooms[event.room]
            room.screen = "offline"
            room.screen_detail = event.reason
            if room.dispatch is not None:
                room.dispatch = "offline"
        case ScreenDispatched():
            room = state.rooms[event.room]
            if room.dispatch != "failed":  # a failed room stays failed (and says why) until
                room.dispatch = "pending"  # its screen reports playing
            room.dispatch_attempts = event.attempt
        case ScreenStateReported():
            room = state.rooms[event.room]
            room.screen = event.state
            room.screen_detail = event.detail
            _follow_screen(room, broadcast.state)
        case DispatchFailed():
            room = state.rooms[event.room]
            room.dispatch = "failed"
            room.dispatch_detail = event.reason
        case ObsLost():
            broadcast.obs_lost = True
            broadcast.reason = event.reason
        case ObsBack():
            broadcast.obs_lost = False
        case SceneSwitched():
            broadcast.scene = event.scene
        case BroadcastHealthSampled():
            if event.ingest_live is not None:
                broadcast.ingest_live = event.ingest_live
        case ProblemReported():
            state.problems[event.problem_id] = Problem(
                id=event.problem_id,
                room=event.room,
                problem=event.problem,
                text=event.text,
                reported_at=at,
            )
        case ProblemCleared():
            state.problems[event.problem_id].cleared_at = at
        case _:
            return False
    return True


def _clear_dispatch(state: SessionState) -> None:
    for room in state.rooms.values():
        room.dispatch = None
        room.dispatch_detail = None
        room.dispatch_attempts = 0


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


def decide_broadcast(state: SessionState, actor: Actor, command: BroadcastCommand) -> list[Event]:
    """The events of a broadcast command, or a SimulcastError saying why not."""
    broadcast = state.broadcast
    match command:
        case RequestBroadcastStart():
            _require(actor, "admin")
            if state.state != "live":
                raise ConflictError(
                    f"start the session first: it is {state.state} "
                    "(rooms open with the session, the broadcast comes after)",
                    code="invalid_session_state",
                )
            if broadcast.state in ("starting", "live", "stopping"):
                raise ConflictError(
                    f"the broadcast is already {broadcast.state}", code="invalid_broadcast_state"
                )
            return [BroadcastStarting(source=command.source)]
        case MarkBroadcastLive():
            _require(actor, "system")
            _expect(state, ("starting",), "go live")
            return [BroadcastLive(kind=command.kind, url=command.url)]
        case FailBroadcast():
            _require(actor, "system")
            _expect(state, ("starting", "live", "stopping"), "fail")
            return [BroadcastFailed(reason=command.reason)]
        case RequestBroadcastStop():
            _require(actor, "admin", "system")
            _expect(state, ON_AIR, "stop")
            return [BroadcastStopping()]
        case MarkBroadcastStopped():
            _require(actor, "system")
            _expect(state, ("starting", "live", "stopping"), "be stopped")
            return [BroadcastStopped(reason=command.reason)]
        case RecordScreenOnline():
            _require(actor, "system")
            return [ScreenOnline(room=_room(state, command.room))]
        case RecordScreenOffline():
            _require(actor, "system")
            return [ScreenOffline(room=_room(state, command.room), reason=command.reason)]
        case RecordDispatch():
            _require(actor, "system")
            _expect(state, ("live",), "dispatch")
            return [ScreenDispatched(room=_room(state, command.room), attempt=command.attempt)]
        case FailDispatch():
            _require(actor, "system")
            return [DispatchFailed(room=_room(state, command.room), reason=command.reason)]
        case ReportScreenState():
            _require(actor, "screen")
            room = _room(state, actor.room or "")
            return [ScreenStateReported(room=room, state=command.state, detail=command.detail)]
        case MarkObsLost():
            _require(actor, "system")
            return [ObsLost(reason=command.reason)]
        case MarkObsBack():
            _require(actor, "system")
            return [ObsBack(version=command.version)]
        case SwitchScene():
            _require(actor, "admin", "system")
            return [SceneSwitched(scene=command.scene)]
        case RecordHealth():
            _require(actor, "system")
            return [BroadcastHealthSampled(**command.sample)]
        case ReportProblem():
            _require(actor, "facilitator")
            room = _room(state, actor.room or "")
            if not state.accepts_room_activity:
                raise ConflictError(f"this session is {state.state}", code="session_closed")
            return [
                ProblemReported(
                    problem_id=command.problem_id,
                    room=room,
                    problem=command.problem,
                    text=command.text,
                )
            ]
        case ClearProblem():
            _require(actor, "facilitator", "admin")
            problem = state.problems.get(command.problem_id)
            if problem is None:
                raise NotFoundError(f"no problem {command.problem_id} in this session")
            if actor.role == "facilitator" and problem.room != actor.room:
                raise ForbiddenError(f"this problem belongs to room {problem.room}")
            if problem.cleared_at is not None:
                raise ConflictError("this problem is already cleared", code="problem_cleared")
            return [ProblemCleared(problem_id=problem.id, room=problem.room)]
    raise TypeError(f"unknown broadcast command {command!r}")


def _require(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise ForbiddenError(f"a {actor.role} cannot do this")


def _expect(state: SessionState, allowed: tuple[str, ...], verb: str) -> None:
    if state.broadcast.state not in allowed:
        raise ConflictError(
            f"the broadcast is {state.broadcast.state}: it cannot {verb} "
            f"(only when {' or '.join(allowed)})",
            code="invalid_broadcast_state",
        )


def _room(state: SessionState, site: str) -> str:
    if site not in state.rooms:
        raise ForbiddenError(f"{site} is not a room of this session")
    return site
