"""Help requests: a resident asks, the room's facilitator claims, resolves or escalates to
the mediator, who answers; the resident may cancel (decision 0005).

open → claimed → resolved; open or claimed → escalated → answered → resolved; cancelled
from any state that is not final.
"""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import (
    Actor,
    AnswerEscalation,
    CancelHelp,
    ClaimHelp,
    EscalateHelp,
    RequestHelp,
    ResolveHelp,
)
from simulcast.domain.guards import open_for_activity, present_resident, require, room_of
from simulcast.domain.state import ACTIVE_HELP, FINAL_HELP, HelpRequest, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import (
    Event,
    HelpAnswered,
    HelpCancelled,
    HelpClaimed,
    HelpEscalated,
    HelpRequested,
    HelpResolved,
    HelpStateName,
    ResidentCheckedIn,
)

_UNFINISHED: tuple[HelpStateName, ...] = ("open", "claimed", "escalated", "answered")


@decides(RequestHelp, principal=HelpRequested)
def request_help(state: SessionState, actor: Actor, command: RequestHelp) -> list[Event]:
    """A guest who asks without checking in is checked in anonymously first (decision 0003)."""
    require(actor, "guest", "resident")
    room = room_of(state, actor)
    open_for_activity(state)
    events: list[Event] = []
    if actor.role == "resident":
        resident = present_resident(state, actor)
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


@decides(CancelHelp, principal=HelpCancelled)
def cancel_help(state: SessionState, actor: Actor, command: CancelHelp) -> list[Event]:
    require(actor, "resident")
    request = _help(state, command.request_id)
    if request.resident_id != actor.resident_id:
        raise ForbiddenError("only the person who asked can cancel this request")
    open_for_activity(state)
    _help_in(request, _UNFINISHED, "cancelled")
    return [HelpCancelled(request_id=request.id, room=request.room)]


@decides(ClaimHelp, principal=HelpClaimed)
def claim_help(state: SessionState, actor: Actor, command: ClaimHelp) -> list[Event]:
    request = _facilitator_request(state, actor, command.request_id)
    _help_in(request, ("open",), "claimed")
    return [HelpClaimed(request_id=request.id, room=request.room)]


@decides(ResolveHelp, principal=HelpResolved)
def resolve_help(state: SessionState, actor: Actor, command: ResolveHelp) -> list[Event]:
    request = _facilitator_request(state, actor, command.request_id)
    _help_in(request, _UNFINISHED, "resolved")
    return [HelpResolved(request_id=request.id, room=request.room)]


@decides(EscalateHelp, principal=HelpEscalated)
def escalate_help(state: SessionState, actor: Actor, command: EscalateHelp) -> list[Event]:
    request = _facilitator_request(state, actor, command.request_id)
    _help_in(request, ("open", "claimed"), "escalated")
    return [HelpEscalated(request_id=request.id, room=request.room, note=command.note)]


@decides(AnswerEscalation, principal=HelpAnswered)
def answer_escalation(state: SessionState, actor: Actor, command: AnswerEscalation) -> list[Event]:
    require(actor, "admin")
    request = _help(state, command.request_id)
    open_for_activity(state)
    _help_in(request, ("escalated",), "answered")
    return [HelpAnswered(request_id=request.id, room=request.room, answer=command.answer)]


def _help(state: SessionState, request_id: str) -> HelpRequest:
    request = state.help.get(request_id)
    if request is None:
        raise NotFoundError(f"no help request {request_id} in this session")
    return request


def _facilitator_request(state: SessionState, actor: Actor, request_id: str) -> HelpRequest:
    """A request the acting facilitator may handle: one of their own room's."""
    require(actor, "facilitator")
    request = _help(state, request_id)
    if request.room != actor.room:
        raise ForbiddenError(
            f"this help request belongs to room {request.room}, not to your room {actor.room}"
        )
    open_for_activity(state)
    return request


def _help_in(request: HelpRequest, allowed: tuple[HelpStateName, ...], past: str) -> None:
    if request.state not in allowed:
        listed = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        raise ConflictError(
            f"help request {request.id} is {request.state}: only {listed} requests can be {past}",
            code="invalid_help_state",
        )


@folds(HelpRequested)
def help_requested(state: SessionState, event: HelpRequested, at: datetime) -> None:
    state.help[event.request_id] = HelpRequest(
        id=event.request_id,
        room=event.room,
        resident_id=event.resident_id,
        kind=event.kind,
        seat=event.seat,
        text=event.text,
        created_at=at,
    )
    room = state.rooms[event.room]
    room.help_total += 1
    room.waiting[event.request_id] = at
    room.unfinished[event.request_id] = None
    state.requests_of.setdefault(event.resident_id, []).append(event.request_id)


@folds(HelpClaimed)
def help_claimed(state: SessionState, event: HelpClaimed, at: datetime) -> None:
    _move_help(state, event.request_id, "claimed", at)


@folds(HelpResolved)
def help_resolved(state: SessionState, event: HelpResolved, at: datetime) -> None:
    _move_help(state, event.request_id, "resolved", at)


@folds(HelpCancelled)
def help_cancelled(state: SessionState, event: HelpCancelled, at: datetime) -> None:
    _move_help(state, event.request_id, "cancelled", at)


@folds(HelpEscalated)
def help_escalated(state: SessionState, event: HelpEscalated, at: datetime) -> None:
    _move_help(state, event.request_id, "escalated", at)
    state.help[event.request_id].note = event.note


@folds(HelpAnswered)
def help_answered(state: SessionState, event: HelpAnswered, at: datetime) -> None:
    _move_help(state, event.request_id, "answered", at)
    state.help[event.request_id].answer = event.answer


def _move_help(state: SessionState, request_id: str, to: HelpStateName, at: datetime) -> None:
    """Move a request and keep its room's ``waiting`` and ``unfinished`` indexes in step."""
    request = state.help[request_id]
    request.state = to
    request.updated_at = at
    room = state.rooms[request.room]
    if to not in ACTIVE_HELP:
        room.waiting.pop(request_id, None)
    if to in FINAL_HELP:
        room.unfinished.pop(request_id, None)
