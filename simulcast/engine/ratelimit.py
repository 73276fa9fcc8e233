"""A per-address token bucket that slows down the guessing of join codes and tokens."""

from __future__ import annotations

import ipaddress
import logging
import math

from simulcast.domain.clock import Clock
from simulcast.errors import RateLimitedError

log = logging.getLogger(__name__)


def address_key(address: str) -> str:
    """Whom a limit applies to: the IPv4 address, or the /64 of an IPv6 one (a single home or
    phone is given a whole /64 and may pick any address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class _Buckets:
    """Token buckets by key: ``burst`` tokens, refilled evenly over ``window_s``; at most
    100,000 keys kept (the oldest forgotten first)."""

    def __init__(self, clock: Clock, window_s: float) -> None:
        self._clock = clock
        self.window_s = window_s
        self._levels: dict[object, tuple[float, float]] = {}

    def take(self, key: object, burst: int) -> tuple[int | None, float]:
        """Take one token: (None, tokens left) when there was one, else (seconds until there
        is one, 0)."""
        now = self._clock.now().timestamp()
        rate = burst / self.window_s
        level, since = self._levels.get(key, (float(burst), now))
        level = min(float(burst), level + (now - since) * rate)
        if level < 1:
            return math.ceil((1 - level) / rate), 0.0
        self._levels[key] = (level - 1, now)
        if len(self._levels) > 100_000:
            self._levels.pop(next(iter(self._levels)))
        return None, level - 1


class GuessLimiter:
    """Allows ``burst`` misses (a wrong join code or token) per address, refilled evenly
    over ``window_s``.

    Only misses are counted and only misses are refused: a right code or a valid token always
    passes, so a room full of residents behind one public address is never slowed down by
    someone who mistyped (docs/security.md says why guessing stays impractical)."""

    def __init__(self, clock: Clock, *, burst: int, window_s: float = 600.0) -> None:
        self._burst = burst
        self._buckets = _Buckets(clock, window_s)

    def miss(self, address: str) -> None:
        """Count a miss from ``address``; raise RateLimitedError if it had none left."""
        key = address_key(address)
        retry, left = self._buckets.take(key, self._burst)
        if retry is not None:
            raise RateLimitedError(
                f"too many wrong join codes or tokens from your address: try again in {retry} s",
                retry_after=retry,
            )
        if left < 1:
            log.warning("rate limiting %s: %d wrong join codes or tokens", key, self._burst)


class CheckInLimiter:
    """At most ``burst`` check-ins per address and room, refilled evenly over ``window_s``:
    a join code alone must not let one device fill a room's screen with invented people
    (a room behind one public address still checks in a full class at once)."""

    def __init__(self, clock: Clock, *, window_s: float = 600.0) -> None:
        self._buckets = _Buckets(clock, window_s)

    def take(self, address: str, room: str, burst: int) -> None:
        """Count one check-in; raise RateLimitedError when ``address`` has none left."""
        retry, _ = self._buckets.take((address_key(address), room), burst)
        if retry is not None:
            raise RateLimitedError(
                f"too many check-ins from your address in this room ({burst} per "
                f"{round(self._buckets.window_s / 60)} min): try again in {retry} s, or ask "
                "the room's facilitator",
                retry_after=retry,
            )
