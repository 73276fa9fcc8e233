"""A room's facilitator tells the mediator the room is ready, before or during the session."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import Actor, SignalRoomReady
from simulcast.domain.guards import open_for_activity, require, room_of
from simulcast.domain.state import SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError
from simulcast.models.events import Event, RoomReady


@decides(SignalRoomReady, principal=RoomReady)
def signal_room_ready(state: SessionState, actor: Actor, command: SignalRoomReady) -> list[Event]:
    require(actor, "facilitator")
    room = room_of(state, actor)
    open_for_activity(state)
    if state.rooms[room].ready_at is not None:
        raise ConflictError("this room has already said it is ready", code="room_ready")
    return [RoomReady(room=room)]


@folds(RoomReady)
def room_ready(state: SessionState, event: RoomReady, at: datetime) -> None:
    state.rooms[event.room].ready_at = at
