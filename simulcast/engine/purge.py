"""Retention: the personal data of ended sessions is erased after ``retention_days``.

What goes: residents' first names, help texts and answers, problem texts (DOMAIN.md: free
text is where identities leak). What stays: counts, seats, kinds and times, which activity
reports need and which identify nobody.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from simulcast.domain.clock import Clock
from simulcast.domain.commands import Actor, PurgePersonalData
from simulcast.engine.hub import Hub
from simulcast.store.base import EventStore

log = logging.getLogger(__name__)

SYSTEM = Actor(role="system")


class Purger:
    def __init__(
        self,
        hub: Hub,
        store: EventStore,
        clock: Clock,
        retention_days: int,
        period_s: float = 3600.0,
    ) -> None:
        self.hub = hub
        self.store = store
        self.clock = clock
        self.retention_days = retention_days
        self.period_s = period_s

    async def purge_due(self) -> list[str]:
        """Purge every session ended more than ``retention_days`` ago; returns their ids.

        The stored events are redacted first, then ``personal_data_purged`` is appended: a
        crash in between leaves the session due, and redacting again is harmless."""
        cutoff = self.clock.now() - timedelta(days=self.retention_days)
        purged = []
        for state in list(self.hub.sessions.values()):
            ended = state.ended_at
            if state.purged_at is not None or ended is None or ended > cutoff:
                continue
            await self.store.redact(state.id)
            await self.hub.execute(state.id, SYSTEM, PurgePersonalData(self.retention_days), None)
            purged.append(state.id)
            log.info("personal data of session %s purged (ended %s)", state.id, ended)
        return purged

    async def run(self) -> None:
        while True:
            try:
                await self.purge_due()
            except Exception:
                log.exception("purge failed; trying again in %g s", self.period_s)
            await asyncio.sleep(self.period_s)
