from __future__ import annotations

import pytest

from simulcast.domain.clock import ManualClock
from simulcast.engine.ratelimit import GuessLimiter, address_key
from simulcast.errors import RateLimitedError


def test_misses_are_limited_per_address_and_refill() -> None:
    clock = ManualClock()
    limiter = GuessLimiter(clock, burst=3, window_s=60)
    for _ in range(3):
        limiter.miss("1.2.3.4")
    with pytest.raises(RateLimitedError) as refused:
        limiter.miss("1.2.3.4")
    assert refused.value.retry_after == 20
    assert refused.value.message == (
        "too many wrong join codes or tokens from your address: try again in 20 s"
    )
    limiter.miss("5.6.7.8")  # another address is not affected
    clock.advance(20)
    limiter.miss("1.2.3.4")


def test_an_ipv6_address_is_limited_by_its_64() -> None:
    limiter = GuessLimiter(ManualClock(), burst=2, window_s=60)
    limiter.miss("2001:db8:1:2::1")
    limiter.miss("2001:db8:1:2:ffff:ffff:ffff:ffff")
    with pytest.raises(RateLimitedError):
        limiter.miss("2001:db8:1:2:abcd::9")
    limiter.miss("2001:db8:1:3::1")  # the next /64 is someone else


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("unknown", "unknown"),
    ],
)
def test_address_key(address: str, key: str) -> None:
    assert address_key(address) == key
