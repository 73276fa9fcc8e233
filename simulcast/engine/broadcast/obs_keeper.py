"""One OBS connection for the whole controller, re-opened with backoff after a loss."""

from __future__ import annotations

import time
from collections.abc import Callable

from simulcast.integrations.obs.client import ObsClient
from simulcast.integrations.obs.errors import ObsUnavailable


class ObsKeeper:
    """Hands out a connected :class:`ObsClient`, or ``ObsUnavailable`` with the last reason.

    Between failed attempts it waits 0.5 s, then twice as long each time, up to 10 s, so a
    crashed OBS is found again within seconds of coming back without hammering it meanwhile.
    """

    def __init__(
        self,
        url: str,
        password: str | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.client = ObsClient(url, password)
        self.url = url
        self._now = monotonic
        self._max_backoff = max_backoff_s
        self._backoff = 0.5
        self._next_try = 0.0
        self.version: str | None = None
        self.error: str | None = None

    @property
    def connected(self) -> bool:
        return self.client.connected

    async def ensure(self, *, now: bool = False) -> ObsClient:
        """A connected client; ``now`` tries at once instead of honouring the backoff."""
        if self.client.connected:
            return self.client
        if not now and self._now() < self._next_try:
            raise ObsUnavailable(self.error or f"OBS at {self.url} is not connected")
        try:
            await self.client.connect()
            self.version = (await self.client.version()).obs
        except ObsUnavailable as error:
            self.error = error.message
            self._next_try = self._now() + self._backoff
            self._backoff = min(self._backoff * 2, self._max_backoff)
            raise
        self.error = None
        self._backoff = 0.5
        return self.client

    async def close(self) -> None:
        await self.client.close()
