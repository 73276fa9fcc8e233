"""``decide`` for the session, attendance, help, check and retention commands: each one
accepted in a legal state with exactly its events, refused otherwise with the exact error.

The broadcast, screen and problem commands are in test_domain_broadcast.py.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from simulcast.domain.commands import (
    Actor,
    AdjustWalkIns,
    Announce,
    AnswerCheck,
    AnswerEscalation,
    CancelHelp,
    CancelSession,
    CheckIn,
    ClaimHelp,
    CloseCheck,
    Command,
    DismissResident,
    EndSession,
    EscalateHelp,
    LaunchCheck,
    Leave,
    PurgePersonalData,
    RequestHelp,
    ResolveHelp,
    Role,
    StartSession,
    UpdateSession,
)
from simulcast.domain.decide import decide, principal_event
from simulcast.engine.hub import principal
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
    PersonalDataPurged,
    ResidentCheckedIn,
    ResidentLeft,
    SessionCancelled,
    SessionEnded,
    SessionStarted,
    SessionUpdated,
    WalkInsAdjusted,
)
from tests.unit import test_domain_broadcast as broadcast_cases
from tests.unit.domain_logs import (
    ADMIN,
    CANCELLED,
    CHECK_ANSWERED,
    CHECK_CLOSED,
    CHECK_OPEN,
    ENDED,
    HELP_ANSWERED,
    HELP_CANCELLED,
    HELP_CLAIMED,
    HELP_ESCALATED,
    HELP_OPEN,
    HELP_RESOLVED,
    LIVE,
    PURGED,
    R1_LEFT,
    SYSTEM,
    WALK_IN,
    WITH_R1,
    Log,
    Refusal,
    facilitator,
    guest,
    refusal,
    resident,
    run,
    session,
    wrong_roles,
)

LATER = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)

TEXT = "no sound"
ALL_STATES_OF_H1: Log = (
    *WITH_R1,
    *(
        HelpRequested(request_id=f"h{n}", resident_id="r1", room="a", kind="lost")
        for n in range(1, 6)
    ),
    HelpClaimed(request_id="h2", room="a"),
    HelpEscalated(request_id="h3", room="a"),
    HelpEscalated(request_id="h4", room="a"),
    HelpAnswered(request_id="h4", room="a", answer="Page 12"),
    HelpResolved(request_id="h5", room="a"),
)
"""r1's requests: h1 open, h2 claimed, h3 escalated, h4 answered, h5 resolved."""

ACCEPTED = [
    pytest.param((), ADMIN, StartSession(), [SessionStarted()], id="start_session"),
    pytest.param(LIVE, ADMIN, EndSession(), [SessionEnded()], id="end_session"),
    pytest.param((), ADMIN, CancelSession(), [SessionCancelled()], id="cancel_session"),
    pytest.param(
        LIVE,
        guest("a"),
        CheckIn("r1", "Zoé"),
        [ResidentCheckedIn(resident_id="r1", room="a", name="Zoé")],
        id="check_in",
    ),
    pytest.param(
        (),
        guest("b"),
        CheckIn("r2", None),
        [ResidentCheckedIn(resident_id="r2", room="b", name=None)],
        id="check_in-before_the_session_starts",
    ),
    pytest.param(
        WITH_R1,
        resident("r1"),
        CheckIn("r3", None),
        [ResidentCheckedIn(resident_id="r3", room="a", name=None)],
        id="check_in-a_new_person_on_a_shared_tablet",
    ),
    pytest.param(
        WITH_R1,
        resident("r1"),
        Leave(),
        [ResidentLeft(resident_id="r1", room="a")],
        id="leave",
    ),
    pytest.param(
        ALL_STATES_OF_H1,
        resident("r1"),
        Leave(),
        [
            ResidentLeft(resident_id="r1", room="a"),
            HelpCancelled(request_id="h1", room="a"),
            HelpCancelled(request_id="h2", room="a"),
            HelpCancelled(request_id="h3", room="a"),
        ],
        id="leave-cancels_the_requests_someone_waits_on",
    ),
    pytest.param(
        LIVE,
        facilitator("a"),
        AdjustWalkIns(1),
        [WalkInsAdjusted(room="a", delta=1)],
        id="adjust_walk_ins",
    ),
    pytest.param(
        WALK_IN,
        facilitator("a"),
        AdjustWalkIns(-1),
        [WalkInsAdjusted(room="a", delta=-1)],
        id="adjust_walk_ins-remove_one",
    ),
    pytest.param(
        WITH_R1,
        resident("r1"),
        RequestHelp("h1", "tech", "3", TEXT),
        [
            HelpRequested(
                request_id="h1", resident_id="r1", room="a", kind="tech", seat="3", text=TEXT
            )
        ],
        id="request_help",
    ),
    pytest.param(
        LIVE,
        guest("b"),
        RequestHelp("h1", "lost", None, None, resident_id="r9"),
        [
            ResidentCheckedIn(resident_id="r9", room="b", name=None),
            HelpRequested(request_id="h1", resident_id="r9", room="b", kind="lost"),
        ],
        id="request_help-as_a_guest_checks_in_first",
    ),
    pytest.param(
        HELP_OPEN,
        resident("r1"),
        CancelHelp("h1"),
        [HelpCancelled(request_id="h1", room="a")],
        id="cancel_help",
    ),
    pytest.param(
        HELP_ANSWERED,
        resident("r1"),
        CancelHelp("h1"),
        [HelpCancelled(request_id="h1", room="a")],
        id="cancel_help-answered",
    ),
    pytest.param(
        HELP_OPEN,
        facilitator("a"),
        ClaimHelp("h1"),
        [HelpClaimed(request_id="h1", room="a")],
        id="claim_help",
    ),
    pytest.param(
        HELP_CLAIMED,
        facilitator("a"),
        ResolveHelp("h1"),
        [HelpResolved(request_id="h1", room="a")],
        id="resolve_help",
    ),
    pytest.param(
        HELP_ANSWERED,
        facilitator("a"),
        ResolveHelp("h1"),
        [HelpResolved(request_id="h1", room="a")],
        id="resolve_help-answered",
    ),
    pytest.param(
        HELP_OPEN,
        facilitator("a"),
        EscalateHelp("h1"),
        [HelpEscalated(request_id="h1", room="a")],
        id="escalate_help",
    ),
    pytest.param(
        HELP_CLAIMED,
        facilitator("a"),
        EscalateHelp("h1"),
        [HelpEscalated(request_id="h1", room="a")],
        id="escalate_help-claimed",
    ),
    pytest.param(
        HELP_OPEN,
        facilitator("a"),
        EscalateHelp("h1", "Elle ne trouve pas la pièce jointe"),
        [HelpEscalated(request_id="h1", room="a", note="Elle ne trouve pas la pièce jointe")],
        id="escalate_help-with_a_note",
    ),
    pytest.param(
        HELP_ESCALATED,
        ADMIN,
        AnswerEscalation("h1", "Page 12"),
        [HelpAnswered(request_id="h1", room="a", answer="Page 12")],
        id="answer_escalation",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        Announce("n1", "Pause"),
        [AnnouncementSent(announcement_id="n1", text="Pause")],
        id="announce",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        Announce("n2", "Le son arrive", "b"),
        [AnnouncementSent(announcement_id="n2", text="Le son arrive", room="b")],
        id="announce-to_one_room",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        LaunchCheck("c1", "Ça va ?", ["Oui", "Non"]),
        [CheckLaunched(check_id="c1", question="Ça va ?", options=["Oui", "Non"])],
        id="launch_check",
    ),
    pytest.param(
        CHECK_CLOSED,
        ADMIN,
        LaunchCheck("c2", "Et là ?", ["Oui", "Non", "Bof"]),
        [CheckLaunched(check_id="c2", question="Et là ?", options=["Oui", "Non", "Bof"])],
        id="launch_check-once_the_last_one_is_closed",
    ),
    pytest.param(
        CHECK_OPEN,
        resident("r1"),
        AnswerCheck("c1", 1),
        [CheckAnswered(check_id="c1", resident_id="r1", room="a", option=1)],
        id="answer_check",
    ),
    pytest.param(
        CHECK_ANSWERED,
        resident("r1"),
        AnswerCheck("c1", 1),
        [CheckAnswered(check_id="c1", resident_id="r1", room="a", option=1)],
        id="answer_check-changed_answer",
    ),
    pytest.param(
        CHECK_OPEN, ADMIN, CloseCheck("c1"), [CheckClosed(check_id="c1")], id="close_check"
    ),
    pytest.param(
        (*CHECK_OPEN, SessionEnded()),
        ADMIN,
        CloseCheck("c1"),
        [CheckClosed(check_id="c1")],
        id="close_check-after_the_session_ended",
    ),
    pytest.param(
        ENDED,
        SYSTEM,
        PurgePersonalData(30),
        [PersonalDataPurged(retention_days=30)],
        id="purge_personal_data",
    ),
    pytest.param(
        CANCELLED,
        SYSTEM,
        PurgePersonalData(30),
        [PersonalDataPurged(retention_days=30)],
        id="purge_personal_data-cancelled",
    ),
    pytest.param(
        (),
        ADMIN,
        UpdateSession(title="Atelier e-mail", duration_min=90),
        [SessionUpdated(title="Atelier e-mail", duration_min=90)],
        id="update_session",
    ),
    pytest.param(
        (),
        ADMIN,
        UpdateSession(starts_at=LATER, rooms=["b", "c"], new_codes={"c": "CCC444"}),
        [SessionUpdated(starts_at=LATER, rooms=["b", "c"], join_codes={"c": "CCC444"})],
        id="update_session-moved_and_rooms_changed",
    ),
    pytest.param(
        WITH_R1,
        facilitator("a"),
        DismissResident("r1"),
        [ResidentLeft(resident_id="r1", room="a")],
        id="dismiss_resident",
    ),
    pytest.param(
        HELP_OPEN,
        facilitator("a"),
        DismissResident("r1"),
        [ResidentLeft(resident_id="r1", room="a"), HelpCancelled(request_id="h1", room="a")],
        id="dismiss_resident-cancels_their_requests",
    ),
]

WHO: dict[type[Any], tuple[Role, ...]] = {
    StartSession: ("admin",),
    EndSession: ("admin",),
    CancelSession: ("admin",),
    CheckIn: ("guest", "resident"),
    Leave: ("resident",),
    AdjustWalkIns: ("facilitator",),
    RequestHelp: ("guest", "resident"),
    CancelHelp: ("resident",),
    ClaimHelp: ("facilitator",),
    ResolveHelp: ("facilitator",),
    EscalateHelp: ("facilitator",),
    AnswerEscalation: ("admin",),
    Announce: ("admin",),
    LaunchCheck: ("admin",),
    AnswerCheck: ("resident",),
    CloseCheck: ("admin",),
    PurgePersonalData: ("system",),
    UpdateSession: ("admin",),
    DismissResident: ("facilitator",),
}
"""Who may send each command (decision 0005, the protocol docs)."""


def _closed(why: str) -> Refusal:
    return Refusal(
        ConflictError,
        "session_closed",
        f"this session is {why}: rooms no longer take check-ins, help or answers",
    )


def _session_state(message: str) -> Refusal:
    return Refusal(ConflictError, "invalid_session_state", message)


def _help_state(message: str) -> Refusal:
    return Refusal(ConflictError, "invalid_help_state", message)


def _forbidden(message: str) -> Refusal:
    return Refusal(ForbiddenError, "forbidden", message)


UNKNOWN_RESIDENT = _forbidden("check in first: this resident token is unknown")
LEFT = Refusal(ConflictError, "resident_left", "you have left this session: check in again")
NOT_A_ROOM = _forbidden("this token is not for a room of this session")

REFUSED = [
    pytest.param(
        LIVE,
        Actor(role="facilitator", session_id="s2", room="a"),
        AdjustWalkIns(1),
        _forbidden("this token or code belongs to another session"),
        id="another_sessions_token",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        StartSession(),
        _session_state(
            "cannot start a session that is live (only a scheduled session can be started)"
        ),
        id="start_session-live",
    ),
    pytest.param(
        CANCELLED,
        ADMIN,
        StartSession(),
        _session_state(
            "cannot start a session that is cancelled (only a scheduled session can be started)"
        ),
        id="start_session-cancelled",
    ),
    pytest.param(
        (),
        ADMIN,
        EndSession(),
        _session_state("cannot end a session that is scheduled (only a live session can be ended)"),
        id="end_session-scheduled",
    ),
    pytest.param(
        ENDED,
        ADMIN,
        EndSession(),
        _session_state("cannot end a session that is ended (only a live session can be ended)"),
        id="end_session-ended",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        CancelSession(),
        _session_state(
            "cannot cancel a session that is live (only a scheduled session can be cancelled)"
        ),
        id="cancel_session-live",
    ),
    pytest.param(ENDED, guest("a"), CheckIn("r1", None), _closed("ended"), id="check_in-ended"),
    pytest.param(
        CANCELLED, guest("a"), CheckIn("r1", None), _closed("cancelled"), id="check_in-cancelled"
    ),
    pytest.param(
        LIVE, guest("zz"), CheckIn("r1", None), NOT_A_ROOM, id="check_in-not_a_room_of_the_session"
    ),
    pytest.param(LIVE, resident("r1"), Leave(), UNKNOWN_RESIDENT, id="leave-never_checked_in"),
    pytest.param(R1_LEFT, resident("r1"), Leave(), LEFT, id="leave-twice"),
    pytest.param(
        (*WITH_R1, SessionEnded()), resident("r1"), Leave(), _closed("ended"), id="leave-ended"
    ),
    pytest.param(
        LIVE,
        facilitator("a"),
        AdjustWalkIns(-1),
        Refusal(ConflictError, "no_walkins", "there is no walk-in to remove in this room"),
        id="adjust_walk_ins-none_to_remove",
    ),
    pytest.param(
        (*WALK_IN, SessionEnded()),
        facilitator("a"),
        AdjustWalkIns(-1),
        _closed("ended"),
        id="adjust_walk_ins-ended",
    ),
    pytest.param(
        LIVE, facilitator("zz"), AdjustWalkIns(1), NOT_A_ROOM, id="adjust_walk_ins-not_a_room"
    ),
    pytest.param(
        (*WITH_R1, SessionEnded()),
        resident("r1"),
        RequestHelp("h1", "tech", None, None),
        _closed("ended"),
        id="request_help-ended",
    ),
    pytest.param(
        ENDED,
        guest("a"),
        RequestHelp("h1", "tech", None, None, resident_id="r9"),
        _closed("ended"),
        id="request_help-as_a_guest-ended",
    ),
    pytest.param(
        R1_LEFT,
        resident("r1"),
        RequestHelp("h1", "tech", None, None),
        LEFT,
        id="request_help-after_leaving",
    ),
    pytest.param(
        LIVE,
        resident("r1"),
        RequestHelp("h1", "tech", None, None),
        UNKNOWN_RESIDENT,
        id="request_help-never_checked_in",
    ),
    pytest.param(
        WITH_R1,
        resident("r1"),
        CancelHelp("h9"),
        Refusal(NotFoundError, "not_found", "no help request h9 in this session"),
        id="cancel_help-unknown",
    ),
    pytest.param(
        (*HELP_OPEN, ResidentCheckedIn(resident_id="r2", room="a", name=None)),
        resident("r2"),
        CancelHelp("h1"),
        _forbidden("only the person who asked can cancel this request"),
        id="cancel_help-someone_elses",
    ),
    pytest.param(
        HELP_RESOLVED,
        resident("r1"),
        CancelHelp("h1"),
        _help_state(
            "help request h1 is resolved: only open, claimed, escalated or answered requests "
            "can be cancelled"
        ),
        id="cancel_help-resolved",
    ),
    pytest.param(
        HELP_CANCELLED,
        resident("r1"),
        CancelHelp("h1"),
        _help_state(
            "help request h1 is cancelled: only open, claimed, escalated or answered requests "
            "can be cancelled"
        ),
        id="cancel_help-cancelled",
    ),
    pytest.param(
        (*HELP_OPEN, SessionEnded()),
        resident("r1"),
        CancelHelp("h1"),
        _closed("ended"),
        id="cancel_help-ended",
    ),
    pytest.param(
        HELP_CLAIMED,
        facilitator("a"),
        ClaimHelp("h1"),
        _help_state("help request h1 is claimed: only open requests can be claimed"),
        id="claim_help-claimed",
    ),
    pytest.param(
        HELP_OPEN,
        facilitator("b"),
        ClaimHelp("h1"),
        _forbidden("this help request belongs to room a, not to your room b"),
        id="claim_help-another_rooms",
    ),
    pytest.param(
        LIVE,
        facilitator("a"),
        ClaimHelp("h9"),
        Refusal(NotFoundError, "not_found", "no help request h9 in this session"),
        id="claim_help-unknown",
    ),
    pytest.param(
        (*HELP_OPEN, SessionEnded()),
        facilitator("a"),
        ClaimHelp("h1"),
        _closed("ended"),
        id="claim_help-ended",
    ),
    pytest.param(
        HELP_RESOLVED,
        facilitator("a"),
        ResolveHelp("h1"),
        _help_state(
            "help request h1 is resolved: only open, claimed, escalated or answered requests "
            "can be resolved"
        ),
        id="resolve_help-resolved",
    ),
    pytest.param(
        HELP_CANCELLED,
        facilitator("a"),
        ResolveHelp("h1"),
        _help_state(
            "help request h1 is cancelled: only open, claimed, escalated or answered requests "
            "can be resolved"
        ),
        id="resolve_help-cancelled",
    ),
    pytest.param(
        HELP_ESCALATED,
        facilitator("a"),
        EscalateHelp("h1"),
        _help_state("help request h1 is escalated: only open or claimed requests can be escalated"),
        id="escalate_help-escalated",
    ),
    pytest.param(
        HELP_ANSWERED,
        facilitator("a"),
        EscalateHelp("h1"),
        _help_state("help request h1 is answered: only open or claimed requests can be escalated"),
        id="escalate_help-answered",
    ),
    pytest.param(
        HELP_OPEN,
        ADMIN,
        AnswerEscalation("h1", "Page 12"),
        _help_state("help request h1 is open: only escalated requests can be answered"),
        id="answer_escalation-not_escalated",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        AnswerEscalation("h9", "Page 12"),
        Refusal(NotFoundError, "not_found", "no help request h9 in this session"),
        id="answer_escalation-unknown",
    ),
    pytest.param(
        (*HELP_ESCALATED, SessionEnded()),
        ADMIN,
        AnswerEscalation("h1", "Page 12"),
        _closed("ended"),
        id="answer_escalation-ended",
    ),
    pytest.param(ENDED, ADMIN, Announce("n1", "Pause"), _closed("ended"), id="announce-ended"),
    pytest.param(
        CHECK_OPEN,
        ADMIN,
        LaunchCheck("c2", "Et là ?", ["Oui", "Non"]),
        Refusal(
            ConflictError,
            "check_already_open",
            "check c1 is still open: close it before launching another",
        ),
        id="launch_check-one_already_open",
    ),
    pytest.param(
        ENDED,
        ADMIN,
        LaunchCheck("c1", "Ça va ?", ["Oui", "Non"]),
        _closed("ended"),
        id="launch_check-ended",
    ),
    pytest.param(
        WITH_R1,
        resident("r1"),
        AnswerCheck("c9", 0),
        Refusal(NotFoundError, "not_found", "no check c9 in this session"),
        id="answer_check-unknown",
    ),
    pytest.param(
        CHECK_CLOSED,
        resident("r1"),
        AnswerCheck("c1", 0),
        Refusal(ConflictError, "check_closed", "this check is closed"),
        id="answer_check-closed",
    ),
    pytest.param(
        CHECK_OPEN,
        resident("r1"),
        AnswerCheck("c1", 2),
        Refusal(
            ConflictError,
            "invalid_option",
            "option 2 does not exist: this check has options 0 to 1",
        ),
        id="answer_check-option_past_the_last",
    ),
    pytest.param(
        CHECK_OPEN,
        resident("r1"),
        AnswerCheck("c1", -1),
        Refusal(
            ConflictError,
            "invalid_option",
            "option -1 does not exist: this check has options 0 to 1",
        ),
        id="answer_check-negative_option",
    ),
    pytest.param(
        (*CHECK_OPEN, ResidentLeft(resident_id="r1", room="a")),
        resident("r1"),
        AnswerCheck("c1", 0),
        LEFT,
        id="answer_check-after_leaving",
    ),
    pytest.param(
        (*CHECK_OPEN, SessionEnded()),
        resident("r1"),
        AnswerCheck("c1", 0),
        _closed("ended"),
        id="answer_check-ended",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        CloseCheck("c9"),
        Refusal(NotFoundError, "not_found", "no check c9 in this session"),
        id="close_check-unknown",
    ),
    pytest.param(
        CHECK_CLOSED,
        ADMIN,
        CloseCheck("c1"),
        Refusal(ConflictError, "check_closed", "this check is already closed"),
        id="close_check-closed",
    ),
    pytest.param(
        LIVE,
        SYSTEM,
        PurgePersonalData(30),
        Refusal(ConflictError, "session_open", "personal data is purged after a session ends"),
        id="purge_personal_data-live",
    ),
    pytest.param(
        PURGED,
        SYSTEM,
        PurgePersonalData(30),
        Refusal(ConflictError, "already_purged", "already purged"),
        id="purge_personal_data-twice",
    ),
    pytest.param(
        LIVE,
        ADMIN,
        UpdateSession(title="Autre"),
        _session_state(
            "cannot change a session that is live (only a scheduled session can be changed)"
        ),
        id="update_session-live",
    ),
    pytest.param(
        (),
        ADMIN,
        UpdateSession(title="Atelier", duration_min=60),
        Refusal(
            ConflictError,
            "no_change",
            "nothing to change: every field given has its current value",
        ),
        id="update_session-nothing_changes",
    ),
    pytest.param(
        (ResidentCheckedIn(resident_id="r1", room="a"),),
        ADMIN,
        UpdateSession(rooms=["b"]),
        Refusal(
            ConflictError,
            "room_in_use",
            "residents have already checked in at a: keep the room",
        ),
        id="update_session-a_room_with_residents",
    ),
    pytest.param(
        WITH_R1,
        facilitator("b"),
        DismissResident("r1"),
        Refusal(ForbiddenError, "forbidden", "this person is in room a, not in your room b"),
        id="dismiss_resident-of_another_room",
    ),
    pytest.param(
        (*WITH_R1, ResidentLeft(resident_id="r1", room="a")),
        facilitator("a"),
        DismissResident("r1"),
        Refusal(ConflictError, "resident_left", "this person has already left"),
        id="dismiss_resident-already_gone",
    ),
    pytest.param(
        (*WITH_R1, SessionEnded()),
        facilitator("a"),
        DismissResident("r1"),
        _closed("ended"),
        id="dismiss_resident-ended",
    ),
]


ALL_ACCEPTED = [*ACCEPTED, *broadcast_cases.ACCEPTED]
ALL_REFUSED = [*REFUSED, *broadcast_cases.REFUSED]
ALL_WRONG_ROLES = [
    *wrong_roles(ACCEPTED, WHO),
    *wrong_roles(broadcast_cases.ACCEPTED, broadcast_cases.WHO),
]
"""The session commands' cases (above) and the broadcast, screen and problem commands'
(test_domain_broadcast.py), run by the same four tests."""


@pytest.mark.parametrize(("log", "actor", "command", "events"), ALL_ACCEPTED)
def test_decide_accepts_a_command_in_a_legal_state(
    log: Log, actor: Actor, command: Command, events: list[Event]
) -> None:
    state = session(log)
    before = copy.deepcopy(state)
    assert decide(state, actor, command) == events
    assert state == before


@pytest.mark.parametrize(("log", "actor", "command", "events"), ALL_ACCEPTED)
def test_decide_names_the_principal_event_the_hub_finds_again(
    log: Log, actor: Actor, command: Command, events: list[Event]
) -> None:
    records = run(session(log), actor, command)
    assert principal(records).event.type == principal_event(command)


@pytest.mark.parametrize(("log", "actor", "command", "refused"), ALL_REFUSED)
def test_decide_refuses_a_command_in_an_illegal_state(
    log: Log, actor: Actor, command: Command, refused: Refusal
) -> None:
    assert refusal(session(log), actor, command) == refused


@pytest.mark.parametrize(("log", "actor", "command", "refused"), ALL_WRONG_ROLES)
def test_decide_refuses_every_role_a_command_does_not_name(
    log: Log, actor: Actor, command: Command, refused: Refusal
) -> None:
    assert refusal(session(log), actor, command) == refused


def test_decide_lets_the_admin_act_on_any_session() -> None:
    admin_of_nothing = Actor(role="admin", session_id="another")
    assert decide(session(()), admin_of_nothing, StartSession()) == [SessionStarted()]


def test_a_guests_help_request_without_a_resident_id_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="resident id") as raised:
        decide(session(LIVE), guest("a"), RequestHelp("h1", "lost", None, None))
    assert str(raised.value) == "a guest's help request needs a resident id to check in"


def test_decide_refuses_an_object_that_is_not_a_command() -> None:
    with pytest.raises(TypeError) as raised:
        decide(session(()), ADMIN, "start")  # type: ignore[arg-type]
    assert str(raised.value) == "unknown command 'start'"


def test_principal_event_refuses_an_object_that_is_not_a_command() -> None:
    with pytest.raises(TypeError) as raised:
        principal_event("start")  # type: ignore[arg-type]
    assert str(raised.value) == "unknown command 'start'"
