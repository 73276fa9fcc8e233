"""SIGKILL the controller (a real ``simulcast serve`` process), restart it on the same SQLite
file: every acknowledged action is still there, exactly once, and clients carry on."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.helpers import ADMIN, Api, Recorder, Response, cid, roomy_rooms
from tests.process import Servers

ROOM_A, ROOM_B, ROOM_C = "cs-lille-sud", "cyber-loos", "mediatheque-ronchin"
ROOMS = [ROOM_A, ROOM_B, ROOM_C]
WORKERS_PER_ROOM = 4
ACKS_BEFORE_KILL = 300


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    async with Servers(tmp_path) as servers:
        yield servers


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session


async def acted(
    api: Api,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    token: str | None,
    status: int = 200,
) -> Any:
    """POST an action with a fresh client_id; assert it was acknowledged with ``status``."""
    response = await api.post(path, {"client_id": cid(), **(body or {})}, token=token)
    assert response.status == status, response.body
    return response.body


async def fetched(api: Api, path: str, *, token: str | None) -> Any:
    response = await api.get(path, token=token)
    assert response.status == 200, response.body
    return response.body


async def test_state_after_sigkill_and_restart_is_exactly_the_same(
    servers: Servers, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    first = await servers.start(db)
    api = Api(first.url, http)
    session_id, access = await api.live_session(ROOMS)
    fac = {site: access[site]["facilitator_token"] for site in ROOMS}

    def join(site: str, action: str = "") -> str:
        return f"/api/join/{access[site]['join_code']}{action}"

    aicha = await acted(api, join(ROOM_A, "/checkin"), {"name": "Aïcha"}, token=None, status=201)
    anon_a = await acted(api, join(ROOM_A, "/checkin"), token=None, status=201)
    bruno = await acted(api, join(ROOM_B, "/checkin"), {"name": "Bruno"}, token=None, status=201)
    anon_c = await acted(api, join(ROOM_C, "/checkin"), token=None, status=201)
    lost = await acted(
        api,
        join(ROOM_A, "/help"),
        {"kind": "lost", "seat": "4"},
        token=aicha["resident_token"],
        status=201,
    )
    guest = await acted(
        api,
        join(ROOM_B, "/help"),
        {"kind": "question", "text": "Où est la pièce jointe ?"},
        token=None,  # asking without checking in first checks in anonymously
        status=201,
    )
    tech = await acted(
        api,
        join(ROOM_C, "/help"),
        {"kind": "tech", "seat": "C2"},
        token=anon_c["resident_token"],
        status=201,
    )
    waiting = await acted(
        api, join(ROOM_A, "/help"), {"kind": "question"}, token=anon_a["resident_token"], status=201
    )
    await acted(
        api, join(ROOM_B, "/help"), {"kind": "lost"}, token=bruno["resident_token"], status=201
    )
    await acted(api, f"/api/help/{lost['id']}/claim", token=fac[ROOM_A])
    await acted(api, f"/api/help/{lost['id']}/resolve", token=fac[ROOM_A])
    await acted(api, f"/api/help/{guest['id']}/escalate", token=fac[ROOM_B])
    await acted(
        api, f"/api/help/{guest['id']}/answer", {"answer": "En bas, le trombone."}, token=ADMIN
    )
    await acted(api, f"/api/help/{tech['id']}/claim", token=fac[ROOM_C])
    await acted(api, f"/api/help/{tech['id']}/escalate", token=fac[ROOM_C])
    for delta in (1, 1, -1):
        await acted(api, f"/api/rooms/{ROOM_A}/walkins", {"delta": delta}, token=fac[ROOM_A])
    await acted(api, f"/api/rooms/{ROOM_C}/walkins", {"delta": 1}, token=fac[ROOM_C])
    await acted(
        api,
        f"/api/sessions/{session_id}/announcements",
        {"text": "Pause de 5 minutes"},
        token=ADMIN,
        status=201,
    )
    check = await acted(
        api,
        f"/api/sessions/{session_id}/checks",
        {"options": ["Oui", "Pas encore", "Je ne sais pas"]},
        token=ADMIN,
        status=201,
    )
    for resident, option in ((aicha, 0), (anon_a, 1), (bruno, 2), (anon_a, 0)):
        await acted(
            api,
            join(resident["room"], f"/checks/{check['id']}/answer"),
            {"option": option},
            token=resident["resident_token"],
        )
    await acted(api, join(ROOM_B, "/leave"), token=bruno["resident_token"])  # cancels his help

    residents = {
        "aicha": (ROOM_A, aicha["resident_token"]),
        "anon_a": (ROOM_A, anon_a["resident_token"]),
        "bruno (left)": (ROOM_B, bruno["resident_token"]),
        "guest asker": (ROOM_B, guest["resident_token"]),
        "anon_c": (ROOM_C, anon_c["resident_token"]),
        "not checked in": (ROOM_C, None),
    }

    async def documents(api: Api) -> dict[str, Any]:
        found = {
            "session": await fetched(api, f"/api/sessions/{session_id}", token=ADMIN),
            "sessions": await fetched(api, "/api/sessions", token=ADMIN),
        }
        for site in ROOMS:
            found[f"room {site}"] = await fetched(api, f"/api/rooms/{site}", token=fac[site])
        for who, (site, token) in residents.items():
            found[f"join {who}"] = await fetched(api, join(site), token=token)
        return found

    before = await documents(api)
    assert before["session"]["totals"] == {
        "present": 6,  # A: 2 residents + 1 walk-in; B: the guest asker; C: 1 + 1 walk-in
        "checked_in": 5,
        "help_open": 2,  # A's waiting question, C's escalation
        "help_total": 5,
    }
    assert [item["state"] for item in before["session"]["escalations"]] == [
        "answered",
        "escalated",
    ]
    assert before["session"]["checks"][0]["tallies"] == {
        ROOM_A: [2, 0, 0],
        ROOM_B: [0, 0, 1],
        ROOM_C: [0, 0, 0],
    }
    assert before["join bruno (left)"]["resident"] == {
        "id": bruno["resident_id"],
        "name": "Bruno",
        "present": False,
    }
    assert [item["state"] for item in before["join bruno (left)"]["help"]] == ["cancelled"]
    access_before = await fetched(api, f"/api/sessions/{session_id}/access", token=ADMIN)

    await first.kill()
    second = await servers.start(db)
    api = Api(second.url, http)

    assert await documents(api) == before
    access_after = await fetched(api, f"/api/sessions/{session_id}/access", token=ADMIN)
    assert access_after == json.loads(json.dumps(access_before).replace(first.url, second.url))
    # The restarted controller takes new actions from the old tokens.
    claimed = await acted(api, f"/api/help/{waiting['id']}/claim", token=fac[ROOM_A])
    assert claimed["state"] == "claimed"
    again = await acted(api, join(ROOM_C, "/checkin"), {"name": "Chloé"}, token=None, status=201)
    assert again["resident_id"] not in {aicha["resident_id"], anon_a["resident_id"]}


async def test_session_list_keeps_its_creation_order_after_restart(
    servers: Servers, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    first = await servers.start(db)
    api = Api(first.url, http)
    ids: list[str] = []
    while ids == sorted(ids) and len(ids) < 30:  # ids are random: make their order differ
        ids.append((await api.new_session([ROOM_A], title=f"Atelier {len(ids)}"))["id"])
    before = await fetched(api, "/api/sessions", token=ADMIN)
    assert [session["id"] for session in before] == ids

    await first.kill()
    second = await servers.start(db)

    assert await fetched(Api(second.url, http), "/api/sessions", token=ADMIN) == before


@dataclass
class Action:
    """One check-in or help request sent under load, and what the controller answered."""

    site: str
    path: str
    body: dict[str, Any]
    first: Response | None = None
    """None when the connection failed before an answer (the controller was killed)."""
    retry: Response | None = None

    @property
    def is_help(self) -> bool:
        return self.path.endswith("/help")

    @property
    def acknowledged(self) -> bool:
        return self.first is not None and self.first.status == 201


async def test_sigkill_under_load_keeps_every_acknowledged_action_exactly_once(
    servers: Servers, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    rooms = roomy_rooms(tmp_path)  # every worker checks people in from this one address
    first = await servers.start(db, rooms=rooms)
    api = Api(first.url, http)
    session_id, access = await api.live_session(ROOMS)
    fac = {site: access[site]["facilitator_token"] for site in ROOMS}
    actions: list[Action] = []
    acknowledged = 0
    enough = asyncio.Event()

    async def fire(site: str, worker: int) -> None:
        """Check in and ask for help (as a guest) in turn until the controller is gone."""
        nonlocal acknowledged
        code = access[site]["join_code"]
        for n in itertools.count():
            if n % 2:
                body = {"client_id": cid(), "kind": "lost", "seat": f"{worker}.{n}"}
                action = Action(site, f"/api/join/{code}/help", body)
            else:
                name = {"name": f"P{worker}.{n}"} if n % 4 == 0 else {}
                action = Action(site, f"/api/join/{code}/checkin", {"client_id": cid(), **name})
            actions.append(action)
            try:
                action.first = await api.post(action.path, action.body, token=None)
            except aiohttp.ClientError:
                return
            if action.first.status != 201:
                return
            acknowledged += 1
            if acknowledged >= ACKS_BEFORE_KILL:
                enough.set()

    workers = [
        asyncio.create_task(fire(site, worker))
        for site in ROOMS
        for worker in range(WORKERS_PER_ROOM)
    ]
    await asyncio.wait_for(enough.wait(), 30)
    await first.kill()
    await asyncio.wait_for(asyncio.gather(*workers), 30)

    answered = [action.first for action in actions if action.first is not None]
    assert [(r.status, r.body) for r in answered if r.status != 201] == []
    unacknowledged = [action for action in actions if not action.acknowledged]
    assert len(unacknowledged) == len(workers)  # each worker's last one, cut off by the kill

    second = await servers.start(db, rooms=rooms)
    api = Api(second.url, http)

    async def room_views() -> dict[str, Any]:
        return {site: await fetched(api, f"/api/rooms/{site}", token=fac[site]) for site in ROOMS}

    async def joined(action: Action) -> Any:
        assert action.first is not None
        token = action.first.body["resident_token"]
        return await fetched(api, f"/api/join/{access[action.site]['join_code']}", token=token)

    rooms = await room_views()
    acked = [action for action in actions if action.acknowledged]
    for action, view in zip(acked, await asyncio.gather(*map(joined, acked)), strict=True):
        assert action.first is not None
        first_answer = action.first.body
        assert view["resident"] == {
            "id": first_answer["resident_id"],
            "name": action.body.get("name"),
            "present": True,
        }
        if action.is_help:
            request = {
                key: value
                for key, value in first_answer.items()
                if key not in ("resident_id", "resident_token")
            }
            assert view["help"] == [request]
            assert request in rooms[action.site]["help"]
    counts_before = {
        site: (view["room"]["checked_in"], view["room"]["help_total"])
        for site, view in rooms.items()
    }

    async def retry(action: Action) -> None:
        action.retry = await api.post(action.path, action.body, token=None)

    await asyncio.gather(*map(retry, actions))

    kept: Counter[tuple[str, bool]] = Counter()
    for action in actions:
        assert action.retry is not None
        again = action.retry
        if action.acknowledged:
            assert action.first is not None
            assert again.status == 200, again.body
            if action.is_help:
                assert again.body == action.first.body
            else:
                assert (again.body["resident_id"], again.body["resident_token"]) == (
                    action.first.body["resident_id"],
                    action.first.body["resident_token"],
                )
        else:
            assert again.status in (200, 201), again.body
        if again.status == 200:
            kept[action.site, action.is_help] += 1
    acked_count = Counter((action.site, action.is_help) for action in acked)
    sent = Counter((action.site, action.is_help) for action in actions)
    for site in ROOMS:
        checked_in, help_total = counts_before[site]
        # A guest's help request also checks them in.
        assert checked_in >= acked_count[site, False] + acked_count[site, True]
        assert help_total >= acked_count[site, True]
        assert (checked_in, help_total) == (
            kept[site, False] + kept[site, True],
            kept[site, True],
        ), site

    rooms = await room_views()
    for site in ROOMS:
        answers = [action.retry.body for action in actions if action.site == site and action.retry]
        helps = [a.retry.body for a in actions if a.site == site and a.is_help and a.retry]
        room = rooms[site]
        assert (room["room"]["checked_in"], room["room"]["help_total"]) == (
            sent[site, False] + sent[site, True],
            sent[site, True],
        ), site
        assert sorted(resident["id"] for resident in room["residents"]) == sorted(
            answer["resident_id"] for answer in answers
        )
        assert sorted(request["id"] for request in room["help"]) == sorted(
            answer["id"] for answer in helps
        )
    session = await fetched(api, f"/api/sessions/{session_id}", token=ADMIN)
    assert session["totals"]["checked_in"] == len(actions)
    assert session["totals"]["help_total"] == sum(action.is_help for action in actions)


async def test_room_client_reconnects_to_restarted_controller_and_gets_the_same_view(
    servers: Servers, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    first = await servers.start(db)
    api = Api(first.url, http)
    _, access = await api.live_session([ROOM_A, ROOM_B])
    links = access[ROOM_A]
    client = socketio.AsyncClient(
        reconnection=True,
        reconnection_delay=0.1,
        reconnection_delay_max=0.5,
        randomization_factor=0,
    )
    room = Recorder("/room", client)

    async def on_any(event: str, data: Any = None) -> None:
        room.events.append((event, data))
        room.changed.set()

    client.on("*", on_any, namespace="/room")
    await client.connect(
        first.url,
        namespaces=["/room"],
        auth={"token": links["facilitator_token"]},
        transports=["websocket"],
        wait_timeout=5,
    )
    try:
        snapshot = await room.wait_for("snapshot")
        checkin = f"/api/join/{links['join_code']}/checkin"
        aicha = await acted(api, checkin, {"name": "Aïcha"}, token=None, status=201)
        await acted(
            api,
            f"/api/join/{links['join_code']}/help",
            {"kind": "lost", "seat": "4"},
            token=aicha["resident_token"],
            status=201,
        )
        await room.wait_for("help_requested")
        path = f"/api/rooms/{ROOM_A}"
        view = await fetched(api, path, token=links["facilitator_token"])

        await first.kill()
        second = await servers.start(db, port=first.port)
        api = Api(second.url, http)

        again = await room.wait_for("snapshot", lambda data: data is not snapshot, within=30)
        assert await fetched(api, path, token=links["facilitator_token"]) == view
        assert again == {"kind": "facilitator", **view, "timezone": "Europe/Paris"}
        # It hears the restarted controller's news, too.
        await acted(api, checkin, {"name": "Bruno"}, token=None, status=201)
        heard = await room.wait_for("resident_checked_in", lambda data: data["name"] == "Bruno")
        assert heard["room"] == ROOM_A
    finally:
        await client.disconnect()
