"""Runtime figures for operators and the benchmark: GC pauses, connections, events."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from simulcast.engine.actions import Action, Answer, Call


class GcWatch:
    """Times every garbage collection (gc.callbacks) and keeps the longest pauses."""

    def __init__(self) -> None:
        self.collections = 0
        self.pause_max_ms = 0.0
        self.pause_total_ms = 0.0
        self.slow: list[tuple[float, int, float]] = []
        """(wall time, generation, ms) of pauses over 20 ms, the last 50."""
        self._started: float | None = None

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        if self._started is None:
            return
        ms = (time.perf_counter() - self._started) * 1000
        self._started = None
        self.collections += 1
        self.pause_total_ms += ms
        self.pause_max_ms = max(self.pause_max_ms, ms)
        if ms > 20:
            self.slow = [*self.slow[-49:], (time.time(), int(info.get("generation", -1)), ms)]

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def uninstall(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def reset(self) -> None:
        self.collections = 0
        self.pause_max_ms = 0.0
        self.pause_total_ms = 0.0
        self.slow = []

    def report(self) -> dict[str, Any]:
        return {
            "collections": self.collections,
            "pause_max_ms": round(self.pause_max_ms, 2),
            "pause_total_ms": round(self.pause_total_ms, 1),
            "slow_pauses": [
                {"at": round(at, 3), "generation": generation, "ms": round(ms, 1)}
                for at, generation, ms in self.slow
            ],
            "thresholds": list(gc.get_threshold()),
            "frozen": gc.get_freeze_count(),
        }


GC_WATCH = web.AppKey("gc_watch", GcWatch)


async def _metrics(call: Call) -> Answer:
    """GC pauses since the last reset, connected clients per namespace, the Engine.IO
    connections under them (by transport), sessions, events."""
    from simulcast.web.keys import REALTIME

    app = call.origin.app
    sio = app[REALTIME].sio
    hub = call.services.hub
    return Answer(
        {
            "gc": app[GC_WATCH].report(),
            "connections": {namespace: len(members) for namespace, members in sio.clients.items()},
            "engineio": sio.engine.counts(),
            "sessions": len(hub.sessions),
            "events": sum(state.seq for state in hub.sessions.values()),
        }
    )


async def _reset_metrics(call: Call) -> Answer:
    call.origin.app[GC_WATCH].reset()
    return Answer({"reset": True})


ACTIONS = (
    Action(
        "metrics",
        "GC pauses, connections, events",
        ("admin",),
        _metrics,
        rest=("GET", "/api/metrics"),
    ),
    Action(
        "reset_metrics",
        "Reset the GC pause figures",
        ("admin",),
        _reset_metrics,
        rest=("POST", "/api/metrics/reset"),
    ),
)
"""The web layer's own actions: they read the application (GC watch, socket counts)."""


class GcPolicy:
    """Keeps garbage-collection pauses short with thousands of connections.

    CPython's full collections traverse every tracked object: with 5,000 connected clients
    that is over a second. Objects that live long (modules, sessions, each client's socket
    objects) are frozen (``gc.freeze``) after start-up and then every ``period_s`` seconds,
    so collections only look at recent objects. Frozen objects are still freed by reference
    counting; only reference cycles among them wait for a thaw, done when no session is live
    (``quiet()``), at most every ``thaw_period_s``, so that memory stays bounded.
    """

    def __init__(
        self,
        quiet: Callable[[], bool],
        *,
        period_s: float = 1.0,
        thaw_period_s: float = 3600.0,
        thresholds: tuple[int, int, int] = (5_000, 20, 100),
    ) -> None:
        self.quiet = quiet
        self.period_s = period_s
        self.thaw_period_s = thaw_period_s
        self.thresholds = thresholds
        self._last_thaw = time.monotonic()

    def start(self) -> None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*self.thresholds)

    def step(self) -> None:
        if self.quiet() and time.monotonic() - self._last_thaw > self.thaw_period_s:
            gc.unfreeze()
            gc.collect()
            self._last_thaw = time.monotonic()
        gc.freeze()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.period_s)
            self.step()
