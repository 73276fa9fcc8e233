"""Wrong join codes and tokens are rate limited per address; right ones always pass.

Behind a ``--trusted-proxy`` the address is the one the proxy forwards (IPv6: its /64);
anyone else's ``X-Forwarded-For`` is ignored.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import socketio

from tests.conftest import Controller, ControllerFactory
from tests.helpers import Response, refused

ROOM = "cs-lille-sud"


async def _get(controller: Controller, path: str, **headers: str) -> tuple[Response, str | None]:
    async with controller.api.http.get(controller.base + path, headers=headers) as response:
        return Response(response.status, await response.json()), response.headers.get("Retry-After")


async def _spend(controller: Controller, count: int, **headers: str) -> list[int]:
    return [(await _get(controller, "/api/join/ZZZZZZ", **headers))[0].status for _ in range(count)]


async def test_after_the_limit_wrong_codes_get_429_and_the_right_code_still_passes(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(join_guess_limit=3)
    _, access = await controller.api.live_session([ROOM])
    code = access[ROOM]["join_code"]
    assert await _spend(controller, 3) == [404, 404, 404]
    limited, retry_after = await _get(controller, "/api/join/ZZZZZZ")
    assert (limited.status, limited.body, retry_after) == (
        429,
        {
            "error": {
                "code": "rate_limited",
                "message": "too many wrong join codes or tokens from your address: "
                "try again in 200 s",
            }
        },
        "200",
    )
    right, _ = await _get(controller, f"/api/join/{code}")
    assert right.status == 200
    phone = await controller.connect("/resident", {"code": code})
    checked_in = await phone.call("checkin", {"client_id": "0" * 32})
    assert checked_in["ok"] is True
    assert await refused(controller.base, "/resident", {"code": "ZZZZZZ"}) == {
        "message": "too many wrong join codes or tokens from your address: try again in 200 s",
        "data": {"code": "rate_limited"},
    }


async def test_wrong_tokens_count_as_misses_and_a_valid_token_still_passes(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(join_guess_limit=2)
    sid, access = await controller.api.live_session([ROOM])
    facilitator = access[ROOM]["facilitator_token"]
    forged = facilitator[:-4] + "AAAA"
    wrong = [
        (await controller.api.get(f"/api/rooms/{ROOM}", token=forged)).status,
        (await controller.api.get(f"/api/sessions/{sid}", token="x" * 30)).status,
        (await controller.api.get(f"/api/rooms/{ROOM}", token=forged)).status,
    ]
    assert wrong == [401, 401, 429]
    assert (await refused(controller.base, "/room", {"token": forged}))["data"] == {
        "code": "rate_limited"
    }
    assert (await refused(controller.base, "/console", {"token": "x" * 30}))["data"] == {
        "code": "rate_limited"
    }
    assert (await controller.api.get(f"/api/rooms/{ROOM}", token=facilitator)).status == 200
    assert (await controller.api.get(f"/api/sessions/{sid}")).status == 200  # the admin token
    room = await controller.connect("/room", {"token": facilitator})
    assert room.of("snapshot")[0]["kind"] == "facilitator"


async def test_wrong_tokens_on_public_routes_count_as_misses_too(
    start_controller: ControllerFactory,
) -> None:
    """``GET /api/sites`` answers every key to the admin token and the public ones to any
    other: without a limit there, it would tell a guesser when a guess is right."""
    controller = await start_controller(join_guess_limit=2)
    _, access = await controller.api.live_session([ROOM])
    valid = access[ROOM]["facilitator_token"]  # a valid token of another role is no miss
    statuses = [
        (await controller.api.get("/api/sites", token=token)).status
        for token in ["guess-0123456789abcdef", valid, "guess-1123456789abcdef", valid, None]
    ]
    limited = await controller.api.get("/api/sites", token="guess-2123456789abcdef")
    assert (statuses, limited.status, limited.body["error"]["code"]) == (
        [200, 200, 200, 200, 200],
        429,
        "rate_limited",
    )
    assert (await controller.api.get("/api/sites", token=None)).status == 200


async def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(join_guess_limit=2)
    statuses = [
        (await _get(controller, "/api/join/ZZZZZZ", **{"X-Forwarded-For": f"192.0.2.{i}"}))[
            0
        ].status
        for i in range(3)
    ]
    assert statuses == [404, 404, 429]


async def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(join_guess_limit=2, trusted_proxy=("127.0.0.0/8",))
    alice = {"X-Forwarded-For": "198.51.100.7"}
    # A client's own header comes first; the proxy appends the address it saw.
    bob_spoofing = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    assert await _spend(controller, 3, **alice) == [404, 404, 429]
    assert await _spend(controller, 3, **bob_spoofing) == [404, 404, 429]
    assert await _spend(controller, 1) == [404]  # the proxy's own address: another bucket


async def test_behind_a_trusted_proxy_ipv6_clients_share_the_limit_of_their_64(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(join_guess_limit=2, trusted_proxy=("127.0.0.1",))
    same_64 = ["2001:db8:7:1::1", "2001:db8:7:1:aaaa::2", "2001:db8:7:1:ffff::3"]
    statuses = [
        (await _get(controller, "/api/join/ZZZZZZ", **{"X-Forwarded-For": ip}))[0].status
        for ip in same_64
    ]
    assert statuses == [404, 404, 429]
    other, _ = await _get(controller, "/api/join/ZZZZZZ", **{"X-Forwarded-For": "2001:db8:7:2::1"})
    assert other.status == 404


async def _refusal(base: str, headers: dict[str, str], transport: str) -> Any:
    """The connect_error of a /resident connection with a wrong code, sent with ``headers``."""
    client = socketio.AsyncClient(reconnection=False)
    reasons: list[Any] = []
    client.on("connect_error", lambda data=None: reasons.append(data), namespace="/resident")
    with contextlib.suppress(socketio.exceptions.ConnectionError):
        await client.connect(
            base,
            namespaces=["/resident"],
            auth={"code": "ZZZZZZ"},
            headers=headers,
            transports=[transport],
            wait_timeout=5,
        )
    await client.disconnect()
    return reasons[0]["data"]["code"]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_socketio_connections_behind_a_trusted_proxy_use_the_forwarded_address(
    start_controller: ControllerFactory, transport: str
) -> None:
    controller = await start_controller(join_guess_limit=1, trusted_proxy=("127.0.0.1",))
    alice = {"X-Forwarded-For": "198.51.100.7"}
    assert await _spend(controller, 1, **alice) == [404]
    codes = [
        await _refusal(controller.base, alice, transport),
        await _refusal(controller.base, {"X-Forwarded-For": "198.51.100.8"}, transport),
    ]
    assert codes == ["rate_limited", "bad_code"]
