"""Facilitators report room problems; the console sees them; they are cleared."""

from __future__ import annotations

from tests.conftest import Controller
from tests.helpers import ADMIN, cid

ROOMS = ["cs-lille-sud", "cyber-loos"]


async def test_problem_reported_reaches_console_and_room_then_is_cleared(
    controller: Controller,
) -> None:
    api = controller.api
    session_id, access = await api.live_session(ROOMS)
    fac_a = await controller.connect("/room", {"token": access[ROOMS[0]]["facilitator_token"]})
    fac_b = await controller.connect("/room", {"token": access[ROOMS[1]]["facilitator_token"]})
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    reported = await api.post(
        f"/api/rooms/{ROOMS[0]}/problems",
        {"client_id": cid(), "problem": "no_sound", "text": "Le son coupe"},
        token=access[ROOMS[0]]["facilitator_token"],
    )
    assert reported.status == 201
    problem = reported.body
    assert {k: problem[k] for k in ("room", "problem", "text", "cleared_at")} == {
        "room": ROOMS[0],
        "problem": "no_sound",
        "text": "Le son coupe",
        "cleared_at": None,
    }
    seen = await console.wait_for("problem_reported")
    assert seen["problem_id"] == problem["id"]
    await fac_a.wait_for("problem_reported")
    tiles = (await api.get(f"/api/sessions/{session_id}")).body["rooms"]
    assert tiles[ROOMS[0]]["problems"] == [problem]
    assert tiles[ROOMS[1]]["problems"] == []

    other_room = await fac_b.call(
        "clear_problem", {"client_id": cid(), "problem_id": problem["id"]}
    )
    assert other_room == {
        "ok": False,
        "error": {"code": "forbidden", "message": f"this problem belongs to room {ROOMS[0]}"},
    }
    by_socket = await fac_a.call("report_problem", {"client_id": cid(), "problem": "frozen_image"})
    assert by_socket["ok"] is True
    cleared = await api.post(f"/api/problems/{problem['id']}/clear")  # the mediator, admin token
    assert cleared.status == 200
    assert cleared.body["cleared_at"] is not None
    again = await api.post(
        f"/api/problems/{problem['id']}/clear", token=access[ROOMS[0]]["facilitator_token"]
    )
    assert (again.status, again.body["error"]["code"]) == (409, "problem_cleared")
    await console.wait_for("problem_cleared")
    tiles = (await api.get(f"/api/sessions/{session_id}")).body["rooms"]
    assert [p["problem"] for p in tiles[ROOMS[0]]["problems"]] == ["frozen_image"]
    assert [name for name in fac_b.names() if name.startswith("problem_")] == []
    bad = await api.post(
        f"/api/rooms/{ROOMS[0]}/problems",
        {"client_id": cid(), "problem": "fire"},
        token=access[ROOMS[0]]["facilitator_token"],
    )
    assert bad.status == 400


async def test_a_facilitator_says_the_room_is_ready_once_and_the_console_hears_it(
    controller: Controller,
) -> None:
    api = controller.api
    session_id, access = await api.live_session(ROOMS)
    token = access[ROOMS[0]]["facilitator_token"]
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    other_room = await controller.connect("/room", {"token": access[ROOMS[1]]["facilitator_token"]})
    ready = await api.post(f"/api/rooms/{ROOMS[0]}/ready", token=token)
    assert ready.status == 200
    heard = await console.wait_for("room_ready")
    assert (heard["session_id"], heard["room"]) == (session_id, ROOMS[0])
    facilitator = await controller.connect("/room", {"token": token})
    again = await facilitator.call("room_ready", {"client_id": cid()})
    assert again == {
        "ok": False,
        "error": {"code": "room_ready", "message": "this room has already said it is ready"},
    }
    elsewhere = await api.post(
        f"/api/rooms/{ROOMS[0]}/ready", token=access[ROOMS[1]]["facilitator_token"]
    )
    assert elsewhere.status == 403
    assert [name for name, _ in other_room.events if name == "room_ready"] == []
