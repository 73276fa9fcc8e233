"""``apply``: each event type folded into a session changes exactly what it should.

A case gives a log, the next event, and the fields that event changes (every field of the
state, flattened: "rooms.a.walkins"; GONE for an entry removed); nothing else may move.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulcast.domain.apply import apply, new_session
from simulcast.domain.state import RoomState, SessionState
from simulcast.models.events import (
    AnnouncementSent,
    BroadcastFailed,
    BroadcastHealthSampled,
    BroadcastLive,
    BroadcastStarting,
    BroadcastStopped,
    BroadcastStopping,
    CheckAnswered,
    CheckClosed,
    CheckLaunched,
    DispatchFailed,
    Event,
    HelpAnswered,
    HelpCancelled,
    HelpClaimed,
    HelpEscalated,
    HelpResolved,
    ObsBack,
    ObsLost,
    PersonalDataPurged,
    ProblemCleared,
    ProblemReported,
    ProblemSeen,
    ResidentCheckedIn,
    ResidentLeft,
    RoomReady,
    SceneSwitched,
    ScreenDispatched,
    ScreenOffline,
    ScreenOnline,
    ScreenStateReported,
    SessionCancelled,
    SessionEnded,
    SessionStarted,
    SessionUpdated,
    WalkInsAdjusted,
)
from tests.unit.domain_logs import (
    CHECK_ANSWERED,
    CHECK_OPEN,
    FAILED,
    GONE,
    H1,
    HELP_ANSWERED,
    HELP_CLAIMED,
    HELP_ESCALATED,
    HELP_OPEN,
    LIVE,
    NOW,
    ON_AIR,
    PROBLEM,
    SCHEDULED,
    SCREEN_A_ON_AIR,
    START,
    STARTING,
    STOPPED,
    STOPPING,
    URL,
    WALK_IN,
    WITH_R1,
    Log,
    changes,
    record,
    session,
)

SCREEN_A_PLAYING: Log = (
    *SCREEN_A_ON_AIR,
    ScreenStateReported(room="a", state="playing"),
)

NEW_ROOM_C = {
    "site": "c",
    "join_code": "CCC444",
    "walkins": 0,
    "checked_in": 0,
    "help_total": 0,
    "screen": "offline",
    "screen_detail": None,
    "dispatch": None,
    "dispatch_detail": None,
    "dispatch_attempts": 0,
    "ready_at": None,
}
"""A room added to a scheduled session: nobody yet, its own join code (empty maps and sets
do not show in a flat diff)."""
ROOM_FIELDS = tuple(NEW_ROOM_C)


FOLDED = [
    pytest.param((), SessionStarted(), {"state": "live", "started_at": NOW}, id="session_started"),
    pytest.param(LIVE, SessionEnded(), {"state": "ended", "ended_at": NOW}, id="session_ended"),
    pytest.param(
        (), SessionCancelled(), {"state": "cancelled", "ended_at": NOW}, id="session_cancelled"
    ),
    pytest.param(
        LIVE,
        ResidentCheckedIn(resident_id="r1", room="a", name="Zoé"),
        {
            "residents.r1.id": "r1",
            "residents.r1.room": "a",
            "residents.r1.name": "Zoé",
            "residents.r1.checked_in_at": NOW,
            "residents.r1.left_at": None,
            "rooms.a.checked_in": 1,
            "rooms.a.present_ids.r1": None,
        },
        id="resident_checked_in",
    ),
    pytest.param(
        WITH_R1,
        ResidentLeft(resident_id="r1", room="a"),
        {"residents.r1.left_at": NOW, "rooms.a.present_ids.r1": GONE},
        id="resident_left",
    ),
    pytest.param(
        LIVE, WalkInsAdjusted(room="b", delta=1), {"rooms.b.walkins": 1}, id="walkins_adjusted"
    ),
    pytest.param(
        WALK_IN,
        WalkInsAdjusted(room="a", delta=-1),
        {"rooms.a.walkins": 0},
        id="walkins_adjusted-remove_one",
    ),
    pytest.param(
        WITH_R1,
        H1,
        {
            "help.h1.id": "h1",
            "help.h1.room": "a",
            "help.h1.resident_id": "r1",
            "help.h1.kind": "tech",
            "help.h1.seat": "3",
            "help.h1.text": "no sound",
            "help.h1.created_at": NOW,
            "help.h1.state": "open",
            "help.h1.updated_at": None,
            "help.h1.answer": None,
            "help.h1.note": None,
            "rooms.a.help_total": 1,
            "rooms.a.waiting.h1": NOW,
            "rooms.a.unfinished.h1": None,
            "requests_of.r1": ["h1"],
        },
        id="help_requested",
    ),
    pytest.param(
        HELP_OPEN,
        HelpClaimed(request_id="h1", room="a"),
        {"help.h1.state": "claimed", "help.h1.updated_at": NOW},
        id="help_claimed-still_waiting",
    ),
    pytest.param(
        HELP_CLAIMED,
        HelpResolved(request_id="h1", room="a"),
        {
            "help.h1.state": "resolved",
            "help.h1.updated_at": NOW,
            "rooms.a.waiting.h1": GONE,
            "rooms.a.unfinished.h1": GONE,
        },
        id="help_resolved-final",
    ),
    pytest.param(
        HELP_OPEN,
        HelpCancelled(request_id="h1", room="a"),
        {
            "help.h1.state": "cancelled",
            "help.h1.updated_at": NOW,
            "rooms.a.waiting.h1": GONE,
            "rooms.a.unfinished.h1": GONE,
        },
        id="help_cancelled-final",
    ),
    pytest.param(
        HELP_OPEN,
        HelpEscalated(request_id="h1", room="a"),
        {"help.h1.state": "escalated", "help.h1.updated_at": NOW},
        id="help_escalated-still_waiting",
    ),
    pytest.param(
        HELP_OPEN,
        HelpEscalated(request_id="h1", room="a", note="Sa messagerie est bloquée"),
        {
            "help.h1.state": "escalated",
            "help.h1.updated_at": NOW,
            "help.h1.note": "Sa messagerie est bloquée",
        },
        id="help_escalated-with_a_note",
    ),
    pytest.param(
        (),
        SessionUpdated(title="Atelier e-mail", rooms=["b", "c"], join_codes={"c": "CCC444"}),
        {
            "title": "Atelier e-mail",
            **{f"rooms.a.{name}": GONE for name in ROOM_FIELDS},
            **{f"rooms.c.{name}": value for name, value in NEW_ROOM_C.items()},
        },
        id="session_updated",
    ),
    pytest.param(
        PROBLEM,
        ProblemSeen(problem_id="p1", room="a"),
        {"problems.p1.seen_at": NOW},
        id="problem_seen",
    ),
    pytest.param(
        HELP_ESCALATED,
        HelpAnswered(request_id="h1", room="a", answer="Page 12"),
        {
            "help.h1.state": "answered",
            "help.h1.updated_at": NOW,
            "help.h1.answer": "Page 12",
            "rooms.a.waiting.h1": GONE,
        },
        id="help_answered-no_longer_waiting_but_unfinished",
    ),
    pytest.param(
        HELP_ANSWERED,
        HelpResolved(request_id="h1", room="a"),
        {"help.h1.state": "resolved", "help.h1.updated_at": NOW, "rooms.a.unfinished.h1": GONE},
        id="help_resolved-answered",
    ),
    pytest.param(
        LIVE,
        AnnouncementSent(announcement_id="n1", text="Pause"),
        {"announcements": [{"id": "n1", "text": "Pause", "at": NOW, "room": None}]},
        id="announcement_sent",
    ),
    pytest.param(
        LIVE,
        AnnouncementSent(announcement_id="n1", text="Le son arrive", room="b"),
        {"announcements": [{"id": "n1", "text": "Le son arrive", "at": NOW, "room": "b"}]},
        id="announcement_sent-to_one_room",
    ),
    pytest.param(
        LIVE,
        CheckLaunched(check_id="c1", question="Ça va ?", options=["Oui", "Non"]),
        {
            "checks.c1.id": "c1",
            "checks.c1.question": "Ça va ?",
            "checks.c1.options": ["Oui", "Non"],
            "checks.c1.launched_at": NOW,
            "checks.c1.closed_at": None,
            "checks.c1.tallies.a": [0, 0],
            "checks.c1.tallies.b": [0, 0],
        },
        id="check_launched",
    ),
    pytest.param(
        CHECK_OPEN,
        CheckAnswered(check_id="c1", resident_id="r1", room="a", option=0),
        {"checks.c1.answers.r1": 0, "checks.c1.tallies.a": [1, 0]},
        id="check_answered",
    ),
    pytest.param(
        CHECK_ANSWERED,
        CheckAnswered(check_id="c1", resident_id="r1", room="a", option=1),
        {"checks.c1.answers.r1": 1, "checks.c1.tallies.a": [0, 1]},
        id="check_answered-changed_answer_moves_the_vote",
    ),
    pytest.param(
        CHECK_OPEN,
        CheckClosed(check_id="c1"),
        {
            "checks.c1.closed_at": NOW,
            "checks.c1.present_at_close.a": 1,  # r1 checked in
            "checks.c1.present_at_close.b": 0,
        },
        id="check_closed",
    ),
    pytest.param(
        (
            *HELP_ANSWERED,
            ProblemReported(problem_id="p1", room="a", problem="other", text="le projecteur"),
            SessionEnded(),
        ),
        PersonalDataPurged(retention_days=30),
        {
            "residents.r1.name": None,
            "help.h1.text": None,
            "help.h1.note": None,
            "help.h1.answer": None,
            "problems.p1.text": None,
            "purged_at": NOW,
        },
        id="personal_data_purged-names_and_texts_only",
    ),
    pytest.param(
        LIVE,
        BroadcastStarting(source="obs"),
        {"broadcast.state": "starting", "broadcast.source": "obs", "broadcast.started_at": NOW},
        id="broadcast_starting",
    ),
    pytest.param(
        FAILED,
        BroadcastStarting(source="jitsi"),
        {
            "broadcast.state": "starting",
            "broadcast.source": "jitsi",
            "broadcast.reason": None,
            "broadcast.started_at": NOW,
            "broadcast.stopped_at": None,
        },
        id="broadcast_starting-forgets_the_failure",
    ),
    pytest.param(
        STOPPED,
        BroadcastStarting(source="obs"),
        {
            "broadcast.state": "starting",
            "broadcast.started_at": NOW,
            "broadcast.kind": None,
            "broadcast.url": None,
            "broadcast.stopped_at": None,
        },
        id="broadcast_starting-forgets_the_last_url",
    ),
    pytest.param(
        (*LIVE, ScreenOnline(room="a"), BroadcastStarting(source="obs")),
        BroadcastLive(kind="hls", url=URL),
        {
            "broadcast.state": "live",
            "broadcast.kind": "hls",
            "broadcast.url": URL,
            "broadcast.live_at": NOW,
            "rooms.a.dispatch": "pending",
            "rooms.b.dispatch": "offline",
        },
        id="broadcast_live-rooms_with_a_screen_wait_for_it",
    ),
    pytest.param(
        (
            *SCREEN_A_ON_AIR,
            DispatchFailed(room="a", reason="no answer"),
            ScreenDispatched(room="b", attempt=2),
        ),
        BroadcastFailed(reason="ingest unreachable"),
        {
            "broadcast.state": "failed",
            "broadcast.reason": "ingest unreachable",
            "broadcast.stopped_at": NOW,
            "rooms.a.dispatch": None,
            "rooms.a.dispatch_detail": None,
            "rooms.b.dispatch": None,
            "rooms.b.dispatch_attempts": 0,
        },
        id="broadcast_failed-clears_every_dispatch",
    ),
    pytest.param(
        ON_AIR, BroadcastStopping(), {"broadcast.state": "stopping"}, id="broadcast_stopping"
    ),
    pytest.param(
        (*SCREEN_A_PLAYING, BroadcastStopping()),
        BroadcastStopped(reason="the session ended"),
        {
            "broadcast.state": "stopped",
            "broadcast.reason": "the session ended",
            "broadcast.stopped_at": NOW,
            "rooms.a.dispatch": None,
            "rooms.b.dispatch": None,
        },
        id="broadcast_stopped-clears_every_dispatch",
    ),
    pytest.param(
        LIVE,
        ScreenOnline(room="a"),
        {"rooms.a.screen": "waiting"},
        id="screen_online-no_broadcast",
    ),
    pytest.param(
        (*ON_AIR, ScreenOffline(room="a", reason="socket closed")),
        ScreenOnline(room="a"),
        {"rooms.a.screen": "waiting", "rooms.a.screen_detail": None, "rooms.a.dispatch": "pending"},
        id="screen_online-live_broadcast_waits_for_it",
    ),
    pytest.param(
        (*LIVE, ScreenOnline(room="a")),
        ScreenOffline(room="a", reason="socket closed"),
        {"rooms.a.screen": "offline", "rooms.a.screen_detail": "socket closed"},
        id="screen_offline-no_broadcast",
    ),
    pytest.param(
        SCREEN_A_PLAYING,
        ScreenOffline(room="a", reason="socket closed"),
        {
            "rooms.a.screen": "offline",
            "rooms.a.screen_detail": "socket closed",
            "rooms.a.dispatch": "offline",
        },
        id="screen_offline-live_broadcast",
    ),
    pytest.param(
        SCREEN_A_ON_AIR,
        ScreenDispatched(room="a", attempt=1),
        {"rooms.a.dispatch_attempts": 1},
        id="screen_dispatched",
    ),
    pytest.param(
        SCREEN_A_ON_AIR,
        ScreenDispatched(room="b", attempt=1),
        {"rooms.b.dispatch": "pending", "rooms.b.dispatch_attempts": 1},
        id="screen_dispatched-offline_room_now_pending",
    ),
    pytest.param(
        (*SCREEN_A_ON_AIR, DispatchFailed(room="a", reason="no answer")),
        ScreenDispatched(room="a", attempt=2),
        {"rooms.a.dispatch_attempts": 2},
        id="screen_dispatched-failed_room_stays_failed",
    ),
    pytest.param(
        (*SCREEN_A_ON_AIR, ScreenStateReported(room="a", state="playing")),
        ScreenDispatched(room="a", attempt=6),
        {"rooms.a.dispatch_attempts": 6},
        id="screen_dispatched-a_play_sent_as_the_screen_reported_playing_leaves_it_playing",
    ),
    pytest.param(
        SCREEN_A_ON_AIR,
        ScreenStateReported(room="a", state="playing"),
        {"rooms.a.screen": "playing", "rooms.a.dispatch": "playing"},
        id="screen_state_reported-playing",
    ),
    pytest.param(
        (*SCREEN_A_ON_AIR, DispatchFailed(room="a", reason="no answer")),
        ScreenStateReported(room="a", state="playing"),
        {
            "rooms.a.screen": "playing",
            "rooms.a.dispatch": "playing",
            "rooms.a.dispatch_detail": None,
        },
        id="screen_state_reported-playing_after_a_failure",
    ),
    pytest.param(
        SCREEN_A_ON_AIR,
        ScreenStateReported(room="a", state="error", detail="codec"),
        {
            "rooms.a.screen": "error",
            "rooms.a.screen_detail": "codec",
            "rooms.a.dispatch": "failed",
            "rooms.a.dispatch_detail": "codec",
        },
        id="screen_state_reported-error",
    ),
    pytest.param(
        SCREEN_A_PLAYING,
        ScreenStateReported(room="a", state="waiting"),
        {"rooms.a.screen": "waiting", "rooms.a.dispatch": "pending"},
        id="screen_state_reported-waiting_after_playing",
    ),
    pytest.param(
        (*LIVE, ScreenOnline(room="a")),
        ScreenStateReported(room="a", state="playing"),
        {"rooms.a.screen": "playing"},
        id="screen_state_reported-no_broadcast",
    ),
    pytest.param(
        SCREEN_A_ON_AIR,
        DispatchFailed(room="a", reason="no answer"),
        {"rooms.a.dispatch": "failed", "rooms.a.dispatch_detail": "no answer"},
        id="dispatch_failed",
    ),
    pytest.param(
        ON_AIR,
        ObsLost(reason="connection closed"),
        {"broadcast.obs_lost": True, "broadcast.reason": "connection closed"},
        id="obs_lost",
    ),
    pytest.param(
        (*ON_AIR, ObsLost(reason="connection closed")),
        ObsBack(version="31.0.2"),
        {"broadcast.obs_lost": False},
        id="obs_back-keeps_the_last_reason",
    ),
    pytest.param(
        LIVE, SceneSwitched(scene="Pause"), {"broadcast.scene": "Pause"}, id="scene_switched"
    ),
    pytest.param(
        STARTING,
        BroadcastHealthSampled(ingest_live=False, bitrate_kbps=0),
        {"broadcast.ingest_live": False},
        id="broadcast_health_sampled",
    ),
    pytest.param(
        STARTING,
        BroadcastHealthSampled(obs_connected=True),
        {},
        id="broadcast_health_sampled-without_ingest_figure",
    ),
    pytest.param(
        LIVE,
        ProblemReported(problem_id="p1", room="b", problem="frozen_image", text=None),
        {
            "problems.p1.id": "p1",
            "problems.p1.room": "b",
            "problems.p1.problem": "frozen_image",
            "problems.p1.text": None,
            "problems.p1.reported_at": NOW,
            "problems.p1.cleared_at": None,
            "problems.p1.seen_at": None,
        },
        id="problem_reported",
    ),
    pytest.param(
        PROBLEM,
        ProblemCleared(problem_id="p1", room="a"),
        {"problems.p1.cleared_at": NOW},
        id="problem_cleared",
    ),
    pytest.param(LIVE, RoomReady(room="b"), {"rooms.b.ready_at": NOW}, id="room_ready"),
    pytest.param(
        STOPPING,
        BroadcastStopped(reason=None),
        {
            "broadcast.state": "stopped",
            "broadcast.stopped_at": NOW,
            "rooms.a.dispatch": None,
            "rooms.b.dispatch": None,
        },
        id="broadcast_stopped-no_reason",
    ),
]


@pytest.mark.parametrize(("log", "event", "changed"), FOLDED)
def test_apply_changes_exactly_what_the_event_says(
    log: Log, event: Event, changed: dict[str, Any]
) -> None:
    state = session(log)
    before = copy.deepcopy(state)
    assert apply(state, record(state, event)) is state
    assert changes(before, state) == changed


def test_apply_moves_the_session_to_the_records_seq() -> None:
    state = session(WITH_R1)
    assert state.seq == 3
    apply(state, record(state, SessionEnded()))
    assert state.seq == 4


def test_apply_refuses_session_scheduled_and_changes_nothing() -> None:
    state = session(LIVE)
    before = copy.deepcopy(state)
    with pytest.raises(ValueError, match="new_session") as raised:
        apply(state, record(state, SCHEDULED.event))
    assert str(raised.value) == "session_scheduled starts a session: use new_session()"
    assert state == before


def test_new_session_is_scheduled_with_its_rooms_and_nothing_else() -> None:
    assert new_session(SCHEDULED) == SessionState(
        id="s1",
        title="Atelier",
        origin="studio",
        starts_at=START,
        duration_min=60,
        thematiques=[],
        niveau=None,
        source=None,
        created_at=START,
        rooms={
            "a": RoomState(site="a", join_code="AAA222"),
            "b": RoomState(site="b", join_code="BBB333"),
        },
        seq=1,
    )
