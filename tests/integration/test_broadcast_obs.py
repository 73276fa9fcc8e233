"""The OBS source against a REAL OBS Studio (under Xvfb) and a real nginx-rtmp ingest."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from simulcast.integrations.ingest.hls import HlsProbe
from simulcast.integrations.obs.client import ObsClient
from tests.conftest import Controller
from tests.helpers import ADMIN, Recorder, cid, view_until
from tests.realobs import RealObs

pytestmark = pytest.mark.xdist_group("real_obs")  # one real OBS, on one worker

ROOMS = ["cs-lille-sud", "cyber-loos", "mediatheque-ronchin"]


@pytest.fixture
async def obs_controller(start_controller: Any, real_obs: RealObs) -> AsyncIterator[Controller]:
    real_obs.ensure_running()
    controller = await start_controller(
        obs_url=real_obs.ws_url,
        obs_password=real_obs.password,
        ingest_rtmp_url=real_obs.rtmp_server,
        ingest_hls_url=real_obs.hls_url("{key}"),
        dispatch_retry=2,
    )
    yield controller
    # Leave OBS as we found it for the next test: not streaming.
    with contextlib.suppress(Exception):
        client = ObsClient(real_obs.ws_url, real_obs.password)
        await client.connect()
        await client.stop_stream()
        await client.close()
    real_obs.ensure_running()


async def _view(controller: Controller, session_id: str) -> dict[str, Any]:
    return dict((await controller.api.get(f"/api/sessions/{session_id}")).body)


async def _until(
    console: Recorder, controller: Controller, session_id: str, check: Any, within: float = 20
) -> dict[str, Any]:
    return dict(await view_until(controller.api, console, session_id, check, within))


async def _play(screen: Recorder, attempt_after: int = 0) -> dict[str, Any]:
    play = await screen.wait_for(
        "play", lambda p: p["attempt"] > 0 and len(screen.of("play")) > attempt_after, within=30
    )
    await screen.call("screen_state", {"state": "loading"})
    await screen.call("screen_state", {"state": "playing"})
    return dict(play)


async def test_obs_broadcast_start_switch_crash_recover_stop(
    obs_controller: Controller,
    real_obs: RealObs,
) -> None:
    controller = obs_controller
    api = controller.api
    session_id, access = await api.live_session(ROOMS)
    screens = [
        await controller.connect("/room", {"token": access[site]["screen_token"]})
        for site in ROOMS[:2]
    ]
    facilitator = await controller.connect(
        "/room", {"token": access[ROOMS[0]]["facilitator_token"]}
    )
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})

    # Preflight: OBS reachable with its version and scene, the ingest, the screens.
    preflight = (await api.get(f"/api/sessions/{session_id}/preflight")).body
    assert preflight["source"] == "obs"
    assert preflight["ready"] is True
    assert preflight["obs"]["reachable"] is True
    assert real_obs.obs_version.startswith(preflight["obs"]["version"])  # 29.0.2 of 29.0.2.1-1
    assert preflight["obs"]["scene"] == "Main"
    assert set(preflight["obs"]["scenes"]) >= {"Main", "Pause", "Motion"}
    assert preflight["ingest"]["reachable"] is True
    assert {site: s["online"] for site, s in preflight["screens"].items()} == {
        ROOMS[0]: True,
        ROOMS[1]: True,
        ROOMS[2]: False,
    }

    # Start: OBS configured towards the ingest, streaming, HLS served and advancing.
    started = await api.post(f"/api/sessions/{session_id}/broadcast/start", {"client_id": cid()})
    assert started.status == 202
    live = await console.wait_for("broadcast_live", within=40)
    hls_url = real_obs.hls_url(session_id)
    assert (live["kind"], live["url"]) == ("hls", hls_url)
    for screen in screens:
        assert {k: v for k, v in (await _play(screen)).items() if k != "attempt"} == {
            "session_id": session_id,
            "kind": "hls",
            "url": hls_url,
        }
    async with aiohttp.ClientSession() as http:
        playlist = await HlsProbe(http).wait_live(hls_url, timeout=15)
        assert playlist.segments
    view = await _until(
        console,
        controller,
        session_id,
        lambda v: (
            v["broadcast"]["obs"]["streaming"]
            and [v["rooms"][s]["dispatch"] for s in ROOMS] == ["playing", "playing", "offline"]
        ),
    )
    assert view["broadcast"]["state"] == "live"
    assert view["broadcast"]["ingest_live"] is True
    view = await _until(
        console, controller, session_id, lambda v: (v["broadcast"]["obs"]["bitrate_kbps"] or 0) > 0
    )
    assert view["broadcast"]["obs"]["connected"] is True

    # A late screen joins the live broadcast by itself.
    late = await controller.connect("/room", {"token": access[ROOMS[2]]["screen_token"]})
    assert (await _play(late))["url"] == hls_url

    # Scene switch (the pause scene), checked in OBS itself.
    switched = await api.post(f"/api/sessions/{session_id}/broadcast/scene", {"scene": "Pause"})
    assert switched.body == {"scene": "Pause"}
    checker = ObsClient(real_obs.ws_url, real_obs.password)
    await checker.connect()
    assert await checker.current_scene() == "Pause"
    await checker.close()
    unknown = await api.post(f"/api/sessions/{session_id}/broadcast/scene", {"scene": "Nope"})
    assert unknown.status == 502
    assert unknown.body["error"]["code"] == "obs_request_failed"

    # OBS crashes: the console says so within seconds; help still flows to the facilitator.
    real_obs.kill_obs()
    lost = await console.wait_for("obs_lost", within=15)
    assert lost["reason"]
    failed = await console.wait_for("broadcast_failed", within=15)
    assert failed["reason"].startswith("OBS is no longer streaming")
    resident = await controller.connect("/resident", {"code": access[ROOMS[0]]["join_code"]})
    asked = await resident.call("help", {"client_id": cid(), "kind": "tech", "seat": "2"})
    assert asked["ok"] is True
    heard = await facilitator.wait_for("help_requested")
    assert heard["request_id"] == asked["data"]["id"]
    for screen in (*screens, late):
        await screen.wait_for("stop")

    # OBS is back: the mediator starts again and the screens resume.
    real_obs.start_obs_again()
    await _until(console, controller, session_id, lambda v: v["broadcast"]["state"] == "failed")
    again = await api.post(f"/api/sessions/{session_id}/broadcast/start", {"client_id": cid()})
    assert again.status == 202
    await console.wait_for("broadcast_live", lambda e: e["seq"] > failed["seq"], within=40)
    await console.wait_for("obs_back", within=15)
    for screen in (*screens, late):
        await _play(screen, attempt_after=1)
    await _until(
        console,
        controller,
        session_id,
        lambda v: all(v["rooms"][s]["dispatch"] == "playing" for s in ROOMS),
    )

    # Stop: the stream stops in OBS, screens go back to waiting, events record it all.
    await api.post(f"/api/sessions/{session_id}/broadcast/stop")
    await console.wait_for("broadcast_stopped", within=20)
    checker = ObsClient(real_obs.ws_url, real_obs.password)
    await checker.connect()
    assert (await checker.stream_status()).active is False
    await checker.close()
    for screen in (*screens, late):
        assert len(screen.of("stop")) == 2
    types = [name for name in console.names() if name.startswith(("broadcast_", "obs_"))]
    assert types.count("broadcast_live") == 2
    assert "broadcast_health_sampled" in types


async def test_start_with_obs_unreachable_fails_with_the_reason(start_controller: Any) -> None:
    controller = await start_controller(obs_url="ws://127.0.0.1:9", broadcast_live_timeout=3)
    session_id, _ = await controller.api.live_session(ROOMS[:1])
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    preflight = (await controller.api.get(f"/api/sessions/{session_id}/preflight")).body
    assert preflight["ready"] is False
    assert preflight["obs"]["reachable"] is False
    assert preflight["obs"]["error"]
    await controller.api.post(f"/api/sessions/{session_id}/broadcast/start")
    failed = await console.wait_for("broadcast_failed", within=15)
    assert failed["reason"] == preflight["obs"]["error"]


async def test_ingest_drop_shows_reconnecting_and_the_broadcast_survives(
    obs_controller: Controller,
    real_obs: RealObs,
) -> None:
    controller = obs_controller
    api = controller.api
    session_id, _ = await api.live_session(ROOMS[:1])
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    await api.post(f"/api/sessions/{session_id}/broadcast/start")
    await console.wait_for("broadcast_live", within=40)
    real_obs.stop_nginx()
    try:
        dropped = await console.wait_for(
            "broadcast_health",
            lambda h: h["obs"].get("reconnecting") is True and h["ingest_live"] is False,
            within=20,
        )
        assert dropped["obs"]["connected"] is True
    finally:
        real_obs.start_nginx()
    back = await console.wait_for(
        "broadcast_health",
        lambda h: (
            h["obs"].get("streaming")
            and not h["obs"].get("reconnecting")
            and h["ingest_live"] is True
        ),
        within=30,
    )
    assert back["obs"]["connected"] is True
    view = await _view(controller, session_id)
    assert view["broadcast"]["state"] == "live"  # a reconnect is not a failure
    assert "broadcast_failed" not in console.names()
