"""A session's codes and tokens: read-only once it ends, refused once its access expires.

After the end, a room (token or join code) may still read its view, and a screen's heartbeat
is answered, but any other action gets 409 ``session_closed``; ``--access-expiry-hours``
after the recorded end (default 12), every code and token of the session gets 401
``access_expired``, over REST and socket.io (connects and events). The admin keeps access.
"""

from __future__ import annotations

from typing import Any

from simulcast.domain.clock import ManualClock
from tests.conftest import ControllerFactory
from tests.helpers import cid, refused

ROOM = "cs-lille-sud"
CLOSED = {
    "code": "session_closed",
    "message": "this session is ended: rooms no longer take check-ins, help or answers",
}
EXPIRED = {
    "code": "access_expired",
    "message": "this session ended on 28/11/2026 15:00: its links, join codes and tokens no "
    "longer work; ask the lead mediator for the next session's",
}


async def test_after_the_end_rooms_read_but_do_not_act(
    start_controller: ControllerFactory, clock: ManualClock
) -> None:
    controller = await start_controller(clock=clock)
    api = controller.api
    sid, access = await api.live_session([ROOM])
    links = access[ROOM]
    code, facilitator = links["join_code"], links["facilitator_token"]
    resident = (await api.post(f"/api/join/{code}/checkin", {"client_id": cid()}, token=None)).body
    room = await controller.connect("/room", {"token": facilitator})
    screen = await controller.connect("/room", {"token": links["screen_token"]})
    phone = await controller.connect(
        "/resident", {"code": code, "token": resident["resident_token"]}
    )
    assert (await api.post(f"/api/sessions/{sid}/end")).status == 200
    await screen.wait_for("session_ended")
    seq = (await api.get(f"/api/sessions/{sid}")).body["seq"]

    reads = [
        (await api.get(f"/api/rooms/{ROOM}", token=facilitator)).status,
        (await api.get(f"/api/join/{code}", token=None)).status,
        (await api.get(f"/api/join/{code}", token=resident["resident_token"])).status,
    ]
    assert reads == [200, 200, 200]
    walkins = await api.post(
        f"/api/rooms/{ROOM}/walkins", {"client_id": cid(), "delta": 1}, token=facilitator
    )
    assert (walkins.status, walkins.body) == (409, {"error": CLOSED})
    acks = [
        await room.call("walkins", {"client_id": cid(), "delta": 1}),
        await room.call("room_ready", {"client_id": cid()}),
        await screen.call("screen_state", {"state": "error", "detail": "after the end"}),
        await phone.call("leave", {"client_id": cid()}),
    ]
    assert acks == [{"ok": False, "error": CLOSED}] * 4
    assert await screen.call("heartbeat", {"state": "waiting"}) == {"ok": True, "data": None}
    assert (await screen.call("snapshot", None))["ok"] is True
    assert (await api.get(f"/api/sessions/{sid}")).body["seq"] == seq  # nothing recorded


async def test_after_the_expiry_every_code_and_token_of_the_session_is_refused(
    start_controller: ControllerFactory, clock: ManualClock
) -> None:
    controller = await start_controller(clock=clock)
    api = controller.api
    sid, access = await api.live_session([ROOM])
    links = access[ROOM]
    code, facilitator = links["join_code"], links["facilitator_token"]
    resident = (await api.post(f"/api/join/{code}/checkin", {"client_id": cid()}, token=None)).body
    screen = await controller.connect("/room", {"token": links["screen_token"]})
    await api.post(f"/api/sessions/{sid}/end")
    clock.advance(12 * 3600 - 1)
    assert (await api.get(f"/api/rooms/{ROOM}", token=facilitator)).status == 200
    clock.advance(1)

    answers: list[Any] = [
        await api.get(f"/api/rooms/{ROOM}", token=facilitator),
        await api.get(f"/api/join/{code}", token=None),
        await api.get(f"/api/join/{code}", token=resident["resident_token"]),
        await api.post(f"/api/join/{code}/checkin", {"client_id": cid()}, token=None),
    ]
    assert [(answer.status, answer.body) for answer in answers] == [(401, {"error": EXPIRED})] * 4
    refusal = {"message": EXPIRED["message"], "data": {"code": "access_expired"}}
    assert await refused(controller.base, "/room", {"token": facilitator}) == refusal
    assert await refused(controller.base, "/resident", {"code": code}) == refusal
    acks = [await screen.call("heartbeat", {}), await screen.call("snapshot", None)]
    assert acks == [{"ok": False, "error": EXPIRED}] * 2
    assert (await api.get(f"/api/sessions/{sid}")).status == 200  # the admin keeps access


async def test_a_cancelled_sessions_codes_expire_too(
    start_controller: ControllerFactory, clock: ManualClock
) -> None:
    controller = await start_controller(clock=clock, access_expiry_hours=0)
    session = await controller.api.new_session([ROOM])
    code = (await controller.api.get(f"/api/sessions/{session['id']}/access")).body["rooms"][ROOM]
    await controller.api.post(f"/api/sessions/{session['id']}/cancel")
    answer = await controller.api.get(f"/api/join/{code['join_code']}", token=None)
    assert (answer.status, answer.body["error"]["code"]) == (401, "access_expired")
    assert answer.body["error"]["message"].startswith("this session was cancelled on ")
