"""Broadcast start latency against a real OBS: click → first HLS playlist → every screen playing.

    uv run python -m benchmarks.broadcast_start --runs 5 --screens 10

Starts the project's real OBS + nginx-rtmp harness (scripts/real-obs.sh), a controller
in-process on SQLite, and N screen clients (python-socketio) that behave like the room
player: on ``play`` they report ``loading`` then ``playing``. Each run uses a new session (so
a new stream key and a fresh HLS playlist) and measures, from the moment the start request is
sent: the first HLS playlist served by the ingest, ``broadcast_live``, and the moment the last
screen's ``playing`` report was acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp import web

from simulcast.config import Settings
from simulcast.web.app import bound_to, create_app
from tests.realobs import RealObs

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "bench-admin-token-0123456789"


async def _screen(
    base: str, token: str, acked: dict[str, float], name: str
) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)

    async def on_play(payload: dict[str, Any]) -> None:
        await client.call("screen_state", {"state": "loading"}, namespace="/room")
        await client.call("screen_state", {"state": "playing"}, namespace="/room")
        acked.setdefault(name, time.perf_counter())

    client.on("play", on_play, namespace="/room")
    await client.connect(
        base, namespaces=["/room"], auth={"token": token}, transports=["websocket"]
    )
    return client


async def _first_playlist(http: aiohttp.ClientSession, url: str, deadline: float) -> float:
    while time.perf_counter() < deadline:
        async with http.get(url) as response:
            if response.status == 200 and "#EXTINF" in await response.text():
                return time.perf_counter()
        await asyncio.sleep(0.02)
    raise TimeoutError(f"no playlist at {url}")


async def run(runs: int, screens: int) -> dict[str, Any]:
    obs = RealObs.start(video_size="1280x720")
    folder = Path(tempfile.mkdtemp(prefix="simulcast-bench-"))
    settings = Settings(
        rooms=ROOT / "rooms.yaml",
        db=folder / "bench.db",
        port=0,
        admin_token=ADMIN,
        obs_url=obs.ws_url,
        obs_password=obs.password,
        ingest_rtmp_url=obs.rtmp_server,
        ingest_hls_url=obs.hls_url("{key}"),
    )
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = bound_to(app, runner.addresses[0][1])
    headers = {"Authorization": f"Bearer {ADMIN}"}
    results = []
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            sites = [s["id"] for s in await (await http.get(f"{base}/api/sites")).json()]
            rooms = [s for s in sites if s != "studio-lille-sud"][:screens]
            for index in range(runs):
                created = await (
                    await http.post(
                        f"{base}/api/sessions",
                        json={
                            "title": f"Bench {index}",
                            "origin": "studio-lille-sud",
                            "rooms": rooms,
                        },
                    )
                ).json()
                session_id = created["id"]
                await http.post(f"{base}/api/sessions/{session_id}/start")
                access = await (await http.get(f"{base}/api/sessions/{session_id}/access")).json()
                acked: dict[str, float] = {}
                clients = [
                    await _screen(base, access["rooms"][r]["screen_token"], acked, r) for r in rooms
                ]
                t0 = time.perf_counter()
                await http.post(f"{base}/api/sessions/{session_id}/broadcast/start")
                playlist = await _first_playlist(http, obs.hls_url(session_id), t0 + 60)
                # polling a plain dict the screens fill, bounded by the deadline
                while len(acked) < len(rooms) and time.perf_counter() < t0 + 60:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                if len(acked) < len(rooms):
                    raise TimeoutError(f"only {len(acked)} of {len(rooms)} screens played")
                live = await (await http.get(f"{base}/api/sessions/{session_id}")).json()
                assert live["broadcast"]["state"] == "live", live["broadcast"]
                result = {
                    "first_playlist_s": round(playlist - t0, 3),
                    "all_screens_playing_s": round(max(acked.values()) - t0, 3),
                    "first_screen_playing_s": round(min(acked.values()) - t0, 3),
                }
                results.append(result)
                print(f"run {index + 1}: {result}", file=sys.stderr)
                await http.post(f"{base}/api/sessions/{session_id}/broadcast/stop")
                for _ in range(200):
                    state = await (await http.get(f"{base}/api/sessions/{session_id}")).json()
                    if state["broadcast"]["state"] == "stopped":
                        break
                    await asyncio.sleep(0.05)
                for client in clients:
                    await client.disconnect()
                await http.post(f"{base}/api/sessions/{session_id}/end")
    finally:
        await runner.cleanup()
        obs.stop()

    def summary(key: str) -> dict[str, float]:
        values = [r[key] for r in results]
        return {"median": round(statistics.median(values), 3), "worst": max(values)}

    return {
        "runs": runs,
        "screens": screens,
        "obs_version": obs.obs_version,
        "first_playlist_s": summary("first_playlist_s"),
        "all_screens_playing_s": summary("all_screens_playing_s"),
        "each_run": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the figures there too")
    args = parser.parse_args()
    if not 1 <= args.runs <= 50 or not 1 <= args.screens <= 10:
        parser.error("--runs is 1–50 and --screens 1–10 (the sample rooms.yaml has 10 rooms)")
    figures = asyncio.run(run(args.runs, args.screens))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
