"""What every broadcast source does: preflight, start, stop, health, and what screens play.

Three sources implement it (``obs``, ``external``, ``jitsi``, in ``engine/broadcast/``); the
supervisor knows only this protocol.
"""

from __future__ import annotations

from typing import Any, Protocol

from simulcast.models.events import PlayKind

JSON = dict[str, Any]


class BroadcastSource(Protocol):
    kind: str

    async def preflight(self) -> JSON:
        """What is reachable before starting: ``{"ready": bool, …}`` plus details."""
        ...

    async def start(self) -> tuple[PlayKind, str]:
        """Bring the broadcast up and return once it really serves: (play kind, URL).

        Raises SimulcastError with a reason a mediator can act on."""
        ...

    async def stop(self) -> None:
        """Take the broadcast down (no error if it already is)."""
        ...

    async def health(self) -> JSON:
        """A cheap health reading, polled every few seconds while on air."""
        ...

    def play(self, site: str) -> JSON:
        """The ``play`` payload for one room's screens (kind, url, embed details)."""
        ...
