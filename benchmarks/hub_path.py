"""Cost of one action through the hub (decide, apply, group commit on SQLite, fan-out hooks),
without sockets: ``uv run python -m benchmarks.hub_path [--actions 20000]``.

Reports CPU microseconds per action (process time, so other load on the machine matters
little) for help requests and cancellations issued concurrently, as the server sees them.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from simulcast.domain.clock import SystemClock
from simulcast.domain.commands import Actor, CancelHelp, CheckIn, RequestHelp, StartSession
from simulcast.engine.access import new_id
from simulcast.engine.hub import Hub
from simulcast.models.wire import SessionCreateBody
from simulcast.registry import load_registry
from simulcast.store.sqlite import SqliteEventStore

ROOT = Path(__file__).resolve().parent.parent


async def run(actions: int, concurrency: int) -> None:
    folder = Path(tempfile.mkdtemp())
    store = SqliteEventStore(folder / "hub.db")
    await store.start()
    hub = Hub(store, load_registry(ROOT / "rooms.yaml"), SystemClock())
    outcome = await hub.schedule(
        SessionCreateBody(title="bench", origin="studio-lille-sud"),
        default_start=SystemClock().now(),
    )
    session = outcome.principal.session_id
    await hub.execute(session, Actor(role="admin"), StartSession(), "start")
    state = hub.get(session)
    residents = []
    for index, site in enumerate(list(state.rooms) * (concurrency // len(state.rooms) + 1)):
        guest = Actor(role="guest", session_id=session, room=site)
        resident_id = new_id("r")
        await hub.execute(session, guest, CheckIn(resident_id, None), f"in{index}")
        residents.append(
            Actor(role="resident", session_id=session, room=site, resident_id=resident_id)
        )
    residents = residents[:concurrency]
    per = actions // (2 * concurrency)

    async def resident_loop(actor: Actor, index: int) -> None:
        for round_ in range(per):
            request = new_id("h")
            await hub.execute(
                session, actor, RequestHelp(request, "tech", "3", None), f"h{index}-{round_}"
            )
            await hub.execute(session, actor, CancelHelp(request), f"c{index}-{round_}")

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(resident_loop(actor, i) for i, actor in enumerate(residents)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    done = per * 2 * len(residents)
    print(
        f"{done} actions, {concurrency} concurrent: {cpu / done * 1e6:.1f} µs CPU per action, "
        f"{done / wall:.0f} actions/s, {store.commits} commits"
    )
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.actions, args.concurrency))


if __name__ == "__main__":
    main()
