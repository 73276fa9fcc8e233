"""A per-address token bucket that slows down join-code guessing."""

from __future__ import annotations

import math

from simulcast.domain.clock import Clock
from simulcast.errors import RateLimitedError


class GuessLimiter:
    """Allows ``burst`` wrong guesses per address, refilled evenly over ``window_s``.

    Only failures are counted: a room full of residents typing the right code behind one
    public address is never slowed down.
    """

    def __init__(self, clock: Clock, *, burst: int, window_s: float = 600.0) -> None:
        self._clock = clock
        self._burst = float(burst)
        self._rate = burst / window_s
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, address: str) -> tuple[float, float]:
        now = self._clock.now().timestamp()
        level, since = self._buckets.get(address, (self._burst, now))
        return min(self._burst, level + (now - since) * self._rate), now

    def check(self, address: str) -> None:
        """Raise RateLimitedError if this address has no guess left."""
        level, _ = self._level(address)
        if level < 1:
            retry = math.ceil((1 - level) / self._rate)
            raise RateLimitedError(
                f"too many wrong join codes from your address: try again in {retry} s",
                retry_after=retry,
            )

    def failed(self, address: str) -> None:
        level, now = self._level(address)
        self._buckets[address] = (level - 1, now)
        if len(self._buckets) > 100_000:
            self._buckets.pop(next(iter(self._buckets)))
