"""What each kind of client may see of a session, as JSON-ready dicts.

One function per audience, so the rule "a facilitator sees their room, a resident their own
requests" lives in one place and REST and socket.io show the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulcast.domain.state import (
    Check,
    HelpRequest,
    Problem,
    RoomState,
    SessionState,
)
from simulcast.registry import Registry

JSON = dict[str, Any]
RECENT_ANNOUNCEMENTS = 20


_last_iso: tuple[datetime | None, str | None] = (None, None)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601. The records of one action share one timestamp object, formatted for the
    store, the fan-out and the acknowledgement: the last one is remembered."""
    global _last_iso
    if moment is None:
        return None
    if moment is _last_iso[0]:
        return _last_iso[1]
    text = moment.isoformat()
    _last_iso = (moment, text)
    return text


def session_summary(state: SessionState) -> JSON:
    return {
        "id": state.id,
        "title": state.title,
        "state": state.state,
        "origin": state.origin,
        "starts_at": iso(state.starts_at),
        "duration_min": state.duration_min,
        "thematiques": list(state.thematiques),
        "niveau": state.niveau,
        "source": None if state.source is None else state.source.model_dump(),
        "created_at": iso(state.created_at),
        "started_at": iso(state.started_at),
        "ended_at": iso(state.ended_at),
        "seq": state.seq,
    }


def room_counts(room: RoomState) -> JSON:
    return {
        "present": room.present,
        "checked_in": room.checked_in,
        "walkins": room.walkins,
        "help_open": room.help_open,
        "help_total": room.help_total,
    }


def room_tile(state: SessionState, room: RoomState, registry: Registry) -> JSON:
    """A room as the console shows it: where it is, its counts, its oldest waiting request."""
    site = registry.get(room.site)
    oldest = next(iter(room.waiting.values()), None)
    return {
        "nom": site.nom if site else room.site,
        "commune": site.commune if site else None,
        "x_kind": site.x_kind if site else None,
        **room_counts(room),
        "oldest_help_at": iso(oldest),
        "screen": room.screen,
        "screen_detail": room.screen_detail,
        "dispatch": room.dispatch,
        "dispatch_detail": room.dispatch_detail,
        "ready_at": iso(room.ready_at),
        "problems": [
            problem_view(problem)
            for problem in state.problems.values()
            if problem.room == room.site and problem.cleared_at is None
        ],
    }


def problem_view(problem: Problem) -> JSON:
    return {
        "id": problem.id,
        "room": problem.room,
        "problem": problem.problem,
        "text": problem.text,
        "reported_at": iso(problem.reported_at),
        "seen_at": iso(problem.seen_at),
        "cleared_at": iso(problem.cleared_at),
    }


def broadcast_view(state: SessionState, live: JSON | None = None) -> JSON:
    """The broadcast as the log tells it, plus the supervisor's latest reading (``live``)."""
    broadcast = state.broadcast
    source = broadcast.source or (state.source.kind if state.source else "obs")
    view: JSON = {
        "state": broadcast.state,
        "source": source,
        "kind": broadcast.kind,
        "url": broadcast.url,
        "reason": broadcast.reason,
        "started_at": iso(broadcast.started_at),
        "live_at": iso(broadcast.live_at),
        "stopped_at": iso(broadcast.stopped_at),
        "scene": broadcast.scene,
        "obs_lost": broadcast.obs_lost,
        "ingest_live": bool((live or {}).get("ingest_live", broadcast.ingest_live)),
    }
    if source == "obs":
        obs = (live or {}).get("obs") or {}
        view["obs"] = {
            "connected": bool(obs.get("connected", False)),
            "streaming": bool(obs.get("streaming", False)),
            "reconnecting": bool(obs.get("reconnecting", False)),
            "bitrate_kbps": obs.get("bitrate_kbps"),
            "skipped_frames": obs.get("skipped_frames"),
            "congestion": obs.get("congestion"),
            "scene": obs.get("scene"),
        }
    if source == "jitsi":
        view["participants"] = (live or {}).get("participants")
    return view


def totals(state: SessionState) -> JSON:
    rooms = state.rooms.values()
    return {
        "present": sum(room.present for room in rooms),
        "checked_in": sum(room.checked_in for room in rooms),
        "help_open": sum(room.help_open for room in rooms),
        "help_total": sum(room.help_total for room in rooms),
    }


def help_view(request: HelpRequest) -> JSON:
    """A help request without who asked: a seat, never a name."""
    return {
        "id": request.id,
        "room": request.room,
        "kind": request.kind,
        "seat": request.seat,
        "text": request.text,
        "state": request.state,
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "note": request.note,
        "answer": request.answer,
    }


def check_view(check: Check, room: str | None = None) -> JSON:
    """A comprehension check with every room's tallies, or one room's (``room``)."""
    view: JSON = {
        "id": check.id,
        "question": check.question,
        "options": list(check.options),
        "open": check.closed_at is None,
        "launched_at": iso(check.launched_at),
        "closed_at": iso(check.closed_at),
    }
    if room is None:
        view["tallies"] = {site: list(tally) for site, tally in check.tallies.items()}
        view["present_at_close"] = dict(check.present_at_close)
    else:
        view["tally"] = list(check.tallies.get(room, []))
        view["present_at_close"] = check.present_at_close.get(room)
    return view


def announcements(state: SessionState, site: str | None = None) -> list[JSON]:
    """The recent announcements: every one (the console), or those one room hears."""
    heard = [item for item in state.announcements if site is None or item.room in (None, site)]
    return [
        {"id": item.id, "text": item.text, "at": iso(item.at), "room": item.room}
        for item in heard[-RECENT_ANNOUNCEMENTS:]
    ]


def session_view(state: SessionState, registry: Registry, live: JSON | None = None) -> JSON:
    """The whole session, for the lead mediator (REST and the console snapshot)."""
    return {
        **session_summary(state),
        "broadcast": broadcast_view(state, live),
        "rooms": {site: room_tile(state, room, registry) for site, room in state.rooms.items()},
        "totals": totals(state),
        "escalations": [
            help_view(request)
            for request in state.help.values()
            if request.state in ("escalated", "answered")
        ],
        "checks": [check_view(check) for check in state.checks.values()],
        "announcements": announcements(state),
    }


def room_snapshot(state: SessionState, site: str, registry: Registry) -> JSON:
    """What a room's facilitator sees: their room only."""
    room = state.rooms[site]
    check = state.last_check
    return {
        "session": session_summary(state),
        "broadcast": {"state": state.broadcast.state, "reason": state.broadcast.reason},
        "room": {"site": site, "join_code": room.join_code, **room_tile(state, room, registry)},
        "residents": [
            {"id": resident.id, "name": resident.name, "checked_in_at": iso(resident.checked_in_at)}
            for resident in (state.residents[rid] for rid in room.present_ids)
        ],
        "help": [help_view(state.help[request_id]) for request_id in room.unfinished],
        "check": None if check is None else check_view(check, site),
        "announcements": announcements(state, site),
        "seq": state.seq,
    }


def screen_snapshot(state: SessionState, site: str, registry: Registry, join_url: str) -> JSON:
    """What a room screen shows before and during the broadcast."""
    room = state.rooms[site]
    found = registry.get(site)
    check = state.active_check
    return {
        "session": session_summary(state),
        "room": {
            "site": site,
            "nom": found.nom if found else site,
            "join_code": room.join_code,
            "join_url": join_url,
        },
        "broadcast": {"state": state.broadcast.state, "reason": state.broadcast.reason},
        "check": None if check is None else check_view(check, site),
        "announcements": announcements(state, site),
        "seq": state.seq,
    }


def resident_snapshot(
    state: SessionState,
    site: str,
    registry: Registry,
    resident_id: str | None,
    retention_days: int,
) -> JSON:
    """What a resident sees: the session, their room, and only their own requests."""
    found = registry.get(site)
    resident = state.residents.get(resident_id or "")
    check = state.last_check
    return {
        "session": {
            "id": state.id,
            "title": state.title,
            "state": state.state,
            "starts_at": iso(state.starts_at),
            "duration_min": state.duration_min,
        },
        "room": {
            "site": site,
            "nom": found.nom if found else site,
            "commune": found.commune if found else None,
        },
        "resident": None
        if resident is None
        else {"id": resident.id, "name": resident.name, "present": resident.left_at is None},
        "help": [
            help_view(state.help[request_id])
            for request_id in (state.requests_of.get(resident.id, []) if resident else [])
        ],
        "check": None
        if check is None
        else {
            "id": check.id,
            "question": check.question,
            "options": list(check.options),
            "open": check.closed_at is None,
            "my_answer": check.answers.get(resident.id) if resident else None,
        },
        "announcements": announcements(state, site)[-5:],
        "retention_days": retention_days,
        "seq": state.seq,
    }
