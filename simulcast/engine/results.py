"""What a command answers: the same for REST and socket.io, and for a retry."""

from __future__ import annotations

from simulcast.domain.state import SessionState
from simulcast.engine.access import TokenSigner, format_join_code
from simulcast.engine.hub import Outcome
from simulcast.engine.views import (
    JSON,
    check_view,
    help_view,
    iso,
    problem_view,
    room_counts,
    session_summary,
)
from simulcast.models.events import HelpStateName
from simulcast.registry import Registry

_HELP_STATE_AFTER: dict[str, HelpStateName] = {
    "help_requested": "open",
    "help_claimed": "claimed",
    "help_resolved": "resolved",
    "help_escalated": "escalated",
    "help_answered": "answered",
    "help_cancelled": "cancelled",
}

CREATING_EVENTS = frozenset(
    {
        "session_scheduled",
        "resident_checked_in",
        "help_requested",
        "announcement_sent",
        "check_launched",
        "problem_reported",
    }
)
"""Commands whose first answer is 201 Created (200 on a retry)."""


def result_data(outcome: Outcome, state: SessionState, signer: TokenSigner) -> JSON:
    """The answer to the command behind ``outcome``, as it was the first time."""
    record = outcome.principal
    event = record.event
    match event.type:
        case "resident_checked_in":
            return {
                "resident_id": event.resident_id,
                "resident_token": signer.issue("resident", state.id, event.resident_id),
                "name": event.name,
                "session": session_summary(state),
                "room": event.room,
            }
        case "resident_left":
            return {"resident_id": event.resident_id, "present": False}
        case "walkins_adjusted":
            return {
                "room": event.room,
                "delta": event.delta,
                **room_counts(state.rooms[event.room]),
            }
        case (
            "help_requested"
            | "help_claimed"
            | "help_resolved"
            | "help_escalated"
            | "help_answered"
            | "help_cancelled"
        ):
            view = help_view(state.help[event.request_id])
            view["state"] = _HELP_STATE_AFTER[event.type]
            if event.type == "help_requested":
                checked_in = outcome.records[0].event
                if checked_in.type == "resident_checked_in":
                    view["resident_id"] = checked_in.resident_id
                    view["resident_token"] = signer.issue(
                        "resident", state.id, checked_in.resident_id
                    )
            return view
        case "announcement_sent":
            return {
                "id": event.announcement_id,
                "text": event.text,
                "at": iso(record.at),
                "room": event.room,
            }
        case "check_launched" | "check_closed":
            return check_view(state.checks[event.check_id])
        case "check_answered":
            return {"check_id": event.check_id, "option": event.option}
        case "problem_reported" | "problem_cleared":
            return problem_view(state.problems[event.problem_id])
        case "screen_state_reported":
            return {"room": event.room, "state": event.state, "detail": event.detail}
    return session_summary(state)


def access_view(state: SessionState, signer: TokenSigner, base_url: str) -> JSON:
    """Per room: the join code and the facilitator and screen links (tokens in the fragment,
    so they never reach a server log or a Referer header)."""
    rooms: JSON = {}
    for site, room in state.rooms.items():
        facilitator = signer.issue("facilitator", state.id, site)
        screen = signer.issue("screen", state.id, site)
        rooms[site] = {
            "join_code": room.join_code,
            "join_code_display": format_join_code(room.join_code),
            "join_url": f"{base_url}/join/{room.join_code}",
            "facilitator_token": facilitator,
            "facilitator_url": f"{base_url}/room/{site}#token={facilitator}",
            "screen_token": screen,
            "screen_url": f"{base_url}/screen/{site}#token={screen}",
        }
    return {"session_id": state.id, "rooms": rooms}


__all__ = ["CREATING_EVENTS", "Registry", "access_view", "result_data"]
