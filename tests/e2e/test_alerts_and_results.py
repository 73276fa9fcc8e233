"""What waits for someone is counted in the tab's title (a soft chime is an opt-in), an answered
question no longer says how long it has waited, a closed check keeps its result (shares and
response rate), counts read as French does (« 1 personne présente »), and the phone's help
form keeps its choices in sight above the keyboard."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, TABLET, Browsers, Live, screenshot

ROOM = "cs-lille-sud"
ROOM_NAME = "Centre social des Glycines"


async def test_waiting_items_counted_in_titles_and_check_results_kept(
    controller: Live, browsers: Browsers
) -> None:
    _, access = await controller.api.live_session([ROOM])
    a = access[ROOM]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    room = await browsers.open(a["facilitator_url"], TABLET)
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)
    await expect(room.page).to_have_title(f"{ROOM_NAME} – Tableau de la salle")
    await expect(room.page.locator(".count")).to_have_text("0 personne présente")

    await phone.page.get_by_role("button", name="Je suis là").click()
    await expect(room.page.locator(".count")).to_have_text("1 personne présente")
    await expect(page.locator('.total[data-field="total_present"]')).to_have_text(
        "1personne présente"
    )

    # The sound is off until turned on, and the choice is kept.
    sound = room.page.get_by_role("button", name="Son des alertes :")
    await expect(sound).to_have_attribute("aria-pressed", "false")
    await sound.click()
    await expect(sound).to_have_attribute("aria-pressed", "true")
    await expect(sound).to_contain_text("activé")
    assert await room.page.evaluate("localStorage.getItem('simulcast.room.sound')") == "on"

    # The phone asks for help: the help form's choices stay above where the keyboard opens.
    await phone.page.get_by_role("button", name="J'ai besoin d'aide", exact=True).click()
    seat = phone.page.get_by_label("Votre numéro de place")
    await expect(seat).to_be_focused()
    kinds = phone.page.locator(".kinds .kind")
    first = await kinds.first.bounding_box()
    assert first is not None
    assert first["y"] + first["height"] <= PHONE["height"] - 300, first
    await seat.fill("7")
    await seat.press("Enter")
    await expect(kinds.first).to_be_focused()
    await phone.page.keyboard.press("Enter")
    await expect(room.page).to_have_title(f"(1) {ROOM_NAME} – Tableau de la salle")

    # Escalated to the console: counted in its title, then answered: no longer waiting.
    await room.page.get_by_role("button", name="Transmettre à l'intervenant·e").click()
    await room.page.get_by_role("button", name="Transmettre", exact=True).click()  # no note
    await expect(room.page).to_have_title(f"{ROOM_NAME} – Tableau de la salle")
    await expect(page).to_have_title("(1) Console de session")
    item = page.locator(".escalation")
    await expect(item).to_contain_text("attend depuis")
    await page.get_by_label("Votre réponse").fill("Je reprends ce point dans 2 minutes.")
    await page.get_by_role("button", name="Répondre").click()
    await expect(item).to_contain_text("réponse donnée")
    await expect(item).not_to_contain_text("attend depuis")
    await expect(page).to_have_title("Console de session")

    # A check: answered, closed, and its result stays with shares and the response rate.
    await page.get_by_role("button", name="Poser la question").click()
    await phone.page.get_by_role("button", name="Oui").click()
    await expect(phone.page.get_by_text("Merci ! Votre réponse est enregistrée.")).to_be_visible()
    await expect(page.locator(".check-result .rate")).to_have_text(
        "1 réponse · 100 % de la personne présente a répondu"
    )
    await page.get_by_role("button", name="Clore la question").click()
    result = page.locator(".check-result")
    await expect(result.locator("caption .badge")).to_have_text("terminée")
    await expect(result.locator("tr.all td").first).to_have_text("1100 %")
    await expect(result.locator(".rate")).to_have_text(
        "1 réponse · 100 % de la personne présente a répondu"
    )
    await expect(room.page.locator(".check-result .rate")).to_have_text(
        "1 réponse · 100 % de la personne présente a répondu"
    )
    await expect(room.page.locator(".check-result .badge")).to_have_text("terminée")
    await expect(phone.page.get_by_text("La question est finie. Merci !")).to_be_visible()
    await expect(phone.page.get_by_text("Votre réponse : Oui")).to_be_visible()
    await expect(phone.page.get_by_role("button", name="Non")).to_have_count(0)
    await screenshot(room, "room-check-result")
    await screenshot(console, "console-check-result")
