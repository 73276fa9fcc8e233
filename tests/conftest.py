from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulcast.config import Settings
from simulcast.domain.clock import ManualClock, SystemClock
from simulcast.realtime.server import Realtime
from simulcast.web.app import bound_to, create_app
from simulcast.web.keys import REALTIME
from tests.helpers import ADMIN, SAMPLE_ROOMS, Api, Recorder, connect
from tests.realobs import real_obs  # noqa: F401 - one real OBS for the whole test session


@dataclass
class Controller:
    app: web.Application
    base: str
    api: Api
    clients: list[Recorder]
    server: TestServer

    async def stop(self) -> None:
        """Stop it cleanly (pending commits written), as ``simulcast serve`` on SIGTERM."""
        for client in self.clients:
            await client.close()
        self.clients.clear()
        await self.server.close()

    @property
    def realtime(self) -> Realtime:
        return self.app[REALTIME]

    async def connect(
        self, namespace: str, auth: dict[str, Any], transports: list[str] | None = None
    ) -> Recorder:
        recorder = await connect(self.base, namespace, auth, transports)
        self.clients.append(recorder)
        return recorder


ControllerFactory = Callable[..., Awaitable[Controller]]


@pytest.fixture
async def start_controller(tmp_path: Path) -> AsyncIterator[ControllerFactory]:
    """Start real controllers (aiohttp on port 0, SQLite in tmp_path); all stopped after."""
    servers: list[tuple[TestServer, Controller]] = []
    http = aiohttp.ClientSession()

    async def start(db: Path | None = None, **overrides: Any) -> Controller:
        clock = overrides.pop("clock", None) or SystemClock()
        settings = Settings(
            rooms=overrides.pop("rooms", SAMPLE_ROOMS),
            db=db or tmp_path / f"simulcast-{len(servers)}.db",
            port=0,
            admin_token=ADMIN,
            **overrides,
        )
        app = create_app(settings, clock=clock)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        base = bound_to(app, server.port or 0)
        controller = Controller(app=app, base=base, api=Api(base, http), clients=[], server=server)
        servers.append((server, controller))
        return controller

    yield start
    for server, controller in servers:
        for client in controller.clients:
            await client.close()
        await server.close()
    await http.close()


@pytest.fixture
async def controller(start_controller: ControllerFactory) -> Controller:
    return await start_controller()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
