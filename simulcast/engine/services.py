"""Everything an action needs, assembled once from the settings and the opened store.

``open_services`` opens the store, reads the secrets kept in it, replays the log, starts the
purge and the broadcast supervisor, and yields a complete ``Services``: nothing in it is a
placeholder filled in later. REST routes and socket.io namespaces both act through it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import aiohttp

from simulcast.config import Settings
from simulcast.domain.clock import Clock
from simulcast.domain.commands import ROOM_BOUND, Actor
from simulcast.domain.state import SessionState
from simulcast.engine.access import TokenSigner, normalise_join_code
from simulcast.engine.broadcast.channel import ScreenChannel
from simulcast.engine.broadcast.factory import BroadcastConfig, SourceFactory
from simulcast.engine.broadcast.obs_keeper import ObsKeeper
from simulcast.engine.broadcast.supervisor import BroadcastSupervisor, Timing
from simulcast.engine.hub import Hub
from simulcast.engine.purge import Purger
from simulcast.engine.ratelimit import CheckInLimiter, GuessLimiter
from simulcast.engine.tasks import running
from simulcast.errors import AuthError, NotFoundError
from simulcast.registry import Registry
from simulcast.store.base import EventStore


class Links:
    """The base URL of every link handed out (join, facilitator, screen): ``--public-url``
    when set, else the address the controller listens on, known once it is bound (with
    ``--port 0`` the port is chosen by the system when the server starts)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._port: int | None = None

    def bind(self, port: int) -> str:
        """Record the port actually bound; returns the base URL."""
        self._port = port
        return self.base()

    def base(self) -> str:
        return self._settings.base_url(self._port)

    def join(self, code: str) -> str:
        return f"{self.base()}/join/{code}"


@dataclass(frozen=True)
class Services:
    """The controller's engine as the transports see it."""

    hub: Hub
    signer: TokenSigner
    admin_token: str
    limiter: GuessLimiter
    checkins: CheckInLimiter
    supervisor: BroadcastSupervisor
    purger: Purger
    links: Links
    zone: ZoneInfo
    """The territory's time zone: times given without an offset are local to it."""
    retention_days: int
    """Shown on the resident page's information notice."""
    access_expiry: timedelta = timedelta(hours=12)
    """How long after a session's end its join codes and room and resident tokens work."""
    started_at: float = field(default_factory=time.monotonic)

    @property
    def registry(self) -> Registry:
        return self.hub.registry

    def join(self, code: object, token: object, address: str) -> tuple[SessionState, Actor]:
        """Who connects with a room's join code (and, once checked in, their resident token):
        the session, and the caller as ``guest`` or ``resident``. The one rule for REST and
        socket.io: a token must be a resident of that very room; wrong codes and tokens are
        rate limited per address (a right one always passes)."""
        found = self.hub.by_code(normalise_join_code(code)) if isinstance(code, str) else None
        if found is None:
            self.limiter.miss(address)
            raise NotFoundError(
                "unknown join code: check the code shown on the room's screen", code="bad_code"
            )
        state, site = found
        self.check_access(state)
        if token is None:
            return state, Actor(role="guest", session_id=state.id, room=site)
        resident = self.signer.verify(token) if isinstance(token, str) else None
        known = state.residents.get(resident.resident_id or "") if resident else None
        if (
            resident is None
            or resident.session_id != state.id
            or known is None
            or known.room != site
        ):
            self.limiter.miss(address)
            raise AuthError(
                "this resident token is not valid for this room's code: check in again",
                code="bad_token",
            )
        return state, Actor(role="resident", session_id=state.id, room=site, resident_id=known.id)

    def check_access(self, state: SessionState) -> None:
        """Refuse (401 ``access_expired``) the codes and tokens of a session that ended or
        was cancelled more than ``access_expiry`` ago, whatever they were issued for."""
        if state.ended_at is None or self.hub.clock.now() < state.ended_at + self.access_expiry:
            return
        when = state.ended_at.astimezone(self.zone).strftime("%d/%m/%Y %H:%M")
        raise AuthError(
            f"this session {'ended' if state.state == 'ended' else 'was cancelled'} on {when}: "
            "its links, join codes and tokens no longer work; ask the lead mediator for the "
            "next session's",
            code="access_expired",
        )

    def check_actor(self, actor: Actor) -> None:
        """``check_access`` for a caller bound to a session by its token or join code."""
        if actor.role in ROOM_BOUND and actor.session_id is not None:
            self.check_access(self.hub.get(actor.session_id))


async def _secrets(store: EventStore, settings: Settings) -> tuple[TokenSigner, str]:
    """The token signing key and the admin token, made once and kept in the store so that
    links and tokens survive a restart (a given ``--admin-token`` wins)."""
    key = await store.get_meta("signing_key")
    if key is None:
        key = secrets.token_hex(32)
        await store.set_meta("signing_key", key)
    token = settings.admin_token or await store.get_meta("admin_token")
    if token is None:
        token = secrets.token_urlsafe(24)
        await store.set_meta("admin_token", token)
    return TokenSigner(bytes.fromhex(key)), token


@asynccontextmanager
async def open_services(
    settings: Settings,
    store: EventStore,
    registry: Registry,
    clock: Clock,
    screens: ScreenChannel,
    links: Links,
) -> AsyncIterator[Services]:
    """Open the store and run the engine's background work while the block runs; on exit,
    stop it and close the store (pending commits are written first)."""
    await store.start()
    try:
        signer, admin_token = await _secrets(store, settings)
        hub = Hub(store, registry, clock)
        await hub.load()
        keeper = ObsKeeper(settings.obs_url, settings.obs_password)
        async with aiohttp.ClientSession() as http:
            factory = SourceFactory(
                _broadcast_config(settings), keeper, http, registry, clock, signer.key
            )
            timing = Timing(
                screen_timeout_s=settings.screen_timeout, first_retry_s=settings.dispatch_retry
            )
            supervisor = BroadcastSupervisor(hub, factory, screens, timing=timing)
            purger = Purger(hub, store, clock, settings.retention_days)
            services = Services(
                hub=hub,
                signer=signer,
                admin_token=admin_token,
                limiter=GuessLimiter(clock, burst=settings.join_guess_limit),
                checkins=CheckInLimiter(clock),
                supervisor=supervisor,
                purger=purger,
                links=links,
                zone=settings.zone,
                retention_days=settings.retention_days,
                access_expiry=timedelta(hours=settings.access_expiry_hours),
            )
            await supervisor.recover()
            try:
                async with running(supervisor.run(), purger.run()):
                    yield services
            finally:
                await supervisor.close()
                await keeper.close()
    finally:
        await store.close()


def _broadcast_config(settings: Settings) -> BroadcastConfig:
    return BroadcastConfig(
        ingest_rtmp_url=settings.ingest_rtmp_url,
        ingest_hls_url=settings.ingest_hls_url,
        jitsi_app_id=settings.jitsi_app_id,
        jitsi_app_secret=settings.jitsi_app_secret,
        jitsi_room_size_url=settings.jitsi_room_size_url,
        live_timeout_s=settings.broadcast_live_timeout,
    )
