"""The checks that handlers share. Each raises the one refusal a person can act on."""

from __future__ import annotations

from simulcast.domain.commands import Actor, Role
from simulcast.domain.state import SessionState
from simulcast.errors import ConflictError, ForbiddenError

ROLE_NAMES: dict[Role, str] = {
    "admin": "the lead mediator (admin token)",
    "facilitator": "a room's facilitator",
    "screen": "a room screen",
    "resident": "a checked-in resident",
    "guest": "a resident with the room's join code",
    "system": "the controller itself",
}


def require(actor: Actor, *roles: Role) -> None:
    """Refuse (403) unless ``actor`` holds one of ``roles``; the message names who may act."""
    if actor.role not in roles:
        allowed = " or ".join(ROLE_NAMES[role] for role in roles)
        raise ForbiddenError(f"only {allowed} can do this")


def open_for_activity(state: SessionState) -> None:
    """Refuse (409 ``session_closed``) once the session no longer takes room activity."""
    if not state.accepts_room_activity:
        raise ConflictError(
            f"this session is {state.state}: rooms no longer take check-ins, help or answers",
            code="session_closed",
        )


def room_of(state: SessionState, actor: Actor) -> str:
    """The room of a room-bound actor's token, which must be a room of this session."""
    if actor.room is None or actor.room not in state.rooms:
        raise ForbiddenError("this token is not for a room of this session")
    return actor.room


def session_room(state: SessionState, site: str) -> str:
    """``site``, refused (403) unless it is a room of this session."""
    if site not in state.rooms:
        raise ForbiddenError(f"{site} is not a room of this session")
    return site


def present_resident(state: SessionState, actor: Actor) -> str:
    """The id of the resident acting, who must have checked in and not left."""
    resident = state.residents.get(actor.resident_id or "")
    if resident is None:
        raise ForbiddenError("check in first: this resident token is unknown")
    if resident.left_at is not None:
        raise ConflictError("you have left this session: check in again", code="resident_left")
    return resident.id


def broadcast_in(state: SessionState, allowed: tuple[str, ...], verb: str) -> None:
    """Refuse (409 ``invalid_broadcast_state``) unless the broadcast is in ``allowed``."""
    if state.broadcast.state not in allowed:
        raise ConflictError(
            f"the broadcast is {state.broadcast.state}: it cannot {verb} "
            f"(only when {' or '.join(allowed)})",
            code="invalid_broadcast_state",
        )
