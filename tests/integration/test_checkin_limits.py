"""A join code alone must not fill a room with invented people: check-ins are limited per
address and room (2 × x_capacity per 10 minutes) and a room counts at most
2 × x_capacity + 10 people present (docs/security.md)."""

from __future__ import annotations

from typing import Any

from tests.conftest import ControllerFactory
from tests.helpers import cid

ROOM = "cyber-loos"  # x_capacity 8: 16 check-ins per address, 26 people present at most


async def _check_in(controller: Any, code: str, address: str) -> tuple[int, Any]:
    async with controller.api.http.post(
        f"{controller.base}/api/join/{code}/checkin",
        json={"client_id": cid()},
        headers={"X-Forwarded-For": address},
    ) as answer:
        return answer.status, await answer.json()


async def test_one_address_checks_in_twice_the_capacity_then_the_room_is_full(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(trusted_proxy=("127.0.0.0/8",))
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    statuses = [(await _check_in(controller, code, "192.0.2.1"))[0] for _ in range(16)]
    assert statuses == [201] * 16
    status, body = await _check_in(controller, code, "192.0.2.1")
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["message"].startswith(
        "too many check-ins from your address in this room (16 per 10 min): try again in "
    )
    # Another address (another device behind the same proxy) still checks in…
    others = [(await _check_in(controller, code, "192.0.2.2"))[0] for _ in range(10)]
    assert others == [201] * 10
    # …until the room counts 2 × 8 + 10 = 26 people present.
    status, body = await _check_in(controller, code, "192.0.2.3")
    assert (status, body) == (
        409,
        {
            "error": {
                "code": "room_full",
                "message": "this room already counts 26 people present: ask the room's facilitator",
            }
        },
    )
    view = await controller.api.get(f"/api/rooms/{ROOM}", token=access[ROOM]["facilitator_token"])
    assert view.body["room"]["present"] == 26


async def test_a_retry_of_an_accepted_check_in_passes_even_when_the_room_is_full(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller()
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    first = cid()
    accepted = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": first}, token=None
    )
    assert accepted.status == 201
    for _ in range(15):
        await controller.api.post(f"/api/join/{code}/checkin", {"client_id": cid()}, token=None)
    again = await controller.api.post(f"/api/join/{code}/checkin", {"client_id": first}, token=None)
    assert (again.status, again.body["resident_id"]) == (200, accepted.body["resident_id"])
    refused = await controller.api.post(
        f"/api/join/{code}/checkin", {"client_id": cid()}, token=None
    )
    assert refused.status == 429
