"""Open Engine.IO connections are capped per client address (``--max-connections-per-address``):
a new handshake over the cap gets 429 in the one error shape, and a closed connection gives its
place back. Behind a ``--trusted-proxy`` the address is the forwarded one (IPv6: its /64).
``/api/metrics`` counts the connections by transport."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
import pytest

from tests.conftest import Controller, ControllerFactory
from tests.helpers import ADMIN

REFUSAL = {
    "error": {
        "code": "too_many_connections",
        "message": "too many connections from your address ({cap} open): close the pages of "
        "this controller you no longer use, or wait for them to time out; if many people share "
        "this address, the controller's operator can raise --max-connections-per-address "
        "(behind a reverse proxy: set --trusted-proxy)",
    }
}


def refusal(cap: int) -> dict[str, Any]:
    error = REFUSAL["error"]
    return {"error": {**error, "message": error["message"].format(cap=cap)}}


async def handshake(
    http: aiohttp.ClientSession, controller: Controller, transport: str = "polling", **headers: str
) -> tuple[int, Any, str | None]:
    """A new connection's first request: (status, its sid or error body, Retry-After)."""
    url = f"{controller.base}/socket.io/?EIO=4&transport={transport}"
    async with http.get(url, headers=headers) as answer:
        text = await answer.text()
        if answer.status == 200:
            return 200, orjson.loads(text[1:])["sid"], None
        return answer.status, orjson.loads(text), answer.headers.get("Retry-After")


async def engineio(controller: Controller) -> dict[str, int]:
    return dict((await controller.api.get("/api/metrics")).body["engineio"])


async def test_over_the_cap_a_new_connection_gets_429_and_a_closed_one_frees_its_place(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(max_connections_per_address=3)
    base = f"{controller.base}/socket.io/?EIO=4&transport="
    async with aiohttp.ClientSession() as http:
        first, second = [await handshake(http, controller) for _ in range(2)]
        websocket = await http.ws_connect(base + "websocket")
        assert (await websocket.receive_str()).startswith("0{")
        assert (first[0], second[0]) == (200, 200)
        assert await engineio(controller) == {"polling": 2, "websocket": 1, "busiest_address": 3}

        over = [
            await handshake(http, controller, transport) for transport in ("polling", "websocket")
        ]
        assert over == [(429, refusal(3), "50"), (429, refusal(3), "50")]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(base + "websocket")
        assert refused.value.status == 429

        # A polling client's close packet gives its place back at once.
        closed = await http.post(f"{base}polling&sid={first[1]}", data=b"1")
        assert (closed.status, await closed.text()) == (200, "ok")
        third = await handshake(http, controller)
        assert third[0] == 200
        assert (await handshake(http, controller))[0] == 429

        # So does a WebSocket client's: the server's close packet comes after the count drops.
        await websocket.send_str("1")
        assert await websocket.receive_str(timeout=5) == "1"
        await websocket.close()
        assert await engineio(controller) == {"polling": 2, "websocket": 0, "busiest_address": 2}
        again = await http.ws_connect(base + "websocket")
        assert (await again.receive_str()).startswith("0{")

        # A WebSocket that just ends (a page closed) is dropped once the server has read it.
        await again.close()
        deadline = asyncio.get_running_loop().time() + 5
        while (await engineio(controller))["websocket"] and (
            asyncio.get_running_loop().time() < deadline
        ):
            pass  # each metrics request lets the server run: no fixed sleep
        assert await engineio(controller) == {"polling": 2, "websocket": 0, "busiest_address": 2}
        assert (await handshake(http, controller))[0] == 200


async def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_cap(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(max_connections_per_address=2, trusted_proxy=("127.0.0.1",))
    forwarded = [
        "198.51.100.7",
        "198.51.100.7",
        "198.51.100.7",  # its third
        "198.51.100.8",
        "2001:db8:7:1::1",
        "2001:db8:7:1:aaaa::2",
        "2001:db8:7:1:ffff::3",  # the same /64's third
        "2001:db8:7:2::1",
    ]
    async with aiohttp.ClientSession() as http:
        statuses = [
            (await handshake(http, controller, **{"X-Forwarded-For": ip}))[0] for ip in forwarded
        ]
    assert statuses == [200, 200, 429, 200, 200, 200, 429, 200]


async def test_without_a_trusted_proxy_x_forwarded_for_does_not_escape_the_cap(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(max_connections_per_address=2)
    async with aiohttp.ClientSession() as http:
        statuses = [
            (await handshake(http, controller, **{"X-Forwarded-For": f"192.0.2.{i}"}))[0]
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]


async def test_metrics_count_engineio_connections_beside_namespace_members(
    controller: Controller,
) -> None:
    _, access = await controller.api.live_session(["cs-lille-sud"])
    await controller.connect("/console", {"token": ADMIN})
    await controller.connect("/resident", {"code": access["cs-lille-sud"]["join_code"]})
    await controller.connect(
        "/room", {"token": access["cs-lille-sud"]["screen_token"]}, ["polling"]
    )
    metrics = (await controller.api.get("/api/metrics")).body
    assert (metrics["connections"], metrics["engineio"]) == (
        {"/console": 1, "/room": 1, "/resident": 1},
        {"polling": 1, "websocket": 2, "busiest_address": 3},
    )
