"""SQLite event store: one WAL file, one writer thread, group commit.

Callers on the event loop hand their records to the writer thread and await a future. The
thread takes everything queued, writes it in one transaction, commits (fsync with
``synchronous=FULL``), then resolves all those futures at once: a burst of actions costs one
commit, and nobody is acknowledged before their event is on disk.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

import orjson

from simulcast.errors import StartupError, StoreError
from simulcast.models.events import EVENT_ADAPTER, Recorded

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
"""2: no index on client ids (nothing queries it; replay reads the whole log, and the index
cost more than the insert itself)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    pos        INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order, never reused or renumbered
    session_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    type       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    client_id  TEXT,
    data       TEXT NOT NULL,
    UNIQUE (session_id, seq)
);
DROP INDEX IF EXISTS events_client;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_INSERT = (
    "INSERT INTO events (session_id, seq, at, type, actor, client_id, data) "
    "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 "
    "FROM json_each(?)"
)
"""A whole batch of rows as one JSON parameter: one statement, so the writer thread gives up
and takes back the GIL once per commit, not once per row (executemany steps row by row, and
each step waits for the busy event loop to hand the GIL over: 60 % of the writer's time)."""
_MAX_BATCH = 2000

_Row = tuple[str, int, str, str, str, str | None, str]
_Statement = tuple[str, tuple[str, ...]]
_Job = tuple[list[_Row], list[tuple[str, str]], list[_Statement], asyncio.Future[None]]

_REDACTIONS: tuple[tuple[str, str], ...] = (
    ("resident_checked_in", "$.name"),
    ("help_requested", "$.text"),
    ("help_escalated", "$.note"),
    ("help_answered", "$.answer"),
    ("problem_reported", "$.text"),
)
"""(event type, JSON path): where the personal data of a session's log is (set to null)."""


def _row(record: Recorded) -> _Row:
    return (
        record.session_id,
        record.seq,
        record.at.isoformat(),
        record.event.type,
        record.actor,
        record.client_id,
        orjson.dumps(record.data()).decode(),
    )


class SqliteEventStore:
    """The embedded default store. Call :meth:`start` first; one process per file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._accepting = False
        """True while the writer thread runs (a flag: Thread.is_alive costs a lock per call)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: str | None = None
        self._lock_fd: int | None = None
        self.commits = 0
        """How many transactions were committed (each may hold many callers' records)."""

    async def start(self) -> None:
        """Take the file's lock, create the schema if needed, start the writer thread."""
        if sqlite3.sqlite_version_info < (3, 38, 0):
            raise StartupError(
                f"SQLite {sqlite3.sqlite_version} is too old (3.38 or later is needed for its "
                "JSON operators): use Python 3.11+ built with a recent SQLite, or Debian 12+"
            )
        self._lock()
        try:
            await asyncio.to_thread(self._init_schema)
        except BaseException:
            self._unlock()
            raise
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._writer, name="sqlite-writer", daemon=True)
        self._accepting = True
        self._thread.start()

    def _lock(self) -> None:
        """One process per database: two writers would both number events from the same seq.
        The lock is released by the OS when the process dies, even on kill -9."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StartupError(
                f"cannot open the database {self.path}: {exc.strerror} "
                "(check that its folder exists and is writable, or pass --db)"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StartupError(
                f"the database {self.path} is in use by another simulcast process: "
                "stop it first, or pass another --db"
            ) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as exc:
            raise StartupError(
                f"cannot open the database {self.path}: {exc} "
                "(check that its folder exists and is writable, or pass --db)"
            ) from None
        return connection

    def _init_schema(self) -> None:
        connection = self._connect()
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, 1, SCHEMA_VERSION):  # 1 → 2: the script drops an index
                raise StartupError(
                    f"{self.path} has schema version {version}, this simulcast knows "
                    f"{SCHEMA_VERSION}: use the simulcast version that wrote it"
                )
            connection.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StartupError(
                f"{self.path} is not a simulcast database ({exc}); pass another --db"
            ) from None
        finally:
            connection.close()

    async def append(self, records: Sequence[Recorded]) -> None:
        await self._submit([_row(record) for record in records], [])

    async def set_meta(self, key: str, value: str) -> None:
        await self._submit([], [(key, value)])

    async def redact(self, session_id: str) -> None:
        """Erase first names and free texts from a session's stored events, in one commit
        ordered with the appends (the only change ever made to stored events: RGPD)."""
        statements: list[_Statement] = [
            (
                "UPDATE events SET data = json_set(data, ?, json('null')) "
                "WHERE session_id = ? AND type = ?",
                (path, session_id, kind),
            )
            for kind, path in _REDACTIONS
        ]
        await self._submit([], [], statements)

    async def _submit(
        self, rows: list[_Row], meta: list[tuple[str, str]], sql: list[_Statement] | None = None
    ) -> None:
        if self._failure is not None:
            raise StoreError(f"the event store failed earlier ({self._failure}): restart simulcast")
        if not self._accepting:
            raise StoreError("the event store is closed")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._jobs.put((rows, meta, sql or [], future))
        await future

    def _writer(self) -> None:
        connection = self._connect()
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                batch = [job]
                stop = False
                while len(batch) < _MAX_BATCH:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._commit(connection, batch)
                if stop:
                    return
        finally:
            self._accepting = False
            connection.close()

    def _commit(self, connection: sqlite3.Connection, batch: list[_Job]) -> None:
        error: BaseException | None = None
        if self._failure is not None:
            error = StoreError(self._failure)
        else:
            error = self._write(connection, batch)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_settle, [job[3] for job in batch], error)

    def _write(self, connection: sqlite3.Connection, batch: list[_Job]) -> BaseException | None:
        """One transaction for the whole batch. A failure poisons the store: later records
        were decided on state that includes these, so none may be stored after them."""
        try:
            connection.execute("BEGIN IMMEDIATE")
            rows: list[_Row] = []  # consecutive appends go in one executemany
            for job_rows, meta, statements, _ in batch:
                rows.extend(job_rows)
                if not meta and not statements:
                    continue
                if rows:
                    connection.execute(_INSERT, (orjson.dumps(rows).decode(),))
                    rows = []
                if meta:
                    connection.executemany(
                        "INSERT INTO meta VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        meta,
                    )
                for statement, parameters in statements:
                    connection.execute(statement, parameters)
            if rows:
                connection.execute(_INSERT, (orjson.dumps(rows).decode(),))
            connection.execute("COMMIT")
            self.commits += 1
            return None
        except sqlite3.Error as exc:
            log.critical("event store commit failed, refusing further writes: %s", exc)
            self._failure = str(exc)
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            return exc

    @property
    def failure(self) -> str | None:
        """Why the store refuses writes, or None while healthy."""
        return self._failure

    async def replay(self) -> AsyncIterator[Recorded]:
        rows = await asyncio.to_thread(self._read_all)
        for session_id, seq, at, _type, actor, client_id, data in rows:
            yield Recorded(
                session_id=session_id,
                seq=seq,
                at=datetime.fromisoformat(at),
                actor=actor,
                client_id=client_id,
                event=EVENT_ADAPTER.validate_json(data),
            )

    def _read_all(self) -> list[_Row]:
        connection = self._connect()
        try:
            return connection.execute(
                "SELECT session_id, seq, at, type, actor, client_id, data FROM events ORDER BY pos"
            ).fetchall()
        finally:
            connection.close()

    async def get_meta(self, key: str) -> str | None:
        def read() -> str | None:
            connection = self._connect()
            try:
                row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            finally:
                connection.close()
            return None if row is None else str(row[0])

        return await asyncio.to_thread(read)

    async def close(self) -> None:
        self._accepting = False
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            await asyncio.to_thread(self._thread.join)
        self._unlock()


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(StoreError(f"the event could not be stored: {error}"))
