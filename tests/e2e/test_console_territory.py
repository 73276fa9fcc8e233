"""The session console with a territory of 60 rooms on a 1440×900 laptop: small tiles, five
or more a row, rooms needing attention first, each opening on its full tile, with the mouse
or the keyboard, while live updates go on."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, Browsers, Live, screenshot
from tests.e2e.territory import HELP, PROBLEMS, ROOMS, busy_territory, site
from tests.helpers import cid


@pytest.mark.timeout(120)
async def test_sixty_rooms_read_at_a_glance_on_a_laptop(
    territory_controller: Live, browsers: Browsers
) -> None:
    controller = territory_controller
    async with busy_territory(controller) as territory:
        console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
        page = console.page
        await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
        tiles = page.locator(".tiles > li")
        await expect(tiles).to_have_count(ROOMS)
        await expect(page.locator(".tile.mini")).to_have_count(ROOMS)
        await expect(page.get_by_role("button", name="Vue compacte")).to_have_attribute(
            "aria-pressed", "true"
        )
        await expect(page.locator(".tile.mini.level-3")).to_have_count(3)

        # Rooms needing attention first: the two problems and the screen in error, then the
        # rooms waiting for help, the one waiting longest first.
        order = await tiles.evaluate_all("items => items.map(li => li.dataset.site)")
        assert set(order[:3]) == {site(i) for i in PROBLEMS} | {site(13)}
        assert order[3 : 3 + len(HELP)] == [site(i) for i in HELP]

        # At least five tiles a row on the laptop, and the first rows visible without scrolling.
        tops = await tiles.evaluate_all(
            "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
        )
        assert tops.count(tops[0]) >= 5, tops
        assert sorted(set(tops))[2] < LAPTOP["height"], tops

        # What matters, at a glance, in words (never colour alone).
        noisy = page.locator(f'.tile[data-site="{site(8)}"]')
        await expect(noisy.locator("h3")).to_have_text("Espace numérique Jean-Jaurès")
        await expect(noisy.locator(".commune")).to_have_text("Armentières")
        await expect(noisy.locator('[data-field="problem"]')).to_have_text("Pas de son")
        await expect(noisy.locator('[data-field="screen"]')).to_have_text("Écran : hors ligne")
        await expect(noisy.locator('[data-field="dispatch"]')).to_have_text(
            "Diffusion : écran hors ligne"
        )
        waiting = page.locator(f'.tile[data-site="{site(40)}"]')
        await expect(waiting.get_by_role("button")).to_have_accessible_description(
            re.compile(
                r"^Croix Présent·es : 7 ?, aide en attente : 3 ?, la plus ancienne depuis "
                r"\d+ s Écran : hors ligne Diffusion : écran hors ligne$"
            )
        )
        playing = page.locator(f'.tile[data-site="{site(0)}"]')
        await expect(playing.locator('[data-field="screen"]')).to_contain_text("lecture en cours")
        await expect(playing.locator('[data-field="dispatch"]')).to_contain_text("reçue")
        failed = page.locator(f'.tile[data-site="{site(13)}"]')
        await expect(failed.locator('[data-field="dispatch"]')).to_contain_text("échec")
        await screenshot(console, "console-60")

        # The keyboard: Tab reaches the tiles, Enter opens the full tile, the arrows move.
        first = tiles.first.get_by_role("button")
        await first.focus()
        await page.keyboard.press("Enter")
        await expect(first).to_have_attribute("aria-expanded", "true")
        full = tiles.first.locator(".detail")
        await expect(full).to_be_visible()
        await expect(full).to_contain_text("Dernier signal")
        await page.keyboard.press("ArrowRight")
        await expect(tiles.nth(1).get_by_role("button")).to_be_focused()
        await page.keyboard.press("ArrowDown")
        focused_site = await page.evaluate("document.activeElement.closest('li').dataset.site")
        assert focused_site not in order[:3]

        # A room asks for help while a tile has the focus: it moves up, the focus stays.
        quiet = order[-1]
        code = territory.access[quiet]["join_code"]
        body = {"client_id": cid(), "kind": "tech"}
        assert (await controller.api.post(f"/api/join/{code}/help", body, token=None)).status == 201
        await expect(tiles.nth(3 + len(HELP))).to_have_attribute("data-site", quiet)
        assert (
            await page.evaluate("document.activeElement.closest('li').dataset.site") == focused_site
        )

        # Past the 60 tiles in one key press: the skip link leads to the passed-on questions.
        skip = page.get_by_role("link", name="Passer les 60 salles")
        await skip.focus()
        await expect(skip).to_be_visible()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="Questions transmises (0)")).to_be_focused()

        # The full tiles on demand, and back.
        await page.get_by_role("button", name="Vue compacte").click()
        await expect(page.locator(".tile.mini")).to_have_count(0)
        await expect(page.locator(".tiles > .tile")).to_have_count(ROOMS)
        await page.get_by_role("button", name="Vue compacte").click()
        await expect(page.locator(".tile.mini")).to_have_count(ROOMS)
