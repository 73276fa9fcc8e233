"""Dispatch to room screens, with real socket.io screen clients and a real HLS stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Controller
from tests.helpers import ADMIN, Recorder, cid, view_until
from tests.livehls import LiveHls, live_hls

ROOMS = ["cs-lille-sud", "cyber-loos", "mediatheque-ronchin"]


@pytest.fixture
async def stream(tmp_path: Path) -> AsyncIterator[LiveHls]:
    async with live_hls(tmp_path / "hls") as live:
        yield live


async def _session(controller: Controller, url: str) -> tuple[str, dict[str, Any]]:
    api = controller.api
    session = await api.new_session(ROOMS, source={"kind": "external", "url": url})
    await api.post(f"/api/sessions/{session['id']}/start")
    access = (await api.get(f"/api/sessions/{session['id']}/access")).body["rooms"]
    return session["id"], access


async def _playing(screen: Recorder) -> dict[str, Any]:
    """What a real player does: on ``play``, report loading then playing."""
    play = await screen.wait_for("play")
    assert (await screen.call("screen_state", {"state": "loading"}))["ok"] is True
    assert (await screen.call("screen_state", {"state": "playing"}))["ok"] is True
    return dict(play)


async def _room_state(controller: Controller, session_id: str, site: str) -> dict[str, Any]:
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    return dict(view["rooms"][site])


async def _until(controller: Controller, session_id: str, check: Any, within: float = 10) -> Any:
    """The session view once ``check(view)`` holds, followed through a console of its own."""
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    view = await view_until(controller.api, console, session_id, check, within)
    await console.close()
    return view


async def test_start_dispatches_play_to_every_screen_and_follows_acks(
    start_controller: Any, stream: LiveHls
) -> None:
    controller = await start_controller(dispatch_retry=5)
    session_id, access = await _session(controller, stream.url)
    facilitator = await controller.connect(
        "/room", {"token": access[ROOMS[0]]["facilitator_token"]}
    )
    screens = {
        site: await controller.connect("/room", {"token": access[site]["screen_token"]})
        for site in ROOMS[:2]
    }
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    await facilitator.wait_for("screen_online")
    started = await controller.api.post(
        f"/api/sessions/{session_id}/broadcast/start", {"client_id": cid()}
    )
    assert started.status == 202
    assert started.body["broadcast"]["state"] in ("starting", "live")
    plays = {site: await _playing(screen) for site, screen in screens.items()}
    for play in plays.values():
        assert play == {
            "session_id": session_id,
            "kind": "external",
            "url": stream.url,
            "embed": "hls",
            "attempt": 1,
        }
    await console.wait_for("broadcast_live")
    view = await _until(
        controller,
        session_id,
        lambda v: [v["rooms"][s]["dispatch"] for s in ROOMS] == ["playing", "playing", "offline"],
    )
    assert view["broadcast"]["state"] == "live"
    assert view["broadcast"]["kind"] == "external"
    assert view["rooms"][ROOMS[0]]["screen"] == "playing"
    heard = [name for name in facilitator.names() if name.startswith(("screen_", "broadcast_"))]
    assert heard[:2] == ["screen_online", "broadcast_starting"]
    assert "screen_state_reported" in heard

    # A screen that comes online later is brought into the broadcast by itself.
    late = await controller.connect("/room", {"token": access[ROOMS[2]]["screen_token"]})
    assert (await _playing(late))["url"] == stream.url
    await _until(controller, session_id, lambda v: v["rooms"][ROOMS[2]]["dispatch"] == "playing")

    # One that drops and reconnects plays again.
    await screens[ROOMS[1]].close()
    await _until(controller, session_id, lambda v: v["rooms"][ROOMS[1]]["dispatch"] == "offline")
    back = await controller.connect("/room", {"token": access[ROOMS[1]]["screen_token"]})
    await _playing(back)
    await _until(controller, session_id, lambda v: v["rooms"][ROOMS[1]]["dispatch"] == "playing")

    stopped = await controller.api.post(f"/api/sessions/{session_id}/broadcast/stop")
    assert stopped.status == 202
    for screen in (screens[ROOMS[0]], late, back):
        assert (await screen.wait_for("stop")) == {"session_id": session_id, "reason": None}
    view = await _until(controller, session_id, lambda v: v["broadcast"]["state"] == "stopped")
    assert [view["rooms"][s]["dispatch"] for s in ROOMS] == [None, None, None]


async def test_a_silent_screen_gets_play_again_then_is_marked_failed(
    start_controller: Any, stream: LiveHls
) -> None:
    controller = await start_controller(dispatch_retry=0.2)
    session_id, access = await _session(controller, stream.url)
    mute = await controller.connect("/room", {"token": access[ROOMS[0]]["screen_token"]})
    await controller.api.post(f"/api/sessions/{session_id}/broadcast/start")
    await mute.wait_for("play", lambda p: p["attempt"] == 3)
    view = await _until(
        controller, session_id, lambda v: v["rooms"][ROOMS[0]]["dispatch"] == "failed"
    )
    assert view["rooms"][ROOMS[0]]["dispatch_detail"] == "no screen reported playing after 5 tries"
    attempts = [play["attempt"] for play in mute.of("play")]
    assert attempts == list(range(1, len(attempts) + 1))
    # It answers at last: the room is playing.
    await mute.call("screen_state", {"state": "playing"})
    await _until(controller, session_id, lambda v: v["rooms"][ROOMS[0]]["dispatch"] == "playing")


async def test_a_screen_without_heartbeat_goes_offline(start_controller: Any) -> None:
    controller = await start_controller(screen_timeout=2)
    _session_id, access = await controller.api.live_session(ROOMS[:1])
    facilitator = await controller.connect(
        "/room", {"token": access[ROOMS[0]]["facilitator_token"]}
    )
    screen = await controller.connect("/room", {"token": access[ROOMS[0]]["screen_token"]})
    await facilitator.wait_for("screen_online")
    offline = await facilitator.wait_for("screen_offline", within=10)
    assert offline["reason"] == "no heartbeat for 2 s"
    assert (await screen.call("heartbeat", {}))["ok"] is True
    await facilitator.wait_for("screen_online", lambda e: e["seq"] > offline["seq"])


async def test_a_dead_live_url_fails_the_start_with_the_reason(
    start_controller: Any, tmp_path: Path
) -> None:
    controller = await start_controller(broadcast_live_timeout=2)
    url = "http://127.0.0.1:9/live/nothing.m3u8"
    session_id, _ = await _session(controller, url)
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    await controller.api.post(f"/api/sessions/{session_id}/broadcast/start")
    failed = await console.wait_for("broadcast_failed")
    assert failed["reason"].startswith("the live URL does not serve a live stream: ")
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    assert view["broadcast"]["state"] == "failed"
    again = await controller.api.post(f"/api/sessions/{session_id}/broadcast/start")
    assert again.status == 202  # a failed broadcast can be started again


async def test_screen_actions_are_refused_to_facilitators_and_bad_states(
    controller: Controller,
) -> None:
    _, access = await controller.api.live_session(ROOMS[:1])
    facilitator = await controller.connect(
        "/room", {"token": access[ROOMS[0]]["facilitator_token"]}
    )
    refused = await facilitator.call("screen_state", {"state": "playing"})
    assert refused == {
        "ok": False,
        "error": {
            "code": "forbidden",
            "message": "only a room screen can do this",
        },
    }
    screen = await controller.connect("/room", {"token": access[ROOMS[0]]["screen_token"]})
    bad = await screen.call("screen_state", {"state": "dancing"})
    assert bad["error"]["code"] == "invalid_input"
    assert (await screen.call("claim", {"client_id": cid(), "request_id": "h123"}))["ok"] is False
