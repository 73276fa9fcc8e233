"""What first-time users tripped over during the live hour, on the server's side: escalated
questions that reached the mediator empty, people who could not leave, a session that could
not be edited, duplicate room problems, a controller slow to stop."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import Controller
from tests.helpers import ADMIN, Api, cid, connect
from tests.process import Servers

ROOMS = ["cs-lille-sud", "cyber-loos"]


async def test_an_escalated_question_reaches_the_console_with_the_question_and_the_note(
    controller: Controller,
) -> None:
    session_id, access = await controller.api.live_session(ROOMS)
    room = access[ROOMS[0]]
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    resident = await controller.connect("/resident", {"code": room["join_code"]})
    facilitator = await controller.connect("/room", {"token": room["facilitator_token"]})
    asked = await resident.call(
        "help",
        {"client_id": cid(), "kind": "question", "seat": "3", "text": "Où est la pièce jointe ?"},
    )
    request_id = asked["data"]["id"]
    escalated = await facilitator.call(
        "escalate",
        {"client_id": cid(), "request_id": request_id, "note": "Elle a un vieux téléphone"},
    )
    assert escalated["ok"] is True, escalated
    heard = await console.wait_for("help_escalated")
    request = heard["request"]
    assert (request["seat"], request["text"], request["note"], request["state"]) == (
        "3",
        "Où est la pièce jointe ?",
        "Elle a un vieux téléphone",
        "escalated",
    )
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    assert [item["note"] for item in view["escalations"]] == ["Elle a un vieux téléphone"]


async def test_a_resident_leaves_and_a_facilitator_counts_out_someone_gone(
    controller: Controller,
) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS[:1])
    room = access[ROOMS[0]]
    token = room["facilitator_token"]
    path = f"/api/rooms/{ROOMS[0]}"
    first = await api.post(
        f"/api/join/{room['join_code']}/checkin", {"client_id": cid(), "name": "Aïcha"}, token=None
    )
    second = await api.post(
        f"/api/join/{room['join_code']}/checkin", {"client_id": cid()}, token=None
    )
    assert (await api.get(path, token=token)).body["room"]["present"] == 2

    left = await api.post(
        f"/api/join/{room['join_code']}/leave",
        {"client_id": cid()},
        token=first.body["resident_token"],
    )
    assert left.body == {"resident_id": first.body["resident_id"], "present": False}
    assert (await api.get(path, token=token)).body["room"]["present"] == 1

    gone = second.body["resident_id"]
    dismissed = await api.post(f"{path}/residents/{gone}/leave", token=token)
    assert (dismissed.status, dismissed.body) == (200, {"resident_id": gone, "present": False})
    assert (await api.get(path, token=token)).body["room"]["present"] == 0
    again = await api.post(f"{path}/residents/{gone}/leave", token=token)
    assert again.body["error"]["code"] == "resident_left"
    elsewhere = await api.post(f"/api/rooms/{ROOMS[0]}/residents/{gone}/leave", token=ADMIN)
    assert elsewhere.status == 403


async def test_a_scheduled_session_is_changed_in_place_keeping_its_id_and_codes(
    controller: Controller,
) -> None:
    api = controller.api
    created = await api.new_session(ROOMS, starts_at="2026-12-08T14:00")
    session_id = created["id"]
    access = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"]
    codes = {site: room["join_code"] for site, room in access.items()}
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})

    changed = await api.call(
        "PATCH",
        f"/api/sessions/{session_id}",
        {
            "client_id": cid(),
            "title": "Envoyer une photo",
            "starts_at": "2026-12-09T10:30",
            "rooms": [ROOMS[1], "cs-roubaix"],
        },
        token=ADMIN,
    )
    assert changed.status == 200, changed.body
    body = changed.body
    assert (body["id"], body["title"], body["starts_at"], list(body["rooms"])) == (
        session_id,
        "Envoyer une photo",
        "2026-12-09T10:30:00+01:00",
        [ROOMS[1], "cs-roubaix"],
    )
    after = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"]
    assert after[ROOMS[1]]["join_code"] == codes[ROOMS[1]]
    heard = await console.wait_for("session_updated")
    assert heard["title"] == "Envoyer une photo"
    new_code = heard["join_codes"]["cs-roubaix"]
    assert (await api.get(f"/api/join/{new_code}", token=None)).status == 200
    assert (await api.get(f"/api/join/{codes[ROOMS[0]]}", token=None)).body["error"][
        "code"
    ] == "bad_code"

    await api.post(f"/api/sessions/{session_id}/start", {"client_id": cid()})
    late = await api.call(
        "PATCH", f"/api/sessions/{session_id}", {"client_id": cid(), "title": "x"}, token=ADMIN
    )
    assert (late.status, late.body["error"]["code"]) == (409, "invalid_session_state")


async def test_a_room_problem_is_reported_once_and_the_room_sees_the_mediator_saw_it(
    controller: Controller,
) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS[:1])
    token = access[ROOMS[0]]["facilitator_token"]
    facilitator = await controller.connect("/room", {"token": token})
    reported = await facilitator.call(
        "report_problem", {"client_id": cid(), "problem": "other", "text": "Le micro grésille"}
    )
    problem = reported["data"]
    assert problem["text"] == "Le micro grésille"
    twice = await facilitator.call("report_problem", {"client_id": cid(), "problem": "other"})
    assert twice["error"]["code"] == "problem_open"

    seen = await api.post(f"/api/problems/{problem['id']}/seen")
    assert seen.status == 200
    heard = await facilitator.wait_for("problem_seen")
    assert heard["problem_id"] == problem["id"]
    tile = (await api.get(f"/api/rooms/{ROOMS[0]}", token=token)).body
    assert [p["seen_at"] is not None for p in tile["room"]["problems"]] == [True]


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    async with Servers(tmp_path) as servers:
        yield servers


async def test_sigterm_tells_every_client_and_a_restart_on_the_same_database_works(
    servers: Servers, tmp_path: Path
) -> None:
    """The clients are told to reconnect (they do not wait to miss pings), so the process
    exits and frees the database at once (measured with 1,000 clients: docs/benchmarks.md)."""
    db = tmp_path / "s.db"
    first = await servers.start(db)
    async with aiohttp.ClientSession() as http:
        api = Api(first.url, http)
        session_id, access = await api.live_session(ROOMS)
        clients = [
            await connect(first.url, "/console", {"token": ADMIN, "session": session_id}),
            await connect(first.url, "/room", {"token": access[ROOMS[0]]["screen_token"]}),
            await connect(
                first.url, "/resident", {"code": access[ROOMS[1]]["join_code"]}, ["polling"]
            ),
        ]
        gone = [asyncio.Event() for _ in clients]
        for client, event in zip(clients, gone, strict=True):
            client.client.on("disconnect", event.set, namespace=client.namespace)
        os.kill(first.process.pid, signal.SIGTERM)
        assert await asyncio.wait_for(first.process.wait(), 10) == 0
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in gone)), 10)
        for client in clients:
            await client.close()
        second = await servers.start(db, port=first.port)
        again = await Api(second.url, http).get(f"/api/sessions/{session_id}")
        assert (again.status, again.body["state"]) == (200, "live")


async def test_the_mediator_writes_to_one_room_and_only_that_room_hears_it(
    controller: Controller,
) -> None:
    api = controller.api
    session_id, access = await api.live_session(ROOMS)
    here, there = access[ROOMS[0]], access[ROOMS[1]]
    resident_here = await controller.connect("/resident", {"code": here["join_code"]})
    resident_there = await controller.connect("/resident", {"code": there["join_code"]})
    screen_there = await controller.connect("/room", {"token": there["screen_token"]})
    facilitator_here = await controller.connect("/room", {"token": here["facilitator_token"]})
    sent = await api.post(
        f"/api/sessions/{session_id}/announcements",
        {"client_id": cid(), "text": "Le son arrive", "room": ROOMS[0]},
    )
    assert (sent.status, sent.body["room"]) == (201, ROOMS[0])
    heard = await resident_here.wait_for("announcement_sent")
    assert (heard["text"], heard["room"]) == ("Le son arrive", ROOMS[0])
    await facilitator_here.wait_for("announcement_sent")
    everyone = await api.post(
        f"/api/sessions/{session_id}/announcements", {"client_id": cid(), "text": "Pause"}
    )
    assert everyone.status == 201
    await resident_there.wait_for("announcement_sent")
    await screen_there.wait_for("announcement_sent")
    assert [e["text"] for e in resident_there.of("announcement_sent")] == ["Pause"]
    assert [e["text"] for e in screen_there.of("announcement_sent")] == ["Pause"]
    view = (await api.get(f"/api/join/{there['join_code']}", token=None)).body
    assert [item["text"] for item in view["announcements"]] == ["Pause"]
    wrong = await api.post(
        f"/api/sessions/{session_id}/announcements",
        {"client_id": cid(), "text": "x", "room": "cs-roubaix"},
    )
    assert (wrong.status, wrong.body["error"]["code"]) == (403, "forbidden")


async def test_a_resident_counted_out_by_the_facilitator_is_told_at_once(
    controller: Controller,
) -> None:
    _, access = await controller.api.live_session(ROOMS[:1])
    room = access[ROOMS[0]]
    phone = await controller.connect("/resident", {"code": room["join_code"]})
    checked_in = await phone.call("checkin", {"client_id": cid(), "name": "Lou"})
    resident_id = checked_in["data"]["resident_id"]
    facilitator = await controller.connect("/room", {"token": room["facilitator_token"]})
    dismissed = await facilitator.call("dismiss", {"client_id": cid(), "resident_id": resident_id})
    assert dismissed["ok"] is True, dismissed
    told = await phone.wait_for("resident_left")
    assert (told["resident_id"], told["room"]) == (resident_id, ROOMS[0])
