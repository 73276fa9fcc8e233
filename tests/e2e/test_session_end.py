"""A session from its start to its end as the four pages live it: the video can be started as
soon as the workshop is started (no reload), ending asks for a confirmation first, and after
the end every page says so in words and offers nothing that would fail."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, Browsers, Live, screenshot
from tests.helpers import cid
from tests.process import Servers

ROOM_A, ROOM_B = "cs-lille-sud", "cyber-loos"


async def test_video_can_start_right_after_the_workshop_starts(
    controller: Live, browsers: Browsers
) -> None:
    session = await controller.api.new_session([ROOM_A, ROOM_B])
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    video = page.get_by_role("button", name="Lancer la vidéo", exact=True)
    await expect(video).to_be_disabled()
    await expect(video).to_have_accessible_description(re.compile("^Commencez d'abord l'atelier"))

    await page.get_by_role("button", name="Commencer l'atelier").click()
    await expect(page.locator(".session-head .badge")).to_have_text("en cours")
    await expect(video).to_be_enabled()
    await expect(page.get_by_text("Commencez d'abord l'atelier")).to_have_count(0)
    view = (await controller.api.get(f"/api/sessions/{session['id']}")).body
    assert view["state"] == "live"


async def test_after_the_end_every_page_says_so_and_offers_nothing_that_fails(
    controller: Live, browsers: Browsers
) -> None:
    session_id, access = await controller.api.live_session([ROOM_A, ROOM_B])
    a = access[ROOM_A]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    room = await browsers.open(a["facilitator_url"], TABLET)
    screen = await browsers.open(a["screen_url"], PROJECTOR)
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)
    await phone.page.get_by_role("button", name="Je suis là").click()
    await expect(phone.page.get_by_role("heading", name="Bonjour !")).to_be_visible()
    help_button = phone.page.get_by_role("button", name="J'ai besoin d'aide", exact=True)
    await expect(help_button).to_be_visible()
    await expect(room.page.get_by_role("button", name=re.compile("^\\+1"))).to_be_visible()
    await expect(screen.page.locator(".join-code")).to_have_text(a["join_code_display"])

    # « Terminer l'atelier » asks first, in a modal dialog; « Non » keeps the workshop going.
    end = page.get_by_role("button", name="Terminer l'atelier", exact=True)
    await end.click()
    dialog = page.get_by_role("dialog", name="Terminer l'atelier dans les 2 salles ?")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_have_accessible_description(re.compile("ne pourront plus demander"))
    keep = dialog.get_by_role("button", name="Non, continuer l'atelier")
    await expect(keep).to_be_focused()
    await screenshot(console, "console-end-confirm")
    await keep.click()
    await expect(dialog).to_have_count(0)
    await expect(end).to_be_focused()
    state = (await controller.api.get(f"/api/sessions/{session_id}")).body["state"]
    assert state == "live"
    await end.click()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await end.click()
    await page.get_by_role("button", name="Oui, terminer pour les 2 salles").click()

    # The console: the end in words, no control left that the server would refuse.
    await expect(page.locator(".session-head .badge")).to_have_text("terminée")
    await expect(page.get_by_text("Atelier terminé. Les salles sont fermées")).to_be_visible()
    for name in (
        "Terminer l'atelier",
        "Lancer la vidéo",
        "Envoyer à toutes les salles",
        "Poser la question",
        "Vérifier avant de lancer la vidéo",
    ):
        await expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    await expect(page.get_by_label("Message", exact=True)).to_have_count(0)
    await screenshot(console, "console-ended")

    # The room dashboard.
    await expect(room.page.get_by_role("heading", name="L'atelier est terminé.")).to_be_visible()
    for pattern in ("^\\+1", "^−1", "Pas de son"):
        button = room.page.get_by_role("button", name=re.compile(pattern))
        await expect(button).to_have_count(0)
    await expect(room.page.get_by_text("Code :")).to_have_count(0)
    await screenshot(room, "room-ended")

    # The room screen: no code or QR code left to scan.
    await expect(screen.page.locator(".when")).to_have_text("L'atelier est terminé. Merci !")
    await expect(screen.page.locator(".join-code")).to_have_count(0)
    await expect(screen.page.get_by_role("img", name=re.compile("QR code"))).to_have_count(0)
    await screenshot(screen, "screen-ended")

    # The resident's phone: the end, and no help button (hidden, not merely greyed).
    await expect(phone.page.get_by_role("heading", name="L'atelier est terminé.")).to_be_visible()
    await expect(phone.page.get_by_text("Parlez à la personne qui anime la salle.")).to_be_visible()
    await expect(help_button).to_be_hidden()
    await expect(phone.page.locator("#help-button")).not_to_be_visible()
    await expect(phone.page.get_by_role("button", name="Je suis là")).to_have_count(0)
    await screenshot(phone, "join-ended")

    # A page opened after the end shows the same.
    late = await browsers.open(a["join_url"], PHONE, is_mobile=True)
    await expect(late.page.get_by_role("heading", name="L'atelier est terminé.")).to_be_visible()
    await expect(late.page.locator("#help-button")).to_be_hidden()
    await expect(late.page.locator("#name")).to_be_hidden()


async def test_cancelled_session_pages_say_it_is_cancelled(
    controller: Live, browsers: Browsers
) -> None:
    session = await controller.api.new_session([ROOM_A])
    access = (await controller.api.get(f"/api/sessions/{session['id']}/access")).body["rooms"]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    phone = await browsers.open(access[ROOM_A]["join_url"], PHONE, is_mobile=True)
    await expect(phone.page.locator("#help-button")).to_be_visible()
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    await page.get_by_role("button", name="Annuler l'atelier").click()
    await page.get_by_role("button", name="Oui, annuler l'atelier").click()
    await expect(page.get_by_text("Atelier annulé. Les salles sont fermées.")).to_be_visible()
    await expect(page.get_by_role("button", name="Commencer l'atelier")).to_have_count(0)
    await expect(phone.page.get_by_role("heading", name="L'atelier est annulé.")).to_be_visible()
    await expect(phone.page.locator("#help-button")).to_be_hidden()


async def test_a_refused_action_is_explained_in_french(
    controller: Live, browsers: Browsers
) -> None:
    """The server refuses a Jitsi domain that is not one (400 invalid_input, an English
    message): the console says it in French, with what to do."""
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    await page.get_by_role("button", name="Nouvelle session").click()
    await page.get_by_label("Titre").fill("Atelier test")
    await page.get_by_label("Source de la diffusion").select_option("jitsi")
    await page.get_by_label(re.compile("^Serveur Jitsi")).fill("pas un domaine !")
    await page.get_by_role("button", name="Créer la session").click()
    await expect(page.locator(".create-form .error")).to_have_text(
        "Une information n'est pas valable. Vérifiez les champs, puis réessayez."
    )
    sessions = (await controller.api.get("/api/sessions")).body
    assert sessions == []

    # A wrong join code stays in the field, with the message, so the typo can be seen.
    phone = await browsers.open(f"{controller.base}/join", PHONE, is_mobile=True)
    await phone.page.get_by_label("Tapez le code affiché sur l'écran de la salle").fill("abc-123")
    await phone.page.get_by_role("button", name="Valider").click()
    field = phone.page.get_by_label("Tapez le code affiché sur l'écran de la salle")
    await expect(phone.page.get_by_role("alert")).to_have_text(
        "Ce code ne marche pas. Regardez le code sur l'écran de la salle, puis corrigez-le."
    )
    await expect(field).to_have_value("ABC-123")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_be_focused()
    body = {"client_id": cid()}
    assert (await controller.api.post("/api/join/ABC123/checkin", body, token=None)).status == 404


async def test_too_many_wrong_codes_say_to_wait_in_plain_words(
    servers: Servers, browsers: Browsers, tmp_path: Path
) -> None:
    """Past --join-guess-limit the controller answers rate_limited: the resident page says
    to wait (it used to retry silently), and keeps what was typed."""
    served = await servers.start(tmp_path / "simulcast.db", "--join-guess-limit", "1")
    first = await browsers.open(f"{served.url}/join/ZZZ999", PHONE, is_mobile=True)
    await expect(first.page.locator("#code-error")).to_contain_text("Ce code ne marche pas.")
    second = await browsers.open(f"{served.url}/join/ZZZ998", PHONE, is_mobile=True)
    await expect(second.page.locator("#code-error")).to_have_text(
        "Trop d'essais. Attendez quelques minutes. "
        "Ou demandez le code à la personne qui anime la salle."
    )
    await expect(second.page.locator("#code")).to_have_value("ZZZ-998")
