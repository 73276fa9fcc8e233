"""Fan-out: after each commit, send each event to the audiences allowed to see it.

The hub calls the fan-out right after each commit, in commit order, and emitting only writes
to sockets (no await), so every client sees events in ``seq`` order.
Facilitators get their room's events as they happen; the console gets coalesced updates
(see coalescer.py) and, immediately, only the rare events a person must act on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from simulcast.domain.state import SessionState
from simulcast.engine.views import JSON, help_view, iso
from simulcast.models.events import Recorded
from simulcast.realtime import channels
from simulcast.realtime.coalescer import Coalescer
from simulcast.realtime.sio import SocketServer

log = logging.getLogger(__name__)

Emit = tuple[str, JSON, str, str]
"""(event name, payload, socket.io room, namespace)."""


def payload(record: Recorded) -> JSON:
    """The wire form of an event: its fields plus where it stands in the session's log."""
    body: JSON = {"session_id": record.session_id, "seq": record.seq, "at": iso(record.at)}
    body.update(record.data())
    del body["type"]
    return body


def route(state: SessionState, record: Recorded) -> list[Emit]:
    """Who receives ``record``, right now, by its event's ``audience`` (the console's
    coalesced view aside)."""
    event: Any = record.event
    kind: str = event.type
    sid = record.session_id
    body = payload(record)
    match event.audience:
        case "consoles":
            return [(kind, body, channels.CONSOLES, "/console")]
        case "everyone" if getattr(event, "room", None) is not None:
            room = event.room
            return [
                (kind, body, channels.facilitators(sid, room), "/room"),
                (kind, body, channels.screens(sid, room), "/room"),
                (kind, body, channels.room_residents(sid, room), "/resident"),
                (kind, body, channels.console(sid), "/console"),
            ]
        case "lifecycle" | "everyone":
            # Every console hears a session's lifecycle (its list of sessions changes).
            lifecycle = event.audience == "lifecycle"
            consoles = channels.CONSOLES if lifecycle else channels.console(sid)
            return [
                (kind, body, channels.session(sid), "/room"),
                (kind, body, channels.session(sid), "/resident"),
                (kind, body, consoles, "/console"),
            ]
        case "rooms":
            return [
                (kind, body, channels.session(sid), "/room"),
                (kind, body, channels.console(sid), "/console"),
            ]
        case "console":
            return [(kind, body, channels.console(sid), "/console")]
        case "facilitators":
            return [(kind, body, channels.facilitators(sid, event.room), "/room")]
        case "facilitators_and_resident":
            return [
                (kind, body, channels.facilitators(sid, event.room), "/room"),
                (kind, body, channels.resident(sid, event.resident_id), "/resident"),
            ]
        case "facilitators_and_console":
            return [
                (kind, body, channels.facilitators(sid, event.room), "/room"),
                (kind, body, channels.console(sid), "/console"),
            ]
        case "check_answer":
            tally = list(state.checks[event.check_id].tallies[event.room])
            return [
                (kind, {**body, "tally": tally}, channels.facilitators(sid, event.room), "/room"),
                (kind, body, channels.resident(sid, event.resident_id), "/resident"),
            ]
    request = state.help[event.request_id]  # "help" and "help_and_console"
    view = {**body, "request": help_view(request)}
    emits = [
        (kind, view, channels.facilitators(sid, request.room), "/room"),
        (kind, view, channels.resident(sid, request.resident_id), "/resident"),
    ]
    if event.audience == "help_and_console":
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
