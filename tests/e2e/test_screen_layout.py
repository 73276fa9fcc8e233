"""The room screen read from the back of a room: an announcement and a check never cover the
title, the join address, the code or the QR code (latecomers must still be able to scan),
on a 1280×720 laptop and on a 1920×1080 projector; the join address is big; a room without
a QR code is never told to scan one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import Browsers, Live, Tab, screenshot
from tests.helpers import cid

if TYPE_CHECKING:
    from playwright.async_api import FloatRect

ROOM, NO_QR = "cs-lille-sud", "tiers-lieu-lesquin"  # rooms.yaml: the second has show_qr: false
TITLE = "Envoyer un e-mail avec une pièce jointe à sa conseillère France Travail"


def _overlap(a: FloatRect, b: FloatRect) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


async def _session_with_messages(live: Live) -> dict[str, Any]:
    api = live.api
    session = await api.new_session([ROOM, NO_QR], title=TITLE)
    started = await api.post(f"/api/sessions/{session['id']}/start", {"client_id": cid()})
    assert started.status == 200, started.body
    text = "Pause de 5 minutes, on reprend à 10 h 15. Pensez à noter votre mot de passe."
    body = {"client_id": cid(), "text": text}
    assert (await api.post(f"/api/sessions/{session['id']}/announcements", body)).status == 201
    check = {
        "client_id": cid(),
        "question": "Avez-vous trouvé le trombone ?",
        "options": ["Oui", "Non", "Je ne sais pas"],
    }
    assert (await api.post(f"/api/sessions/{session['id']}/checks", check)).status == 201
    return dict((await api.get(f"/api/sessions/{session['id']}/access")).body["rooms"])


async def _boxes(tab: Tab, selectors: list[str]) -> dict[str, FloatRect]:
    boxes = {}
    for selector in selectors:
        box = await tab.page.locator(selector).bounding_box()
        assert box is not None, selector
        boxes[selector] = box
    return boxes


@pytest.mark.parametrize(
    ("width", "height", "url_px"), [(1280, 720, 40), (1920, 1080, 60)], ids=["720p", "1080p"]
)
async def test_messages_never_cover_the_title_the_code_or_the_qr_code(
    controller: Live, browsers: Browsers, width: int, height: int, url_px: int
) -> None:
    access = await _session_with_messages(controller)
    screen = await browsers.open(access[ROOM]["screen_url"], {"width": width, "height": height})
    page = screen.page
    await expect(page.locator(".check-overlay")).to_be_visible()
    await expect(page.locator(".announce-overlay")).to_be_visible()
    await expect(page.locator(".check-overlay li")).to_have_text(
        ["1 Oui", "2 Non", "3 Je ne sais pas"]
    )
    await expect(page.get_by_role("img", name="QR code pour rejoindre l'atelier")).to_be_visible()
    await expect(page.locator(".how")).to_contain_text("scannez le QR code")

    await screenshot(screen, f"screen-messages-{height}p")
    kept = ["h1", ".url", ".join-code", ".qr"]
    boxes = await _boxes(screen, [*kept, ".check-overlay", ".announce-overlay"])
    for name in kept:
        box = boxes[name]
        assert box["y"] >= 0, (name, box)
        assert box["y"] + box["height"] <= height, (name, box)
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width, (name, box)
        for overlay in (".check-overlay", ".announce-overlay"):
            assert not _overlap(box, boxes[overlay]), (name, overlay, box, boxes[overlay])
    qr = boxes[".qr"]
    assert qr["height"] >= height * 0.35, qr  # still big enough to scan from a seat

    # The join address is big enough to read from the back of the room.
    size = await page.locator(".url").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= url_px, size


async def test_a_room_without_qr_code_is_not_told_to_scan_one(
    controller: Live, browsers: Browsers
) -> None:
    access = await _session_with_messages(controller)
    screen = await browsers.open(access[NO_QR]["screen_url"], {"width": 1280, "height": 720})
    page = screen.page
    await expect(page.locator(".join-code")).to_have_text(access[NO_QR]["join_code_display"])
    await expect(page.locator(".how")).to_have_text(
        "Pour participer avec votre téléphone, allez sur"
    )
    await expect(page.get_by_text("QR")).to_have_count(0)
    await expect(page.locator(".qr")).to_have_count(0)
    boxes = await _boxes(screen, ["h1", ".url", ".join-code", ".check-overlay"])
    for name in ("h1", ".url", ".join-code"):
        assert not _overlap(boxes[name], boxes[".check-overlay"]), name
