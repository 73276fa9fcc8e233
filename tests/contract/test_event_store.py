"""The store contract every backend passes (SQLite today; PostgreSQL joins the parameter list)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulcast.errors import StoreError
from simulcast.models.events import (
    HelpRequested,
    Recorded,
    ResidentCheckedIn,
    SessionScheduled,
)
from simulcast.store.sqlite import SqliteEventStore

AT = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def _scheduled(session_id: str) -> Recorded:
    return Recorded(
        session_id=session_id,
        seq=1,
        at=AT,
        actor="admin",
        client_id="c-1",
        event=SessionScheduled(
            title="Atelier",
            origin="studio",
            rooms=["room-a"],
            join_codes={"room-a": "ABC234"},
            starts_at=AT,
            duration_min=90,
        ),
    )


def _checkin(session_id: str, seq: int) -> Recorded:
    return Recorded(
        session_id=session_id,
        seq=seq,
        at=AT,
        actor="guest:room-a",
        client_id=f"k{seq}",
        event=ResidentCheckedIn(resident_id=f"r{seq}", room="room-a", name="Zoé"),
    )


@pytest.fixture(params=["sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqliteEventStore]:
    store = SqliteEventStore(tmp_path / "events.db")
    await store.start()
    yield store
    await store.close()


async def _all(store: SqliteEventStore) -> list[Recorded]:
    return [record async for record in store.replay()]


async def test_appended_records_replay_in_order_and_equal(store: SqliteEventStore) -> None:
    records = [_scheduled("s1"), *(_checkin("s1", seq) for seq in range(2, 6))]
    await store.append(records[:2])
    await store.append(records[2:])
    assert await _all(store) == records


async def test_concurrent_appends_are_grouped_into_few_commits(store: SqliteEventStore) -> None:
    await store.append([_scheduled("s1")])
    before = store.commits
    await asyncio.gather(*(store.append([_checkin("s1", seq)]) for seq in range(2, 202)))
    assert [record.seq for record in await _all(store)] == list(range(1, 202))
    assert store.commits - before < 200  # group commit: many callers share a transaction


async def test_a_record_is_on_disk_when_append_returns(store: SqliteEventStore) -> None:
    await store.append([_scheduled("s1"), _checkin("s1", 2)])
    connection = sqlite3.connect(store.path)  # another connection, as after a crash
    try:
        rows = connection.execute("SELECT session_id, seq, type FROM events").fetchall()
    finally:
        connection.close()
    assert sorted(rows) == [("s1", 1, "session_scheduled"), ("s1", 2, "resident_checked_in")]


async def test_a_duplicate_seq_fails_the_batch_and_poisons_the_store(
    store: SqliteEventStore,
) -> None:
    await store.append([_scheduled("s1")])
    with pytest.raises(StoreError):
        await store.append([_checkin("s1", 2), _checkin("s1", 1)])
    assert [record.seq for record in await _all(store)] == [1]  # nothing of the batch stored
    assert store.failure is not None
    with pytest.raises(StoreError, match="restart simulcast"):
        await store.append([_checkin("s1", 3)])


async def test_meta_values_survive_reopening(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "meta.db")
    await store.start()
    await store.set_meta("signing_key", "abc")
    await store.set_meta("signing_key", "def")
    await store.close()
    again = SqliteEventStore(tmp_path / "meta.db")
    await again.start()
    assert (await again.get_meta("signing_key"), await again.get_meta("nothing")) == ("def", None)
    await again.close()


async def test_records_of_every_kind_round_trip(store: SqliteEventStore) -> None:
    help_record = Recorded(
        session_id="s1",
        seq=2,
        at=AT,
        actor="resident:r1",
        client_id=None,
        event=HelpRequested(
            request_id="h1",
            resident_id="r1",
            room="room-a",
            kind="tech",
            seat="B4",
            text="L'écran est noir « vraiment »",
        ),
    )
    await store.append([_scheduled("s1"), help_record])
    assert (await _all(store))[1] == help_record


async def test_a_second_process_cannot_open_the_same_file(
    store: SqliteEventStore, tmp_path: Path
) -> None:
    from simulcast.errors import StartupError

    second = SqliteEventStore(store.path)
    with pytest.raises(StartupError) as refused:
        await second.start()
    assert refused.value.message == (
        f"the database {store.path} is in use by another simulcast process: "
        "stop it first, or pass another --db"
    )


async def test_a_version_1_database_is_upgraded_without_losing_events(tmp_path: Path) -> None:
    """Schema 1 had an index on client ids that nothing read; opening drops it, keeps all."""
    path = tmp_path / "v1.db"
    store = SqliteEventStore(path)
    await store.start()
    await store.append([_scheduled("s1"), _checkin("s1", 2)])
    await store.close()
    with sqlite3.connect(path) as raw:
        raw.execute(
            "CREATE INDEX events_client ON events (session_id, actor, client_id) "
            "WHERE client_id IS NOT NULL"
        )
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    again = SqliteEventStore(path)
    await again.start()
    assert [record.seq for record in await _all(again)] == [1, 2]
    await again.append([_checkin("s1", 3)])
    await again.close()
    with sqlite3.connect(path) as raw:
        indexes = raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        version = raw.execute("PRAGMA user_version").fetchone()[0]
    raw.close()
    assert ("events_client",) not in indexes
    assert version == 2


async def test_a_database_from_a_newer_simulcast_is_refused(tmp_path: Path) -> None:
    from simulcast.errors import StartupError

    path = tmp_path / "future.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 9")
    raw.close()
    with pytest.raises(StartupError) as refused:
        await SqliteEventStore(path).start()
    assert "schema version 9" in refused.value.message
