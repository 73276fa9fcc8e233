"""Percentiles and the console-latency join, kept pure so they can be tested."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` in 0..1) of ``values``, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[max(0, min(len(ordered), rank) - 1)]


def console_latencies(
    helps: dict[str, list[float]],
    base_totals: dict[str, int],
    updates: Sequence[tuple[float, dict[str, int]]],
) -> list[float]:
    """For each help request, ms from its sending to the first console update that counts it.

    ``helps``: per room, send times of this step's acknowledged requests; ``base_totals``: each
    room's ``help_total`` before the step; ``updates``: (arrival, {room: help_total}) in order.
    A room's k-th request of the step is counted once an update shows ``base + k``.
    """
    first_seen: dict[str, list[tuple[int, float]]] = {}
    for arrived, update in updates:
        for room, total in update.items():
            seen = first_seen.setdefault(room, [])
            if not seen or total > seen[-1][0]:
                seen.append((total, arrived))
    latencies = []
    for room, sends in helps.items():
        seen = first_seen.get(room, [])
        totals = [total for total, _ in seen]
        base = base_totals.get(room, 0)
        for rank, sent in enumerate(sorted(sends), start=1):
            index = bisect.bisect_left(totals, base + rank)
            if index < len(seen):
                latencies.append((seen[index][1] - sent) * 1000)
    return latencies
