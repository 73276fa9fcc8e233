"""Every HTTP error has one shape: {"error": {"code", "message", "details"?}}."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.conftest import Controller
from tests.helpers import ADMIN, cid

ROOM = "cs-lille-sud"


def _has_error_shape(body: Any) -> bool:
    if not isinstance(body, dict) or set(body) != {"error"}:
        return False
    error = body["error"]
    return (
        isinstance(error, dict)
        and set(error) <= {"code", "message", "details"}
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and error["message"] != ""
    )


async def test_every_kind_of_error_has_the_one_shape(controller: Controller) -> None:
    api = controller.api
    sid, access = await api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    answers = {
        "unknown route": await api.get("/api/nope"),
        "wrong method": await api.call("DELETE", "/api/sessions"),
        "no token": await api.get("/api/sessions", token=None),
        "bad token": await api.get("/api/sessions", token="wrong"),
        "bad json": await api.call("POST", "/api/sessions", raw=b"{nope", token="x"),
        "too large": await api.call(
            "POST", f"/api/join/{code}/checkin", raw=b'{"name": "' + b"a" * 20000 + b'"}'
        ),
        "not an object": await api.post(f"/api/join/{code}/checkin", [1, 2], token=None),
        "validation": await api.post(f"/api/join/{code}/checkin", {"name": 3}, token=None),
        "unknown session": await api.get("/api/sessions/snope"),
        "conflict": await api.post(f"/api/sessions/{sid}/start"),
        "bad code": await api.get("/api/join/AAAAAA", token=None),
    }
    statuses = {name: answer.status for name, answer in answers.items()}
    assert statuses == {
        "unknown route": 404,
        "wrong method": 405,
        "no token": 401,
        "bad token": 401,
        "bad json": 401,  # authentication is checked before the body is read
        "too large": 413,
        "not an object": 400,
        "validation": 400,
        "unknown session": 404,
        "conflict": 409,
        "bad code": 404,
    }
    for name, answer in answers.items():
        assert _has_error_shape(answer.body), (name, answer.body)


async def test_invalid_json_and_validation_errors_say_what_to_fix(controller: Controller) -> None:
    api = controller.api
    bad_json = await api.call(
        "POST", "/api/sessions", raw=b"{nope", token="test-admin-token-0123456789"
    )
    assert bad_json.status == 400
    assert bad_json.body["error"]["code"] == "invalid_json"
    answer = await api.post(
        "/api/sessions",
        {
            "title": "",
            "origin": "Not An Id",
            "duration_min": 2,
            "colour": "red",
            "client_id": cid(),
        },
    )
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_input"
    assert answer.body["error"]["details"] == [
        {"field": "title", "message": "String should have at least 1 character"},
        {"field": "origin", "message": "String should match pattern '^[a-z0-9][a-z0-9-]{1,62}$'"},
        {"field": "duration_min", "message": "Input should be greater than or equal to 5"},
        {"field": "colour", "message": "unknown field (check its spelling)"},
    ]


async def test_oversized_and_hostile_fields_are_refused_and_store_nothing(
    controller: Controller,
) -> None:
    api = controller.api
    sid, access = await api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    before = (await api.get(f"/api/sessions/{sid}")).body
    cases = [
        {"client_id": cid(), "name": "x" * 41},
        {"client_id": cid(), "name": "Ana\nBob"},
        {"client_id": "has spaces"},
        {"client_id": cid(), "name": "ok", "email": "a@b.c"},
    ]
    for body in cases:
        answer = await api.post(f"/api/join/{code}/checkin", body, token=None)
        assert answer.status == 400, body
    help_cases = [
        {"client_id": cid(), "kind": "urgent"},
        {"client_id": cid(), "kind": "lost", "text": "x" * 281},
        {"client_id": cid(), "kind": "lost", "seat": "12345678901"},
        {"client_id": cid(), "kind": "lost", "text": "bell\x07"},
    ]
    for body in help_cases:
        answer = await api.post(f"/api/join/{code}/help", body, token=None)
        assert answer.status == 400, body
    assert (await api.get(f"/api/sessions/{sid}")).body == before


async def test_unknown_origin_and_rooms_are_named(controller: Controller) -> None:
    api = controller.api
    answer = await api.post(
        "/api/sessions",
        {"title": "T", "origin": "studio-lille-sud", "rooms": ["cs-lille-sud", "cs-nowhere"]},
    )
    assert answer.status == 400
    assert answer.body["error"]["code"] == "unknown_site"
    assert answer.body["error"]["message"].startswith(
        "rooms not in rooms.yaml: cs-nowhere (known: "
    )


async def test_socket_payload_errors_use_the_same_shape(controller: Controller) -> None:
    _, access = await controller.api.live_session([ROOM])
    phone = await controller.connect("/resident", {"code": access[ROOM]["join_code"]})
    assert await phone.call("checkin", "hello") == {
        "ok": False,
        "error": {
            "code": "invalid_body",
            "message": "expected a JSON object with the fields of CheckInBody, got str",
        },
    }
    answer = await phone.call("help", {"client_id": cid(), "kind": "lost", "seat": "x" * 11})
    assert answer == {
        "ok": False,
        "error": {
            "code": "invalid_input",
            "message": "invalid request: seat: String should have at most 10 characters",
            "details": [{"field": "seat", "message": "String should have at most 10 characters"}],
        },
    }
    unknown = await phone.call("cancel_help", {"client_id": cid(), "request_id": "hzzzz"})
    assert unknown["error"]["code"] == "forbidden"  # a guest cannot cancel anything


@pytest.mark.parametrize("token", [b"a\xffb", b"F.s1.cs-lille-sud.\xc3\xa9"])
async def test_a_token_of_bytes_that_are_not_ascii_is_refused_with_401(
    controller: Controller, token: bytes
) -> None:
    """aiohttp keeps such header bytes as surrogates; comparing them used to raise (500)."""
    host, port = controller.base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"GET /api/sessions HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Authorization: Bearer " + token + b"\r\nConnection: close\r\n\r\n"
    )
    head, _, body = (await asyncio.wait_for(reader.read(), 5)).partition(b"\r\n\r\n")
    writer.close()
    await writer.wait_closed()
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 401 Unauthorized"
    assert json.loads(body) == {"error": {"code": "bad_token", "message": "wrong admin token"}}


async def test_every_answer_says_nosniff_and_names_simulcast_not_its_library(
    controller: Controller,
) -> None:
    """Successes, every kind of error, pages, redirects and socket.io handshakes alike."""
    base = controller.base
    admin = {"Authorization": f"Bearer {ADMIN}"}
    requests: dict[str, tuple[str, str, dict[str, str], bytes | None]] = {
        "health": ("GET", "/api/health", {}, None),
        "admin route": ("GET", "/api/sessions", admin, None),
        "unknown route": ("GET", "/api/nope", {}, None),
        "wrong method": ("DELETE", "/api/sessions", admin, None),
        "no token": ("GET", "/api/sessions", {}, None),
        "invalid json": ("POST", "/api/sessions", admin, b"{nope"),
        "too large": ("POST", "/api/sessions", admin, b"x" * 20_000),
        "page": ("GET", "/console", {}, None),
        "redirect": ("GET", "/", {}, None),
        "socket.io handshake": ("GET", "/socket.io/?EIO=4&transport=polling", {}, None),
        "socket.io refusal": ("GET", "/socket.io/?EIO=3&transport=polling", {}, None),
        "foreign origin": (
            "GET",
            "/socket.io/?EIO=4&transport=polling",
            {"Origin": "https://elsewhere.example"},
            None,
        ),
    }
    seen = {}
    async with aiohttp.ClientSession() as http:
        for name, (method, path, headers, body) in requests.items():
            async with http.request(
                method, base + path, headers=headers, data=body, allow_redirects=False
            ) as answer:
                seen[name] = (
                    answer.status,
                    answer.headers.get("Server"),
                    answer.headers.get("X-Content-Type-Options"),
                )
        ws = await http.ws_connect(f"{base}/socket.io/?EIO=4&transport=websocket")
        assert ws._response is not None
        seen["websocket upgrade"] = (
            ws._response.status,
            ws._response.headers.get("Server"),
            ws._response.headers.get("X-Content-Type-Options"),
        )
        await ws.close()
    assert seen == {
        name: (status, "simulcast", "nosniff")
        for name, status in {
            "health": 200,
            "admin route": 200,
            "unknown route": 404,
            "wrong method": 405,
            "no token": 401,
            "invalid json": 400,
            "too large": 413,
            "page": seen["page"][0],  # 200 once the dashboards are built, 503 before
            "redirect": 302,
            "socket.io handshake": 200,
            "socket.io refusal": 400,
            "foreign origin": 403,
            "websocket upgrade": 101,
        }.items()
    }
