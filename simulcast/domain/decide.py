"""``decide``: check a command against the state and the actor, and say what happened.

Refusals raise with a reason a person can act on; nothing is decided half-way.
"""

from __future__ import annotations

from simulcast.domain.broadcast import decide_broadcast
from simulcast.domain.commands import (
    Actor,
    AdjustWalkIns,
    Announce,
    AnswerCheck,
    AnswerEscalation,
    BroadcastCommand,
    CancelHelp,
    CancelSession,
    CheckIn,
    ClaimHelp,
    CloseCheck,
    Command,
    EndSession,
    EscalateHelp,
    LaunchCheck,
    Leave,
    PurgePersonalData,
    RequestHelp,
    ResolveHelp,
    Role,
    StartSession,
)
from simulcast.domain.state import ACTIVE_HELP, HelpRequest, SessionState
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import (
    AnnouncementSent,
    CheckAnswered,
    CheckClosed,
    CheckLaunched,
    Event,
    HelpAnswered,
    HelpCancelled,
    HelpClaimed,
    HelpEscalated,
    HelpRequested,
    HelpResolved,
    HelpStateName,
    PersonalDataPurged,
    ResidentCheckedIn,
    ResidentLeft,
    SessionCancelled,
    SessionEnded,
    SessionStarted,
    WalkInsAdjusted,
)


def decide(state: SessionState, actor: Actor, command: Command) -> list[Event]:
    """The events ``command`` produces, or a SimulcastError saying why it is refused."""
    if actor.session_id != state.id and actor.role not in ("admin", "system"):
        raise ForbiddenError("this token or code belongs to another session")
    if isinstance(command, BroadcastCommand):
        return decide_broadcast(state, actor, command)
    match command:
        case StartSession():
            _require(actor, "admin")
            _lifecycle(state, ("scheduled",), "start")
            return [SessionStarted()]
        case EndSession():
            _require(actor, "admin")
            _lifecycle(state, ("live",), "end")
            return [SessionEnded()]
        case CancelSession():
            _require(actor, "admin")
            _lifecycle(state, ("scheduled",), "cancel")
            return [SessionCancelled()]
        case CheckIn():
            _require(actor, "guest", "resident")
            room = _room_of(state, actor)
            _open_for_activity(state)
            return [
                ResidentCheckedIn(resident_id=command.resident_id, room=room, name=command.name)
            ]
        case Leave():
            _require(actor, "resident")
            resident = _present_resident(state, actor)
            _open_for_activity(state)
            events: list[Event] = [ResidentLeft(resident_id=resident, room=_room_of(state, actor))]
            events += [
                HelpCancelled(request_id=request.id, room=request.room)
                for request in (state.help[rid] for rid in state.requests_of.get(resident, []))
                if request.state in ACTIVE_HELP
            ]
            return events
        case AdjustWalkIns():
            _require(actor, "facilitator")
            room = _room_of(state, actor)
            _open_for_activity(state)
            if command.delta < 0 and state.rooms[room].walkins == 0:
                raise ConflictError("there is no walk-in to remove in this room", code="no_walkins")
            return [WalkInsAdjusted(room=room, delta=command.delta)]
        case RequestHelp():
            _require(actor, "guest", "resident")
            room = _room_of(state, actor)
            _open_for_activity(state)
            events = []
            if actor.role == "resident":
                resident = _present_resident(state, actor)
            else:
                if command.resident_id is None:
                    raise ValueError("a guest's help request needs a resident id to check in")
                resident = command.resident_id
                events.append(ResidentCheckedIn(resident_id=resident, room=room, name=None))
            events.append(
                HelpRequested(
                    request_id=command.request_id,
                    resident_id=resident,
                    room=room,
                    kind=command.kind,
                    seat=command.seat,
                    text=command.text,
                )
            )
            return events
        case CancelHelp():
            _require(actor, "resident")
            request = _help(state, command.request_id)
            if request.resident_id != actor.resident_id:
                raise ForbiddenError("only the person who asked can cancel this request")
            _open_for_activity(state)
            _transition(request, ("open", "claimed", "escalated", "answered"), "cancel")
            return [HelpCancelled(request_id=request.id, room=request.room)]
        case ClaimHelp():
            request = _facilitator_request(state, actor, command.request_id)
            _transition(request, ("open",), "claim")
            return [HelpClaimed(request_id=request.id, room=request.room)]
        case ResolveHelp():
            request = _facilitator_request(state, actor, command.request_id)
            _transition(request, ("open", "claimed", "escalated", "answered"), "resolve")
            return [HelpResolved(request_id=request.id, room=request.room)]
        case EscalateHelp():
            request = _facilitator_request(state, actor, command.request_id)
            _transition(request, ("open", "claimed"), "escalate")
            return [HelpEscalated(request_id=request.id, room=request.room)]
        case AnswerEscalation():
            _require(actor, "admin")
            request = _help(state, command.request_id)
            _open_for_activity(state)
            _transition(request, ("escalated",), "answer")
            return [HelpAnswered(request_id=request.id, room=request.room, answer=command.answer)]
        case Announce():
            _require(actor, "admin")
            _open_for_activity(state)
            return [AnnouncementSent(announcement_id=command.announcement_id, text=command.text)]
        case LaunchCheck():
            _require(actor, "admin")
            _open_for_activity(state)
            active = state.active_check
            if active is not None:
                raise ConflictError(
                    f"check {active.id} is still open: close it before launching another",
                    code="check_already_open",
                )
            return [
                CheckLaunched(
                    check_id=command.check_id, question=command.question, options=command.options
                )
            ]
        case AnswerCheck():
            _require(actor, "resident")
            resident = _present_resident(state, actor)
            _open_for_activity(state)
            check = state.checks.get(command.check_id)
            if check is None:
                raise NotFoundError(f"no check {command.check_id} in this session")
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
                    room=_room_of(state, actor),
                    option=command.option,
                )
            ]
        case PurgePersonalData():
            _require(actor, "system")
            if state.state not in ("ended", "cancelled"):
                raise ConflictError(
                    "personal data is purged after a session ends", code="session_open"
                )
            if state.purged_at is not None:
                raise ConflictError("already purged", code="already_purged")
            return [PersonalDataPurged(retention_days=command.retention_days)]
        case CloseCheck():
            _require(actor, "admin")
            check = state.checks.get(command.check_id)
            if check is None:
                raise NotFoundError(f"no check {command.check_id} in this session")
            if check.closed_at is not None:
                raise ConflictError("this check is already closed", code="check_closed")
            return [CheckClosed(check_id=check.id)]
    raise TypeError(f"unknown command {command!r}")


_ROLE_NAMES: dict[Role, str] = {
    "admin": "the lead mediator (admin token)",
    "facilitator": "a room's facilitator",
    "screen": "a room screen",
    "resident": "a checked-in resident",
    "guest": "a resident with the room's join code",
    "system": "the controller itself",
}


def _require(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        allowed = " or ".join(_ROLE_NAMES[role] for role in roles)
        raise ForbiddenError(f"only {allowed} can do this")


def _lifecycle(state: SessionState, allowed: tuple[str, ...], verb: str) -> None:
    if state.state not in allowed:
        raise ConflictError(
            f"cannot {verb} a session that is {state.state} "
            f"(only a {' or '.join(allowed)} session can be {_PAST[verb]})",
            code="invalid_session_state",
        )


def _open_for_activity(state: SessionState) -> None:
    if not state.accepts_room_activity:
        raise ConflictError(
            f"this session is {state.state}: rooms no longer take check-ins, help or answers",
            code="session_closed",
        )


def _room_of(state: SessionState, actor: Actor) -> str:
    if actor.room is None or actor.room not in state.rooms:
        raise ForbiddenError("this token is not for a room of this session")
    return actor.room


def _present_resident(state: SessionState, actor: Actor) -> str:
    resident = state.residents.get(actor.resident_id or "")
    if resident is None:
        raise ForbiddenError("check in first: this resident token is unknown")
    if resident.left_at is not None:
        raise ConflictError("you have left this session: check in again", code="resident_left")
    return resident.id


def _help(state: SessionState, request_id: str) -> HelpRequest:
    request = state.help.get(request_id)
    if request is None:
        raise NotFoundError(f"no help request {request_id} in this session")
    return request


def _facilitator_request(state: SessionState, actor: Actor, request_id: str) -> HelpRequest:
    _require(actor, "facilitator")
    request = _help(state, request_id)
    if request.room != actor.room:
        raise ForbiddenError(
            f"this help request belongs to room {request.room}, not to your room {actor.room}"
        )
    _open_for_activity(state)
    return request


_PAST: dict[str, str] = {
    "start": "started",
    "end": "ended",
    "claim": "claimed",
    "resolve": "resolved",
    "escalate": "escalated",
    "answer": "answered",
    "cancel": "cancelled",
}

_VERB_STATES: dict[str, str] = {
    "claim": "open",
    "resolve": "open, claimed, escalated or answered",
    "escalate": "open or claimed",
    "answer": "escalated",
    "cancel": "open, claimed, escalated or answered",
}


def _transition(request: HelpRequest, allowed: tuple[HelpStateName, ...], verb: str) -> None:
    if request.state not in allowed:
        raise ConflictError(
            f"help request {request.id} is {request.state}: only {_VERB_STATES[verb]} "
            f"requests can be {_PAST[verb]}",
            code="invalid_help_state",
        )
