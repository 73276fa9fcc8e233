"""Accessibility (RGAA 4.1 is WCAG 2.1 AA): axe-core finds no serious or critical violation
on any page, in French and in English; the resident page works with the keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, TABLET, Browsers, Live
from tests.e2e.territory import ROOMS, busy_territory
from tests.helpers import cid

AXE = Path(__file__).resolve().parents[2] / "dashboards/node_modules/axe-core/axe.min.js"
ROOM = "cs-lille-sud"
SEVERE = {"serious", "critical"}


async def _axe(page: Page) -> list[str]:
    """Serious and critical violations, one line each: rule, impact, where. (axe is put in
    with evaluate, which the pages' Content-Security-Policy does not apply to.)"""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text())
    results: dict[str, Any] = await page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']})"
    )
    return [
        f"{rule['id']} ({rule['impact']}): {node['target']} – {rule['help']}"
        for rule in results["violations"]
        if rule["impact"] in SEVERE
        for node in rule["nodes"]
    ]


async def _busy_session(controller: Live) -> dict[str, Any]:
    """A live session with something in every list: a named resident, an open help
    request, an announcement and an open check."""
    api = controller.api
    session_id, access = await api.live_session([ROOM, "cyber-loos"])
    code = access[ROOM]["join_code"]
    checkin = {"client_id": cid(), "name": "Awa"}
    checked = await api.post(f"/api/join/{code}/checkin", checkin, token=None)
    token = checked.body["resident_token"]
    help_body = {"client_id": cid(), "kind": "lost", "seat": "4"}
    assert (await api.post(f"/api/join/{code}/help", help_body, token=token)).status == 201
    announce = {"client_id": cid(), "text": "On reprend dans 5 minutes."}
    assert (await api.post(f"/api/sessions/{session_id}/announcements", announce)).status == 201
    check = {"client_id": cid()}
    assert (await api.post(f"/api/sessions/{session_id}/checks", check)).status == 201
    return dict(access[ROOM])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_no_serious_or_critical_axe_violation_on_any_page(
    controller: Live, browsers: Browsers, lang: str
) -> None:
    room = await _busy_session(controller)
    found: dict[str, list[str]] = {}

    login = await browsers.open(f"{controller.base}/console?lang={lang}", LAPTOP)
    await expect(login.page.locator("#token")).to_be_visible()
    found["console login"] = await _axe(login.page)

    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True, lang=lang)
    await console.page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    await expect(console.page.locator(".tile")).to_have_count(2)
    await console.page.locator("details", has=console.page.locator("summary")).first.click()
    found["console"] = await _axe(console.page)

    dashboard = await browsers.open(room["facilitator_url"], TABLET, lang=lang)
    await expect(dashboard.page.locator(".request")).to_have_count(1)
    found["room"] = await _axe(dashboard.page)

    screen = await browsers.open(room["screen_url"], PROJECTOR, lang=lang)
    await expect(screen.page.locator(".check-overlay")).to_be_visible()
    found["screen"] = await _axe(screen.page)

    phone = await browsers.open(room["join_url"], PHONE, lang=lang, is_mobile=True)
    await expect(phone.page.locator("#name")).to_be_visible()
    await expect(phone.page.locator(".options button")).to_have_count(2)
    found["join"] = await _axe(phone.page)
    await phone.page.locator("#help-button").click()
    await expect(phone.page.locator("#seat")).to_be_focused()
    found["join, help form"] = await _axe(phone.page)

    for tab in browsers.tabs:
        assert await tab.page.evaluate("document.documentElement.lang") == lang
    assert {page: problems for page, problems in found.items() if problems} == {}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_no_serious_or_critical_axe_violation_on_the_60_room_console(
    territory_controller: Live, browsers: Browsers, lang: str
) -> None:
    """The compact view of a territory (tests/e2e/territory.py): small tiles, one opened."""
    found: dict[str, list[str]] = {}
    async with busy_territory(territory_controller):
        console = await browsers.open(
            f"{territory_controller.base}/console", LAPTOP, admin=True, lang=lang
        )
        page = console.page
        await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
        await expect(page.locator(".tile.mini")).to_have_count(ROOMS)
        await expect(page.locator(".tile.mini.level-3")).to_have_count(3)
        await expect(page.locator('.tile.mini [data-field="screen"] .badge.ok')).to_have_count(9)
        found["compact console"] = await _axe(page)

        opened = page.locator(".tile.mini").nth(1)
        await opened.get_by_role("button").click()
        await expect(opened.locator(".detail")).to_be_visible()
        await page.locator(".skip").focus()
        found["compact console, a room opened"] = await _axe(page)
        assert await page.evaluate("document.documentElement.lang") == lang
    assert {page: problems for page, problems in found.items() if problems} == {}


async def test_resident_page_works_with_the_keyboard_alone(
    controller: Live, browsers: Browsers
) -> None:
    _, access = await controller.api.live_session([ROOM])
    phone = await browsers.open(access[ROOM]["join_url"], PHONE)
    page = phone.page
    await expect(page.locator("#name")).to_be_visible()

    async def tab_to(description: str, is_it: str) -> None:
        """Press Tab until the focused element matches ``is_it`` (a JS predicate on el)."""
        for _ in range(15):
            await page.keyboard.press("Tab")
            if await page.evaluate(f"(el => {is_it})(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {description}")

    await tab_to("the first-name field", "el.id === 'name'")
    await page.keyboard.type("Lou")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Bonjour Lou !")).to_be_focused()

    await tab_to("« J'ai besoin d'aide »", "el.id === 'help-button'")
    await page.keyboard.press("Enter")
    await expect(page.locator("#seat")).to_be_focused()
    await page.keyboard.type("12")
    await tab_to("« Question pour l'intervenant·e »", "el.textContent.includes('Question pour')")
    await page.keyboard.press("Space")
    await expect(page.get_by_label("Votre question (facultatif)")).to_be_focused()
    await page.keyboard.type("Comment joindre une photo ?")
    await tab_to("« Envoyer »", "el.id === 'question-send'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Votre demande est envoyée")).to_be_focused()
    await expect(page.get_by_text("Une personne va venir vous aider.")).to_be_visible()

    await tab_to("« Annuler ma demande »", "el.textContent.includes('Annuler ma demande')")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("Vous avez annulé votre demande.")).to_be_visible()
    room = await controller.api.get(f"/api/rooms/{ROOM}", token=access[ROOM]["facilitator_token"])
    assert (room.body["room"]["help_total"], room.body["help"]) == (1, [])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_no_serious_or_critical_axe_violation_in_the_new_states(
    controller: Live, browsers: Browsers, lang: str
) -> None:
    """The confirmation before the end, the links panel, the new-session form, the screen
    with a message and a check, and every page once the session has ended."""
    room = await _busy_session(controller)
    found: dict[str, list[str]] = {}
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True, lang=lang)
    page = console.page
    await page.get_by_role("button", name=re.compile("Envoyer un e-mail")).click()
    await expect(page.locator(".tile")).to_have_count(2)
    await page.locator(".links-box summary").click()
    await expect(page.locator(".links > li")).to_have_count(2)
    found["console, links"] = await _axe(page)
    await page.locator(".session-head .btn.danger").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    found["console, end confirmation"] = await _axe(page)
    await page.get_by_role("dialog").get_by_role("button").last.click()
    await expect(page.locator(".over-notice")).to_be_visible()
    found["console, ended"] = await _axe(page)
    await page.locator(".new-session").click()
    await expect(page.locator(".create-form")).to_be_visible()
    found["console, new session"] = await _axe(page)

    dashboard = await browsers.open(room["facilitator_url"], TABLET, lang=lang)
    await expect(dashboard.page.locator(".over-notice")).to_be_visible()
    found["room, ended"] = await _axe(dashboard.page)
    screen = await browsers.open(room["screen_url"], PROJECTOR, lang=lang)
    await expect(screen.page.locator(".join-code")).to_have_count(0)
    found["screen, ended"] = await _axe(screen.page)
    phone = await browsers.open(room["join_url"], PHONE, lang=lang, is_mobile=True)
    await expect(phone.page.locator(".closed")).to_be_visible()
    found["join, ended"] = await _axe(phone.page)
    wrong = await browsers.open(f"{controller.base}/join/ZZZ999", PHONE, lang=lang)
    await expect(wrong.page.locator("#code-error")).to_be_visible()
    found["join, wrong code"] = await _axe(wrong.page)
    assert {where: problems for where, problems in found.items() if problems} == {}


async def _live_hour_session(controller: Live) -> dict[str, Any]:
    """A live session in the states of the live hour: a resident's question passed on with
    a note, two problems (one seen), the room ready; and a scheduled session to edit."""
    api = controller.api
    await api.new_session([ROOM], title="Atelier à venir", starts_at="2026-12-01T14:00")
    _, access = await api.live_session([ROOM, "cyber-loos"])
    room = dict(access[ROOM])
    code, facilitator = room["join_code"], room["facilitator_token"]
    checked = await api.post(
        f"/api/join/{code}/checkin", {"client_id": cid(), "name": "Awa"}, token=None
    )
    ask = {"client_id": cid(), "kind": "question", "seat": "4", "text": "Où est la pièce jointe ?"}
    asked = await api.post(f"/api/join/{code}/help", ask, token=checked.body["resident_token"])
    note = {"client_id": cid(), "note": "Elle a un téléphone Android."}
    assert (
        await api.post(f"/api/help/{asked.body['id']}/escalate", note, token=facilitator)
    ).status == 200
    await api.post(f"/api/join/{code}/help", {"client_id": cid(), "kind": "lost"}, token=None)
    problems = f"/api/rooms/{ROOM}/problems"
    other = {"client_id": cid(), "problem": "other", "text": "Le projecteur chauffe"}
    assert (await api.post(problems, other, token=facilitator)).status == 201
    sound = await api.post(problems, {"client_id": cid(), "problem": "no_sound"}, token=facilitator)
    seen = await api.post(f"/api/problems/{sound.body['id']}/seen", {"client_id": cid()})
    assert seen.status == 200, seen.body
    ready = await api.post(f"/api/rooms/{ROOM}/ready", {"client_id": cid()}, token=facilitator)
    assert ready.status == 200, ready.body
    return room


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_no_serious_or_critical_axe_violation_in_the_live_hour_states(
    controller: Live, browsers: Browsers, lang: str
) -> None:
    """The escalation with a question and a note, the rooms' problems with « Vu », the
    edit form; the residents list, the note and « Autre problème » forms, « Salle prête »
    said; the resident's question field, « Je pars » and the page after leaving (360 px)."""
    room = await _live_hour_session(controller)
    found: dict[str, list[str]] = {}
    console = await browsers.open(f"{controller.base}/console", LAPTOP, admin=True, lang=lang)
    page = console.page
    await page.locator(".sessions button", has_text="Envoyer un e-mail").click()
    await expect(page.locator(".escalation .note")).to_be_visible()
    await expect(page.locator(".problem")).to_have_count(2)
    found["console, escalation and problems"] = await _axe(page)
    await page.locator(".sessions button", has_text="Atelier à venir").click()
    await page.locator("#edit-session").click()
    await expect(page.locator(".create-form")).to_be_visible()
    found["console, edit form"] = await _axe(page)

    dashboard = await browsers.open(room["facilitator_url"], TABLET, lang=lang)
    await expect(dashboard.page.locator(".residents li")).to_have_count(2)
    await expect(dashboard.page.locator("#ready-done")).to_be_visible()
    await expect(dashboard.page.locator(".open-problems .seen")).to_have_count(1)
    await dashboard.page.locator(".request.open [id^=escalate-]").click()
    await dashboard.page.locator("#problem-other").click()
    await expect(dashboard.page.locator("#other-text")).to_be_visible()
    found["room, residents, note and problem forms"] = await _axe(dashboard.page)
    await dashboard.page.locator(".dismiss").first.click()
    await expect(dashboard.page.get_by_role("dialog")).to_be_visible()
    found["room, count out confirmation"] = await _axe(dashboard.page)

    phone = await browsers.open(room["join_url"], PHONE, lang=lang, is_mobile=True)
    await phone.page.locator("#name").fill("Lou")
    await phone.page.locator("#name").press("Enter")
    await expect(phone.page.locator("#leave")).to_be_visible()
    await phone.page.locator("#help-button").click()
    await phone.page.locator("#kind-question").click()
    await expect(phone.page.locator("#question")).to_be_focused()
    found["join, question field"] = await _axe(phone.page)
    await phone.page.locator("#leave").click()
    await expect(phone.page.locator(".notice-line")).to_be_visible()
    found["join, after leaving"] = await _axe(phone.page)
    assert {where: problems for where, problems in found.items() if problems} == {}
