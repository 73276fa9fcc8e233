"""Invisible and direction-changing characters are refused in every name and free text
(models/wire.py), over REST and socket.io alike: a first name cannot disguise itself on the
facilitator's screen (``Ana\u202eoB`` shows as "AnaBo")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Controller
from tests.helpers import ADMIN, cid

ROOM = "cs-lille-sud"


def refusal(field: str, char: str) -> dict[str, Any]:
    """The one error shape for ``char`` in ``field``."""
    kind = "a control character" if char in "\x85\x7f" else "an invisible character"
    message = f"contains {kind} (U+{ord(char):04X}): remove it"
    return {
        "error": {
            "code": "invalid_input",
            "message": f"invalid request: {field}: {message}",
            "details": [{"field": field, "message": message}],
        }
    }


async def test_rest_refuses_them_in_every_name_and_text(controller: Controller) -> None:
    api = controller.api
    sid, access = await api.live_session([ROOM])
    code, facilitator = access[ROOM]["join_code"], access[ROOM]["facilitator_token"]
    scheduled = (await api.new_session([ROOM]))["id"]
    asked = await api.post(
        f"/api/join/{code}/help", {"client_id": cid(), "kind": "question"}, token=None
    )
    request_id = asked.body["id"]
    before = (await api.get(f"/api/sessions/{sid}")).body
    # (method, path, body, token (None: a guest's join code), the field, the character)
    cases: list[tuple[str, str, dict[str, Any], str | None, str, str]] = [
        ("POST", f"/api/join/{code}/checkin", {"name": "Ana\u202eoB"}, None, "name", "\u202e"),
        (
            "POST",
            f"/api/join/{code}/help",
            {"kind": "lost", "text": "a\u2028b"},
            None,
            "text",
            "\u2028",
        ),
        (
            "POST",
            f"/api/join/{code}/help",
            {"kind": "lost", "seat": "1\u200b2"},
            None,
            "seat",
            "\u200b",
        ),
        (
            "POST",
            f"/api/help/{request_id}/escalate",
            {"note": "x\u2067y"},
            facilitator,
            "note",
            "\u2067",
        ),
        (
            "POST",
            f"/api/rooms/{ROOM}/problems",
            {"problem": "no_sound", "text": "a\u0085b"},
            facilitator,
            "text",
            "\x85",
        ),
        (
            "POST",
            "/api/sessions",
            {"title": "Atelier\u00ad", "origin": "studio-lille-sud"},
            ADMIN,
            "title",
            "\xad",
        ),
        ("PATCH", f"/api/sessions/{scheduled}", {"title": "A\ufeffB"}, ADMIN, "title", "\ufeff"),
        (
            "POST",
            f"/api/sessions/{sid}/announcements",
            {"text": "Pause\u2029 !"},
            ADMIN,
            "text",
            "\u2029",
        ),
        (
            "POST",
            f"/api/sessions/{sid}/checks",
            {"question": "Ça\u061c va ?"},
            ADMIN,
            "question",
            "\u061c",
        ),
        (
            "POST",
            f"/api/sessions/{sid}/checks",
            {"options": ["Oui", "N\u200con"]},
            ADMIN,
            "options.1",
            "\u200c",
        ),
        (
            "POST",
            f"/api/help/{request_id}/answer",
            {"answer": "Oui\u202d"},
            ADMIN,
            "answer",
            "\u202d",
        ),
        (
            "POST",
            f"/api/sessions/{sid}/broadcast/scene",
            {"scene": "Pause\u2066"},
            ADMIN,
            "scene",
            "\u2066",
        ),
    ]
    answers = []
    for method, path, body, token, field, _ in cases:
        sent = {**body, "client_id": cid()}
        answer = await api.call(method, path, sent, token=token)
        answers.append((path, field, answer.status, answer.body))
    assert answers == [(c[1], c[4], 400, refusal(c[4], c[5])) for c in cases]
    assert (await api.get(f"/api/sessions/{sid}")).body == before


async def test_socketio_refuses_them_in_every_name_and_text(controller: Controller) -> None:
    sid, access = await controller.api.live_session([ROOM])
    room = access[ROOM]
    phone = await controller.connect("/resident", {"code": room["join_code"]})
    facilitator = await controller.connect("/room", {"token": room["facilitator_token"]})
    screen = await controller.connect("/room", {"token": room["screen_token"]})
    console = await controller.connect("/console", {"token": ADMIN, "session": sid})
    asked = await phone.call("help", {"client_id": cid(), "kind": "question"})
    request_id = asked["data"]["id"]
    before = (await controller.api.get(f"/api/sessions/{sid}")).body
    cases = [
        (phone, "checkin", {"name": "Ana\u202eoB"}, "name", "\u202e"),
        (phone, "help", {"kind": "tech", "text": "écran\u200b noir"}, "text", "\u200b"),
        (facilitator, "escalate", {"request_id": request_id, "note": "a\u2028b"}, "note", "\u2028"),
        (facilitator, "report_problem", {"problem": "other", "text": "a\x85b"}, "text", "\x85"),
        (screen, "screen_state", {"state": "error", "detail": "a\u2068b"}, "detail", "\u2068"),
        (console, "announce", {"text": "Pause\u202b"}, "text", "\u202b"),
        (console, "launch_check", {"question": "Ça\u2060 va ?"}, "question", "\u2060"),
        (console, "scene", {"scene": "Pause\u206a"}, "scene", "\u206a"),
    ]  # fmt: skip
    acks = [
        (event, await client.call(event, {**body, "client_id": cid()}))
        for client, event, body, _, _ in cases
    ]
    assert acks == [
        (event, {"ok": False, **refusal(field, char)}) for _, event, _, field, char in cases
    ]
    assert (await controller.api.get(f"/api/sessions/{sid}")).body == before


@pytest.mark.parametrize(
    "name",
    ["Léa 👩\u200d💻", "Noor 🧑🏽\u200d🦯", "❤\ufe0f\u200d🩹 Zoé", "نور", "Мария"],
    ids=["technologist", "skin-tone", "presentation-selector", "arabic", "cyrillic"],
)
async def test_names_in_other_scripts_and_joined_emoji_are_kept(
    controller: Controller, name: str
) -> None:
    """A zero-width joiner between two emoji is how those emoji are written: it stays."""
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    checked_in = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": cid(), "name": name}, token=None
    )
    seen = await controller.api.get(f"/api/rooms/{ROOM}", token=access[ROOM]["facilitator_token"])
    names = [resident["name"] for resident in seen.body["residents"]]
    assert (checked_in.status, names) == (201, [name])


@pytest.mark.parametrize("name", ["Ana\u200d", "\u200d💻", "a\u200db"])
async def test_a_zero_width_joiner_outside_an_emoji_sequence_is_refused(
    controller: Controller, name: str
) -> None:
    _, access = await controller.api.live_session([ROOM])
    answer = await controller.api.post(
        f"/api/join/{access[ROOM]['join_code']}/checkin",
        {"client_id": cid(), "name": name},
        token=None,
    )
    assert (answer.status, answer.body) == (400, refusal("name", "\u200d"))
