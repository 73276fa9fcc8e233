"""A retry with the same client_id returns the first result and counts nothing twice."""

from __future__ import annotations

import asyncio

from tests.conftest import Controller
from tests.helpers import cid

ROOM_A = "cs-lille-sud"


async def test_checkin_retry_returns_the_first_resident(controller: Controller) -> None:
    api = controller.api
    session_id, access = await api.live_session([ROOM_A])
    code = access[ROOM_A]["join_code"]
    body = {"client_id": cid(), "name": "Léon"}
    first = await api.post(f"/api/join/{code}/checkin", body, token=None)
    again = await api.post(f"/api/join/{code}/checkin", body, token=None)
    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body
    view = (await api.get(f"/api/sessions/{session_id}")).body
    assert (view["rooms"][ROOM_A]["checked_in"], view["rooms"][ROOM_A]["present"]) == (1, 1)


async def test_concurrent_retries_of_one_help_request_count_once(controller: Controller) -> None:
    api = controller.api
    session_id, access = await api.live_session([ROOM_A])
    code = access[ROOM_A]["join_code"]
    body = {"client_id": cid(), "kind": "tech", "seat": "7"}
    answers = await asyncio.gather(
        *(api.post(f"/api/join/{code}/help", body, token=None) for _ in range(5))
    )
    assert sorted(answer.status for answer in answers) == [200, 200, 200, 200, 201]
    assert len({answer.body["id"] for answer in answers}) == 1
    view = (await api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM_A]["help_total"] == 1
    assert view["rooms"][ROOM_A]["checked_in"] == 1  # the asker, anonymously, once


async def test_socket_retry_after_reconnect_returns_first_result(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session([ROOM_A])
    code = access[ROOM_A]["join_code"]
    phone = await controller.connect("/resident", {"code": code})
    checkin = {"client_id": cid()}
    first = await phone.call("checkin", checkin)
    token = first["data"]["resident_token"]
    help_body = {"client_id": cid(), "kind": "lost"}
    asked = await phone.call("help", help_body)
    await phone.close()
    back = await controller.connect("/resident", {"code": code, "token": token})
    retried = await back.call("help", help_body)
    assert retried == {**asked, "replayed": True}
    assert asked["replayed"] is False
    assert [item["id"] for item in back.of("snapshot")[0]["help"]] == [asked["data"]["id"]]


async def test_walkin_retry_does_not_add_twice(controller: Controller) -> None:
    api = controller.api
    session_id, access = await api.live_session([ROOM_A])
    token = access[ROOM_A]["facilitator_token"]
    body = {"client_id": cid(), "delta": 1}
    for _ in range(3):
        answer = await api.post(f"/api/rooms/{ROOM_A}/walkins", body, token=token)
        assert answer.status == 200
    view = (await api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM_A]["walkins"] == 1


async def test_client_id_reused_for_another_action_is_refused(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session([ROOM_A])
    token = access[ROOM_A]["facilitator_token"]
    reused = cid()
    await api.post(f"/api/rooms/{ROOM_A}/walkins", {"client_id": reused, "delta": 1}, token=token)
    asked = await api.post(
        f"/api/join/{access[ROOM_A]['join_code']}/help",
        {"client_id": cid(), "kind": "lost"},
        token=None,
    )
    claimed = await api.post(
        f"/api/help/{asked.body['id']}/claim", {"client_id": reused}, token=token
    )
    assert claimed.status == 409
    assert claimed.body == {
        "error": {
            "code": "client_id_reused",
            "message": "client_id already used for another action (walkins_adjusted); "
            "use a new client_id for each action",
        }
    }


async def test_session_create_retry_returns_the_same_session(controller: Controller) -> None:
    api = controller.api
    body = {"title": "Atelier", "origin": "studio-lille-sud", "client_id": cid()}
    first = await api.post("/api/sessions", body)
    again = await api.post("/api/sessions", body)
    assert (first.status, again.status) == (201, 200)
    assert again.body["id"] == first.body["id"]
    assert len((await api.get("/api/sessions")).body) == 1
