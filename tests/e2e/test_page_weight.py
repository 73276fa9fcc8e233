"""What the resident page costs on a weak connection, measured in Chromium: compressed bytes
on the wire, cached assets, and no video player code."""

from __future__ import annotations

from playwright.async_api import Response, expect

from tests.e2e.conftest import PHONE, Browsers, Live

ROOM = "cs-lille-sud"
BUDGET = 40 * 1024
"""Bytes the resident page may transfer before it works (HTML, CSS, JS; gzip)."""


async def test_resident_page_is_small_compressed_and_cached(
    controller: Live, browsers: Browsers
) -> None:
    _, access = await controller.api.live_session([ROOM])
    context = await browsers.browser.new_context(viewport=PHONE)
    page = await context.new_page()
    loaded: list[Response] = []
    page.on("response", lambda response: loaded.append(response))
    await page.goto(access[ROOM]["join_url"])
    await expect(page.get_by_role("button", name="J'ai besoin d'aide")).to_be_visible()

    files = [r for r in loaded if "/socket.io/" not in r.url and r.url.startswith(controller.base)]
    sizes = {r.url.removeprefix(controller.base): (await r.request.sizes()) for r in files}
    transferred = sum(size["responseBodySize"] for size in sizes.values())
    print(f"resident page: {len(files)} files, {transferred} bytes transferred (gzip)")
    assert transferred < BUDGET, sizes
    for response in files:
        headers = await response.all_headers()
        assert headers.get("content-encoding") == "gzip", response.url
        if "/assets/" in response.url:
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
        else:
            assert headers["cache-control"] == "no-cache"
    assert not any("hls" in r.url for r in files)
    assert await page.evaluate("typeof window.Hls") == "undefined"
    await context.close()
