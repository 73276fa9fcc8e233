"""``apply``: fold one recorded event into a session's state.

It trusts the event (``decide`` checked it before it was stored), so replaying a log always
succeeds and gives the state the live process had. Each event type has one fold (in
:mod:`simulcast.domain.rules`), found by its class in one table.
"""

from __future__ import annotations

from simulcast.domain.rules import FOLDS
from simulcast.domain.state import RoomState, SessionState
from simulcast.models.events import Recorded, SessionScheduled


def new_session(record: Recorded) -> SessionState:
    """The state a ``session_scheduled`` record creates."""
    event = record.event
    assert isinstance(event, SessionScheduled)
    return SessionState(
        id=record.session_id,
        title=event.title,
        origin=event.origin,
        starts_at=event.starts_at,
        duration_min=event.duration_min,
        thematiques=list(event.thematiques),
        niveau=event.niveau,
        source=event.source,
        created_at=record.at,
        rooms={
            site: RoomState(site=site, join_code=event.join_codes[site]) for site in event.rooms
        },
        seq=record.seq,
    )


def apply(state: SessionState, record: Recorded) -> SessionState:
    """Fold ``record`` into ``state`` (in place, for speed), advance its ``seq``, return it.

    Raises ValueError for ``session_scheduled`` (use :func:`new_session`) and for an event
    type without a fold, leaving ``state`` as it was."""
    event = record.event
    fold = FOLDS.get(type(event))
    if fold is None:
        raise ValueError(f"no fold for {event.type}")
    fold(state, event, record.at)
    state.seq = record.seq
    return state
