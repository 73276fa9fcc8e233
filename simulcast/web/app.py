"""``create_app``: the one place that wires settings, registry, store, hub and socket.io."""

from __future__ import annotations

import asyncio
import gc
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import suppress

import aiohttp
from aiohttp import web

from simulcast.config import Settings
from simulcast.domain.clock import Clock, SystemClock
from simulcast.engine.access import TokenSigner
from simulcast.engine.broadcast.factory import BroadcastConfig, SourceFactory
from simulcast.engine.broadcast.obs_keeper import ObsKeeper
from simulcast.engine.broadcast.supervisor import BroadcastSupervisor, Timing
from simulcast.engine.hub import Hub
from simulcast.engine.purge import Purger
from simulcast.engine.ratelimit import GuessLimiter
from simulcast.realtime.context import Services
from simulcast.realtime.screens import SocketScreenChannel
from simulcast.realtime.server import create_realtime, running
from simulcast.registry import Registry, load_registry
from simulcast.store.sqlite import SqliteEventStore
from simulcast.web.errors import error_middleware
from simulcast.web.keys import REALTIME, SERVICES, SETTINGS, STARTED_AT, STORE
from simulcast.web.metrics import GC_WATCH, GcPolicy, GcWatch
from simulcast.web.openapi import openapi
from simulcast.web.pages import add_pages
from simulcast.web.routes import add_routes

MAX_BODY = 16 * 1024


def create_app(
    settings: Settings, *, registry: Registry | None = None, clock: Clock | None = None
) -> web.Application:
    """The controller as an aiohttp application. Raises StartupError on a bad rooms file."""
    registry = registry if registry is not None else load_registry(settings.rooms)
    clock = clock or SystemClock()
    store = SqliteEventStore(settings.db)
    hub = Hub(store, registry, clock)
    services = Services(
        hub=hub,
        limiter=GuessLimiter(clock, burst=settings.join_guess_limit),
        signer=TokenSigner(b""),
        admin_token="",
        base_url=settings.base_url,
        retention_days=settings.retention_days,
    )
    realtime = create_realtime(services, console_hz=settings.console_hz)

    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[SERVICES] = services
    app[STORE] = store
    app[REALTIME] = realtime
    app[STARTED_AT] = time.monotonic()
    app[GC_WATCH] = GcWatch()
    realtime.sio.engine.attach(app)
    add_routes(app)
    app.router.add_get("/api/openapi.json", openapi)
    add_pages(app)
    app.cleanup_ctx.append(_gc_ctx)
    app.cleanup_ctx.append(_store_ctx)
    app.cleanup_ctx.append(_purge_ctx)
    app.cleanup_ctx.append(_broadcast_ctx)
    app.cleanup_ctx.append(_realtime_ctx)
    if settings.gc_policy:
        app.cleanup_ctx.append(_gc_policy_ctx)
    return app


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
    task = asyncio.create_task(policy.run(), name="gc-policy")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        gc.unfreeze()


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the store, load secrets kept in it, replay every session."""
    store, services, settings = app[STORE], app[SERVICES], app[SETTINGS]
    await store.start()
    try:
        key = await store.get_meta("signing_key")
        if key is None:
            key = secrets.token_hex(32)
            await store.set_meta("signing_key", key)
        services.signer = TokenSigner(bytes.fromhex(key))
        token = settings.admin_token or await store.get_meta("admin_token")
        if token is None:
            token = secrets.token_urlsafe(24)
            await store.set_meta("admin_token", token)
        services.admin_token = token
        await services.hub.load()
        yield
    finally:
        await store.close()


async def _purge_ctx(app: web.Application) -> AsyncIterator[None]:
    """Erase the personal data of sessions past their retention period, hourly."""
    services, settings = app[SERVICES], app[SETTINGS]
    purger = Purger(services.hub, app[STORE], services.hub.clock, settings.retention_days)
    services.purger = purger
    task = asyncio.create_task(purger.run(), name="purge")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _broadcast_ctx(app: web.Application) -> AsyncIterator[None]:
    """The broadcast supervisor, its OBS connection and its HTTP client."""
    settings, services, realtime = app[SETTINGS], app[SERVICES], app[REALTIME]
    config = BroadcastConfig(
        ingest_rtmp_url=settings.ingest_rtmp_url,
        ingest_hls_url=settings.ingest_hls_url,
        jitsi_app_id=settings.jitsi_app_id,
        jitsi_app_secret=settings.jitsi_app_secret,
        jitsi_room_size_url=settings.jitsi_room_size_url,
        live_timeout_s=settings.broadcast_live_timeout,
    )
    keeper = ObsKeeper(settings.obs_url, settings.obs_password)
    key = await app[STORE].get_meta("signing_key") or ""
    async with aiohttp.ClientSession() as http:
        factory = SourceFactory(
            config, keeper, http, services.registry, services.hub.clock, bytes.fromhex(key)
        )
        timing = Timing(
            screen_timeout_s=settings.screen_timeout, first_retry_s=settings.dispatch_retry
        )
        supervisor = BroadcastSupervisor(
            services.hub, factory, SocketScreenChannel(realtime.sio), timing=timing
        )
        services.broadcast = supervisor
        await supervisor.recover()
        task = asyncio.create_task(supervisor.run(), name="broadcast-supervisor")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await supervisor.close()
            await keeper.close()


async def _realtime_ctx(app: web.Application) -> AsyncIterator[None]:
    async with running(app[REALTIME]):
        yield


def bound_to(app: web.Application, port: int) -> str:
    """Record the port actually bound (``--port 0``); returns the base URL links use."""
    settings, services = app[SETTINGS], app[SERVICES]
    services.base_url = lambda: settings.base_url(port)
    return settings.base_url(port)
