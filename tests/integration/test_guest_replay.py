"""A guest's retry gets its first answer back, but never another person's.

Guests of a room share its client ids (they have no token yet), and a check-in's answer holds
a resident token: so a guest's client id must be a long random id, and a retry with other
details is refused instead of answered.
"""

from __future__ import annotations

from tests.conftest import Controller
from tests.helpers import cid

ROOM = "cs-lille-sud"
SHORT = (
    "must be a random id of at least 16 characters (a UUID) before checking in: "
    "a short one could be another person's"
)


async def test_a_guest_retry_gets_its_own_first_answer(controller: Controller) -> None:
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    body = {"client_id": cid(), "name": "Awa"}
    first = await controller.api.post(f"/api/join/{code}/checkin", body, token=None)
    again = await controller.api.post(f"/api/join/{code}/checkin", body, token=None)
    assert (first.status, again.status, again.body) == (201, 200, first.body)


async def test_another_guest_reusing_a_client_id_with_other_details_gets_409(
    controller: Controller,
) -> None:
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    client_id = cid()
    awa = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": client_id, "name": "Awa"}, token=None
    )
    assert awa.status == 201
    reused = {
        "error": {
            "code": "client_id_reused",
            "message": "client_id already used for this action with other details; "
            "use a new client_id for each action",
        }
    }
    bob = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": client_id, "name": "Bob"}, token=None
    )
    anonymous = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": client_id}, token=None
    )
    assert [(bob.status, bob.body), (anonymous.status, anonymous.body)] == [(409, reused)] * 2
    phone = await controller.connect("/resident", {"code": code})
    asked = cid()
    assert (await phone.call("help", {"client_id": asked, "kind": "tech", "seat": "4"}))["ok"]
    other = await controller.connect("/resident", {"code": code})
    answer = await other.call("help", {"client_id": asked, "kind": "lost", "seat": "4"})
    assert answer == {"ok": False, **reused}


async def test_a_guest_client_id_shorter_than_16_characters_is_refused(
    controller: Controller,
) -> None:
    sid, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    before = (await controller.api.get(f"/api/sessions/{sid}")).body
    expected = {
        "error": {
            "code": "invalid_input",
            "message": f"invalid request: client_id: {SHORT}",
            "details": [{"field": "client_id", "message": SHORT}],
        }
    }
    checkin = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": "c1"}, token=None
    )
    help_ = await controller.api.post(
        f"/api/join/{code}/help", {"client_id": "x" * 15, "kind": "lost"}, token=None
    )
    assert [(checkin.status, checkin.body), (help_.status, help_.body)] == [(400, expected)] * 2
    assert (await controller.api.get(f"/api/sessions/{sid}")).body == before


async def test_a_checked_in_resident_keeps_short_client_ids_of_their_own(
    controller: Controller,
) -> None:
    """A resident's client ids are theirs alone (their token): no length rule."""
    _, access = await controller.api.live_session([ROOM])
    phone = await controller.connect("/resident", {"code": access[ROOM]["join_code"]})
    assert (await phone.call("checkin", {"client_id": cid()}))["ok"]
    first = await phone.call("help", {"client_id": "h1", "kind": "tech"})
    again = await phone.call("help", {"client_id": "h1", "kind": "tech"})
    assert (first["ok"], again["replayed"], again["data"]) == (True, True, first["data"])
