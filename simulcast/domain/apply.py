"""``apply``: fold one recorded event into a session's state.

It trusts the event (``decide`` checked it before it was stored), so replaying a log always
succeeds and gives the state the live process had.
"""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.broadcast import apply_broadcast
from simulcast.domain.state import (
    ACTIVE_HELP,
    FINAL_HELP,
    Announcement,
    Check,
    HelpRequest,
    Resident,
    RoomState,
    SessionState,
)
from simulcast.models.events import (
    AnnouncementSent,
    CheckAnswered,
    CheckClosed,
    CheckLaunched,
    HelpAnswered,
    HelpCancelled,
    HelpClaimed,
    HelpEscalated,
    HelpRequested,
    HelpResolved,
    HelpStateName,
    PersonalDataPurged,
    Recorded,
    ResidentCheckedIn,
    ResidentLeft,
    SessionCancelled,
    SessionEnded,
    SessionScheduled,
    SessionStarted,
    WalkInsAdjusted,
)


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
    """Fold ``record`` into ``state`` (in place, for speed) and return it."""
    event = record.event
    at = record.at
    match event:
        case SessionStarted():
            state.state = "live"
            state.started_at = at
        case SessionEnded():
            state.state = "ended"
            state.ended_at = at
        case SessionCancelled():
            state.state = "cancelled"
            state.ended_at = at
        case ResidentCheckedIn():
            state.residents[event.resident_id] = Resident(
                id=event.resident_id, room=event.room, name=event.name, checked_in_at=at
            )
            room = state.rooms[event.room]
            room.checked_in += 1
            room.present_ids[event.resident_id] = None
        case ResidentLeft():
            state.residents[event.resident_id].left_at = at
            state.rooms[event.room].present_ids.pop(event.resident_id, None)
        case WalkInsAdjusted():
            state.rooms[event.room].walkins += event.delta
        case HelpRequested():
            state.help[event.request_id] = HelpRequest(
                id=event.request_id,
                room=event.room,
                resident_id=event.resident_id,
                kind=event.kind,
                seat=event.seat,
                text=event.text,
                created_at=at,
            )
            room = state.rooms[event.room]
            room.help_total += 1
            room.waiting[event.request_id] = at
            room.unfinished[event.request_id] = None
            state.requests_of.setdefault(event.resident_id, []).append(event.request_id)
        case HelpClaimed():
            _move_help(state, event.request_id, "claimed", at)
        case HelpResolved():
            _move_help(state, event.request_id, "resolved", at)
        case HelpCancelled():
            _move_help(state, event.request_id, "cancelled", at)
        case HelpEscalated():
            _move_help(state, event.request_id, "escalated", at)
        case HelpAnswered():
            _move_help(state, event.request_id, "answered", at)
            state.help[event.request_id].answer = event.answer
        case AnnouncementSent():
            state.announcements.append(
                Announcement(id=event.announcement_id, text=event.text, at=at)
            )
        case CheckLaunched():
            state.checks[event.check_id] = Check(
                id=event.check_id,
                question=event.question,
                options=list(event.options),
                launched_at=at,
                tallies={site: [0] * len(event.options) for site in state.rooms},
            )
        case CheckAnswered():
            check = state.checks[event.check_id]
            previous = check.answers.get(event.resident_id)
            tally = check.tallies[event.room]
            if previous is not None:
                tally[previous] -= 1
            tally[event.option] += 1
            check.answers[event.resident_id] = event.option
        case CheckClosed():
            state.checks[event.check_id].closed_at = at
        case PersonalDataPurged():
            erase_personal_data(state)
            state.purged_at = at
        case SessionScheduled():
            raise ValueError("session_scheduled starts a session: use new_session()")
        case _:
            if not apply_broadcast(state, record):
                raise ValueError(f"no fold for {event.type}")
    state.seq = record.seq
    return state


def erase_personal_data(state: SessionState) -> None:
    """What the purge removes: residents' first names, help texts and answers, problem texts.
    Counts, seats, kinds and times stay for the activity reports."""
    for resident in state.residents.values():
        resident.name = None
    for request in state.help.values():
        request.text = None
        request.answer = None
    for problem in state.problems.values():
        problem.text = None


def _move_help(state: SessionState, request_id: str, to: HelpStateName, at: datetime) -> None:
    request = state.help[request_id]
    request.state = to
    request.updated_at = at
    room = state.rooms[request.room]
    if to not in ACTIVE_HELP:
        room.waiting.pop(request_id, None)
    if to in FINAL_HELP:
        room.unfinished.pop(request_id, None)
