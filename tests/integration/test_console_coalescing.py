"""The console gets coalesced updates: their number follows the clock, not the event rate."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.helpers import ADMIN, cid, roomy_rooms

ROOMS = ["cs-lille-sud", "cyber-loos", "mediatheque-ronchin"]


async def test_a_burst_of_events_gives_few_complete_console_updates(
    start_controller: Any, tmp_path: Path
) -> None:
    controller = await start_controller(console_hz=2, rooms=roomy_rooms(tmp_path))
    api = controller.api
    session_id, access = await api.live_session(ROOMS)
    console = await controller.connect("/console", {"token": ADMIN, "session": session_id})
    started = time.monotonic()
    asks = [
        api.post(
            f"/api/join/{access[site]['join_code']}/help",
            {"client_id": cid(), "kind": "tech"},
            token=None,
        )
        for site in ROOMS
        for _ in range(40)
    ]
    assert {answer.status for answer in await asyncio.gather(*asks)} == {201}
    last = await console.wait_for("console_update", lambda u: u["totals"]["help_total"] == 120)
    elapsed = time.monotonic() - started
    updates = console.of("console_update")
    # 120 events; at 2 Hz the console hears at most one update per half second (+1 at the edge).
    assert len(updates) <= int(elapsed * 2) + 2
    assert last["totals"] == {
        "present": 120,
        "checked_in": 120,
        "help_open": 120,
        "help_total": 120,
    }
    tiles: dict[str, Any] = {}
    for update in updates:  # a console applies each update's tiles over the previous ones
        tiles.update(update["rooms"])
    assert {site: tile["help_open"] for site, tile in tiles.items()} == {site: 40 for site in ROOMS}
    assert [name for name in console.names() if name.startswith("help_")] == []
