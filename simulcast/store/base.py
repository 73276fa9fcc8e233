"""The store protocol every backend (SQLite today, PostgreSQL next) implements.

Promises:

- ``append`` returns only once its records are durable (committed); it raises StoreError
  otherwise, and then none of them are stored.
- Records of one session are kept in ``seq`` order; a ``(session_id, seq)`` is stored once.
- ``replay`` yields every record in the order they were committed (so each session's in
  ``seq`` order, and sessions in the order they were created).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from simulcast.models.events import Recorded


class EventStore(Protocol):
    async def start(self) -> None:
        """Connect, create the schema if needed, start any writer."""
        ...

    async def append(self, records: Sequence[Recorded]) -> None:
        """Store ``records`` atomically and durably (group commit may batch callers)."""
        ...

    def replay(self) -> AsyncIterator[Recorded]:
        """Every stored record, in commit order."""
        ...

    @property
    def failure(self) -> str | None:
        """Why the store refuses writes after a failed commit, or None while healthy."""
        ...

    async def redact(self, session_id: str) -> None:
        """Erase the personal data (first names, free texts) of a session's stored events."""
        ...

    async def get_meta(self, key: str) -> str | None:
        """A controller-wide value (admin token, signing key), or None."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store a controller-wide value durably."""
        ...

    async def close(self) -> None:
        """Finish pending commits, then release the backend."""
        ...
