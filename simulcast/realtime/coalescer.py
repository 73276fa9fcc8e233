"""Console updates, coalesced: at most ``hz`` per second per session, whatever the event rate.

Events only mark rooms dirty (O(1)); a ticker builds one ``console_update`` per dirty session
with the current tiles of its dirty rooms and the totals. A snapshot is never older than one
tick plus its send time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from simulcast.domain.state import SessionState
from simulcast.engine.views import JSON, check_view, room_tile, totals
from simulcast.models.events import Recorded
from simulcast.realtime import channels
from simulcast.realtime.sio import SocketServer
from simulcast.registry import Registry

log = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, sio: SocketServer, registry: Registry, hz: float) -> None:
        self._sio = sio
        self._registry = registry
        self._period = 1.0 / hz
        self._dirty: dict[str, tuple[SessionState, set[str], set[str]]] = {}
        self.updates_sent = 0

    def touch(self, state: SessionState, record: Recorded) -> None:
        """Note what ``record`` changed; sent at the next tick."""
        dirty = self._dirty.get(state.id)
        if dirty is None:
            dirty = self._dirty[state.id] = (state, set(), set())
        _, rooms, checks = dirty
        event: Any = record.event
        fields = type(event).model_fields  # not getattr(…, None): pydantic raises inside
        if "room" in fields and event.room is not None:  # an announcement names no room
            rooms.add(event.room)
        if "check_id" in fields:
            checks.add(event.check_id)

    def build(self, state: SessionState, rooms: set[str], checks: set[str]) -> JSON:
        return {
            "session_id": state.id,
            "seq": state.seq,
            "state": state.state,
            "rooms": {
                site: room_tile(state, state.rooms[site], self._registry) for site in sorted(rooms)
            },
            "totals": totals(state),
            "checks": [check_view(state.checks[check_id]) for check_id in sorted(checks)],
        }

    def flush(self) -> None:
        dirty, self._dirty = self._dirty, {}
        for state, rooms, checks in dirty.values():
            try:
                self._sio.emit(
                    "console_update",
                    self.build(state, rooms, checks),
                    room=channels.console(state.id),
                    namespace="/console",
                )
                self.updates_sent += 1
            except Exception:
                log.exception("console update for %s failed", state.id)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while True:
            next_tick += self._period
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            if self._dirty:
                self.flush()
