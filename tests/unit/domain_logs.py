"""Sessions for the domain's unit tests, built as the hub builds them: a recorded log folded
by ``new_session`` and ``apply``, never by setting fields.

A log here is a tuple of events; the named logs below extend one another, so a case reads
as "in this situation, this actor asks for that".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from simulcast.domain.apply import apply, new_session
from simulcast.domain.commands import Actor, Command, Role
from simulcast.domain.decide import decide
from simulcast.domain.state import SessionState
from simulcast.errors import ForbiddenError, SimulcastError
from simulcast.models.events import (
    BroadcastFailed,
    BroadcastLive,
    BroadcastStarting,
    BroadcastStopped,
    BroadcastStopping,
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
    ProblemCleared,
    ProblemReported,
    Recorded,
    ResidentCheckedIn,
    ResidentLeft,
    ScreenOnline,
    SessionCancelled,
    SessionEnded,
    SessionScheduled,
    SessionStarted,
    WalkInsAdjusted,
)

SESSION = "s1"
START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
"""When the event under test is recorded (every earlier one is a few seconds after START)."""

SCHEDULED = Recorded(
    session_id=SESSION,
    seq=1,
    at=START,
    actor="admin",
    event=SessionScheduled(
        title="Atelier",
        origin="studio",
        rooms=["a", "b"],
        join_codes={"a": "AAA222", "b": "BBB333"},
        starts_at=START,
        duration_min=60,
    ),
)

Log = tuple[Event, ...]


def session(log: Log) -> SessionState:
    """Session ``s1`` (rooms a and b) after its ``session_scheduled`` record and ``log``."""
    state = new_session(SCHEDULED)
    for seq, event in enumerate(log, start=2):
        record = Recorded(
            session_id=SESSION,
            seq=seq,
            at=START + timedelta(seconds=seq),
            actor="test",
            event=event,
        )
        apply(state, record)
    return state


def record(state: SessionState, event: Event) -> Recorded:
    """``event`` as the next record of ``state``, at NOW."""
    return Recorded(session_id=state.id, seq=state.seq + 1, at=NOW, actor="test", event=event)


def run(state: SessionState, actor: Actor, command: Command) -> list[Recorded]:
    """Decide ``command`` and apply its events as the hub does, at NOW."""
    records = [
        Recorded(session_id=state.id, seq=state.seq + i, at=NOW, actor=actor.key, event=event)
        for i, event in enumerate(decide(state, actor, command), start=1)
    ]
    for one in records:
        apply(state, one)
    return records


@dataclass(frozen=True)
class Refusal:
    """What a refused command raised: its exact class, code and message."""

    error: type[SimulcastError]
    code: str
    message: str

    @classmethod
    def of(cls, exc: SimulcastError) -> Refusal:
        return cls(type(exc), exc.code, exc.message)


def refusal(state: SessionState, actor: Actor, command: Command) -> Refusal:
    """The refusal ``command`` meets; fails the test if it is accepted."""
    with pytest.raises(SimulcastError) as refused:
        decide(state, actor, command)
    return Refusal.of(refused.value)


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A state as ``{"rooms.a.walkins": 0, ...}``: dicts flattened, lists kept whole."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(flat(item, f"{prefix}{key}."))
        return found
    return {prefix.removesuffix("."): value}


GONE = "<gone>"
"""In a change set: this key was removed."""


def changes(before: SessionState, after: SessionState) -> dict[str, Any]:
    """Every flattened field that differs, with its new value (GONE if removed); ``seq``
    left out (it always moves)."""
    old, new = flat(before), flat(after)
    return {
        key: new.get(key, GONE)
        for key in sorted(old.keys() | new.keys())
        if key != "seq" and old.get(key, GONE) != new.get(key, GONE)
    }


# --- actors ----------------------------------------------------------------------------------

ADMIN = Actor(role="admin")
SYSTEM = Actor(role="system")


def facilitator(room: str = "a") -> Actor:
    return Actor(role="facilitator", session_id=SESSION, room=room)


def screen(room: str = "a") -> Actor:
    return Actor(role="screen", session_id=SESSION, room=room)


def guest(room: str = "a") -> Actor:
    return Actor(role="guest", session_id=SESSION, room=room)


def resident(resident_id: str = "r1", room: str = "a") -> Actor:
    return Actor(role="resident", session_id=SESSION, room=room, resident_id=resident_id)


ONE_OF_EACH: dict[Role, Actor] = {
    "admin": ADMIN,
    "system": SYSTEM,
    "facilitator": facilitator(),
    "screen": screen(),
    "resident": resident(),
    "guest": guest(),
}

ONLY: dict[tuple[Role, ...], str] = {
    ("admin",): "only the lead mediator (admin token) can do this",
    ("system",): "only the controller itself can do this",
    ("facilitator",): "only a room's facilitator can do this",
    ("screen",): "only a room screen can do this",
    ("resident",): "only a checked-in resident can do this",
    ("guest", "resident"): (
        "only a resident with the room's join code or a checked-in resident can do this"
    ),
    (
        "admin",
        "system",
    ): "only the lead mediator (admin token) or the controller itself can do this",
    ("admin", "facilitator"): (
        "only the lead mediator (admin token) or a room's facilitator can do this"
    ),
}
"""Who may send a command → the refusal everyone else gets, word for word."""


def commands_of(accepted: list[Any]) -> dict[type[Any], tuple[Log, Command]]:
    """Command class → the first accepted case of it (its log and command), from a table of
    ``pytest.param(log, actor, command, events)``."""
    first: dict[type[Any], tuple[Log, Command]] = {}
    for case in accepted:
        log, _, command, _ = case.values
        first.setdefault(type(command), (log, command))
    return first


def wrong_roles(accepted: list[Any], who: dict[type[Any], tuple[Role, ...]]) -> list[Any]:
    """One case per command and per role it does not name: that role, in a situation where
    the command is accepted from its rightful sender, is refused with ``ONLY``'s message."""
    return [
        pytest.param(
            log,
            ONE_OF_EACH[role],
            command,
            Refusal(ForbiddenError, "forbidden", ONLY[who[kind]]),
            id=f"{kind.__name__}-by-{role}",
        )
        for kind, (log, command) in commands_of(accepted).items()
        for role in ONE_OF_EACH
        if role not in who[kind]
    ]


# --- logs --------------------------------------------------------------------------------------

URL = "http://ingest.local/live/index.m3u8"

LIVE: Log = (SessionStarted(),)
ENDED: Log = (*LIVE, SessionEnded())
CANCELLED: Log = (SessionCancelled(),)
PURGED: Log = (*ENDED, PersonalDataPurged(retention_days=30))

WITH_R1: Log = (*LIVE, ResidentCheckedIn(resident_id="r1", room="a", name="Zoé"))
R1_LEFT: Log = (*WITH_R1, ResidentLeft(resident_id="r1", room="a"))
WALK_IN: Log = (*LIVE, WalkInsAdjusted(room="a", delta=1))

H1 = HelpRequested(
    request_id="h1", resident_id="r1", room="a", kind="tech", seat="3", text="no sound"
)
HELP_OPEN: Log = (*WITH_R1, H1)
HELP_CLAIMED: Log = (*HELP_OPEN, HelpClaimed(request_id="h1", room="a"))
HELP_ESCALATED: Log = (
    *HELP_OPEN,
    HelpEscalated(request_id="h1", room="a", note="Il cherche le bouton Envoyer"),
)
HELP_ANSWERED: Log = (*HELP_ESCALATED, HelpAnswered(request_id="h1", room="a", answer="Page 12"))
HELP_RESOLVED: Log = (*HELP_CLAIMED, HelpResolved(request_id="h1", room="a"))
HELP_CANCELLED: Log = (*HELP_OPEN, HelpCancelled(request_id="h1", room="a"))

CHECK_OPEN: Log = (
    *WITH_R1,
    CheckLaunched(check_id="c1", question="Ça va ?", options=["Oui", "Non"]),
)
CHECK_ANSWERED: Log = (
    *CHECK_OPEN,
    CheckAnswered(check_id="c1", resident_id="r1", room="a", option=0),
)
CHECK_CLOSED: Log = (*CHECK_OPEN, CheckClosed(check_id="c1"))

STARTING: Log = (*LIVE, BroadcastStarting(source="obs"))
ON_AIR: Log = (*STARTING, BroadcastLive(kind="hls", url=URL))
"""Live, with both rooms' screens offline."""
SCREEN_A_ON_AIR: Log = (
    *LIVE,
    ScreenOnline(room="a"),
    BroadcastStarting(source="obs"),
    BroadcastLive(kind="hls", url=URL),
)
"""Live, with room a's screen online (its dispatch pending) and room b's offline."""
STOPPING: Log = (*ON_AIR, BroadcastStopping())
STOPPED: Log = (*STOPPING, BroadcastStopped(reason=None))
FAILED: Log = (*STARTING, BroadcastFailed(reason="ingest unreachable"))

PROBLEM: Log = (
    *LIVE,
    ProblemReported(problem_id="p1", room="a", problem="no_sound", text="rien"),
)
PROBLEM_CLEARED: Log = (*PROBLEM, ProblemCleared(problem_id="p1", room="a"))
