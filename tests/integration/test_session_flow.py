"""The whole flow of issue #2 against a real controller: REST and socket.io together."""

from __future__ import annotations

from tests.conftest import Controller
from tests.helpers import cid

ROOM_A, ROOM_B, ROOM_C = "cs-lille-sud", "cyber-loos", "mediatheque-ronchin"


async def test_session_create_start_gives_codes_and_links(controller: Controller) -> None:
    api = controller.api
    session = await api.new_session([ROOM_A, ROOM_B], thematiques=["email"], niveau="debutant")
    assert session["state"] == "scheduled"
    assert list(session["rooms"]) == [ROOM_A, ROOM_B]
    assert session["rooms"][ROOM_A] == {
        "nom": session["rooms"][ROOM_A]["nom"],
        "commune": "Lille",
        "x_kind": "centre_social",
        "present": 0,
        "checked_in": 0,
        "walkins": 0,
        "help_open": 0,
        "help_total": 0,
        "oldest_help_at": None,
        "screen": "offline",
        "screen_detail": None,
        "dispatch": None,
        "dispatch_detail": None,
        "ready_at": None,
        "problems": [],
    }
    assert session["broadcast"] == {
        "state": "idle",
        "source": "obs",
        "kind": None,
        "url": None,
        "reason": None,
        "started_at": None,
        "live_at": None,
        "stopped_at": None,
        "scene": None,
        "obs_lost": False,
        "ingest_live": False,
        "obs": {
            "connected": False,
            "streaming": False,
            "reconnecting": False,
            "bitrate_kbps": None,
            "skipped_frames": None,
            "congestion": None,
            "scene": None,
        },
    }
    started = await api.post(f"/api/sessions/{session['id']}/start")
    assert (started.status, started.body["state"]) == (200, "live")
    access = (await api.get(f"/api/sessions/{session['id']}/access")).body["rooms"]
    assert set(access) == {ROOM_A, ROOM_B}
    codes = [links["join_code"] for links in access.values()]
    assert len(set(codes)) == 2
    for site, links in access.items():
        code = links["join_code"]
        assert len(code) == 6
        assert not set(code) & set("01OIL")
        assert links["join_url"] == f"{controller.base}/join/{code}"
        assert links["facilitator_url"] == (
            f"{controller.base}/room/{site}#token={links['facilitator_token']}"
        )
        assert (
            links["screen_url"] == f"{controller.base}/screen/{site}#token={links['screen_token']}"
        )


async def test_default_rooms_are_every_site_but_the_origin(controller: Controller) -> None:
    sites = (await controller.api.get("/api/sites", token=None)).body
    session = await controller.api.new_session()
    assert list(session["rooms"]) == [
        site["id"] for site in sites if site["id"] != "studio-lille-sud"
    ]
    assert {"id", "nom", "commune", "x_kind"} <= set(sites[0])


async def test_resident_help_reaches_only_its_room_and_resident(controller: Controller) -> None:
    api = controller.api
    session_id, access = await api.live_session([ROOM_A, ROOM_B])
    a, b = access[ROOM_A], access[ROOM_B]
    fac_a = await controller.connect("/room", {"token": a["facilitator_token"]})
    fac_b = await controller.connect("/room", {"token": b["facilitator_token"]})
    console = await controller.connect(
        "/console", {"token": "test-admin-token-0123456789", "session": session_id}
    )
    snapshot = fac_a.of("snapshot")[0]
    assert (snapshot["kind"], snapshot["room"]["site"], snapshot["help"]) == (
        "facilitator",
        ROOM_A,
        [],
    )

    resident = await controller.connect("/resident", {"code": a["join_code"].lower()})
    checked = await resident.call("checkin", {"client_id": cid(), "name": "Aïcha"})
    assert checked["ok"] is True
    assert checked["data"]["room"] == ROOM_A
    token = checked["data"]["resident_token"]
    arrived = await fac_a.wait_for("resident_checked_in")
    assert (arrived["name"], arrived["room"]) == ("Aïcha", ROOM_A)

    asked = await resident.call("help", {"client_id": cid(), "kind": "lost", "seat": "4"})
    assert asked["ok"] is True
    request_id = asked["data"]["id"]
    assert asked["data"]["state"] == "open"
    assert asked["data"]["seat"] == "4"
    seen = await fac_a.wait_for("help_requested")
    assert seen["request"] == {
        "id": request_id,
        "room": ROOM_A,
        "kind": "lost",
        "seat": "4",
        "text": None,
        "state": "open",
        "created_at": seen["at"],
        "updated_at": None,
        "note": None,
        "answer": None,
    }
    mine = await resident.wait_for("help_requested")
    assert mine["request"]["id"] == request_id

    claimed = await api.post(
        f"/api/help/{request_id}/claim", {"client_id": cid()}, token=a["facilitator_token"]
    )
    assert (claimed.status, claimed.body["state"]) == (200, "claimed")
    await resident.wait_for("help_claimed")
    resolved = await fac_a.call("resolve", {"client_id": cid(), "request_id": request_id})
    assert resolved["ok"] is True
    assert resolved["data"]["state"] == "resolved"
    done = await resident.wait_for("help_resolved")
    assert done["request"]["state"] == "resolved"

    update = await console.wait_for(
        "console_update",
        lambda u: (
            ROOM_A in u["rooms"]
            and u["rooms"][ROOM_A]["help_total"] == 1
            and u["rooms"][ROOM_A]["help_open"] == 0
        ),
    )
    assert update["rooms"][ROOM_A]["present"] == 1

    # Room B heard nothing of room A; the resident heard nothing but their own request.
    assert [name for name in fac_b.names() if name != "snapshot"] == []
    assert [n for n in resident.names() if n not in ("snapshot",)] == [
        "help_requested",
        "help_claimed",
        "help_resolved",
    ]

    again = await controller.connect("/resident", {"code": a["join_code"], "token": token})
    snap = again.of("snapshot")[0]
    assert [item["state"] for item in snap["help"]] == ["resolved"]
    assert snap["resident"] == {
        "id": checked["data"]["resident_id"],
        "name": "Aïcha",
        "present": True,
    }


async def test_walkins_escalation_announcement_and_check(controller: Controller) -> None:
    api = controller.api
    session_id, access = await api.live_session([ROOM_A, ROOM_B])
    a, b = access[ROOM_A], access[ROOM_B]
    fac_a = await controller.connect("/room", {"token": a["facilitator_token"]})
    screen_b = await controller.connect("/room", {"token": b["screen_token"]})
    console = await controller.connect(
        "/console", {"token": "test-admin-token-0123456789", "session": session_id}
    )
    for _ in range(2):
        added = await api.post(
            f"/api/rooms/{ROOM_A}/walkins",
            {"client_id": cid(), "delta": 1},
            token=a["facilitator_token"],
        )
        assert added.status == 200
    removed = await fac_a.call("walkins", {"client_id": cid(), "delta": -1})
    assert removed["data"]["walkins"] == 1
    assert removed["data"]["present"] == 1

    ask = await api.post(
        f"/api/join/{a['join_code']}/help",
        {"client_id": cid(), "kind": "question", "text": "Où est la pièce jointe ?"},
        token=None,
    )
    assert ask.status == 201
    request_id = ask.body["id"]
    assert ask.body["resident_token"].startswith("R.")
    escalated = await api.post(f"/api/help/{request_id}/escalate", token=a["facilitator_token"])
    assert escalated.body["state"] == "escalated"
    to_console = await console.wait_for("help_escalated")
    assert to_console["request"]["text"] == "Où est la pièce jointe ?"
    answered = await console.call(
        "answer", {"client_id": cid(), "request_id": request_id, "answer": "En bas, le trombone."}
    )
    assert answered["ok"] is True
    assert answered["data"]["answer"] == "En bas, le trombone."

    sent = await api.post(
        f"/api/sessions/{session_id}/announcements",
        {"client_id": cid(), "text": "Pause de 5 minutes"},
    )
    assert sent.status == 201
    heard = await screen_b.wait_for("announcement_sent")
    assert heard["text"] == "Pause de 5 minutes"

    launched = await console.call(
        "launch_check", {"client_id": cid(), "options": ["Oui", "Pas encore", "Je ne sais pas"]}
    )
    check_id = launched["data"]["id"]
    assert launched["data"]["question"] == "Tout le monde a réussi ?"
    resident = await controller.connect("/resident", {"code": b["join_code"]})
    await resident.call("checkin", {"client_id": cid()})
    first = await resident.call(
        "answer_check", {"client_id": cid(), "check_id": check_id, "option": 1}
    )
    assert first["ok"] is True
    changed = await resident.call(
        "answer_check", {"client_id": cid(), "check_id": check_id, "option": 0}
    )
    assert changed["ok"] is True
    tally = await console.wait_for(
        "console_update",
        lambda u: any(
            c["id"] == check_id and c["tallies"][ROOM_B] == [1, 0, 0] for c in u["checks"]
        ),
    )
    assert tally["checks"][0]["tallies"][ROOM_A] == [0, 0, 0]
    closed = await api.post(f"/api/checks/{check_id}/close")
    assert closed.body["open"] is False
    late = await resident.call(
        "answer_check", {"client_id": cid(), "check_id": check_id, "option": 1}
    )
    assert late == {
        "ok": False,
        "error": {"code": "check_closed", "message": "this check is closed"},
    }

    view = (await api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM_A]["present"] == 2  # one walk-in, one anonymous asker
    assert view["rooms"][ROOM_A]["help_open"] == 0  # answered leaves the queue
    assert [e["state"] for e in view["escalations"]] == ["answered"]
    ended = await api.post(f"/api/sessions/{session_id}/end")
    assert ended.body["state"] == "ended"
    await screen_b.wait_for("session_ended")
