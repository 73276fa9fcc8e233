"""Malformed request bodies are the client's mistake: 400 in the one error shape, never 500."""

from __future__ import annotations

import pytest

from tests.conftest import Controller
from tests.helpers import ADMIN

_SESSION = b'{"title": "t", "origin": "studio-lille-sud", '

MALFORMED_JSON = {
    "not UTF-8": b'{"title": "\xff"}',
    "latin-1": '{"title": "é"}'.encode("latin-1"),
    "UTF-16": '{"title": "t"}'.encode("utf-16"),
    "nested 5000 deep": b"[" * 5000 + b"]" * 5000,
    "an integer of 5000 digits": b'{"duration_min": ' + b"1" * 5000 + b"}",
    "NaN": _SESSION + b'"duration_min": NaN}',
    "a lone surrogate": b'{"title": "\\ud800", "origin": "studio-lille-sud"}',
    "byte order mark": b"\xef\xbb\xbf{}",
}


@pytest.mark.parametrize("raw", MALFORMED_JSON.values(), ids=MALFORMED_JSON.keys())
async def test_a_body_that_is_not_json_in_utf8_gets_400_invalid_json(
    controller: Controller, raw: bytes
) -> None:
    answer = await controller.api.call("POST", "/api/sessions", raw=raw, token=ADMIN)
    assert answer.status == 400, answer.body
    assert set(answer.body) == {"error"}
    assert answer.body["error"]["code"] == "invalid_json"
    assert answer.body["error"]["message"].startswith("the body is not valid JSON in UTF-8: ")


async def test_a_bogus_charset_is_ignored_the_body_is_read_as_utf8(controller: Controller) -> None:
    async with controller.api.http.post(
        f"{controller.base}/api/sessions",
        data=b'{"title": "Caf\xc3\xa9", "origin": "studio-lille-sud"}',
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "text/plain; charset=bogus"},
    ) as response:
        assert response.status == 201
        assert (await response.json())["title"] == "Café"


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"])
async def test_a_start_time_out_of_range_gets_400_not_an_overflow(
    controller: Controller, starts_at: str
) -> None:
    body = {"title": "t", "origin": "studio-lille-sud", "starts_at": starts_at}
    answer = await controller.api.post("/api/sessions", body)
    message = "must be a date between 2000 and 2100, e.g. 2026-12-01T14:00"
    assert (answer.status, answer.body) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": f"invalid request: starts_at: {message}",
                "details": [{"field": "starts_at", "message": message}],
            }
        },
    )


async def test_clearing_a_problem_checks_the_caller_before_reading_the_body(
    controller: Controller,
) -> None:
    """No token and a broken body: 401 (who asks comes first), not 400 or 500."""
    answer = await controller.api.call(
        "POST", "/api/problems/pzzzz/clear", raw=b'{"client_id": "\xff', token=None
    )
    assert (answer.status, answer.body) == (
        401,
        {
            "error": {
                "code": "auth_missing",
                "message": "this route needs the admin token (printed when simulcast serve "
                "starts) or the room's facilitator token: send 'Authorization: Bearer <token>'",
            }
        },
    )
