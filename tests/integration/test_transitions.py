"""Every illegal transition is refused with a reason, and changes nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Controller
from tests.helpers import cid

ROOM = "cs-lille-sud"


async def _room_view(controller: Controller, token: str) -> Any:
    return (await controller.api.get(f"/api/rooms/{ROOM}", token=token)).body


async def _help_in_state(controller: Controller, state: str) -> tuple[str, dict[str, Any]]:
    """A help request moved to ``state`` through the API; returns (request id, access)."""
    api = controller.api
    _, access = await api.live_session([ROOM])
    links = access[ROOM]
    fac = links["facilitator_token"]
    asked = await api.post(
        f"/api/join/{links['join_code']}/help", {"client_id": cid(), "kind": "lost"}, token=None
    )
    request_id = asked.body["id"]
    resident = asked.body["resident_token"]
    steps = {
        "open": [],
        "claimed": [("claim", fac)],
        "escalated": [("escalate", fac)],
        "answered": [("escalate", fac), ("answer", None)],
        "resolved": [("resolve", fac)],
        "cancelled": [("cancel", resident)],
    }[state]
    for verb, token in steps:
        body: dict[str, Any] = {"client_id": cid()}
        if verb == "answer":
            body["answer"] = "Voici"
            answer = await api.post(f"/api/help/{request_id}/answer", body)
        else:
            answer = await api.post(f"/api/help/{request_id}/{verb}", body, token=token)
        assert answer.status == 200, answer.body
    return request_id, {**links, "resident_token": resident}


ILLEGAL = [
    ("claimed", "claim", "open"),
    ("escalated", "claim", "open"),
    ("resolved", "claim", "open"),
    ("cancelled", "resolve", "open, claimed, escalated or answered"),
    ("resolved", "resolve", "open, claimed, escalated or answered"),
    ("resolved", "escalate", "open or claimed"),
    ("escalated", "escalate", "open or claimed"),
    ("answered", "escalate", "open or claimed"),
    ("open", "answer", "escalated"),
    ("claimed", "answer", "escalated"),
    ("answered", "answer", "escalated"),
    ("resolved", "cancel", "open, claimed, escalated or answered"),
    ("cancelled", "cancel", "open, claimed, escalated or answered"),
]

PAST = {
    "claim": "claimed",
    "resolve": "resolved",
    "escalate": "escalated",
    "answer": "answered",
    "cancel": "cancelled",
}


async def test_illegal_help_transitions_are_refused(start_controller: Any) -> None:
    for state, verb, allowed in ILLEGAL:
        controller = await start_controller()
        request_id, links = await _help_in_state(controller, state)
        before = await _room_view(controller, links["facilitator_token"])
        body: dict[str, Any] = {"client_id": cid()}
        token = {"answer": None, "cancel": links["resident_token"]}.get(
            verb, links["facilitator_token"]
        )
        if verb == "answer":
            body["answer"] = "encore"
            answer = await controller.api.post(f"/api/help/{request_id}/answer", body)
        else:
            answer = await controller.api.post(f"/api/help/{request_id}/{verb}", body, token=token)
        assert answer.status == 409, (state, verb, answer.body)
        assert answer.body == {
            "error": {
                "code": "invalid_help_state",
                "message": f"help request {request_id} is {state}: only {allowed} requests "
                f"can be {PAST[verb]}",
            }
        }
        after = await _room_view(controller, links["facilitator_token"])
        assert after == before


async def test_session_lifecycle_refusals(controller: Controller) -> None:
    api = controller.api
    session = await api.new_session([ROOM])
    sid = session["id"]
    ended = await api.post(f"/api/sessions/{sid}/end")
    assert (ended.status, ended.body) == (
        409,
        {
            "error": {
                "code": "invalid_session_state",
                "message": "cannot end a session that is scheduled "
                "(only a live session can be ended)",
            }
        },
    )
    assert (await api.post(f"/api/sessions/{sid}/start")).status == 200
    again = await api.post(f"/api/sessions/{sid}/start")
    assert again.body["error"]["message"] == (
        "cannot start a session that is live (only a scheduled session can be started)"
    )
    cancel = await api.post(f"/api/sessions/{sid}/cancel")
    assert cancel.status == 409
    assert (await api.post(f"/api/sessions/{sid}/end")).body["state"] == "ended"
    other = await api.new_session([ROOM])
    assert (await api.post(f"/api/sessions/{other['id']}/cancel")).body["state"] == "cancelled"
    assert (await api.post(f"/api/sessions/{other['id']}/start")).status == 409


async def test_activity_on_an_ended_session_is_refused(controller: Controller) -> None:
    api = controller.api
    sid, access = await api.live_session([ROOM])
    links = access[ROOM]
    resident = await api.post(
        f"/api/join/{links['join_code']}/checkin", {"client_id": cid()}, token=None
    )
    assert (await api.post(f"/api/sessions/{sid}/end")).status == 200
    before = (await api.get(f"/api/sessions/{sid}")).body
    refusals = [
        await api.post(f"/api/join/{links['join_code']}/checkin", {"client_id": cid()}, token=None),
        await api.post(
            f"/api/join/{links['join_code']}/help",
            {"client_id": cid(), "kind": "tech"},
            token=resident.body["resident_token"],
        ),
        await api.post(
            f"/api/rooms/{ROOM}/walkins",
            {"client_id": cid(), "delta": 1},
            token=links["facilitator_token"],
        ),
        await api.post(f"/api/sessions/{sid}/announcements", {"client_id": cid(), "text": "x"}),
        await api.post(f"/api/sessions/{sid}/checks", {"client_id": cid()}),
    ]
    message = "this session is ended: rooms no longer take check-ins, help or answers"
    for answer in refusals:
        assert (answer.status, answer.body) == (
            409,
            {"error": {"code": "session_closed", "message": message}},
        )
    assert (await api.get(f"/api/sessions/{sid}")).body == before


async def test_walkins_cannot_go_below_zero(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session([ROOM])
    answer = await api.post(
        f"/api/rooms/{ROOM}/walkins",
        {"client_id": cid(), "delta": -1},
        token=access[ROOM]["facilitator_token"],
    )
    assert (answer.status, answer.body["error"]["code"]) == (409, "no_walkins")


async def test_only_one_open_check_at_a_time(controller: Controller) -> None:
    api = controller.api
    sid, _ = await api.live_session([ROOM])
    first = await api.post(f"/api/sessions/{sid}/checks", {"client_id": cid()})
    second = await api.post(f"/api/sessions/{sid}/checks", {"client_id": cid()})
    assert second.status == 409
    assert second.body["error"]["message"] == (
        f"check {first.body['id']} is still open: close it before launching another"
    )
    assert (await api.post(f"/api/checks/{first.body['id']}/close")).status == 200
    assert (await api.post(f"/api/checks/{first.body['id']}/close")).status == 409


async def test_a_resident_who_left_cannot_ask_for_help(controller: Controller) -> None:
    api = controller.api
    sid, access = await api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    resident = await api.post(f"/api/join/{code}/checkin", {"client_id": cid()}, token=None)
    token = resident.body["resident_token"]
    asked = await api.post(
        f"/api/join/{code}/help", {"client_id": cid(), "kind": "tech"}, token=token
    )
    left = await api.post(f"/api/join/{code}/leave", {"client_id": cid()}, token=token)
    assert left.status == 200
    view = (await api.get(f"/api/sessions/{sid}")).body["rooms"][ROOM]
    assert (view["present"], view["help_open"], view["checked_in"]) == (0, 0, 1)
    room = await api.get(f"/api/rooms/{ROOM}", token=access[ROOM]["facilitator_token"])
    assert room.body["help"] == []
    again = await api.post(
        f"/api/join/{code}/help", {"client_id": cid(), "kind": "tech"}, token=token
    )
    assert (again.status, again.body["error"]["code"]) == (409, "resident_left")
    assert asked.status == 201
