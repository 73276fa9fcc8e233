"""What a resident does with a room's join code (a ``guest``), then with the resident token
given at check-in: check in, ask for help discreetly, answer a check, leave."""

from __future__ import annotations

from simulcast.domain.commands import (
    Actor,
    AnswerCheck,
    CancelHelp,
    CheckIn,
    Leave,
    RequestHelp,
    Role,
)
from simulcast.engine.access import new_id
from simulcast.engine.actions.base import Action, Answer, Call, command, outcome_answer, query
from simulcast.engine.views import resident_snapshot
from simulcast.errors import ConflictError
from simulcast.models.wire import (
    ActionBody,
    CheckAnswerPayload,
    CheckInBody,
    HelpActionPayload,
    HelpBody,
)

JOINED: tuple[Role, ...] = ("guest", "resident")
RESIDENT: tuple[Role, ...] = ("resident",)


def _view(call: Call) -> object:
    actor, services = call.actor, call.services
    assert actor.room is not None, "a join code names its room"
    return resident_snapshot(
        call.state, actor.room, services.registry, actor.resident_id, services.retention_days
    )


UNKNOWN_CAPACITY_CAP = 100
"""At most this many people present in a room whose ``x_capacity`` rooms.yaml does not say,
and this many check-ins per address and 10 minutes there."""


def _admit_newcomer(call: Call, guest: Actor) -> None:
    """A new person in a room (a check-in, or a guest's first help request): refused when the
    room already counts more than it could hold (``2 × x_capacity + 10`` present), or when
    one address has checked in ``2 × x_capacity`` people there in 10 minutes. A retry of an
    accepted check-in always passes."""
    services, state = call.services, call.state
    room = call.actor.room
    assert room is not None, "a join code names its room"
    if services.hub.seen(state.id, guest, call.client_id):
        return
    site = services.registry.get(room)
    capacity = site.x_capacity if site is not None else None
    cap = UNKNOWN_CAPACITY_CAP if capacity is None else 2 * capacity + 10
    if state.rooms[room].present_residents >= cap:
        raise ConflictError(
            f"this room already counts {cap} people present: ask the room's facilitator",
            code="room_full",
        )
    burst = UNKNOWN_CAPACITY_CAP if capacity is None else 2 * capacity
    services.checkins.take(call.address, room, burst)


async def _check_in(call: Call) -> Answer:
    """Always as a guest of the room: checking in again makes a new resident."""
    hub, state = call.services.hub, call.state
    guest = Actor(role="guest", session_id=state.id, room=call.actor.room)
    _admit_newcomer(call, guest)
    command = CheckIn(new_id("r"), call.body.name)
    outcome = await hub.execute(state.id, guest, command, call.client_id)
    return outcome_answer(call.services, outcome, hub.get(state.id))


def _request_help(call: Call) -> RequestHelp:
    """A guest who asks before checking in is checked in anonymously at the same time."""
    body: HelpBody = call.body
    guest = call.actor.role != "resident"
    if guest:
        _admit_newcomer(call, call.actor)
    return RequestHelp(
        new_id("h"), body.kind, body.seat, body.text, resident_id=new_id("r") if guest else None
    )


ACTIONS = (
    Action(
        "join_view",
        "What a resident sees (guest or resident)",
        JOINED,
        query(_view),
        rest=("GET", "/api/join/{code}"),
    ),
    Action(
        "check_in",
        "Check in (first name optional)",
        JOINED,
        _check_in,
        body=CheckInBody,
        rest=("POST", "/api/join/{code}/checkin"),
        event="checkin",
    ),
    Action(
        "request_help",
        "Ask for help, discreetly",
        JOINED,
        command(_request_help),
        body=HelpBody,
        rest=("POST", "/api/join/{code}/help"),
        event="help",
    ),
    Action(
        "leave",
        "Leave the session",
        RESIDENT,
        command(lambda call: Leave()),
        body=ActionBody,
        rest=("POST", "/api/join/{code}/leave"),
        event="leave",
    ),
    Action(
        "answer_check",
        "Answer a comprehension check",
        RESIDENT,
        command(lambda call: AnswerCheck(call.body.check_id, call.body.option)),
        body=CheckAnswerPayload,
        rest=("POST", "/api/join/{code}/checks/{check_id}/answer"),
        event="answer_check",
    ),
    Action(
        "cancel_help",
        "Cancel your own help request",
        RESIDENT,
        command(lambda call: CancelHelp(call.body.request_id)),
        body=HelpActionPayload,
        optional_body=True,
        rest=("POST", "/api/help/{request_id}/cancel"),
        event="cancel_help",
        owner=("request_id", "help request"),
    ),
)
