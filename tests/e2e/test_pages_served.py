"""How the controller serves the built pages (simulcast/web/pages.py), seen over HTTP."""

from __future__ import annotations

import aiohttp

from tests.e2e.conftest import Live


async def test_pages_are_served_with_their_policies_and_home_leads_to_join(
    controller: Live, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{controller.base}/", allow_redirects=False) as home:
        assert (home.status, home.headers["Location"]) == (302, "/join")
    for path in ("/console", "/room/cs-lille-sud", "/screen/cs-lille-sud", "/join", "/join/ABC234"):
        async with http.get(controller.base + path) as page:
            assert page.status == 200, path
            assert page.headers["Content-Type"].startswith("text/html")
            assert page.headers["Cache-Control"] == "no-cache"
            assert page.headers["Referrer-Policy"] == "no-referrer"
            policy = page.headers["Content-Security-Policy"]
            # No Jitsi domain is configured here: no page may load scripts from elsewhere
            # (tests/integration/test_screen_policy.py covers the screen with one).
            assert "script-src 'self';" in policy, path
            assert ("media-src 'self' blob: http: https:" in policy) == path.startswith(
                "/screen/"
            ), path
            assert "frame-ancestors 'none'" in policy


async def test_only_built_assets_are_served(controller: Live, http: aiohttp.ClientSession) -> None:
    for path in ("/assets/nothing.js", "/assets/.hidden", "/assets/%2e%2e%2fjoin.html"):
        async with http.get(controller.base + path) as missing:
            assert missing.status == 404, path
            assert (await missing.json())["error"]["code"] == "not_found"
