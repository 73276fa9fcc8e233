"""Which room screens are connected and alive (heartbeats), kept in memory.

Only changes become events (``screen_online`` / ``screen_offline``); heartbeats never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ScreenKey = tuple[str, str]
"""(session id, site id)."""


@dataclass
class _Screen:
    sockets: set[str] = field(default_factory=set)
    last_seen: float = 0.0
    alive: bool = False


class ScreenTracker:
    """Tracks each room's screen sockets; a room's screen is alive while one of its sockets
    has sent a heartbeat within ``timeout_s``."""

    def __init__(self, monotonic: Callable[[], float], timeout_s: float) -> None:
        self._now = monotonic
        self.timeout_s = timeout_s
        self._screens: dict[ScreenKey, _Screen] = {}

    def connected(self, key: ScreenKey, sid: str) -> bool:
        """Count a new socket; True when the room's screen just came alive."""
        screen = self._screens.setdefault(key, _Screen())
        screen.sockets.add(sid)
        return self.beat(key)

    def beat(self, key: ScreenKey) -> bool:
        """A heartbeat; True when it brings a silent screen back to life."""
        screen = self._screens.get(key)
        if screen is None or not screen.sockets:
            return False
        screen.last_seen = self._now()
        came_back = not screen.alive
        screen.alive = True
        return came_back

    def disconnected(self, key: ScreenKey, sid: str) -> bool:
        """Forget a socket; True when the room has no live screen any more."""
        screen = self._screens.get(key)
        if screen is None:
            return False
        screen.sockets.discard(sid)
        if screen.sockets or not screen.alive:
            return False
        screen.alive = False
        return True

    def silent(self) -> list[ScreenKey]:
        """Rooms whose screens stopped beating: marked dead, returned once."""
        limit = self._now() - self.timeout_s
        gone = []
        for key, screen in self._screens.items():
            if screen.alive and screen.last_seen < limit:
                screen.alive = False
                gone.append(key)
        return gone

    def alive(self, key: ScreenKey) -> bool:
        screen = self._screens.get(key)
        return screen is not None and screen.alive

    def last_seen_ago(self, key: ScreenKey) -> float | None:
        """Seconds since the room's screen was last heard, or None if never."""
        screen = self._screens.get(key)
        if screen is None or not screen.last_seen:
            return None
        return round(self._now() - screen.last_seen, 1)
