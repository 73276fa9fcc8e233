"""Who is in each room: residents checking in and leaving, walk-ins counted by hand
(decision 0005)."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, AdjustWalkIns, CheckIn, DismissResident, Leave
from simulcast.domain.guards import open_for_activity, present_resident, require, room_of
from simulcast.domain.state import ACTIVE_HELP, Resident, SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import (
    Event,
    HelpCancelled,
    ResidentCheckedIn,
    ResidentLeft,
    WalkInsAdjusted,
)


@decides(CheckIn, principal=ResidentCheckedIn)
def check_in(state: SessionState, actor: Actor, command: CheckIn) -> list[Event]:
    require(actor, "guest", "resident")
    room = room_of(state, actor)
    open_for_activity(state)
    return [ResidentCheckedIn(resident_id=command.resident_id, room=room, name=command.name)]


@decides(Leave, principal=ResidentLeft)
def leave(state: SessionState, actor: Actor, command: Leave) -> list[Event]:
    """Leaving also cancels the resident's requests that someone still waits on."""
    require(actor, "resident")
    resident = present_resident(state, actor)
    open_for_activity(state)
    return _gone(state, resident, room_of(state, actor))


@decides(DismissResident, principal=ResidentLeft)
def dismiss_resident(state: SessionState, actor: Actor, command: DismissResident) -> list[Event]:
    """A facilitator counts out someone who left without saying so (a phone put away, the
    previous person on a shared tablet): the room's count is right again."""
    require(actor, "facilitator")
    room = room_of(state, actor)
    open_for_activity(state)
    resident = state.residents.get(command.resident_id)
    if resident is None:
        raise NotFoundError(f"no resident {command.resident_id} in this session")
    if resident.room != room:
        raise ForbiddenError(f"this person is in room {resident.room}, not in your room {room}")
    if resident.left_at is not None:
        raise ConflictError("this person has already left", code="resident_left")
    return _gone(state, resident.id, room)


def _gone(state: SessionState, resident: str, room: str) -> list[Event]:
    """A resident leaves: their requests that someone still waits on are cancelled too."""
    events: list[Event] = [ResidentLeft(resident_id=resident, room=room)]
    events += [
        HelpCancelled(request_id=request.id, room=request.room)
        for request in (state.help[rid] for rid in state.requests_of.get(resident, []))
        if request.state in ACTIVE_HELP
    ]
    return events


@decides(AdjustWalkIns, principal=WalkInsAdjusted)
def adjust_walk_ins(state: SessionState, actor: Actor, command: AdjustWalkIns) -> list[Event]:
    require(actor, "facilitator")
    room = room_of(state, actor)
    open_for_activity(state)
    if command.delta < 0 and state.rooms[room].walkins == 0:
        raise ConflictError("there is no walk-in to remove in this room", code="no_walkins")
    return [WalkInsAdjusted(room=room, delta=command.delta)]


@folds(ResidentCheckedIn)
def resident_checked_in(state: SessionState, event: ResidentCheckedIn, at: datetime) -> None:
    state.residents[event.resident_id] = Resident(
        id=event.resident_id, room=event.room, name=event.name, checked_in_at=at
    )
    room = state.rooms[event.room]
    room.checked_in += 1
    room.present_ids[event.resident_id] = None


@folds(ResidentLeft)
def resident_left(state: SessionState, event: ResidentLeft, at: datetime) -> None:
    state.residents[event.resident_id].left_at = at
    state.rooms[event.room].present_ids.pop(event.resident_id, None)


@folds(WalkInsAdjusted)
def walkins_adjusted(state: SessionState, event: WalkInsAdjusted, at: datetime) -> None:
    state.rooms[event.room].walkins += event.delta
