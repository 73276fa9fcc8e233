"""``decide``'s cases for the broadcast, screen, problem and readiness commands
(domain/rules/broadcast.py, screens.py, problems.py, readiness.py): each one accepted in a
legal state with exactly its events, refused otherwise with the exact error. The four
table tests of test_domain_decide.py run them with the session commands' cases."""

from __future__ import annotations

from typing import Any

import pytest

from simulcast.domain.commands import (
    AcknowledgeProblem,
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
    SignalRoomReady,
    SwitchScene,
)
from simulcast.domain.decide import decide
from simulcast.errors import ConflictError, ForbiddenError, NotFoundError
from simulcast.models.events import (
    BroadcastFailed,
    BroadcastHealthSampled,
    BroadcastLive,
    BroadcastStarting,
    BroadcastStopped,
    BroadcastStopping,
    DispatchFailed,
    ObsBack,
    ObsLost,
    ProblemCleared,
    ProblemReported,
    ProblemSeen,
    RoomReady,
    SceneSwitched,
    ScreenDispatched,
    ScreenOffline,
    ScreenOnline,
    ScreenStateReported,
    SessionEnded,
)
from tests.unit.domain_logs import (
    ADMIN,
    ENDED,
    FAILED,
    LIVE,
    ON_AIR,
    PROBLEM,
    PROBLEM_CLEARED,
    STARTING,
    STOPPED,
    STOPPING,
    SYSTEM,
    URL,
    Refusal,
    facilitator,
    screen,
    session,
)

ACCEPTED = [
    pytest.param(
        LIVE,
        ADMIN,
        RequestBroadcastStart("obs"),
        [BroadcastStarting(source="obs")],
        id="request_broadcast_start",
    ),
    pytest.param(
        STOPPED,
        ADMIN,
        RequestBroadcastStart("jitsi"),
        [BroadcastStarting(source="jitsi")],
        id="request_broadcast_start-again_after_a_stop",
    ),
    pytest.param(
        FAILED,
        ADMIN,
        RequestBroadcastStart("obs"),
        [BroadcastStarting(source="obs")],
        id="request_broadcast_start-again_after_a_failure",
    ),
    pytest.param(
        STARTING,
        SYSTEM,
        MarkBroadcastLive("hls", URL),
        [BroadcastLive(kind="hls", url=URL)],
        id="mark_broadcast_live",
    ),
    pytest.param(
        STARTING,
        SYSTEM,
        FailBroadcast("ingest unreachable"),
        [BroadcastFailed(reason="ingest unreachable")],
        id="fail_broadcast",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        FailBroadcast("OBS stopped streaming"),
        [BroadcastFailed(reason="OBS stopped streaming")],
        id="fail_broadcast-live",
    ),
    pytest.param(
        STOPPING,
        SYSTEM,
        FailBroadcast("OBS did not stop"),
        [BroadcastFailed(reason="OBS did not stop")],
        id="fail_broadcast-stopping",
    ),
    pytest.param(
        ON_AIR, ADMIN, RequestBroadcastStop(), [BroadcastStopping()], id="request_broadcast_stop"
    ),
    pytest.param(
        STARTING,
        SYSTEM,
        RequestBroadcastStop(),
        [BroadcastStopping()],
        id="request_broadcast_stop-by_the_controller_while_starting",
    ),
    pytest.param(
        STOPPING,
        SYSTEM,
        MarkBroadcastStopped(),
        [BroadcastStopped(reason=None)],
        id="mark_broadcast_stopped",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        MarkBroadcastStopped("the session ended"),
        [BroadcastStopped(reason="the session ended")],
        id="mark_broadcast_stopped-live",
    ),
    pytest.param(
        LIVE, SYSTEM, RecordScreenOnline("a"), [ScreenOnline(room="a")], id="record_screen_online"
    ),
    pytest.param(
        LIVE,
        SYSTEM,
        RecordScreenOffline("b", "socket closed"),
        [ScreenOffline(room="b", reason="socket closed")],
        id="record_screen_offline",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        RecordDispatch("a", 2),
        [ScreenDispatched(room="a", attempt=2)],
        id="record_dispatch",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        FailDispatch("a", "no answer after 3 attempts"),
        [DispatchFailed(room="a", reason="no answer after 3 attempts")],
        id="fail_dispatch",
    ),
    pytest.param(
        LIVE,
        screen("b"),
        ReportScreenState("error", "codec"),
        [ScreenStateReported(room="b", state="error", detail="codec")],
        id="report_screen_state",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        MarkObsLost("connection closed"),
        [ObsLost(reason="connection closed")],
        id="mark_obs_lost",
    ),
    pytest.param(
        LIVE, SYSTEM, MarkObsBack("31.0.2"), [ObsBack(version="31.0.2")], id="mark_obs_back"
    ),
    pytest.param(
        LIVE, ADMIN, SwitchScene("Pause"), [SceneSwitched(scene="Pause")], id="switch_scene"
    ),
    pytest.param(
        LIVE,
        SYSTEM,
        SwitchScene("Live"),
        [SceneSwitched(scene="Live")],
        id="switch_scene-by_the_controller",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        RecordHealth({"ingest_live": True, "bitrate_kbps": 2500}),
        [BroadcastHealthSampled(ingest_live=True, bitrate_kbps=2500)],
        id="record_health",
    ),
    pytest.param(
        LIVE,
        facilitator("a"),
        ReportProblem("p1", "no_sound", "rien"),
        [ProblemReported(problem_id="p1", room="a", problem="no_sound", text="rien")],
        id="report_problem",
    ),
    pytest.param(
        (),
        facilitator("b"),
        ReportProblem("p1", "no_connection", None),
        [ProblemReported(problem_id="p1", room="b", problem="no_connection")],
        id="report_problem-before_the_session_starts",
    ),
    pytest.param(
        PROBLEM,
        ADMIN,
        ClearProblem("p1"),
        [ProblemCleared(problem_id="p1", room="a")],
        id="clear_problem",
    ),
    pytest.param(
        PROBLEM,
        facilitator("a"),
        ClearProblem("p1"),
        [ProblemCleared(problem_id="p1", room="a")],
        id="clear_problem-by_the_rooms_facilitator",
    ),
    pytest.param(
        PROBLEM,
        ADMIN,
        AcknowledgeProblem("p1"),
        [ProblemSeen(problem_id="p1", room="a")],
        id="acknowledge_problem",
    ),
    pytest.param(
        PROBLEM,
        facilitator("a"),
        ReportProblem("p2", "frozen_image", None),
        [ProblemReported(problem_id="p2", room="a", problem="frozen_image")],
        id="report_problem-another_kind_while_one_is_open",
    ),
    pytest.param(
        (),
        facilitator("a"),
        SignalRoomReady(),
        [RoomReady(room="a")],
        id="signal_room_ready-before_the_session_starts",
    ),
    pytest.param(
        LIVE, facilitator("b"), SignalRoomReady(), [RoomReady(room="b")], id="signal_room_ready"
    ),
]

WHO: dict[type[Any], tuple[Role, ...]] = {
    RequestBroadcastStart: ("admin",),
    MarkBroadcastLive: ("system",),
    FailBroadcast: ("system",),
    RequestBroadcastStop: ("admin", "system"),
    MarkBroadcastStopped: ("system",),
    RecordScreenOnline: ("system",),
    RecordScreenOffline: ("system",),
    RecordDispatch: ("system",),
    FailDispatch: ("system",),
    ReportScreenState: ("screen",),
    MarkObsLost: ("system",),
    MarkObsBack: ("system",),
    SwitchScene: ("admin", "system"),
    RecordHealth: ("system",),
    ReportProblem: ("facilitator",),
    ClearProblem: ("admin", "facilitator"),
    SignalRoomReady: ("facilitator",),
    AcknowledgeProblem: ("admin",),
}
"""Who may send each command: most come from the broadcast supervisor (``system``)."""


def _broadcast(message: str) -> Refusal:
    return Refusal(ConflictError, "invalid_broadcast_state", message)


def _not_a_room(site: str) -> Refusal:
    return Refusal(ForbiddenError, "forbidden", f"{site} is not a room of this session")


REFUSED = [
    pytest.param(
        (),
        ADMIN,
        RequestBroadcastStart("obs"),
        Refusal(
            ConflictError,
            "invalid_session_state",
            "start the session first: it is scheduled "
            "(rooms open with the session, the broadcast comes after)",
        ),
        id="request_broadcast_start-session_scheduled",
    ),
    pytest.param(
        ENDED,
        ADMIN,
        RequestBroadcastStart("obs"),
        Refusal(
            ConflictError,
            "invalid_session_state",
            "start the session first: it is ended "
            "(rooms open with the session, the broadcast comes after)",
        ),
        id="request_broadcast_start-session_ended",
    ),
    *(
        pytest.param(
            log,
            ADMIN,
            RequestBroadcastStart("obs"),
            _broadcast(f"the broadcast is already {name}"),
            id=f"request_broadcast_start-{name}",
        )
        for log, name in ((STARTING, "starting"), (ON_AIR, "live"), (STOPPING, "stopping"))
    ),
    pytest.param(
        LIVE,
        SYSTEM,
        MarkBroadcastLive("hls", URL),
        _broadcast("the broadcast is idle: it cannot go live (only when starting)"),
        id="mark_broadcast_live-idle",
    ),
    pytest.param(
        ON_AIR,
        SYSTEM,
        MarkBroadcastLive("hls", URL),
        _broadcast("the broadcast is live: it cannot go live (only when starting)"),
        id="mark_broadcast_live-live",
    ),
    *(
        pytest.param(
            log,
            SYSTEM,
            FailBroadcast("x"),
            _broadcast(
                f"the broadcast is {name}: it cannot fail (only when starting or live or stopping)"
            ),
            id=f"fail_broadcast-{name}",
        )
        for log, name in ((LIVE, "idle"), (STOPPED, "stopped"), (FAILED, "failed"))
    ),
    *(
        pytest.param(
            log,
            ADMIN,
            RequestBroadcastStop(),
            _broadcast(f"the broadcast is {name}: it cannot stop (only when starting or live)"),
            id=f"request_broadcast_stop-{name}",
        )
        for log, name in ((LIVE, "idle"), (STOPPING, "stopping"), (STOPPED, "stopped"))
    ),
    *(
        pytest.param(
            log,
            SYSTEM,
            MarkBroadcastStopped(),
            _broadcast(
                f"the broadcast is {name}: it cannot be stopped "
                "(only when starting or live or stopping)"
            ),
            id=f"mark_broadcast_stopped-{name}",
        )
        for log, name in ((LIVE, "idle"), (STOPPED, "stopped"), (FAILED, "failed"))
    ),
    pytest.param(
        LIVE, SYSTEM, RecordScreenOnline("zz"), _not_a_room("zz"), id="record_screen_online-zz"
    ),
    pytest.param(
        LIVE,
        SYSTEM,
        RecordScreenOffline("zz", "socket closed"),
        _not_a_room("zz"),
        id="record_screen_offline-zz",
    ),
    pytest.param(
        STARTING,
        SYSTEM,
        RecordDispatch("a", 1),
        _broadcast("the broadcast is starting: it cannot dispatch (only when live)"),
        id="record_dispatch-starting",
    ),
    pytest.param(
        ON_AIR, SYSTEM, RecordDispatch("zz", 1), _not_a_room("zz"), id="record_dispatch-zz"
    ),
    pytest.param(ON_AIR, SYSTEM, FailDispatch("zz", "x"), _not_a_room("zz"), id="fail_dispatch-zz"),
    pytest.param(
        LIVE,
        screen("zz"),
        ReportScreenState("playing"),
        _not_a_room("zz"),
        id="report_screen_state-not_a_room_of_the_session",
    ),
    pytest.param(
        ENDED,
        facilitator("a"),
        ReportProblem("p1", "no_sound", None),
        Refusal(ConflictError, "session_closed", "this session is ended"),
        id="report_problem-ended",
    ),
    pytest.param(
        LIVE,
        facilitator("zz"),
        ReportProblem("p1", "no_sound", None),
        _not_a_room("zz"),
        id="report_problem-not_a_room_of_the_session",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        ClearProblem("p9"),
        Refusal(NotFoundError, "not_found", "no problem p9 in this session"),
        id="clear_problem-unknown",
    ),
    pytest.param(
        PROBLEM,
        facilitator("b"),
        ClearProblem("p1"),
        Refusal(ForbiddenError, "forbidden", "this problem belongs to room a"),
        id="clear_problem-another_rooms",
    ),
    pytest.param(
        PROBLEM_CLEARED,
        ADMIN,
        ClearProblem("p1"),
        Refusal(ConflictError, "problem_cleared", "this problem is already cleared"),
        id="clear_problem-cleared",
    ),
    pytest.param(
        PROBLEM,
        facilitator("a"),
        ReportProblem("p2", "no_sound", "toujours rien"),
        Refusal(
            ConflictError,
            "problem_open",
            "this problem is already reported for your room: the mediator sees it",
        ),
        id="report_problem-the_same_twice",
    ),
    pytest.param(
        (*PROBLEM, ProblemSeen(problem_id="p1", room="a")),
        ADMIN,
        AcknowledgeProblem("p1"),
        Refusal(ConflictError, "problem_seen", "this problem is already marked as seen"),
        id="acknowledge_problem-twice",
    ),
    pytest.param(
        PROBLEM_CLEARED,
        ADMIN,
        AcknowledgeProblem("p1"),
        Refusal(ConflictError, "problem_cleared", "this problem is already cleared"),
        id="acknowledge_problem-cleared",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        AcknowledgeProblem("p9"),
        Refusal(NotFoundError, "not_found", "no problem p9 in this session"),
        id="acknowledge_problem-unknown",
    ),
    pytest.param(
        (RoomReady(room="a"),),
        facilitator("a"),
        SignalRoomReady(),
        Refusal(ConflictError, "room_ready", "this room has already said it is ready"),
        id="signal_room_ready-twice",
    ),
    pytest.param(
        ENDED,
        facilitator("a"),
        SignalRoomReady(),
        Refusal(
            ConflictError,
            "session_closed",
            "this session is ended: rooms no longer take check-ins, help or answers",
        ),
        id="signal_room_ready-ended",
    ),
    pytest.param(
        LIVE,
        facilitator("zz"),
        SignalRoomReady(),
        Refusal(ForbiddenError, "forbidden", "this token is not for a room of this session"),
        id="signal_room_ready-not_a_room_of_the_session",
    ),
]


def test_a_problem_may_be_cleared_after_the_session_ended() -> None:
    """Clearing is bookkeeping, not room activity: the mediator tidies up afterwards."""
    state = session((*PROBLEM, SessionEnded()))
    assert decide(state, ADMIN, ClearProblem("p1")) == [ProblemCleared(problem_id="p1", room="a")]
