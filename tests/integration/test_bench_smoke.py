"""A smoke run of `simulcast bench`, peers included: the harness works end to end.

No speed is asserted: only that every action sent was acknowledged, persisted (simulcast)
and received by its own room's facilitator, and none by another room's.
"""

from __future__ import annotations

from typing import Any

from benchmarks.load.runner import Plan, run_bench


async def test_bench_smoke_run_checks_delivery_and_persistence() -> None:
    plan = Plan(
        residents=200,
        rooms=10,
        duration=2,
        start_rate=100,
        max_rate=150,
        growth=2,
        workers=2,
        consoles=1,
        peers=True,
        capacity=0,
        storm=False,
    )
    figures: dict[str, Any] = await run_bench(plan)
    runs = {"simulcast": figures["simulcast"], **figures["peers"]}
    assert set(runs) == {"simulcast", "raw_aiohttp", "node_socketio"}
    for name, run in runs.items():
        assert run["connections"] == 200 + 10 + 1, name
        step = run["steps"][0]
        assert step["sent"] > 0, name
        assert (step["errors"], step["wrong_room"]) == (0, 0), name
        assert step["delivered"] == 1.0, name
        assert step["p99_ms"] is not None, name
    assert figures["simulcast"]["persisted"]["exact"] is True
    assert figures["simulcast"]["persisted"]["helps_acked"] > 0
    assert set(figures["ratios"]) == {"raw_aiohttp", "node_socketio"}
