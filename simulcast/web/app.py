"""``create_app``: the one place that wires settings, registry, store, hub and socket.io."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from simulcast.config import Settings
from simulcast.domain.clock import Clock, SystemClock
from simulcast.engine.services import Links, open_services
from simulcast.engine.tasks import running
from simulcast.realtime.screens import SocketScreenChannel
from simulcast.realtime.server import close_all, create_realtime, serving
from simulcast.registry import Registry, load_registry
from simulcast.store.base import EventStore
from simulcast.store.sqlite import SqliteEventStore
from simulcast.web.errors import error_middleware
from simulcast.web.keys import LINKS, REALTIME, SERVICES, SETTINGS
from simulcast.web.metrics import GC_WATCH, GcPolicy, GcWatch
from simulcast.web.openapi import openapi
from simulcast.web.pages import add_pages
from simulcast.web.proxy import forwarded_middleware
from simulcast.web.routes import ROUTED, add_routes

MAX_BODY = 16 * 1024


def create_app(
    settings: Settings, *, registry: Registry | None = None, clock: Clock | None = None
) -> web.Application:
    """The controller as an aiohttp application. Raises StartupError on a bad rooms file.

    The routes and the socket.io server exist at once; the services (store, hub, broadcast
    supervisor, purge) are opened when the app starts (``_services_ctx``)."""
    registry = registry if registry is not None else load_registry(settings.rooms)
    links = Links(settings)
    realtime = create_realtime(
        registry,
        links.base,
        console_hz=settings.console_hz,
        max_connections_per_address=settings.max_connections_per_address,
    )

    proxies = [forwarded_middleware(settings.trusted_proxy)] if settings.trusted_proxy else []
    app = web.Application(middlewares=[*proxies, error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[LINKS] = links
    app[REALTIME] = realtime
    app[GC_WATCH] = GcWatch()
    realtime.sio.engine.attach(app)
    add_routes(app)
    app.router.add_get("/api/openapi.json", openapi)
    add_pages(app, jitsi_domain=settings.jitsi_domain)
    app.cleanup_ctx.append(_gc_ctx)
    app.cleanup_ctx.append(_services_ctx(SqliteEventStore(settings.db), registry, clock))
    if settings.gc_policy:
        app.cleanup_ctx.append(_gc_policy_ctx)
    app.on_response_prepare.append(_common_headers)
    app.on_shutdown.append(_close_connections)
    return app


COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Server": "simulcast"}
"""On every answer, errors and WebSocket handshakes included: no content sniffing (a JSON
error quoting what the client sent is never read as HTML), and no library version (aiohttp
names its own otherwise)."""


async def _common_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(COMMON_HEADERS)


def _services_ctx(
    store: EventStore, registry: Registry, clock: Clock | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Open the services and serve socket.io with them while the app runs."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        realtime = app[REALTIME]
        screens = SocketScreenChannel(realtime.sio)
        async with open_services(
            app[SETTINGS], store, registry, clock or SystemClock(), screens, app[LINKS]
        ) as services:
            app[SERVICES] = services
            async with serving(realtime, services, ROUTED):
                yield

    return ctx


async def _close_connections(app: web.Application) -> None:
    """On shutdown, tell every socket.io client at once (they reconnect), instead of waiting
    for each to miss its pings while the store stays locked."""
    close_all(app[REALTIME])


async def _gc_ctx(app: web.Application) -> AsyncIterator[None]:
    """Time GC pauses while the app runs."""
    app[GC_WATCH].install()
    try:
        yield
    finally:
        app[GC_WATCH].uninstall()


async def _gc_policy_ctx(app: web.Application) -> AsyncIterator[None]:
    """Freeze what start-up loaded, then keep long-lived objects out of GC pauses."""
    hub = app[SERVICES].hub
    policy = GcPolicy(lambda: all(s.state != "live" for s in hub.sessions.values()))
    policy.start()
    try:
        async with running(policy.run()):
            yield
    finally:
        gc.unfreeze()


def bound_to(app: web.Application, port: int) -> str:
    """Record the port actually bound (``--port 0``); returns the base URL links use."""
    return app[LINKS].bind(port)
