"""What a room's facilitator and its screen do (their room token): the help queue, walk-ins,
room problems; a screen's heartbeat and playback state."""

from __future__ import annotations

from collections.abc import Callable

from simulcast.domain.commands import (
    AcknowledgeProblem,
    AdjustWalkIns,
    ClaimHelp,
    ClearProblem,
    Command,
    DismissResident,
    EscalateHelp,
    ReportProblem,
    ReportScreenState,
    ResolveHelp,
    Role,
    SignalRoomReady,
)
from simulcast.engine.access import new_id
from simulcast.engine.actions.base import Action, Answer, Call, command, query
from simulcast.engine.views import room_snapshot
from simulcast.models.wire import (
    ActionBody,
    EscalatePayload,
    HeartbeatPayload,
    HelpActionPayload,
    ProblemActionPayload,
    ProblemBody,
    ResidentActionPayload,
    ScreenStatePayload,
    WalkInsBody,
)

FACILITATOR: tuple[Role, ...] = ("facilitator",)
SCREEN: tuple[Role, ...] = ("screen",)
_HELP = ("request_id", "help request")


def _room(call: Call) -> str:
    assert call.actor.room is not None, "room tokens name their room"
    return call.actor.room


async def _heartbeat(call: Call) -> Answer:
    """A screen is alive (at least every 5 s); once the session is over, it is answered and
    nothing is recorded (the screen shows the end)."""
    if call.state.accepts_room_activity:
        await call.services.supervisor.screen_heartbeat(call.state.id, _room(call))
    return Answer(None)


async def _screen_state(call: Call) -> Answer:
    """A screen's playback state; recorded only when it differs from the last one."""
    body: ScreenStatePayload = call.body
    state, room = call.state, _room(call)
    await call.services.supervisor.screen_heartbeat(state.id, room)
    known = state.rooms[room]
    if (known.screen, known.screen_detail) == (body.state, body.detail):
        return Answer({"state": body.state}, replayed=True)
    report = command(lambda call: ReportScreenState(body.state, body.detail))
    return await report(call)


def _help(
    verb: str,
    summary: str,
    build: Callable[[Call], Command],
    body: type[HelpActionPayload] = HelpActionPayload,
) -> Action:
    """A facilitator moves a help request of their room along."""
    return Action(
        f"{verb}_help",
        summary,
        FACILITATOR,
        command(build),
        body=body,
        optional_body=True,
        rest=("POST", f"/api/help/{{request_id}}/{verb}"),
        event=verb,
        owner=_HELP,
    )


ACTIONS = (
    Action(
        "room_view",
        "Your room's live view",
        FACILITATOR,
        query(lambda call: room_snapshot(call.state, _room(call), call.services.registry)),
        rest=("GET", "/api/rooms/{site}"),
    ),
    _help(
        "claim",
        "Claim a help request of your room",
        lambda call: ClaimHelp(call.body.request_id),
    ),
    _help(
        "resolve",
        "Resolve a help request of your room",
        lambda call: ResolveHelp(call.body.request_id),
    ),
    _help(
        "escalate",
        "Escalate a help request to the lead mediator, with a note if you like",
        lambda call: EscalateHelp(call.body.request_id, call.body.note),
        EscalatePayload,
    ),
    Action(
        "dismiss_resident",
        "Count out someone who left without saying so",
        FACILITATOR,
        command(lambda call: DismissResident(call.body.resident_id)),
        body=ResidentActionPayload,
        optional_body=True,
        rest=("POST", "/api/rooms/{site}/residents/{resident_id}/leave"),
        event="dismiss",
        owner=("resident_id", "resident"),
    ),
    Action(
        "adjust_walkins",
        "+1/-1 for people without a phone",
        FACILITATOR,
        command(lambda call: AdjustWalkIns(call.body.delta)),
        body=WalkInsBody,
        rest=("POST", "/api/rooms/{site}/walkins"),
        event="walkins",
    ),
    Action(
        "report_problem",
        "Report a room problem (no sound, frozen image, …)",
        FACILITATOR,
        command(lambda call: ReportProblem(new_id("p"), call.body.problem, call.body.text)),
        body=ProblemBody,
        rest=("POST", "/api/rooms/{site}/problems"),
        event="report_problem",
    ),
    Action(
        "clear_problem",
        "Clear a room problem (facilitator of the room, or the mediator)",
        ("admin", "facilitator"),
        command(lambda call: ClearProblem(call.body.problem_id)),
        body=ProblemActionPayload,
        optional_body=True,
        rest=("POST", "/api/problems/{problem_id}/clear"),
        event="clear_problem",
        owner=("problem_id", "room problem"),
    ),
    Action(
        "acknowledge_problem",
        "Tell a room its problem is seen",
        ("admin",),
        command(lambda call: AcknowledgeProblem(call.body.problem_id)),
        body=ProblemActionPayload,
        optional_body=True,
        rest=("POST", "/api/problems/{problem_id}/seen"),
        event="problem_seen",
        owner=("problem_id", "room problem"),
    ),
    Action(
        "signal_room_ready",
        "Tell the mediator the room is ready",
        FACILITATOR,
        command(lambda call: SignalRoomReady()),
        body=ActionBody,
        optional_body=True,
        rest=("POST", "/api/rooms/{site}/ready"),
        event="room_ready",
    ),
    Action(
        "heartbeat",
        "A room screen is alive (at least every 5 s)",
        SCREEN,
        _heartbeat,
        body=HeartbeatPayload,
        event="heartbeat",
        after_end=True,
    ),
    Action(
        "report_screen_state",
        "A room screen's playback state changed",
        SCREEN,
        _screen_state,
        body=ScreenStatePayload,
        event="screen_state",
    ),
)
