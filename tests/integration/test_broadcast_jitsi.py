"""The Jitsi source end to end: tokens per role, screens dispatched, participants from a fake
Prosody speaking mod_muc_size's protocol."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from tests.fakes.prosody import FakeProsody
from tests.helpers import ADMIN, cid

ROOMS = ["cs-lille-sud", "cyber-loos"]
SECRET = "0123456789abcdef0123456789abcdef-test-secret"
DOMAIN = "meet.example.org"


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi"))


async def test_jitsi_session_dispatches_tokened_links_and_counts_participants(
    start_controller: Any,
) -> None:
    async with FakeProsody(domain=DOMAIN) as prosody:
        controller = await start_controller(
            jitsi_app_id="simulcast",
            jitsi_app_secret=SECRET,
            jitsi_room_size_url=prosody.url,
        )
        api = controller.api
        session = await api.new_session(
            ROOMS, title="Visio : les bases", source={"kind": "jitsi", "domain": DOMAIN}
        )
        sid = session["id"]
        await api.post(f"/api/sessions/{sid}/start")
        access = (await api.get(f"/api/sessions/{sid}/access")).body
        room = access["jitsi"]["room"]
        assert room.startswith("visio-les-bases-")
        prosody.set_participants(room, 3)

        screen = await controller.connect(
            "/room", {"token": access["rooms"][ROOMS[0]]["screen_token"]}
        )
        console = await controller.connect("/console", {"token": ADMIN, "session": sid})
        started = await api.post(f"/api/sessions/{sid}/broadcast/start", {"client_id": cid()})
        assert started.status == 202
        play = await screen.wait_for("play")
        assert {key: play[key] for key in ("kind", "domain", "room", "attempt")} == {
            "kind": "jitsi",
            "domain": DOMAIN,
            "room": room,
            "attempt": 1,
        }
        assert play["url"] == f"https://{DOMAIN}/{room}?jwt={play['jwt']}"

        screen_claims = _claims(play["jwt"])
        now = time.time()
        assert screen_claims["iss"] == "simulcast"
        assert screen_claims["aud"] == "jitsi"
        assert screen_claims["sub"] == DOMAIN
        assert screen_claims["room"] == room
        assert screen_claims["nbf"] <= now < screen_claims["exp"]
        assert screen_claims["moderator"] is False
        user = screen_claims["context"]["user"]
        assert user["role"] == "visitor"
        assert user["id"] == f"screen-{ROOMS[0]}"
        assert all(isinstance(value, str) for value in user.values())
        assert screen_claims["context"]["group"] == sid

        mediator = _claims(parse_qs(urlsplit(access["jitsi"]["mediator_url"]).query)["jwt"][0])
        assert mediator["context"]["user"]["affiliation"] == "owner"
        assert mediator["moderator"] is True
        facilitator_url = access["jitsi"]["facilitator_urls"][ROOMS[1]]
        facilitator = _claims(parse_qs(urlsplit(facilitator_url).query)["jwt"][0])
        assert (facilitator["moderator"], facilitator["context"]["user"]["affiliation"]) == (
            True,
            "member",
        )

        health = await console.wait_for("broadcast_health", lambda h: h.get("participants") == 3)
        assert health["rooms"][ROOMS[0]]["screen"] in ("waiting", "loading", "playing")
        assert prosody.count(room) >= 1
        await screen.call("screen_state", {"state": "playing"})
        view = (await api.get(f"/api/sessions/{sid}")).body
        assert view["broadcast"]["participants"] == 3
        assert view["broadcast"]["kind"] == "jitsi"

        prosody.remove_room(room)  # everyone left: mod_muc_size answers 404
        await console.wait_for(
            "broadcast_health", lambda h: h.get("participants") is None, within=20
        )


async def test_preflight_reports_an_unreachable_prosody(start_controller: Any) -> None:
    controller = await start_controller(jitsi_room_size_url="http://127.0.0.1:9")
    api = controller.api
    session = await api.new_session(ROOMS, source={"kind": "jitsi", "domain": DOMAIN})
    report = (await api.get(f"/api/sessions/{session['id']}/preflight")).body
    assert report["source"] == "jitsi"
    assert report["ready"] is False
    assert report["jitsi"]["tokens"] is False
    assert report["jitsi"]["participants"] is None
    assert "unreachable" in report["jitsi"]["jitsi_error"]
    assert report["screens"] == {
        site: {"online": False, "state": "offline", "last_seen_s": None} for site in ROOMS
    }
