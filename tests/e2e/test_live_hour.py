"""The live hour: a resident's question and the facilitator's note reach the console; a
resident leaves (« Je pars », « Nouvelle personne » on a shared tablet) or is counted out by
the facilitator (« Parti·e ») and the count drops at once; « Autre problème » with a few
words, « Vu » and « Résolu » from the console; « Salle prête » on the console's tile; a
closed check keeps its response rate against the people present when it closed; a scheduled
session edited from the console keeps its codes, and the room's screen, dashboard and phone
follow without a reload, in the territory's time zone on devices set to UTC."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, Browsers, Live, screenshot
from tests.helpers import cid

ROOM, OTHER = "cs-lille-sud", "cyber-loos"
ROOM_NAME = "Centre social des Glycines"


async def test_an_escalation_shows_the_question_and_the_note_on_the_console(
    controller: Live, browsers: Browsers
) -> None:
    _, access = await controller.api.live_session([ROOM, OTHER])
    a = access[ROOM]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    await console.page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    room = await browsers.open(a["facilitator_url"], TABLET)
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)

    # « Question pour l'intervenant·e » opens an optional field; the other kinds send at once.
    await phone.page.get_by_role("button", name="J'ai besoin d'aide", exact=True).click()
    await phone.page.get_by_label("Votre numéro de place").fill("7")
    await phone.page.get_by_role("button", name="Question pour l'intervenant·e").click()
    question = phone.page.get_by_label("Votre question (facultatif)")
    await expect(question).to_be_focused()
    await question.fill("Où trouver la pièce jointe ?")
    await phone.page.get_by_role("button", name="Envoyer", exact=True).click()
    await expect(
        phone.page.get_by_text("Votre question : Où trouver la pièce jointe ?")
    ).to_be_visible()

    request = room.page.locator(".request")
    await expect(request).to_contain_text("Question : Où trouver la pièce jointe ?")
    await request.get_by_role("button", name="Transmettre à l'intervenant·e").click()
    note = room.page.get_by_label("Note pour l'intervenant·e (facultatif)")
    await expect(note).to_be_focused()
    await note.fill("Elle utilise Gmail sur sa tablette.")
    await request.get_by_role("button", name="Transmettre", exact=True).click()
    await expect(request.locator(".badge")).to_have_text("transmise")
    await expect(request).to_contain_text("Votre note : Elle utilise Gmail sur sa tablette.")

    item = console.page.locator(".escalation")
    await expect(item).to_have_count(1)
    await expect(item.locator("p").first).to_have_text(
        f"{ROOM_NAME} · Place 7 · Question pour l'intervenant·e transmise"
    )
    await expect(item.locator(".question")).to_have_text("Question : Où trouver la pièce jointe ?")
    await expect(item.locator(".note")).to_have_text(
        "Note de la salle : Elle utilise Gmail sur sa tablette."
    )
    await expect(console.page).to_have_title("(1) Console de session")
    await screenshot(console, "console-escalation")

    # A question passed on without any words still says something useful.
    code = a["join_code"]
    bare = {"client_id": cid(), "kind": "question", "seat": "2"}
    asked = await controller.api.post(f"/api/join/{code}/help", bare, token=None)
    token = a["facilitator_token"]
    path = f"/api/help/{asked.body['id']}/escalate"
    assert (await controller.api.post(path, {"client_id": cid()}, token=token)).status == 200
    await expect(item).to_have_count(2)
    await expect(console.page.locator(".escalation", has_text="Place 2")).to_contain_text(
        "Ni question écrite, ni note : voyez avec la salle."
    )


async def test_leaving_counts_people_out_at_once(controller: Live, browsers: Browsers) -> None:
    _, access = await controller.api.live_session([ROOM])
    a = access[ROOM]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    await console.page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    present = console.page.locator(f'.tile[data-site="{ROOM}"] [data-field="present"]')
    room = await browsers.open(a["facilitator_url"], TABLET)
    count = room.page.locator(".count")

    # A phone: « Je pars » counts the resident out and forgets them on this phone.
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)
    await phone.page.get_by_label("Votre prénom").fill("Awa")
    await phone.page.get_by_role("button", name="Je suis là").click()
    await expect(phone.page.get_by_role("heading", name="Bonjour Awa !")).to_be_visible()
    await expect(count).to_have_text("1 personne présente")
    await screenshot(phone, "join-leave")
    await phone.page.get_by_role("button", name="Je pars").click()
    await expect(count).to_have_text("0 personne présente")
    await expect(present).to_have_text("0")
    await expect(phone.page.get_by_role("status").filter(has_text="Au revoir")).to_have_text(
        "Au revoir ! Vous êtes sorti·e de l'atelier."
    )
    await expect(phone.page.get_by_role("button", name="Je suis là")).to_be_visible()
    key = f"simulcast.resident.{a['join_code']}"
    assert await phone.page.evaluate(f"localStorage.getItem('{key}')") is None

    # A shared tablet: « Nouvelle personne » counts the previous person out.
    tablet = await browsers.open(a["join_url"], TABLET, has_touch=True)
    await tablet.page.get_by_label("Votre prénom").fill("Lou")
    await tablet.page.get_by_role("button", name="Je suis là").click()
    await expect(count).to_have_text("1 personne présente")
    await expect(room.page.locator(".residents li")).to_have_count(1)
    await tablet.page.get_by_role("button", name="Nouvelle personne").click()
    await expect(count).to_have_text("0 personne présente")
    await expect(tablet.page.get_by_label("Votre prénom")).to_be_focused()
    await expect(tablet.page.get_by_text("C'est prêt pour la personne suivante.")).to_be_visible()
    await tablet.page.get_by_label("Votre prénom").fill("Sam")
    await tablet.page.get_by_role("button", name="Je suis là").click()
    await expect(count).to_have_text("1 personne présente")
    await expect(room.page.locator(".residents li strong")).to_have_text(["Sam"])

    # The facilitator counts out someone who left without saying so.
    other = await browsers.open(a["join_url"], PHONE, is_mobile=True, has_touch=True)
    await other.page.get_by_role("button", name="Je suis là").click()
    await expect(count).to_have_text("2 personnes présentes")
    await expect(present).to_have_text("2")
    await screenshot(room, "room-residents")
    await room.page.get_by_role("button", name="Parti·e : Sam").click()
    dialog = room.page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Compter Sam comme parti·e ?")
    await dialog.get_by_role("button", name="Oui, parti·e").click()
    await expect(count).to_have_text("1 personne présente")
    await expect(present).to_have_text("1")
    await expect(room.page.locator(".residents li")).to_have_count(1)
    await expect(room.page.locator(".residents li")).to_contain_text("Sans prénom")

    # Sam's tablet is told at once (resident_left reaches that resident): it is a guest
    # again, « Je suis là » to come back.
    await expect(
        tablet.page.get_by_text("Vous n'êtes plus compté·e dans la salle.")
    ).to_be_visible()
    await expect(tablet.page.get_by_role("button", name="Je suis là")).to_be_visible()
    await expect(count).to_have_text("1 personne présente")


async def test_room_problems_seen_and_readiness_reach_both_sides(
    controller: Live, browsers: Browsers
) -> None:
    session_id, access = await controller.api.live_session([ROOM, OTHER])
    a = access[ROOM]
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    tile = page.locator(f'.tile[data-site="{ROOM}"]')
    await expect(tile.locator('[data-field="ready"]')).to_have_text("pas encore")
    room = await browsers.open(a["facilitator_url"], TABLET)

    # « Salle prête », once.
    await room.page.get_by_role("button", name="Salle prête").click()
    await expect(room.page.locator("#ready-done")).to_contain_text("Salle prête : signalé à")
    await expect(room.page.get_by_role("button", name="Salle prête")).to_have_count(0)
    await expect(tile.locator('[data-field="ready"]')).to_have_text(
        re.compile(r"^oui, à \d\d:\d\d$")
    )
    await expect(page.locator('.total[data-field="total_ready"]')).to_have_text(
        "1 / 2salles prêtes"
    )

    # « Autre problème » with a few words reaches the console; « Vu » reaches the room.
    await room.page.get_by_role("button", name="Autre problème").click()
    words = room.page.get_by_label("Quel problème ? (en quelques mots)")
    await expect(words).to_be_focused()
    await words.fill("Le vidéoprojecteur chauffe")
    await room.page.get_by_role("button", name="Signaler", exact=True).click()
    reported = room.page.locator(".open-problems li")
    await expect(reported).to_contain_text("Autre problème – Le vidéoprojecteur chauffe")
    problem = page.locator(".problem")
    await expect(problem).to_contain_text(f"{ROOM_NAME} · Autre problème")
    await expect(problem.locator(".question")).to_have_text("Le vidéoprojecteur chauffe")
    await expect(tile).to_contain_text("Autre problème – Le vidéoprojecteur chauffe")
    await problem.get_by_role("button", name=re.compile("^Vu")).click()
    await expect(reported.locator(".seen")).to_have_text("Vu par l'animateur·rice")
    await expect(problem).to_contain_text("vu : la salle le sait")
    await expect(problem.get_by_role("button", name=re.compile("^Résolu"))).to_be_focused()

    # The same problem twice: refused, in French.
    await room.page.get_by_role("button", name="Autre problème").click()
    await room.page.get_by_role("button", name="Signaler", exact=True).click()
    await expect(room.page.locator(".error").first).to_have_text(
        "Ce problème est déjà signalé : l'animateur·rice le voit. "
        "Touchez « C'est réglé » quand c'est réglé."
    )
    await expect(reported).to_have_count(1)

    # « Résolu » on the console clears it in the room.
    await problem.get_by_role("button", name=re.compile("^Résolu")).click()
    await expect(reported).to_have_count(0)
    await expect(page.locator(".problem")).to_have_count(0)
    view = (await controller.api.get(f"/api/sessions/{session_id}")).body
    assert view["rooms"][ROOM]["problems"] == []
    assert view["rooms"][ROOM]["ready_at"] is not None


async def test_a_closed_check_keeps_the_people_present_when_it_closed(
    controller: Live, browsers: Browsers
) -> None:
    session_id, access = await controller.api.live_session([ROOM])
    a = access[ROOM]
    code = a["join_code"]
    tokens = []
    for _ in range(2):
        checked = await controller.api.post(
            f"/api/join/{code}/checkin", {"client_id": cid()}, token=None
        )
        tokens.append(checked.body["resident_token"])
    launched = await controller.api.post(f"/api/sessions/{session_id}/checks", {"client_id": cid()})
    check_id = launched.body["id"]
    answer = {"client_id": cid(), "option": 0}
    assert (
        await controller.api.post(
            f"/api/join/{code}/checks/{check_id}/answer", answer, token=tokens[0]
        )
    ).status in (200, 201)
    await controller.api.post(f"/api/checks/{check_id}/close", {"client_id": cid()})
    # One of the two leaves after the close: the result still counts the two present then.
    leave = {"client_id": cid()}
    assert (
        await controller.api.post(f"/api/join/{code}/leave", leave, token=tokens[1])
    ).status in (200, 201)

    rate = "1 réponse · 50 % des 2 personnes présentes ont répondu"
    room = await browsers.open(a["facilitator_url"], TABLET)
    await expect(room.page.locator(".count")).to_have_text("1 personne présente")
    await expect(room.page.locator(".check-result .rate")).to_have_text(rate)
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    await console.page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    await expect(console.page.locator(".check-result .rate")).to_have_text(rate)


async def test_a_scheduled_session_edited_keeps_its_codes_and_every_page_follows(
    controller: Live, browsers: Browsers
) -> None:
    """Devices set to UTC still read the territory's times (Europe/Paris: UTC+1 in December)."""
    session = await controller.api.new_session([ROOM, OTHER], starts_at="2026-12-01T14:00")
    before = (await controller.api.get(f"/api/sessions/{session['id']}/access")).body["rooms"]
    a = before[ROOM]
    utc = {"timezone_id": "UTC"}
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True, **utc)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    head = page.locator(".session-head")
    await expect(head).to_contain_text("14:00 heure du territoire (Paris, UTC+1)")
    screen = await browsers.open(a["screen_url"], PROJECTOR, **utc)
    await expect(screen.page.locator(".when")).to_contain_text("14:00")
    room = await browsers.open(a["facilitator_url"], TABLET, **utc)
    await expect(room.page.locator("header")).to_contain_text(
        "14:00 heure du territoire (Paris, UTC+1)"
    )
    phone = await browsers.open(a["join_url"], PHONE, is_mobile=True, **utc)
    await expect(phone.page.locator("header")).to_contain_text("14:00")

    # « Modifier »: the same form, filled; nothing changed is said so.
    await page.get_by_role("button", name="Modifier").click()
    await expect(page.get_by_role("heading", name="Modifier la session")).to_be_focused()
    await expect(page.get_by_label("Titre")).to_have_value("Envoyer un e-mail")
    await expect(page.get_by_label("Début")).to_have_value("2026-12-01T14:00")
    await page.get_by_role("button", name="Enregistrer les changements").click()
    await expect(page.locator(".create-form .error")).to_have_text(
        "Rien n'a changé. Modifiez un champ, ou fermez le formulaire."
    )
    await screenshot(console, "console-edit-session")
    await page.get_by_label("Titre").fill("Envoyer un e-mail avec une pièce jointe")
    await page.get_by_label("Début").fill("2026-12-01T15:30")
    await page.get_by_role("button", name="Enregistrer les changements").click()

    title = "Envoyer un e-mail avec une pièce jointe"
    await expect(head.get_by_role("heading")).to_have_text(title)
    await expect(head).to_contain_text("15:30 heure du territoire (Paris, UTC+1)")
    await expect(page.locator(".sessions")).to_contain_text(title)
    # The room's screen, dashboard and phone follow without a reload, codes unchanged.
    await expect(screen.page.locator("h1")).to_have_text(title)
    await expect(screen.page.locator(".when")).to_contain_text("15:30")
    await expect(screen.page.locator(".join-code")).to_have_text(a["join_code_display"])
    await expect(room.page.locator("header")).to_contain_text(title)
    await expect(room.page.locator("header")).to_contain_text(
        "15:30 heure du territoire (Paris, UTC+1)"
    )
    await expect(phone.page.locator("h1")).to_have_text(title)
    await expect(phone.page.locator("header")).to_contain_text("15:30")
    after = (await controller.api.get(f"/api/sessions/{session['id']}/access")).body["rooms"]
    assert {site: room["join_code"] for site, room in after.items()} == {
        site: room["join_code"] for site, room in before.items()
    }
    view = (await controller.api.get(f"/api/sessions/{session['id']}")).body
    assert (view["title"], view["starts_at"], view["state"]) == (
        title,
        "2026-12-01T15:30:00+01:00",
        "scheduled",
    )
