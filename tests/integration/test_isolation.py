"""Each audience hears only what it may: a room its own events, a resident their own requests."""

from __future__ import annotations

import asyncio

from tests.conftest import Controller
from tests.helpers import ADMIN, cid, refused

ROOMS = ["cs-lille-sud", "cyber-loos", "mediatheque-ronchin"]


async def test_facilitator_never_receives_another_rooms_events(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS)
    listeners = {
        site: await controller.connect("/room", {"token": access[site]["facilitator_token"]})
        for site in ROOMS
    }
    residents = {
        site: await controller.connect("/resident", {"code": access[site]["join_code"]})
        for site in ROOMS
    }
    asked: dict[str, list[str]] = {site: [] for site in ROOMS}
    for round_ in range(3):
        for site in ROOMS:
            answer = await residents[site].call(
                "help", {"client_id": cid(), "kind": "tech", "seat": str(round_)}
            )
            asked[site].append(answer["data"]["id"])
        for site in ROOMS:
            await api.post(
                f"/api/rooms/{site}/walkins",
                {"client_id": cid(), "delta": 1},
                token=access[site]["facilitator_token"],
            )
    for site in ROOMS:
        last = asked[site][-1]
        await listeners[site].wait_for(
            "help_requested", lambda e, last=last: e["request_id"] == last
        )
        await listeners[site].wait_for("walkins_adjusted", lambda e: True)
    await asyncio.sleep(0)  # let anything misrouted arrive before we look
    for site, listener in listeners.items():
        for name, data in listener.events:
            if name == "snapshot":
                continue
            assert data["room"] == site, (site, name, data)
        heard = [data["request_id"] for name, data in listener.events if name == "help_requested"]
        assert heard == asked[site]


async def test_resident_hears_only_their_own_requests(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS[:1])
    code = access[ROOMS[0]]["join_code"]
    alice = await controller.connect("/resident", {"code": code})
    bob = await controller.connect("/resident", {"code": code})
    await alice.call("checkin", {"client_id": cid(), "name": "Alice"})
    await bob.call("checkin", {"client_id": cid()})
    mine = await alice.call("help", {"client_id": cid(), "kind": "lost"})
    theirs = await bob.call("help", {"client_id": cid(), "kind": "question", "text": "secret"})
    await alice.wait_for("help_requested")
    await bob.wait_for("help_requested")
    token = access[ROOMS[0]]["facilitator_token"]
    await api.post(f"/api/help/{theirs['data']['id']}/claim", token=token)
    await bob.wait_for("help_claimed")
    alice_heard = [data["request_id"] for name, data in alice.events if name.startswith("help_")]
    assert alice_heard == [mine["data"]["id"]]
    assert "Alice" not in str(bob.events)
    cancel = await alice.call(
        "cancel_help", {"client_id": cid(), "request_id": theirs["data"]["id"]}
    )
    assert cancel == {
        "ok": False,
        "error": {
            "code": "forbidden",
            "message": "only the person who asked can cancel this request",
        },
    }


async def test_console_of_one_session_hears_nothing_of_another(controller: Controller) -> None:
    api = controller.api
    first, _ = await api.live_session(ROOMS[:1])
    second, access = await api.live_session(ROOMS[1:2])
    console = await controller.connect("/console", {"token": ADMIN, "session": first})
    resident = await controller.connect("/resident", {"code": access[ROOMS[1]]["join_code"]})
    await resident.call("checkin", {"client_id": cid()})
    announced = await api.post(
        f"/api/sessions/{first}/announcements", {"client_id": cid(), "text": "Bonjour"}
    )
    assert announced.status == 201
    await console.wait_for("announcement_sent")
    controller.realtime.coalescer.flush()
    assert all(data["session_id"] == first for name, data in console.events if name != "snapshot")
    assert second != first


async def test_rest_token_of_another_room_gets_403(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS[:2])
    a, b = access[ROOMS[0]], access[ROOMS[1]]
    asked = await api.post(
        f"/api/join/{a['join_code']}/help", {"client_id": cid(), "kind": "lost"}, token=None
    )
    for verb in ("claim", "resolve", "escalate"):
        answer = await api.post(
            f"/api/help/{asked.body['id']}/{verb}", token=b["facilitator_token"]
        )
        assert answer.status == 403
        assert answer.body == {
            "error": {
                "code": "forbidden",
                "message": f"this help request belongs to room {ROOMS[0]}, "
                f"not to your room {ROOMS[1]}",
            }
        }
    walkin = await api.post(
        f"/api/rooms/{ROOMS[0]}/walkins",
        {"client_id": cid(), "delta": 1},
        token=b["facilitator_token"],
    )
    assert (walkin.status, walkin.body["error"]["code"]) == (403, "forbidden")
    screen = await api.post(f"/api/help/{asked.body['id']}/claim", token=a["screen_token"])
    assert (screen.status, screen.body["error"]["code"]) == (403, "forbidden")


async def test_connections_without_valid_credentials_are_refused(controller: Controller) -> None:
    api = controller.api
    _, access = await api.live_session(ROOMS[:1])
    token = access[ROOMS[0]]["facilitator_token"]
    base = controller.base
    assert await refused(base, "/console", {"token": "nope"}) == {
        "message": "wrong or missing admin token",
        "data": {"code": "bad_token"},
    }
    assert await refused(base, "/console", None) == {
        "message": 'send your credentials in the connect auth payload, e.g. {"token": "…"}',
        "data": {"code": "auth_missing"},
    }
    assert (await refused(base, "/room", {"token": token[:-2] + "xx"}))["data"] == {
        "code": "bad_token"
    }
    assert (await refused(base, "/room", {"token": ADMIN}))["data"] == {"code": "bad_token"}
    assert await refused(base, "/resident", {"code": "ZZZZZZ"}) == {
        "message": "unknown join code: check the code shown on the room's screen",
        "data": {"code": "bad_code"},
    }


async def test_guessing_join_codes_is_rate_limited(start_controller) -> None:  # type: ignore[no-untyped-def]
    controller = await start_controller(join_guess_limit=3)
    api = controller.api
    _, access = await api.live_session(ROOMS[:1])
    statuses = [
        (await api.get(f"/api/join/{guess}", token=None)).status
        for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD")
    ]
    assert statuses == [404, 404, 404, 429]
    right = await api.get(f"/api/join/{access[ROOMS[0]]['join_code']}", token=None)
    assert right.status == 200  # only misses are refused (tests/integration/test_guess_limits.py)
    assert (await refused(controller.base, "/resident", {"code": "EEEEEE"}))["data"] == {
        "code": "rate_limited"
    }


async def test_every_console_hears_each_lifecycle_event_once(controller: Controller) -> None:
    api = controller.api
    session = await api.new_session(ROOMS[:1])
    watching = await controller.connect("/console", {"token": ADMIN, "session": session["id"]})
    elsewhere = await controller.connect("/console", {"token": ADMIN})
    await api.post(f"/api/sessions/{session['id']}/start")
    await api.post(f"/api/sessions/{session['id']}/end")
    for console in (watching, elsewhere):
        await console.wait_for("session_ended")
        lifecycle = [name for name in console.names() if name.startswith("session_")]
        assert lifecycle == ["session_started", "session_ended"]
