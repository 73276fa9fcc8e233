"""A load-generator process: some rooms' facilitators and residents, or the consoles.

The coordinator drives it through a pipe with small commands and gets plain dicts back:
``connect`` (open every connection, check residents in), ``run`` (emit help requests and
cancellations at a rate for a while, measuring each), ``storm`` (wait for a server restart,
reconnect everyone, time it), ``close``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.load.wire import LightClient

Creds = dict[str, str]
"""A room's credentials: site, code, facilitator token."""


@dataclass
class Resident:
    client: LightClient
    site: str
    code: str
    token: str | None = None
    open_request: str | None = None
    busy: bool = False
    """Waiting for the answer to its last action."""


@dataclass
class Measures:
    sent: int = 0
    acked: int = 0
    errors: int = 0
    delivered: int = 0
    to_facilitator_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    helps: dict[str, list[float]] = field(default_factory=dict)
    """site → send times of the help requests acknowledged (for console latency)."""
    wrong_room: int = 0
    busy: int = 0
    """Actions not sent because every resident was still waiting for an answer."""


class RoomsWorker:
    """Facilitators and residents of a share of the rooms, in one process."""

    def __init__(self, base_url: str, rooms: list[Creds], residents_per_room: int) -> None:
        self.base_url = base_url
        self.rooms = rooms
        self.residents_per_room = residents_per_room
        self.residents: list[Resident] = []
        self.facilitators: dict[str, LightClient] = {}
        self.measures = Measures()
        self._cancel_sent: dict[str, float] = {}
        self._seq_seen: int = 0

    async def connect(self) -> dict[str, Any]:
        started = time.monotonic()
        for creds in self.rooms:
            facilitator = LightClient(self.base_url, "/room")
            facilitator.on_event = self._facilitator_event(creds["site"])
            await facilitator.connect({"token": creds["facilitator"]})
            self.facilitators[creds["site"]] = facilitator
        failed = await self._join(self.residents_per_room * len(self.rooms))
        return {
            "residents": len(self.residents),
            "facilitators": len(self.facilitators),
            "failed": failed,
            "seconds": round(time.monotonic() - started, 3),
        }

    async def grow(self, count: int) -> dict[str, Any]:
        """Connect and check in ``count`` more residents, spread over this worker's rooms."""
        started = time.monotonic()
        failed = await self._join(count)
        return {
            "residents": len(self.residents),
            "failed": failed,
            "seconds": round(time.monotonic() - started, 3),
        }

    async def _join(self, count: int) -> int:
        failed = 0
        first = len(self.residents)

        async def join(index: int) -> None:
            nonlocal failed
            creds = self.rooms[index % len(self.rooms)]
            client = LightClient(self.base_url, "/resident")
            resident = Resident(client, creds["site"], creds["code"])
            try:
                await client.connect({"code": creds["code"]})
                answer = await client.call(
                    "checkin", {"client_id": str(uuid.uuid4()), "name": None}
                )
                resident.token = answer["data"]["resident_token"]
                self.residents.append(resident)
            except Exception:
                failed += 1
                await client.close()

        indexes = range(first, first + count)
        for chunk in range(0, count, 200):  # a few hundred at a time: no SYN flood
            await asyncio.gather(*(join(i) for i in indexes[chunk : chunk + 200]))
        return failed

    def _facilitator_event(self, site: str) -> Any:
        def on_event(name: str, data: Any) -> None:
            now = time.monotonic()
            measures = self.measures
            if name == "snapshot":
                return
            if isinstance(data, dict) and data.get("room") not in (None, site):
                measures.wrong_room += 1
            if name == "help_requested":
                text = data.get("text") or ""
                if text.startswith("t="):
                    measures.delivered += 1
                    measures.to_facilitator_ms.append((now - float(text[2:])) * 1000)
            elif name == "help_cancelled":
                sent = self._cancel_sent.pop(data.get("request_id", ""), None)
                if sent is not None:
                    measures.delivered += 1
                    measures.to_facilitator_ms.append((now - sent) * 1000)

        return on_event

    async def run(self, rate: float, duration: float) -> dict[str, Any]:
        """Emit ``rate`` actions per second for ``duration`` s: each picks the next resident
        who is not waiting for an answer; they ask for help, or cancel their open request.
        Sends are awaited in the pacing loop and answers handled by callbacks: no task per
        action, so the generator's cost stays small next to the server's."""
        self.measures = Measures()
        measures = self.measures
        started = time.monotonic()
        residents = self.residents
        order = list(range(len(residents)))
        random.shuffle(order)
        cursor = 0
        while (elapsed := time.monotonic() - started) < duration:
            due = int(rate * elapsed) - measures.sent
            for _ in range(max(0, due)):
                for _ in range(len(order)):
                    resident = residents[order[cursor % len(order)]]
                    cursor += 1
                    if not resident.busy:
                        break
                else:
                    measures.busy += 1  # everyone waits for an answer: the server lags
                    break
                measures.sent += 1
                try:
                    await self._act(resident, measures)
                except Exception:
                    resident.busy = False
                    measures.errors += 1
            await asyncio.sleep(0.001)
        # Answers still on their way, then late deliveries: both still count.
        for _ in range(500):
            if not any(r.busy for r in residents):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        return {
            "sent": measures.sent,
            "acked": measures.acked,
            "errors": measures.errors,
            "delivered": measures.delivered,
            "to_facilitator_ms": measures.to_facilitator_ms,
            "ack_ms": measures.ack_ms,
            "helps": measures.helps,
            "wrong_room": measures.wrong_room,
            "busy": measures.busy,
        }

    async def _act(self, resident: Resident, measures: Measures) -> None:
        sent = time.monotonic()
        resident.busy = True
        tag = f"{sent:.6f}-{id(resident)}"
        if resident.open_request is None:

            def on_help(answer: Any) -> None:
                resident.busy = False
                if not answer or not answer.get("ok"):
                    measures.errors += 1
                    return
                resident.open_request = answer["data"]["id"]
                measures.helps.setdefault(resident.site, []).append(sent)
                measures.acked += 1
                measures.ack_ms.append((time.monotonic() - sent) * 1000)

            await resident.client.send(
                "help",
                {"client_id": f"h{tag}", "kind": "tech", "seat": "3", "text": f"t={sent:.6f}"},
                on_help,
            )
        else:
            request, resident.open_request = resident.open_request, None
            self._cancel_sent[request] = sent

            def on_cancel(answer: Any) -> None:
                resident.busy = False
                if not answer or not answer.get("ok"):
                    measures.errors += 1
                    return
                measures.acked += 1
                measures.ack_ms.append((time.monotonic() - sent) * 1000)

            await resident.client.send(
                "cancel_help", {"client_id": f"c{tag}", "request_id": request}, on_cancel
            )

    async def storm(self, min_seq: int, within: float) -> dict[str, Any]:
        """After the server restarts: reconnect every client (with jitter), wait for each
        snapshot at ``seq >= min_seq``; returns how long it took and how many made it."""
        started = time.monotonic()
        done = 0
        caught_up = 0

        async def back(make: Any, auth: dict[str, Any], keep: Any) -> None:
            nonlocal done, caught_up
            delay = random.uniform(0, 0.2)
            while time.monotonic() - started < within:
                await asyncio.sleep(delay)
                client: LightClient = make()
                snapshot: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

                def on_event(name: str, data: Any, future: Any = snapshot) -> None:
                    if name == "snapshot" and not future.done():
                        future.set_result(data)

                client.on_event = on_event
                try:
                    await client.connect(auth, within=10)
                    data = await asyncio.wait_for(snapshot, 10)
                except Exception:
                    delay = min(delay * 2 + 0.1, 2.0)
                    await client.close()
                    continue
                done += 1
                keep(client)
                if data.get("seq", 0) >= min_seq:
                    caught_up += 1
                return

        jobs = []
        for resident in self.residents:
            auth = {"code": resident.code, "token": resident.token}
            jobs.append(
                back(
                    lambda: LightClient(self.base_url, "/resident"),
                    auth,
                    lambda client, who=resident: setattr(who, "client", client),
                )
            )
        for creds in self.rooms:
            site = creds["site"]

            def facilitator(site: str = site) -> LightClient:
                client = LightClient(self.base_url, "/room")
                client.on_event = self._facilitator_event(site)
                return client

            jobs.append(
                back(
                    facilitator,
                    {"token": creds["facilitator"]},
                    lambda client, site=site: self.facilitators.__setitem__(site, client),
                )
            )
        await asyncio.gather(*jobs)
        return {
            "reconnected": done,
            "caught_up": caught_up,
            "expected": len(jobs),
            "seconds": round(time.monotonic() - started, 3),
        }


class ConsoleWorker:
    """Consoles watching the session: when each update arrived and what it said."""

    def __init__(self, base_url: str, admin_token: str, session_id: str, count: int) -> None:
        self.base_url = base_url
        self.auth = {"token": admin_token, "session": session_id}
        self.count = count
        self.updates: list[tuple[float, dict[str, int]]] = []
        self.per_console: list[int] = []
        self.latest: dict[str, int] = {}
        """Each room's help_total as last heard: the base of the next step."""

    async def connect(self) -> dict[str, Any]:
        self.per_console = [0] * self.count
        for index in range(self.count):
            client = LightClient(self.base_url, "/console")
            client.on_event = self._on_event(index)
            await client.connect(self.auth)
        return {"consoles": self.count}

    def _on_event(self, index: int) -> Any:
        def on_event(name: str, data: Any) -> None:
            if name != "console_update":
                return
            self.per_console[index] += 1
            if index == 0:
                totals = {site: tile["help_total"] for site, tile in data["rooms"].items()}
                self.latest.update(totals)
                self.updates.append((time.monotonic(), totals))

        return on_event

    async def run(self, rate: float, duration: float) -> dict[str, Any]:
        self.updates = []
        self.per_console = [0] * self.count
        base = dict(self.latest)
        await asyncio.sleep(duration + 1.5)
        return {"updates": self.updates, "per_console": self.per_console, "base": base}


def serve(pipe: Connection, kind: str, args: dict[str, Any]) -> None:
    """Process entry point: build the worker, then answer the coordinator's commands."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency
        pass
    asyncio.run(_serve(pipe, kind, args))


async def _serve(pipe: Connection, kind: str, args: dict[str, Any]) -> None:
    worker: RoomsWorker | ConsoleWorker = (
        RoomsWorker(args["base_url"], args["rooms"], args["residents_per_room"])
        if kind == "rooms"
        else ConsoleWorker(
            args["base_url"], args["admin_token"], args["session_id"], args["consoles"]
        )
    )
    loop = asyncio.get_running_loop()
    while True:
        command, params = await loop.run_in_executor(None, pipe.recv)
        try:
            if command == "connect":
                result = await worker.connect()
            elif command == "run":
                result = await worker.run(params["rate"], params["duration"])
            elif command == "grow" and isinstance(worker, RoomsWorker):
                result = await worker.grow(params["count"])
            elif command == "storm" and isinstance(worker, RoomsWorker):
                result = await worker.storm(params["min_seq"], params["within"])
            elif command == "close":
                pipe.send({})
                return
            else:
                result = {"error": f"unknown command {command}"}
        except Exception as error:  # reported, not hidden: the coordinator shows it
            result = {"error": repr(error)}
        pipe.send(result)
