"""The room screen plays a real HLS stream (ffmpeg, tests/livehls.py) in Chromium through
hls.js, reports ``playing``, and comes back by itself after the controller restarts; an
action made while the controller is down is sent once it is back, and counts once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from tests.e2e.conftest import PHONE, PROJECTOR, TABLET, Browsers, Live, Tab, screenshot
from tests.helpers import Api
from tests.livehls import live_hls
from tests.process import Servers

ROOM = "cs-lille-sud"


@pytest.fixture
async def stream(tmp_path: Path) -> AsyncIterator[str]:
    """ffmpeg's live HLS, served like the ingest serves it: with CORS headers, since the
    screen page (the controller's origin) fetches it with hls.js (see nginx_conf.py)."""
    async with live_hls(tmp_path / "hls") as live:
        app = web.Application()
        app.on_response_prepare.append(_cors)
        app.router.add_static("/live", live.folder)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        try:
            yield str(server.make_url("/live/stream.m3u8"))
        finally:
            await server.close()


async def _cors(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"


async def _room(api: Api, session_id: str, within: float = 40.0) -> dict[str, Any]:
    """The room's tile once its screen reports playing (asked again until then)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        view = (await api.get(f"/api/sessions/{session_id}")).body
        tile = dict(view["rooms"][ROOM])
        if tile["screen"] == "playing" or asyncio.get_running_loop().time() > deadline:
            return tile
        await asyncio.sleep(0.2)


async def _video_advances(screen: Tab, within: float = 15.0) -> None:
    """The <video> really plays: its clock moves forward by more than a second. (Polled
    with evaluate: the page's CSP forbids the eval behind wait_for_function.)"""
    clock = "document.querySelector('video.media')?.currentTime ?? -1"
    loop = asyncio.get_running_loop()
    start, deadline = await screen.page.evaluate(clock), loop.time() + within
    while (now := await screen.page.evaluate(clock)) <= start + 1:
        assert loop.time() < deadline, f"the video did not advance ({start} → {now})"
        await asyncio.sleep(0.25)


@pytest.mark.timeout(150)
async def test_screen_plays_hls_and_recovers_after_a_controller_restart(
    controller: Live, browsers: Browsers, servers: Servers, stream: str, tmp_path: Path
) -> None:
    api = controller.api
    session = await api.new_session([ROOM], source={"kind": "external", "url": stream})
    session_id = session["id"]
    assert (await api.post(f"/api/sessions/{session_id}/start")).status == 200
    access = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"][ROOM]
    screen = await browsers.open(access["screen_url"], PROJECTOR)
    room = await browsers.open(access["facilitator_url"], TABLET)
    corner = screen.page.locator(".corner")
    await expect(corner).to_have_attribute("data-state", "waiting")

    started = await api.post(f"/api/sessions/{session_id}/broadcast/start")
    assert started.status == 202
    await expect(corner).to_have_attribute("data-state", "playing", timeout=30000)
    await _video_advances(screen)
    tile = await _room(api, session_id)
    assert (tile["screen"], tile["dispatch"]) == ("playing", "playing")
    await expect(room.page.locator("#screen-title + p .badge")).to_have_text(
        "lecture en cours", timeout=15000
    )
    await screenshot(screen, "screen-playing")

    # The controller stops; a resident asks for help meanwhile (the page queues it).
    phone = await browsers.open(access["join_url"], PHONE, is_mobile=True, has_touch=True)
    await expect(phone.page.get_by_role("button", name="J'ai besoin d'aide")).to_be_visible()
    port = controller.served.port
    controller.served.process.terminate()
    assert await controller.served.process.wait() == 0
    await expect(phone.page.locator(".offline-banner")).to_contain_text("Connexion perdue")
    await expect(screen.page.locator(".offline-banner")).to_be_visible()
    await phone.page.get_by_role("button", name="J'ai besoin d'aide").click()
    await phone.page.get_by_role("button", name="Je suis perdu·e").click()
    await expect(phone.page.get_by_text("Votre demande partira toute seule.")).to_be_visible()
    await _video_advances(screen)  # the stream does not depend on the controller

    # A new controller on the same port and database: everything comes back by itself.
    await servers.start(tmp_path / "simulcast.db", port=port)
    await expect(phone.page.get_by_role("heading", name="Votre demande est envoyée")).to_be_visible(
        timeout=15000
    )
    await expect(room.page.locator(".request")).to_have_count(1, timeout=15000)
    await expect(screen.page.locator(".offline-banner")).to_be_hidden(timeout=15000)
    tile = await _room(api, session_id)
    assert (tile["screen"], tile["dispatch"]) == ("playing", "playing")
    await expect(corner).to_have_text(re.compile("^en ligne · lecture en cours$"), timeout=15000)
    await _video_advances(screen)
    view = (await api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM]["help_total"] == 1  # sent again after the restart, counted once

    # Stopping the broadcast brings the screen back to its waiting card.
    assert (await api.post(f"/api/sessions/{session_id}/broadcast/stop")).status == 202
    await expect(corner).to_have_attribute("data-state", "waiting", timeout=15000)
    await expect(screen.page.locator(".join-code")).to_be_visible()
