"""simulcast's own Engine.IO / Socket.IO layer (realtime/engineio.py, sio.py) against stock
clients and raw packets: every transport the dashboards may use, and every malformed input."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulcast.realtime.sio import Namespace, SocketServer
from tests.conftest import Controller, ControllerFactory
from tests.helpers import ADMIN, cid

ROOM = "cs-lille-sud"


@pytest.mark.parametrize(
    "transports",
    [["polling"], None],  # long-polling only (proxies that block WebSocket); polling → upgrade
    ids=["polling", "upgrade"],
)
async def test_stock_client_works_over_polling_and_upgrade(
    controller: Controller, transports: list[str] | None
) -> None:
    _, access = await controller.api.live_session([ROOM])
    facilitator = await controller.connect(
        "/room", {"token": access[ROOM]["facilitator_token"]}, transports
    )
    resident = await controller.connect(
        "/resident", {"code": access[ROOM]["join_code"]}, transports
    )
    assert facilitator.of("snapshot")[0]["kind"] == "facilitator"
    for seat in ("1", "2", "3"):
        answer = await resident.call("help", {"client_id": cid(), "kind": "tech", "seat": seat})
        assert answer["ok"] is True, answer
        request_id = answer["data"]["id"]
        heard = await facilitator.wait_for(
            "help_requested", lambda e, r=request_id: e["request_id"] == r
        )
        assert heard["request"]["seat"] == seat
    seqs = [data["seq"] for name, data in facilitator.events if name == "help_requested"]
    assert seqs == sorted(seqs)


async def raw_socket(controller: Controller) -> aiohttp.ClientWebSocketResponse:
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(f"{controller.base}/socket.io/?EIO=4&transport=websocket")
    ws._simulcast_session = session  # type: ignore[attr-defined]
    opened = await ws.receive_str()
    assert opened.startswith("0{")
    handshake = orjson.loads(opened[1:])
    assert handshake["upgrades"] == []
    assert handshake["pingInterval"] == 25000
    return ws


async def close_raw(ws: aiohttp.ClientWebSocketResponse) -> None:
    await ws.close()
    await ws._simulcast_session.close()  # type: ignore[attr-defined]


async def test_raw_packets_connect_event_ack_and_errors(controller: Controller) -> None:
    ws = await raw_socket(controller)
    try:
        await ws.send_str("40/nowhere,{}")
        assert await ws.receive_str() == '44/nowhere,{"message":"Invalid namespace"}'
        await ws.send_str(f'40/console,{{"token":"{ADMIN}"}}')
        connected = await ws.receive_str()
        assert connected.startswith('40/console,{"sid":"')
        snapshot = orjson.loads((await ws.receive_str()).removeprefix("42/console,"))
        assert snapshot[0] == "snapshot"
        assert snapshot[1]["kind"] == "console"
        await ws.send_str('42/console,7["no_such_event",{}]')
        ack = await ws.receive_str()
        assert ack.startswith("43/console,7[")
        error = orjson.loads(ack.removeprefix("43/console,7"))[0]["error"]
        assert error["code"] == "unknown_event"
        assert "docs/protocol.md" in error["message"]
        await ws.send_str('42/console,8["watch",{"session_id":"s_missing"},{"extra":1}]')
        ack = orjson.loads((await ws.receive_str()).removeprefix("43/console,8"))[0]
        assert ack["error"]["code"] == "invalid_input"
        await ws.send_str('42/console,9["snapshot"]')
        ack = orjson.loads((await ws.receive_str()).removeprefix("43/console,9"))[0]
        assert ack["ok"] is True
        assert ack["data"]["kind"] == "console"
        await ws.send_str("42/console,{not json")  # a broken packet ends the connection
        assert await ws.receive_str() == "1"  # Engine.IO's close packet
        closed = await ws.receive()
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    finally:
        await close_raw(ws)
    await asyncio.sleep(0.05)
    assert all(not members for members in controller.realtime.sio.clients.values())


async def test_events_sent_before_a_namespace_connect_are_refused(controller: Controller) -> None:
    ws = await raw_socket(controller)
    try:
        await ws.send_str('42/room,3["claim",{}]')
        ack = orjson.loads((await ws.receive_str()).removeprefix("43/room,3"))[0]
        assert ack == {"ok": False, "error": {"code": "not_connected", "message": "connect first"}}
    finally:
        await close_raw(ws)


async def test_wrong_protocol_version_and_foreign_origin_are_refused(
    controller: Controller,
) -> None:
    async with aiohttp.ClientSession() as http:
        old = await http.get(f"{controller.base}/socket.io/?EIO=3&transport=polling")
        assert old.status == 400
        assert "Engine.IO 4" in await old.text()
        foreign = await http.get(
            f"{controller.base}/socket.io/?EIO=4&transport=polling",
            headers={"Origin": "https://elsewhere.example"},
        )
        assert foreign.status == 403
        unknown = await http.get(f"{controller.base}/socket.io/?EIO=4&transport=polling&sid=zz")
        assert unknown.status == 400
        assert "connect again" in await unknown.text()


async def test_behind_a_proxy_pages_of_the_public_url_may_connect(
    start_controller: ControllerFactory,
) -> None:
    controller = await start_controller(public_url="https://simulcast.example.org")
    url = f"http://127.0.0.1:{controller.server.port}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        public = await http.get(url, headers={"Origin": "https://simulcast.example.org"})
        assert public.status == 200
        assert (await public.text()).startswith("0{")
        foreign = await http.get(url, headers={"Origin": "https://simulcast.example.org.evil"})
        assert foreign.status == 403
        assert "--public-url" in (await foreign.json())["error"]["message"]


async def _handshake_with(controller: Controller, origin: str, host: str) -> tuple[int, Any]:
    """A polling handshake as a browser sends it: ``Origin`` and ``Host`` of its page."""
    url = f"http://127.0.0.1:{controller.server.port}/socket.io/?EIO=4&transport=polling"
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, headers={"Origin": origin, "Host": host}) as answer,
    ):
        text = await answer.text()
        return answer.status, (text[:2] if answer.status == 200 else orjson.loads(text))


async def test_a_dns_rebinding_page_is_refused_though_its_host_header_matches(
    controller: Controller,
) -> None:
    """An attacker's name resolving to 127.0.0.1: the browser sends that name as Origin and
    as Host, so comparing the two proved nothing."""
    port = controller.server.port
    rebinding = f"http://rebind.attacker.example:{port}"
    assert await _handshake_with(controller, rebinding, f"rebind.attacker.example:{port}") == (
        403,
        {
            "error": {
                "code": "forbidden",
                "message": "connections are accepted from this controller's own pages only, "
                f"and this page comes from '{rebinding}': if people open the pages at that "
                "address (behind a reverse proxy, or by a name on the local network), start "
                "the controller with --public-url set to it (its pages are now at "
                f"{controller.base})",
            }
        },
    )


async def test_pages_at_localhost_or_the_bound_address_may_connect_others_not(
    controller: Controller,
) -> None:
    port = controller.server.port
    assert controller.base == f"http://127.0.0.1:{port}"
    answers = {
        origin: (await _handshake_with(controller, origin, host))[0]
        for origin, host in [
            (f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"),
            (f"http://localhost:{port}", f"localhost:{port}"),  # loopback: the same machine
            (f"http://127.0.0.2:{port}", f"127.0.0.2:{port}"),
            (f"http://[::1]:{port}", f"[::1]:{port}"),
            (f"http://localhost:{port + 1}", f"localhost:{port}"),  # another server's page
            (f"https://localhost:{port}", f"localhost:{port}"),
            (f"http://sub.localhost:{port}", f"sub.localhost:{port}"),
            ("null", f"127.0.0.1:{port}"),  # a local file, a sandboxed frame
        ]
    }
    assert answers == {
        f"http://127.0.0.1:{port}": 200,
        f"http://localhost:{port}": 200,
        f"http://127.0.0.2:{port}": 200,
        f"http://[::1]:{port}": 200,
        f"http://localhost:{port + 1}": 403,
        f"https://localhost:{port}": 403,
        f"http://sub.localhost:{port}": 403,
        "null": 403,
    }


class Echo(Namespace):
    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        self.enter_room(sid, "all")


async def small_server(**options: float) -> tuple[SocketServer, TestServer]:
    sio = SocketServer(**options)
    sio.register(Echo("/echo"))
    app = web.Application()
    sio.engine.attach(app)
    server = TestServer(app)
    await server.start_server()
    return sio, server


async def test_pings_keep_answering_clients_and_close_silent_ones() -> None:
    sio, server = await small_server(ping_interval_s=1, ping_timeout_s=1)
    pinger = asyncio.create_task(sio.engine.run())
    url = f"http://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    try:
        async with aiohttp.ClientSession() as http:
            talker = await http.ws_connect(url)
            silent = await http.ws_connect(url)
            for ws in (talker, silent):
                await ws.receive_str()
                await ws.send_str("40/echo,{}")
                assert (await ws.receive_str()).startswith("40/echo,")
            assert sio.room_size("/echo", "all") == 2
            for _ in range(3):
                assert await talker.receive_str(timeout=3) == "2"
                await talker.send_str("3")
            assert await silent.receive_str(timeout=3) == "2"  # never answered
            closing = await silent.receive(timeout=3)
            assert closing.type == aiohttp.WSMsgType.TEXT
            assert closing.data == "1"
            assert sio.room_size("/echo", "all") == 1
            await talker.close()
    finally:
        pinger.cancel()
        await server.close()


async def test_a_client_that_does_not_read_is_closed_not_buffered() -> None:
    sio, server = await small_server()
    url = f"http://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    try:
        async with aiohttp.ClientSession() as http:
            reader = await http.ws_connect(url)
            stalled = await http.ws_connect(url, max_msg_size=0)
            for ws in (reader, stalled):
                await ws.receive_str()
                await ws.send_str("40/echo,{}")
                await ws.receive_str()
            # The stalled client's process stops reading: its kernel buffers fill up.
            stalled_transport = stalled._response.connection.transport  # type: ignore[union-attr]
            stalled_transport.pause_reading()
            received = 0

            async def keep_reading() -> None:
                nonlocal received
                async for message in reader:
                    received += message.data.startswith("42/echo,")

            reading = asyncio.create_task(keep_reading())
            big = "x" * 100_000
            for round_ in range(1000):
                sio.emit("news", {"n": round_, "text": big}, namespace="/echo", room="all")
                await asyncio.sleep(0.001)
                if sio.room_size("/echo", "all") == 1:
                    break
            assert sio.room_size("/echo", "all") == 1, "the stalled client was never closed"
            assert round_ > 10  # not at once: only once over a megabyte is waiting
            for _ in range(100):
                if received > round_:
                    break
                await asyncio.sleep(0.01)
            assert received > round_  # the reading client got everything, and more since
            reading.cancel()
            await reader.close()
            stalled_transport.abort()
    finally:
        await server.close()


async def test_malformed_packets_get_an_answer_or_end_the_connection(
    controller: Controller,
) -> None:
    ws = await raw_socket(controller)
    try:
        await ws.send_str(f'40/console,{{"token":"{ADMIN}"}}')
        await ws.receive_str()  # CONNECT
        await ws.receive_str()  # snapshot
        await ws.send_str('42/console,5{"not":"a list"}')
        ack = orjson.loads((await ws.receive_str()).removeprefix("43/console,5"))[0]
        assert ack["error"]["code"] == "invalid_input"
        assert '["name", payload]' in ack["error"]["message"]
        await ws.send_str('42/console,1234567890123456["snapshot"]')  # ack id too long
        assert await ws.receive_str() == "1"
    finally:
        await close_raw(ws)


async def test_polling_edges_bad_bytes_and_a_second_websocket(controller: Controller) -> None:
    url = f"{controller.base}/socket.io/?EIO=4&transport="
    async with aiohttp.ClientSession() as http:
        opened = await (await http.get(url + "polling")).text()
        sid = orjson.loads(opened[1:])["sid"]
        # The upgrade: probe, then "5"; a second WebSocket for the same id is refused.
        ws = await http.ws_connect(f"{url}websocket&sid={sid}")
        await ws.send_str("2probe")
        assert await ws.receive_str() == "3probe"
        second = await http.get(f"{url}websocket&sid={sid}")
        assert second.status == 400
        assert "already upgrading" in (await second.json())["error"]["message"]
        await ws.send_str("5")
        await ws.send_str(f'40/console,{{"token":"{ADMIN}"}}')
        assert (await ws.receive_str()).startswith("40/console,")
        await ws.close()
        # A polling client that sends bytes that are not UTF-8 is told so and closed.
        opened = await (await http.get(url + "polling")).text()
        sid = orjson.loads(opened[1:])["sid"]
        bad = await http.post(f"{url}polling&sid={sid}", data=b"4\xff\xfe")
        assert bad.status == 400
        assert (await bad.json())["error"]["code"] == "bad_packet"
        gone = await http.get(f"{url}polling&sid={sid}")
        assert gone.status == 400


class Slow(Namespace):
    """A handler that takes longer than the ping interval (as an OBS request may)."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        pass

    async def on_connected(self, sid: str) -> None:
        raise RuntimeError("a failure after connecting must not drop the client")

    async def on_wait(self, sid: str, data: Any = None) -> Any:
        await asyncio.sleep(2.5)
        return {"ok": True}


async def test_a_client_busy_in_a_slow_handler_is_not_timed_out() -> None:
    sio = SocketServer(ping_interval_s=1, ping_timeout_s=1)
    sio.register(Slow("/slow"))
    app = web.Application()
    sio.engine.attach(app)
    server = TestServer(app)
    await server.start_server()
    pinger = asyncio.create_task(sio.engine.run())
    url = f"http://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(url)
            await ws.receive_str()
            await ws.send_str("40/slow,{}")
            assert (await ws.receive_str()).startswith("40/slow,")  # still connected
            await ws.send_str('42/slow,1["wait",{}]')
            while True:  # answer every ping; the server reads them only after the handler
                message = await ws.receive_str(timeout=5)
                if message == "2":
                    await ws.send_str("3")
                    continue
                assert message == '43/slow,1[{"ok":true}]'
                break
            assert len(sio.clients["/slow"]) == 1
            await ws.close()
    finally:
        pinger.cancel()
        await server.close()


async def test_an_oversized_message_is_refused_on_both_transports(controller: Controller) -> None:
    big = "42/console," + '["snapshot",{"x":"' + "x" * 20_000 + '"}]'
    async with aiohttp.ClientSession() as http:
        url = f"{controller.base}/socket.io/?EIO=4&transport="
        sid = orjson.loads((await (await http.get(url + "polling")).text())[1:])["sid"]
        posted = await http.post(f"{url}polling&sid={sid}", data=("4" + big).encode())
        assert posted.status == 413
        assert "16 KiB" in (await posted.json())["error"]["message"]
    ws = await raw_socket(controller)
    try:
        await ws.send_str("4" + big)
        closed = await ws.receive()
        assert closed.type == aiohttp.WSMsgType.CLOSE
        assert closed.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    finally:
        await close_raw(ws)


def table_sizes(controller: Controller) -> dict[str, int]:
    """Every per-connection table of the socket layer, by name: what must return to its
    size before once the clients are gone."""
    sio = controller.realtime.sio
    sizes = {
        "engine.sockets": len(sio.engine.sockets),
        "sio.by_socket": len(sio._by_socket),
    }
    for name, namespace in sio._namespaces.items():
        sizes[f"clients{name}"] = len(sio.clients[name])
        sizes[f"rooms{name}"] = sum(len(members) for members in sio._rooms[name].values())
        sizes[f"namespace{name}"] = len(getattr(namespace, "clients", ()))
    return sizes


async def test_polling_packets_after_a_close_packet_are_ignored(controller: Controller) -> None:
    """Regression: a payload ``1␞40/console,{…}`` used to connect the namespace of a closed
    connection, leaving its entry in the socket table forever (one per handshake)."""
    before = table_sizes(controller)
    url = f"{controller.base}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        for _ in range(20):
            sid = orjson.loads((await (await http.get(url)).text())[1:])["sid"]
            body = f'1\x1e40/console,{{"token":"{ADMIN}"}}\x1e42/console,1["snapshot"]'
            posted = await http.post(f"{url}&sid={sid}", data=body.encode())
            assert (posted.status, await posted.text()) == (200, "ok")
            gone = await http.get(f"{url}&sid={sid}")
            assert gone.status == 400
    assert table_sizes(controller) == before


async def test_an_upgrade_of_a_connection_closed_while_probing_is_ended(
    controller: Controller,
) -> None:
    """Regression: the polling side closed during the probe, the upgrade went on and its
    WebSocket connected namespaces of the closed connection (left in the socket table)."""
    before = table_sizes(controller)
    url = f"{controller.base}/socket.io/?EIO=4&transport="
    async with aiohttp.ClientSession() as http:
        sid = orjson.loads((await (await http.get(url + "polling")).text())[1:])["sid"]
        ws = await http.ws_connect(f"{url}websocket&sid={sid}")
        await ws.send_str("2probe")
        assert await ws.receive_str(timeout=5) == "3probe"
        closing = await http.post(f"{url}polling&sid={sid}", data=b"1")
        assert closing.status == 200
        await ws.send_str("5")
        await ws.send_str(f'40/console,{{"token":"{ADMIN}"}}')
        ended = await ws.receive(timeout=5)
        assert ended.type == aiohttp.WSMsgType.CLOSE
        await ws.close()
    assert table_sizes(controller) == before
