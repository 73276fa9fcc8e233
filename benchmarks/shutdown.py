"""How long ``simulcast serve`` takes to stop on SIGTERM with many clients connected, and
how soon a new controller listens on the same database.

    uv run python -m benchmarks.shutdown --clients 1000 --rooms 50 --runs 3

Each run starts a controller, connects ``--clients`` residents over WebSocket (the load
generator's light client), sends SIGTERM and measures: seconds until the process exits,
how many clients were told (their connection closed by the server), and seconds until a
controller restarted on the same port and database answers /api/health.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import time
from typing import Any

import aiohttp

from benchmarks.load.targets import simulcast_target
from benchmarks.load.wire import LightClient


async def _run(clients: int, rooms: int) -> dict[str, Any]:
    target = simulcast_target(rooms)
    target.start()
    async with aiohttp.ClientSession() as http:
        await target.setup(http)
        connected: list[LightClient] = []
        for index in range(clients):
            client = LightClient(target.url, "/resident")
            await client.connect({"code": target.creds[index % rooms]["code"]})
            connected.append(client)
        assert target.process is not None
        sent = time.perf_counter()
        target.process.send_signal(signal.SIGTERM)
        code = await asyncio.get_running_loop().run_in_executor(None, target.process.wait)
        exited = time.perf_counter() - sent
        told = sum(1 for client in connected if client._socket and client._socket.closed.is_set())
        port = target.port
        target._close_files()
        restarted = time.perf_counter()
        target.start(port)
        async with http.get(f"{target.url}/api/health") as answer:
            healthy = answer.status == 200
        listening = time.perf_counter() - restarted
        for client in connected:
            await client.close()
        target.stop()
    return {
        "exit_code": code,
        "exit_s": round(exited, 3),
        "clients_told": told,
        "restart_listening_s": round(listening, 3),
        "healthy": healthy,
    }


async def main(clients: int, rooms: int, runs: int) -> dict[str, Any]:
    results = [await _run(clients, rooms) for _ in range(runs)]
    return {
        "clients": clients,
        "runs": results,
        "exit_s_median": statistics.median(r["exit_s"] for r in results),
        "restart_listening_s_median": statistics.median(r["restart_listening_s"] for r in results),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(main(options.clients, options.rooms, options.runs)), indent=2))
