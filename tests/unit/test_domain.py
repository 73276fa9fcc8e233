"""The pure domain: decide → events, apply → state, with a manual clock and no I/O."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from simulcast.domain.apply import apply, new_session
from simulcast.domain.clock import ManualClock
from simulcast.domain.commands import (
    Actor,
    AdjustWalkIns,
    AnswerCheck,
    CheckIn,
    ClaimHelp,
    Command,
    LaunchCheck,
    Leave,
    RequestHelp,
    StartSession,
)
from simulcast.domain.decide import decide
from simulcast.domain.state import SessionState
from simulcast.errors import ConflictError, ForbiddenError
from simulcast.models.events import Recorded, SessionScheduled

ADMIN = Actor(role="admin")


class Session:
    """A session driven through decide/apply only, as the hub does."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.log: list[Recorded] = [
            Recorded(
                session_id="s1",
                seq=1,
                at=self.clock.now(),
                actor="admin",
                event=SessionScheduled(
                    title="Atelier",
                    origin="studio",
                    rooms=["a", "b"],
                    join_codes={"a": "AAA222", "b": "BBB333"},
                    starts_at=self.clock.now(),
                    duration_min=60,
                ),
            )
        ]
        self.state: SessionState = new_session(self.log[0])

    def run(self, actor: Actor, command: Command) -> list[Recorded]:
        records = [
            Recorded(
                session_id="s1",
                seq=self.state.seq + i,
                at=self.clock.now(),
                actor=actor.key,
                event=event,
            )
            for i, event in enumerate(decide(self.state, actor, command), start=1)
        ]
        for record in records:
            apply(self.state, record)
        self.log.extend(records)
        return records


def guest(room: str) -> Actor:
    return Actor(role="guest", session_id="s1", room=room)


def resident(room: str, resident_id: str) -> Actor:
    return Actor(role="resident", session_id="s1", room=room, resident_id=resident_id)


def test_replaying_the_log_rebuilds_the_same_state() -> None:
    session = Session()
    session.run(ADMIN, StartSession())
    session.run(guest("a"), CheckIn("r1", "Zoé"))
    session.clock.advance(30)
    session.run(guest("b"), RequestHelp("h1", "tech", "3", None, resident_id="r2"))
    session.run(Actor(role="facilitator", session_id="s1", room="b"), ClaimHelp("h1"))
    session.run(Actor(role="facilitator", session_id="s1", room="a"), AdjustWalkIns(1))
    session.run(ADMIN, LaunchCheck("c1", "Ça va ?", ["Oui", "Non"]))
    session.run(resident("a", "r1"), AnswerCheck("c1", 1))
    session.run(resident("a", "r1"), AnswerCheck("c1", 0))
    session.run(resident("a", "r1"), Leave())

    rebuilt = new_session(session.log[0])
    for record in session.log[1:]:
        apply(rebuilt, record)
    assert rebuilt == session.state
    assert (rebuilt.rooms["a"].present, rebuilt.rooms["a"].checked_in) == (1, 1)
    assert rebuilt.rooms["b"].help_open == 1
    assert rebuilt.checks["c1"].tallies == {"a": [1, 0], "b": [0, 0]}
    assert rebuilt.help["h1"].updated_at == session.clock.now()
    assert rebuilt.help["h1"].created_at == session.clock.now()
    assert rebuilt.residents["r1"].checked_in_at == session.clock.now() - timedelta(seconds=30)


def test_decide_does_not_change_the_state() -> None:
    session = Session()
    session.run(ADMIN, StartSession())
    before = copy.deepcopy(session.state)
    decide(session.state, guest("a"), RequestHelp("h1", "lost", None, None, resident_id="r1"))
    assert session.state == before


def test_leaving_cancels_the_residents_open_requests() -> None:
    session = Session()
    session.run(ADMIN, StartSession())
    session.run(guest("a"), CheckIn("r1", None))
    session.run(resident("a", "r1"), RequestHelp("h1", "lost", None, None))
    types = [record.event.type for record in session.run(resident("a", "r1"), Leave())]
    assert types == ["resident_left", "help_cancelled"]
    assert session.state.rooms["a"].help_open == 0


@pytest.mark.parametrize(
    ("actor", "command", "error"),
    [
        (guest("a"), StartSession(), "only the lead mediator (admin token) can do this"),
        (
            Actor(role="screen", session_id="s1", room="a"),
            AdjustWalkIns(1),
            "only a room's facilitator can do this",
        ),
        (
            Actor(role="facilitator", session_id="s2", room="a"),
            AdjustWalkIns(1),
            "this token or code belongs to another session",
        ),
        (
            Actor(role="guest", session_id="s1", room="zz"),
            CheckIn("r1", None),
            "this token is not for a room of this session",
        ),
        (resident("a", "ghost"), Leave(), "check in first: this resident token is unknown"),
    ],
)
def test_actors_may_only_do_their_part(actor: Actor, command: Command, error: str) -> None:
    session = Session()
    session.run(ADMIN, StartSession())
    with pytest.raises(ForbiddenError) as refused:
        session.run(actor, command)
    assert refused.value.message == error


def test_checking_in_to_an_ended_session_is_refused() -> None:
    from simulcast.domain.commands import EndSession

    session = Session()
    session.run(ADMIN, StartSession())
    session.run(ADMIN, EndSession())
    with pytest.raises(ConflictError) as refused:
        session.run(guest("a"), CheckIn("r1", None))
    assert refused.value.code == "session_closed"
