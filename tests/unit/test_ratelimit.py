from __future__ import annotations

import pytest

from simulcast.domain.clock import ManualClock
from simulcast.engine.ratelimit import GuessLimiter
from simulcast.errors import RateLimitedError


def test_wrong_guesses_are_limited_per_address_and_refill() -> None:
    clock = ManualClock()
    limiter = GuessLimiter(clock, burst=3, window_s=60)
    for _ in range(3):
        limiter.check("1.2.3.4")
        limiter.failed("1.2.3.4")
    with pytest.raises(RateLimitedError) as refused:
        limiter.check("1.2.3.4")
    assert refused.value.retry_after == 20
    limiter.check("5.6.7.8")  # another address is not affected
    clock.advance(20)
    limiter.check("1.2.3.4")
