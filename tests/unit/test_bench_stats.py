from __future__ import annotations

from benchmarks.load.stats import console_latencies, percentile


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (
        50.0,
        99.0,
        100.0,
    )
    assert percentile([], 0.5) is None


def test_console_latency_joins_each_request_to_the_first_update_counting_it() -> None:
    helps = {"a": [10.0, 10.1, 10.2], "b": [10.05]}
    updates = [
        (10.25, {"a": 7}),  # base 5: counts the first two of room a
        (10.50, {"a": 8, "b": 1}),
    ]
    latencies = console_latencies(helps, {"a": 5}, updates)
    assert [round(ms) for ms in latencies] == [250, 150, 300, 450]
