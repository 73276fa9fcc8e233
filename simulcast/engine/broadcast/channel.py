"""How the supervisor reaches room screens and consoles (socket.io implements it)."""

from __future__ import annotations

from typing import Any, Protocol


class ScreenChannel(Protocol):
    async def play(self, session_id: str, site: str, payload: dict[str, Any]) -> None:
        """Send ``play`` to every screen of one room."""
        ...

    async def stop(self, session_id: str, site: str, reason: str | None) -> None:
        """Send ``stop`` to every screen of one room: back to the waiting card."""
        ...

    async def health(self, session_id: str, payload: dict[str, Any]) -> None:
        """Send a ``broadcast_health`` reading to the consoles watching the session."""
        ...
