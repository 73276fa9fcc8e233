"""Retention: first names and free texts of a session are erased after the retention period,
in memory and on disk, and stay erased after a restart."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from simulcast.domain.clock import ManualClock
from tests.helpers import cid

ROOM = "cs-lille-sud"


async def test_personal_data_is_erased_after_the_retention_period(
    start_controller: Any, clock: ManualClock, tmp_path: Path
) -> None:
    db = tmp_path / "retention.db"
    # The facilitator's link still works a month after the end, to read their room's view.
    controller = await start_controller(
        db=db, clock=clock, retention_days=30, access_expiry_hours=8760
    )
    api = controller.api
    sid, access = await api.live_session([ROOM])
    links = access[ROOM]
    code, facilitator = links["join_code"], links["facilitator_token"]
    zoe = await api.post(
        f"/api/join/{code}/checkin", {"client_id": cid(), "name": "Zoé"}, token=None
    )
    asked = await api.post(
        f"/api/join/{code}/help",
        {"client_id": cid(), "kind": "question", "seat": "4", "text": "Je m'appelle Zoé Martin"},
        token=zoe.body["resident_token"],
    )
    await api.post(f"/api/help/{asked.body['id']}/escalate", token=facilitator)
    await api.post(
        f"/api/help/{asked.body['id']}/answer",
        {"client_id": cid(), "answer": "Bonjour Zoé, regardez en haut"},
    )
    await api.post(
        f"/api/rooms/{ROOM}/problems",
        {"client_id": cid(), "problem": "other", "text": "Zoé n'entend rien"},
        token=facilitator,
    )
    await api.post(f"/api/sessions/{sid}/end")

    clock.advance(29 * 86400)
    assert (await api.post("/api/purge")).body == {"purged": [], "retention_days": 30}
    clock.advance(2 * 86400)
    assert (await api.post("/api/purge")).body == {"purged": [sid], "retention_days": 30}

    room = (await api.get(f"/api/rooms/{ROOM}", token=facilitator)).body
    assert [resident["name"] for resident in room["residents"]] == [None]
    view = (await api.get(f"/api/sessions/{sid}")).body
    assert [(e["text"], e["answer"], e["seat"]) for e in view["escalations"]] == [(None, None, "4")]
    assert [p["text"] for p in view["rooms"][ROOM]["problems"]] == [None]
    assert view["rooms"][ROOM]["checked_in"] == 1  # counts stay for the reports
    connection = sqlite3.connect(db)
    try:
        stored = " ".join(row[0] for row in connection.execute("SELECT data FROM events"))
        purged = connection.execute(
            "SELECT count(*) FROM events WHERE type = 'personal_data_purged'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert "Zoé" not in stored
    assert purged == 1
    assert (await api.post("/api/purge")).body["purged"] == []

    # A restart replays the redacted log: still erased, not purged twice.
    await controller.stop()
    again = await start_controller(db=db, clock=clock, retention_days=30, access_expiry_hours=8760)
    room = (await again.api.get(f"/api/rooms/{ROOM}", token=facilitator)).body
    assert [resident["name"] for resident in room["residents"]] == [None]
    assert (await again.api.post("/api/purge")).body["purged"] == []
