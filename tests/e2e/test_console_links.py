"""Handing out a session: the console's links panel (room names, join addresses, copy one or
all, send to the facilitators of rooms.yaml, a printable A4 sheet with each room's code and
QR code), and the new-session form (a wide form, a room filter, tick / untick, the source's
fields only, the start time in the territory's zone whatever the laptop's)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, Browsers, Live, screenshot

ROOM_A, ROOM_B = "cs-lille-sud", "cyber-loos"
NAMES = {ROOM_A: "Centre social des Glycines", ROOM_B: "Espace numérique de la Gare"}


async def test_links_panel_copies_sends_and_prints_every_room(
    controller: Live, browsers: Browsers
) -> None:
    session_id, access = await controller.api.live_session([ROOM_A, ROOM_B])
    console = await browsers.open(
        f"{controller.base}/console",
        LAPTOP,
        admin=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    await page.get_by_text("Codes et liens des salles").click()
    rooms = page.locator(".links > li")
    await expect(rooms).to_have_count(2)
    for site, name in NAMES.items():
        room = page.locator(f'.links > li[data-site="{site}"]')
        await expect(room.locator("h3")).to_contain_text(name)
        await expect(room.locator(".code")).to_have_text(access[site]["join_code_display"])
        await expect(room.get_by_role("link", name=access[site]["join_url"])).to_be_visible()

    # One link, then all of them, to the clipboard.
    glycines = page.locator(f'.links > li[data-site="{ROOM_A}"]')
    await glycines.get_by_role(
        "button", name=f"Copier le lien d'animation de {NAMES[ROOM_A]}"
    ).click()
    await expect(page.get_by_role("status").filter(has_text="Copié")).to_have_text(
        f"Copié : le lien d'animation de {NAMES[ROOM_A]}."
    )
    assert (
        await page.evaluate("navigator.clipboard.readText()") == access[ROOM_A]["facilitator_url"]
    )
    await page.get_by_role("button", name="Copier tous les liens").click()
    everything = await page.evaluate("navigator.clipboard.readText()")
    for site, name in NAMES.items():
        for value in (
            name,
            access[site]["join_code_display"],
            access[site]["join_url"],
            access[site]["facilitator_url"],
            access[site]["screen_url"],
        ):
            assert value in everything, value

    # Sent to the facilitators of rooms.yaml: an e-mail and an SMS with the link in them.
    mail = glycines.get_by_role("link", name="E-mail à Yasmine Benali")
    href = urlsplit(await mail.get_attribute("href") or "")
    assert (href.scheme, unquote(href.path)) == ("mailto", "yasmine.benali@example.org")
    assert access[ROOM_A]["facilitator_url"] in parse_qs(href.query)["body"][0]
    sms = page.locator(f'.links > li[data-site="{ROOM_B}"]').get_by_role(
        "link", name="SMS à Nadia Boulanger"
    )
    sms_href = await sms.get_attribute("href") or ""
    assert sms_href.startswith("sms:+33699990701?body=")
    assert access[ROOM_B]["facilitator_url"] in unquote(sms_href)
    await screenshot(console, "console-links")

    # The printable sheet: each room's name, code and QR code, on paper only.
    # A function: Playwright calls the value of a string that evaluates to a function, so an
    # assignment of an arrow function here would count one print before the click.
    await page.evaluate(
        "() => { window.print = () => { window.printed = (window.printed || 0) + 1 } }"
    )
    await page.get_by_role("button", name="Imprimer la fiche des codes (avec QR codes)").click()
    await page.wait_for_function("() => window.printed === 1")
    sheet = page.locator(".print-sheet")
    await expect(sheet).to_be_hidden()
    await page.emulate_media(media="print")
    await expect(sheet).to_be_visible()
    await expect(page.locator("#app")).to_be_hidden()
    for site, name in NAMES.items():
        room = sheet.locator(f'.sheet-room[data-site="{site}"]')
        await expect(room.locator("h2")).to_have_text(name)
        await expect(room.locator(".sheet-code")).to_have_text(access[site]["join_code_display"])
        qr = room.get_by_role("img", name="QR code pour rejoindre l'atelier")
        await expect(qr).to_be_visible()
        box = await qr.bounding_box()
        assert box is not None
        assert box["width"] > 250, box  # 85 mm at 96 dpi ≈ 321 px
    pdf = await page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # two rooms, one A4 page
    await page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    await screenshot(console, "links-sheet")
    await page.emulate_media(media="screen")
    await expect(sheet).to_be_hidden()
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    assert view["state"] == "live"


async def test_new_session_form_is_wide_filters_rooms_and_keeps_the_territory_time(
    controller: Live, browsers: Browsers
) -> None:
    console = await browsers.open(
        f"{controller.base}/console", LAPTOP, admin=True, timezone_id="UTC"
    )
    page = console.page
    await page.get_by_role("button", name="Nouvelle session").click()
    form = page.locator(".create-form")
    await expect(page.get_by_role("heading", name="Nouvelle session")).to_be_focused()
    box = await form.bounding_box()
    assert box is not None
    assert box["width"] > 700, box

    # Only the chosen source's fields.
    address = page.get_by_label("Adresse du direct")
    jitsi = page.get_by_label(re.compile("^Serveur Jitsi"))
    await expect(address).to_be_hidden()
    await expect(jitsi).to_be_hidden()
    await page.get_by_label("Source de la diffusion").select_option("external")
    await expect(address).to_be_visible()
    await expect(jitsi).to_be_hidden()
    await page.get_by_label("Source de la diffusion").select_option("obs")
    await expect(address).to_be_hidden()

    # Rooms: none, a filter, tick what the filter shows.
    count = page.locator("#new-rooms-count")
    await expect(count).to_have_text("10 salles choisies sur 10")
    await page.get_by_role("button", name="Tout décocher").click()
    await expect(count).to_have_text("0 salle choisie sur 10")
    await page.get_by_label("Filtrer les salles (nom ou commune)").fill("loos")
    await expect(page.locator(".rooms-list label:visible")).to_have_count(1)
    await page.get_by_role("button", name="Cocher les salles affichées").click()
    await expect(count).to_have_text("1 salle choisie sur 10")
    await page.get_by_label("Filtrer les salles (nom ou commune)").fill("")
    await expect(page.locator(".rooms-list label:visible")).to_have_count(10)
    await screenshot(console, "console-new-session")

    # 14:00 typed on a laptop set to UTC is 14:00 in the territory (Europe/Paris).
    await page.get_by_label("Titre").fill("Naviguer sur internet")
    await page.get_by_label("Début").fill("2026-12-01T14:00")
    await page.get_by_role("button", name="Créer la session").click()
    head = page.locator(".session-head")
    await expect(head.get_by_role("heading")).to_have_text("Naviguer sur internet")
    await expect(head).to_contain_text("14:00")
    await expect(head).to_contain_text("heure du territoire (Paris, UTC+1)")
    await expect(page.locator(".sessions")).to_contain_text("14:00")
    sessions = (await controller.api.get("/api/sessions")).body
    assert [(s["rooms"].keys() and list(s["rooms"]), s["starts_at"]) for s in sessions] == [
        ([ROOM_B], "2026-12-01T14:00:00+01:00")
    ]
