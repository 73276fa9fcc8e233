"""Fan-out: after each commit, send each event to the audiences allowed to see it.

The hub calls the fan-out right after each commit, in commit order, and emitting only writes
to sockets (no await), so every client sees events in ``seq`` order.
Facilitators get their room's events as they happen; the console gets coalesced updates
(see coalescer.py) and, immediately, only the rare events a person must act on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from simulcast.domain.state import SessionState
from simulcast.engine.views import JSON, help_view, iso
from simulcast.models.events import CheckAnswered, Recorded
from simulcast.realtime import channels
from simulcast.realtime.coalescer import Coalescer
from simulcast.realtime.sio import SocketServer

log = logging.getLogger(__name__)

Emit = tuple[str, JSON, str, str]
"""(event name, payload, socket.io room, namespace)."""

_SESSION_WIDE = frozenset(
    {
        "session_started",
        "session_ended",
        "session_cancelled",
        "announcement_sent",
        "check_launched",
        "check_closed",
    }
)
_ROOM_ONLY = frozenset(
    {
        "resident_checked_in",
        "resident_left",
        "walkins_adjusted",
        "screen_online",
        "screen_offline",
        "screen_dispatched",
        "screen_state_reported",
        "dispatch_failed",
    }
)
_BROADCAST_WIDE = frozenset(
    {
        "broadcast_starting",
        "broadcast_live",
        "broadcast_failed",
        "broadcast_stopping",
        "broadcast_stopped",
        "obs_lost",
        "obs_back",
        "scene_switched",
    }
)
_PROBLEMS = frozenset({"problem_reported", "problem_cleared"})
_CONSOLE_NOW = frozenset({"help_escalated", "help_answered"})


def payload(record: Recorded) -> JSON:
    """The wire form of an event: its fields plus where it stands in the session's log."""
    body: JSON = {"session_id": record.session_id, "seq": record.seq, "at": iso(record.at)}
    body.update(record.data())
    del body["type"]
    return body


def route(state: SessionState, record: Recorded) -> list[Emit]:
    """Who receives ``record``, right now (the console's coalesced view aside)."""
    event = record.event
    kind: str = event.type
    sid = record.session_id
    body = payload(record)
    if kind == "session_scheduled":
        return [(kind, body, channels.CONSOLES, "/console")]
    if kind in _SESSION_WIDE:
        # Every console hears a session's lifecycle (its list of sessions changes); the
        # rest only the consoles watching this session.
        consoles = channels.CONSOLES if kind.startswith("session_") else channels.console(sid)
        return [
            (kind, body, channels.session(sid), "/room"),
            (kind, body, channels.session(sid), "/resident"),
            (kind, body, consoles, "/console"),
        ]
    if kind in _BROADCAST_WIDE:
        return [
            (kind, body, channels.session(sid), "/room"),
            (kind, body, channels.console(sid), "/console"),
        ]
    if kind in ("broadcast_health_sampled", "personal_data_purged"):
        return [(kind, body, channels.console(sid), "/console")]
    room: str = getattr(event, "room")  # noqa: B009 - every other event names its room
    if kind in _PROBLEMS:
        return [
            (kind, body, channels.facilitators(sid, room), "/room"),
            (kind, body, channels.console(sid), "/console"),
        ]
    if kind in _ROOM_ONLY:
        return [(kind, body, channels.facilitators(sid, room), "/room")]
    if isinstance(event, CheckAnswered):
        tally = state.checks[event.check_id].tallies[room]
        return [
            (kind, {**body, "tally": list(tally)}, channels.facilitators(sid, room), "/room"),
            (kind, body, channels.resident(sid, event.resident_id), "/resident"),
        ]
    request = state.help[getattr(event, "request_id")]  # noqa: B009 - help events only
    view = {**body, "request": help_view(request)}
    emits = [
        (kind, view, channels.facilitators(sid, room), "/room"),
        (kind, view, channels.resident(sid, request.resident_id), "/resident"),
    ]
    if kind in _CONSOLE_NOW:
        emits.append((kind, view, channels.console(sid), "/console"))
    return emits


class Fanout:
    """Hub listener: routes each committed record and emits it at once."""

    def __init__(self, sio: SocketServer, coalescer: Coalescer) -> None:
        self._sio = sio
        self._coalescer = coalescer

    def __call__(self, state: SessionState, records: Sequence[Recorded]) -> None:
        for record in records:
            for name, body, room, namespace in route(state, record):
                try:
                    self._sio.emit(name, body, room=room, namespace=namespace)
                except Exception:
                    log.exception("could not emit %s to %s", name, room)
            self._coalescer.touch(state, record)
