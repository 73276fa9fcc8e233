"""The coordinator of ``simulcast bench``: starts a target, spreads clients over worker
processes, steps the event rate up until the target fails, and gathers the figures."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from benchmarks.load.stats import console_latencies, percentile
from benchmarks.load.targets import (
    SimulcastTarget,
    Target,
    TargetError,
    peer_target,
    simulcast_target,
)
from benchmarks.load.worker import serve

P99_LIMIT_MS = 50.0
DELIVERY_FLOOR = 0.999


@dataclass(frozen=True)
class Plan:
    residents: int
    rooms: int
    duration: float
    start_rate: float
    max_rate: float
    growth: float
    workers: int
    consoles: int
    peers: bool
    capacity: int
    storm: bool


def say(text: str) -> None:
    """Progress on stderr (stdout is for the final figures)."""
    print(text, file=sys.stderr, flush=True)


class Workers:
    """Load-generator processes and their pipes."""

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.pipes: list[tuple[str, Connection, Any]] = []

    def spawn(self, kind: str, args: dict[str, Any]) -> None:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=serve, args=(theirs, kind, args), daemon=True)
        process.start()
        self.pipes.append((kind, ours, process))

    async def ask(
        self, command: str, params: dict[str, Any] | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        chosen = [(k, pipe) for k, pipe, _ in self.pipes if kind is None or k == kind]
        for _, pipe in chosen:
            pipe.send((command, params or {}))
        loop = asyncio.get_running_loop()
        answers = await asyncio.gather(
            *(loop.run_in_executor(None, pipe.recv) for _, pipe in chosen)
        )
        for answer in answers:
            if "error" in answer:
                raise TargetError(f"a load-generator process failed: {answer['error']}")
        return list(answers)

    def close(self) -> None:
        for _, pipe, process in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("close", {}))
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            pipe.close()
            process.close()


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[index::parts] for index in range(parts)]


async def bench_target(target: Target, plan: Plan) -> dict[str, Any]:
    """Run the whole plan against one target; returns its figures."""
    say(f"[{target.name}] starting")
    target.start()
    workers = Workers()
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            await target.setup(http)
            idle_rss = target.rss_kb()
            per_room = max(1, plan.residents // plan.rooms)
            for share in _split(target.creds, plan.workers):
                workers.spawn(
                    "rooms",
                    {"base_url": target.url, "rooms": share, "residents_per_room": per_room},
                )
            workers.spawn(
                "consoles",
                {
                    "base_url": target.url,
                    "admin_token": target.admin_token,
                    "session_id": target.session_id,
                    "consoles": plan.consoles,
                },
            )
            connected = await workers.ask("connect")
            residents = sum(answer.get("residents", 0) for answer in connected)
            connections = residents + len(target.creds) + plan.consoles
            rss_kb_per_conn = round((target.rss_kb() - idle_rss) / max(1, connections), 1)
            say(
                f"[{target.name}] {residents} residents, {len(target.creds)} facilitators, "
                f"{plan.consoles} consoles connected; {rss_kb_per_conn} KB RSS per connection"
            )
            before = await _help_totals(target, http)
            steps = await _steps(target, plan, workers, http)
            passing = [step["rate"] for step in steps if step["passed"]]
            figures: dict[str, Any] = {
                "max_rate": max(passing) if passing else 0,
                "steps": steps,
                "connections": connections,
                "rss_kb_per_conn": rss_kb_per_conn,
                "gc_pause_max_ms": max((s["gc_pause_max_ms"] or 0 for s in steps), default=None)
                if isinstance(target, SimulcastTarget)
                else None,
            }
            if isinstance(target, SimulcastTarget):
                figures["persisted"] = await _persisted(target, http, before, steps)
            if plan.capacity:
                figures["capacity"] = await _capacity(target, plan, workers, http, idle_rss)
            if plan.storm and isinstance(target, SimulcastTarget):
                figures["reconnect_storm"] = await _storm(target, plan, workers, http)
            return figures
    finally:
        workers.close()
        target.stop()


async def _steps(
    target: Target, plan: Plan, workers: Workers, http: aiohttp.ClientSession
) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    rate = plan.start_rate
    while rate <= plan.max_rate:
        await target.gc(http, reset=True)
        cpu0, wall0 = target.cpu_seconds(), time.monotonic()
        answers = await asyncio.gather(
            workers.ask(
                "run", {"rate": rate / plan.workers, "duration": plan.duration}, kind="rooms"
            ),
            workers.ask("run", {"rate": rate, "duration": plan.duration}, kind="consoles"),
        )
        cpu = (target.cpu_seconds() - cpu0) / (time.monotonic() - wall0)
        rooms, consoles = answers
        step = _step_figures(rate, plan, rooms, consoles[0])
        step["cpu"] = round(cpu, 3)
        gc = await target.gc(http)
        step["gc_pause_max_ms"] = gc["pause_max_ms"] if gc else None
        steps.append(step)
        say(
            f"[{target.name}] {rate:>7.0f}/s: sent {step['achieved_rate']:.0f}/s, "
            f"p50 {step['p50_ms']} p99 {step['p99_ms']} ms, delivered {step['delivered']:.4f}, "
            f"console p99 {step['console_p99_ms']} ms at {step['console_hz']} Hz, "
            f"cpu {cpu:.0%}{'' if step['passed'] else '  ← limit'}"
        )
        if not step["passed"]:
            break
        rate *= plan.growth
    return steps


def _step_figures(
    rate: float,
    plan: Plan,
    rooms: list[dict[str, Any]],
    consoles: dict[str, Any],
) -> dict[str, Any]:
    latencies = [ms for answer in rooms for ms in answer["to_facilitator_ms"]]
    acks = [ms for answer in rooms for ms in answer["ack_ms"]]
    sent = sum(answer["sent"] for answer in rooms)
    delivered = sum(answer["delivered"] for answer in rooms)
    helps: dict[str, list[float]] = {}
    for answer in rooms:
        for site, times in answer["helps"].items():
            helps.setdefault(site, []).extend(times)
    console = console_latencies(helps, consoles["base"], consoles["updates"])
    p99 = percentile(latencies, 0.99)
    ratio = delivered / sent if sent else 0.0
    arrivals = [arrived for arrived, _ in consoles["updates"]]
    hz = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 2 else 0.0
    return {
        "rate": rate,
        "achieved_rate": round(sum(a["acked"] for a in rooms) / plan.duration, 1),
        "sent": sent,
        "errors": sum(answer["errors"] for answer in rooms),
        "not_sent_all_busy": sum(answer["busy"] for answer in rooms),
        "helps_acked": sum(len(times) for times in helps.values()),
        "delivered": round(ratio, 5),
        "wrong_room": sum(answer["wrong_room"] for answer in rooms),
        "p50_ms": _round(percentile(latencies, 0.50)),
        "p95_ms": _round(percentile(latencies, 0.95)),
        "p99_ms": _round(p99),
        "ack_p99_ms": _round(percentile(acks, 0.99)),
        "console_p50_ms": _round(percentile(console, 0.50)),
        "console_p99_ms": _round(percentile(console, 0.99)),
        "console_hz": round(hz, 2),
        "passed": p99 is not None and p99 <= P99_LIMIT_MS and ratio >= DELIVERY_FLOOR,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def _persisted(
    target: SimulcastTarget,
    http: aiohttp.ClientSession,
    before: dict[str, int],
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    """Every acknowledged help request is in the controller's state, once."""
    after = await _help_totals(target, http)
    stored = sum(after.values()) - sum(before.values())
    acked = sum(step["helps_acked"] for step in steps)
    return {"helps_acked": acked, "helps_stored": stored, "exact": acked == stored}


async def _help_totals(target: Target, http: aiohttp.ClientSession) -> dict[str, int]:
    if isinstance(target, SimulcastTarget):
        session = await target.session(http)
        return {site: tile["help_total"] for site, tile in session["rooms"].items()}
    return {}


CAPACITY_LEVELS = (1_000, 2_000, 5_000, 10_000, 20_000)


async def _capacity(
    target: Target, plan: Plan, workers: Workers, http: aiohttp.ClientSession, idle_rss: int
) -> list[dict[str, Any]]:
    """Connect more residents in steps up to ``plan.capacity``: RSS per connection, the time
    to connect each step, the longest GC pause meanwhile."""
    results = []
    have = sum(a["residents"] for a in await workers.ask("grow", {"count": 0}, kind="rooms"))
    # The state the rate steps left behind counts in the overall figure; the marginal one
    # (this step's growth over the connections it added) is what one more connection costs.
    last_rss, last_connections = target.rss_kb(), have + len(target.creds) + plan.consoles
    for level in [lvl for lvl in CAPACITY_LEVELS if lvl < plan.capacity] + [plan.capacity]:
        if level <= have:
            continue
        await target.gc(http, reset=True)
        started = time.monotonic()
        per_worker = -(-(level - have) // plan.workers)
        answers = await workers.ask("grow", {"count": per_worker}, kind="rooms")
        have = sum(answer["residents"] for answer in answers)
        connections = have + len(target.creds) + plan.consoles
        rss = target.rss_kb()
        gc = await target.gc(http)
        result = {
            "residents": have,
            "failed": sum(answer["failed"] for answer in answers),
            "connect_seconds": round(time.monotonic() - started, 2),
            "rss_mb": round(rss / 1024, 1),
            "rss_kb_per_conn": round((rss - idle_rss) / connections, 1),
            "marginal_kb_per_conn": round(
                (rss - last_rss) / max(1, connections - last_connections), 1
            ),
            "gc_pause_max_ms": gc["pause_max_ms"] if gc else None,
        }
        last_rss, last_connections = rss, connections
        results.append(result)
        say(
            f"[{target.name}] {have} residents: {result['rss_kb_per_conn']} KB per connection "
            f"({result['marginal_kb_per_conn']} KB each for this step's), "
            f"{result['connect_seconds']} s to connect the step, GC max {result['gc_pause_max_ms']}"
        )
    return results


async def _storm(
    target: SimulcastTarget, plan: Plan, workers: Workers, http: aiohttp.ClientSession
) -> dict[str, Any]:
    """Kill the controller with everyone connected, restart it, time the reconnection."""
    before = await target.session(http)
    port = target.port
    say(f"[{target.name}] reconnect storm: kill -9, restart on port {port}")
    target.kill()
    started = time.monotonic()
    target.start(port)
    ready = round(time.monotonic() - started, 3)  # restarted and listening (replay done)
    answers = await workers.ask("storm", {"min_seq": before["seq"], "within": 60}, kind="rooms")
    seconds = round(time.monotonic() - started, 3)
    after = await target.session(http)
    expected = sum(answer["expected"] for answer in answers)
    back = sum(answer["reconnected"] for answer in answers)
    caught_up = sum(answer["caught_up"] for answer in answers)
    same = {k: before["totals"][k] for k in ("checked_in", "help_total", "help_open")} == {
        k: after["totals"][k] for k in ("checked_in", "help_total", "help_open")
    }
    say(
        f"[{target.name}] {back}/{expected} back, {caught_up} caught up in {seconds} s "
        f"(listening again after {ready} s); "
        f"counts {'unchanged' if same else 'CHANGED'}"
    )
    return {
        "clients": expected,
        "reconnected": back,
        "caught_up": caught_up,
        "seconds": seconds,
        "restart_seconds": ready,
        "counts_unchanged": same,
        "totals_before": before["totals"],
        "totals_after": after["totals"],
    }


async def run_bench(plan: Plan) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "plan": plan.__dict__,
        "simulcast": await bench_target(simulcast_target(plan.rooms), plan),
    }
    if plan.peers:
        figures["peers"] = {}
        for name in ("raw_aiohttp", "node_socketio"):
            figures["peers"][name] = await bench_target(
                peer_target(name, plan.rooms), Plan(**{**plan.__dict__, "storm": False})
            )
        ours = figures["simulcast"]["max_rate"]
        figures["ratios"] = {
            name: round(ours / peer["max_rate"], 3) if peer["max_rate"] else None
            for name, peer in figures["peers"].items()
        }
        say(f"ratios of simulcast's max rate: {figures['ratios']}")
        raw = figures["peers"]["raw_aiohttp"]
        memory = {
            "at_start": _ratio(figures["simulcast"]["rss_kb_per_conn"], raw["rss_kb_per_conn"])
        }
        if plan.capacity:
            ours_last, raw_last = figures["simulcast"]["capacity"][-1], raw["capacity"][-1]
            memory["marginal_at_capacity"] = _ratio(
                ours_last["marginal_kb_per_conn"], raw_last["marginal_kb_per_conn"]
            )
        figures["rss_ratios_to_raw_aiohttp"] = memory
        say(f"RSS per connection, simulcast / raw aiohttp: {memory}")
    return figures


def _ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 2) if theirs else None
