"""BitrateMeter: kbps from successive (bytes, monotonic seconds) readings of OBS's counter."""

from __future__ import annotations

import pytest

from simulcast.integrations.obs import BitrateMeter


def test_bitrate_first_sample_has_no_rate() -> None:
    meter = BitrateMeter()
    assert (meter.sample(1_000, 10.0), meter.kbps) == (None, None)


def test_bitrate_is_kilobits_per_second_between_samples() -> None:
    meter = BitrateMeter()
    meter.sample(0, 10.0)
    assert meter.sample(312_500, 11.0) == 2500.0  # 312 500 B in 1 s = 2 500 000 bit/s
    assert meter.sample(312_500 + 156_250, 12.0) == 1250.0
    assert meter.kbps == 1250.0


def test_bitrate_uses_the_elapsed_time_not_the_sample_count() -> None:
    meter = BitrateMeter()
    meter.sample(0, 0.0)
    assert meter.sample(125_000, 4.0) == 250.0


def test_bitrate_counter_going_backwards_starts_over() -> None:
    meter = BitrateMeter()
    meter.sample(0, 0.0)
    meter.sample(1_000_000, 1.0)
    assert (meter.sample(2_000, 2.0), meter.kbps) == (None, None)  # a new stream began
    assert meter.sample(127_000, 3.0) == 1000.0


def test_bitrate_a_stalled_counter_is_zero() -> None:
    meter = BitrateMeter()
    meter.sample(500, 0.0)
    assert meter.sample(500, 2.0) == 0.0


def test_bitrate_time_not_moving_forward_is_ignored() -> None:
    meter = BitrateMeter()
    meter.sample(0, 5.0)
    assert meter.sample(1_000, 5.0) is None
    assert meter.sample(1_000, 4.0) is None
    assert meter.sample(125_000, 6.0) == 1000.0  # measured from the sample at 5.0


def test_bitrate_reset_forgets_everything() -> None:
    meter = BitrateMeter()
    meter.sample(0, 0.0)
    meter.sample(125_000, 1.0)
    meter.reset()
    assert (meter.kbps, meter.sample(250_000, 2.0)) == (None, None)
    assert meter.sample(375_000, 3.0) == 1000.0


def test_bitrate_negative_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        BitrateMeter().sample(-1, 0.0)
