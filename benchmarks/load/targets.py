"""The servers under test: simulcast itself, and the reference peers in benchmarks/peers/."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ADMIN = "bench-admin-token-0123456789"
PEERS = Path(__file__).resolve().parents[1] / "peers"


class TargetError(Exception):
    """A server under test could not be started or set up (the message says why)."""


def rooms_yaml(count: int) -> str:
    """A valid rooms.yaml with a studio and ``count`` rooms (fictional, for benchmarks)."""
    lines = ["sites:"]
    for index in range(count + 1):
        site = "studio" if index == 0 else f"room-{index - 1}"
        lines += [
            f"  - id: {site}",
            f'    pivot: "9990000{index:07d}"',
            f"    nom: Salle {index}",
            "    commune: Lille",
            '    code_postal: "59000"',
            "    adresse: 1 rue du Banc",
            "    date_maj: 2026-11-01",
            "    services: [Maîtrise des outils numériques du quotidien]",
            f"    x_kind: {'studio' if index == 0 else 'cyberespace'}",
            # The largest room rooms.yaml allows: check-ins are limited per address and room
            # (2 × x_capacity per 10 min) and every bench resident comes from 127.0.0.1.
            "    x_capacity: 500",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Target:
    """A running server: its process, URL, and the credentials of each room."""

    name: str
    argv: list[str]
    rooms: int
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="simulcast-bench-")))
    process: subprocess.Popen[str] | None = None
    url: str = ""
    session_id: str = "bench"
    admin_token: str = ADMIN
    creds: list[dict[str, str]] = field(default_factory=list)
    _log: Any = None

    def start(self, port: int = 0) -> None:
        argv = [*self.argv, "--port", str(port)]
        self._close_files()
        log = self._log = open(self.folder / f"{self.name}.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=self.folder,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("http"):
            self.process.kill()
            raise TargetError(
                f"{self.name} did not start ({' '.join(argv)}); its log: "
                f"{(self.folder / f'{self.name}.log').read_text()[-2000:]}"
            )
        self.url = line

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self._close_files()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_files()

    def _close_files(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    async def setup(self, http: aiohttp.ClientSession) -> None:
        """Credentials of each room: a real session for simulcast, fixed ones for peers."""
        self.creds = [
            {"site": f"room-{i}", "code": f"R{i:05d}", "facilitator": f"F{i}"}
            for i in range(self.rooms)
        ]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    async def gc(self, http: aiohttp.ClientSession, reset: bool = False) -> dict[str, Any] | None:
        return None


@dataclass
class SimulcastTarget(Target):
    async def setup(self, http: aiohttp.ClientSession) -> None:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        body = {
            "title": "Bench",
            "origin": "studio",
            "rooms": [f"room-{i}" for i in range(self.rooms)],
        }
        async with http.post(f"{self.url}/api/sessions", json=body, headers=headers) as answer:
            if answer.status != 201:
                raise TargetError(f"cannot create the bench session: {await answer.text()}")
            self.session_id = (await answer.json())["id"]
        async with http.post(f"{self.url}/api/sessions/{self.session_id}/start", headers=headers):
            pass
        async with http.get(
            f"{self.url}/api/sessions/{self.session_id}/access", headers=headers
        ) as answer:
            rooms = (await answer.json())["rooms"]
        self.creds = [
            {"site": site, "code": links["join_code"], "facilitator": links["facilitator_token"]}
            for site, links in rooms.items()
        ]

    async def session(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        async with http.get(f"{self.url}/api/sessions/{self.session_id}", headers=headers) as r:
            return dict(await r.json())

    async def gc(self, http: aiohttp.ClientSession, reset: bool = False) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        async with http.get(f"{self.url}/api/metrics", headers=headers) as answer:
            figures = dict((await answer.json())["gc"])
        if reset:
            async with http.post(f"{self.url}/api/metrics/reset", headers=headers):
                pass
        return figures


def simulcast_target(rooms: int) -> SimulcastTarget:
    target = SimulcastTarget(name="simulcast", argv=[], rooms=rooms)
    (target.folder / "rooms.yaml").write_text(rooms_yaml(rooms))
    target.argv = [
        sys.executable,
        "-m",
        "simulcast",
        "serve",
        "--rooms",
        str(target.folder / "rooms.yaml"),
        "--db",
        str(target.folder / "bench.db"),
        "--admin-token",
        ADMIN,
        "--max-connections-per-address",  # every simulated client connects from 127.0.0.1
        "1000000",
        "--log-level",
        "warning",
    ]
    return target


def peer_target(name: str, rooms: int) -> Target:
    if name == "raw_aiohttp":
        script = PEERS / "raw_aiohttp.py"
        argv = [sys.executable, str(script)]
    else:
        script = PEERS / "node_socketio" / "server.js"
        node = shutil.which("node")
        if node is None:
            raise TargetError("node is not installed: it runs the Node.js socket.io peer")
        if not (script.parent / "node_modules").exists():
            raise TargetError(f"run `npm ci` in {script.parent} first (make setup does)")
        argv = [node, str(script)]
    if not script.exists():
        raise TargetError(f"the {name} peer is missing: {script}")
    return Target(name=name, argv=[*argv, "--rooms", str(rooms)], rooms=rooms, admin_token="admin")


def wait_gone(pid: int, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.01)
