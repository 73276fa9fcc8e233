"""Text typed by people (a first name, a title, an announcement, a question) is shown as
text on every page: never parsed as HTML, never run."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, Browsers, Live
from tests.helpers import cid

PAYLOAD = "<img src=x onerror=alert(1)>"
ROOM = "cs-lille-sud"


async def test_markup_typed_by_people_shows_as_text_on_every_page(
    controller: Live, browsers: Browsers
) -> None:
    api = controller.api
    session = await api.new_session([ROOM], title=f"Atelier {PAYLOAD}")
    session_id = session["id"]
    await api.post(f"/api/sessions/{session_id}/start")
    access = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"][ROOM]

    phone = await browsers.open(access["join_url"], PHONE, is_mobile=True)
    await phone.page.get_by_label("Votre prénom").fill(PAYLOAD)
    await phone.page.get_by_role("button", name="Je suis là").click()
    await expect(phone.page.get_by_role("heading", name=f"Bonjour {PAYLOAD} !")).to_be_visible()

    question = {"client_id": cid(), "question": PAYLOAD, "options": [PAYLOAD, "<b>non</b>"]}
    assert (await api.post(f"/api/sessions/{session_id}/checks", question)).status == 201
    # A question, a facilitator's note and a problem's words: free text typed by people.
    code, facilitator = access["join_code"], access["facilitator_token"]
    asked = await api.post(
        f"/api/join/{code}/help",
        {"client_id": cid(), "kind": "question", "text": f"Question {PAYLOAD}"},
        token=None,
    )
    note = {"client_id": cid(), "note": f"Note {PAYLOAD}"}
    path = f"/api/help/{asked.body['id']}/escalate"
    assert (await api.post(path, note, token=facilitator)).status == 200
    problem = {"client_id": cid(), "problem": "other", "text": f"Problème {PAYLOAD}"}
    assert (await api.post(f"/api/rooms/{ROOM}/problems", problem, token=facilitator)).status == 201
    announcement = {"client_id": cid(), "text": f"Message {PAYLOAD}"}
    assert (await api.post(f"/api/sessions/{session_id}/announcements", announcement)).status == 201

    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True)
    await console.page.get_by_role("button", name=re.compile("Atelier")).click()
    room = await browsers.open(access["facilitator_url"], TABLET)
    screen = await browsers.open(access["screen_url"], PROJECTOR)

    typed = [f"Question {PAYLOAD}", f"Note {PAYLOAD}", f"Problème {PAYLOAD}"]
    shown = {
        "join": [f"Atelier {PAYLOAD}", f"Bonjour {PAYLOAD} !", PAYLOAD, f"Message {PAYLOAD}"],
        "room": [PAYLOAD, f"Message {PAYLOAD}", *typed],
        "console": [f"Atelier {PAYLOAD}", f"Message {PAYLOAD}", PAYLOAD, *typed],
        "screen": [f"Atelier {PAYLOAD}", f"Message {PAYLOAD}", PAYLOAD],
    }
    tabs = {"join": phone, "room": room, "console": console, "screen": screen}
    for name, texts in shown.items():
        page = tabs[name].page
        for text in texts:
            await expect(page.get_by_text(text, exact=False).first).to_be_visible()
        # The pages draw pictograms and the QR code in SVG: no <img> may exist at all.
        assert await page.locator("img").count() == 0, name
    await expect(room.page.locator(".residents li strong")).to_have_text([PAYLOAD])
    await expect(console.page.locator(".escalation .note")).to_have_text(
        f"Note de la salle : Note {PAYLOAD}"
    )
    await expect(screen.page.locator(".check-overlay li").first).to_have_text(f"1 {PAYLOAD}")
    for tab in tabs.values():
        assert tab.dialogs == []
