"""A resident asks for help: four browsers at once (console, room A dashboard, room A screen,
a resident's phone in room A) and room B's dashboard, against a real controller."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, Browsers, Live, screenshot

ROOM_A, ROOM_B = "cs-lille-sud", "cyber-loos"


async def test_help_request_reaches_its_room_only_and_every_page_follows_it(
    controller: Live, browsers: Browsers
) -> None:
    session_id, access = await controller.api.live_session([ROOM_A, ROOM_B])
    a, b = access[ROOM_A], access[ROOM_B]

    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    await console.page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    tile_a = console.page.locator(f'.tile[data-site="{ROOM_A}"]')
    await expect(tile_a.locator('[data-field="present"]')).to_have_text("0")
    room_a = await browsers.open(a["facilitator_url"], TABLET)
    room_b = await browsers.open(b["facilitator_url"], TABLET)
    screen_a = await browsers.open(a["screen_url"], PROJECTOR)
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)
    for room in (room_a, room_b):
        await expect(room.page.get_by_text("Aucune demande pour l'instant.")).to_be_visible()
    await expect(screen_a.page.locator(".join-code")).to_have_text(a["join_code_display"])
    qr = screen_a.page.get_by_role("img", name="QR code pour rejoindre l'atelier")
    await expect(qr).to_be_visible()
    await screenshot(screen_a, "screen-waiting")

    # The resident checks in with a first name.
    await phone.page.get_by_label("Votre prénom").fill("Awa")
    await phone.page.get_by_role("button", name="Je suis là").click()
    await expect(phone.page.get_by_role("heading", name="Bonjour Awa !")).to_be_visible()
    await expect(room_a.page.locator(".residents li strong")).to_have_text(["Awa"])
    await expect(tile_a.locator('[data-field="present"]')).to_have_text("1")

    # « J'ai besoin d'aide », seat 4: room A sees it within a second.
    await phone.page.get_by_role("button", name="J'ai besoin d'aide", exact=True).click()
    await phone.page.get_by_label("Votre numéro de place").fill("4")
    loop = asyncio.get_running_loop()
    pressed = loop.time()
    await phone.page.get_by_role("button", name="Problème technique").click()
    request = room_a.page.locator(".request")
    await expect(request).to_be_visible(timeout=1000)
    assert loop.time() - pressed < 1.0
    await expect(request.locator(".seat")).to_have_text("Place 4")
    await expect(request).to_contain_text("Problème technique")
    sent = phone.page.get_by_role("heading", name="Votre demande est envoyée")
    await expect(sent).to_be_visible()
    await expect(phone.page.get_by_text("Une personne va venir vous aider.")).to_be_visible()
    await expect(tile_a.locator('[data-field="help_open"]')).to_have_text(re.compile(r"^1 · "))
    await expect(tile_a).to_contain_text("Aide demandée")
    await screenshot(phone, "join")
    await screenshot(room_a, "room")
    await screenshot(console, "console")

    # The facilitator claims, then resolves; the resident's page follows.
    await request.get_by_role("button", name="Je m'en occupe").click()
    await expect(
        phone.page.get_by_text("Votre demande est prise en charge. Une personne arrive.")
    ).to_be_visible()
    await expect(request.locator(".badge")).to_have_text("prise en charge")
    await request.get_by_role("button", name="Résolu").click()
    await expect(phone.page.get_by_text("C'est résolu. Merci !")).to_be_visible()
    await expect(room_a.page.locator(".request")).to_have_count(0)
    await expect(tile_a.locator('[data-field="help_open"]')).to_have_text("0")
    await expect(console.page.locator(".total").nth(2)).to_contain_text("1")

    # Room B's dashboard is live (it gets the mediator's announcement) and never saw it.
    await console.page.get_by_label("Message", exact=True).fill("Pause de 5 minutes")
    await console.page.get_by_role("button", name="Envoyer à toutes les salles").click()
    await expect(room_b.page.locator(".announcements")).to_contain_text("Pause de 5 minutes")
    await expect(screen_a.page.locator(".announce-overlay")).to_contain_text("Pause de 5 minutes")
    await expect(room_b.page.locator(".request")).to_have_count(0)
    await expect(room_b.page.get_by_role("heading", name="Demandes d'aide (0)")).to_be_visible()
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM_B]["help_total"] == 0
    assert view["rooms"][ROOM_A]["help_total"] == 1
