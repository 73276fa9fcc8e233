"""The resident page's information notice says how long first names and texts are kept:
the controller's --retention-days, from the resident snapshot, never a number of its own."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from playwright.async_api import expect

from tests.e2e.conftest import PHONE, Browsers
from tests.helpers import Api
from tests.process import Servers

ROOM = "cs-lille-sud"


async def test_the_notice_gives_the_retention_the_controller_was_started_with(
    servers: Servers, http: aiohttp.ClientSession, browsers: Browsers, tmp_path: Path
) -> None:
    served = await servers.start(tmp_path / "simulcast.db", "--retention-days", "45")
    api = Api(served.url, http)
    _, access = await api.live_session([ROOM])
    join_url = access[ROOM]["join_url"]
    snapshot = await api.get(f"/api/join/{access[ROOM]['join_code']}", token=None)
    assert snapshot.body["retention_days"] == 45

    for lang, title, kept in (
        ("fr", "Ce que nous gardons, et combien de temps", "Elles sont effacées 45 jours après"),
        ("en", "What we keep, and for how long", "It is deleted 45 days after"),
    ):
        phone = await browsers.open(join_url, PHONE, lang=lang, is_mobile=True)
        notice = phone.page.locator("details.notice")
        await notice.get_by_text(title).click()
        retention = notice.locator('[data-field="retention"]')
        await expect(retention).to_be_visible()
        await expect(retention).to_contain_text(kept)
        await expect(notice).not_to_contain_text("30")
