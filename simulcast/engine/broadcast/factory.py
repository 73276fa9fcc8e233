"""Builds a session's broadcast source from its descriptor and the controller's settings."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from simulcast.domain.clock import Clock
from simulcast.domain.state import SessionState
from simulcast.engine.broadcast.external_source import ExternalBroadcast
from simulcast.engine.broadcast.jitsi_source import JitsiBroadcast
from simulcast.engine.broadcast.obs_keeper import ObsKeeper
from simulcast.engine.broadcast.obs_source import ObsBroadcast
from simulcast.engine.broadcast.sources import BroadcastSource
from simulcast.integrations.ingest.hls import HlsProbe
from simulcast.integrations.jitsi.room_size import RoomSizeClient
from simulcast.integrations.jitsi.tokens import JitsiTokenIssuer, room_name_for
from simulcast.models.session import ExternalSource, JitsiSource, ObsSource
from simulcast.registry import Registry


@dataclass(frozen=True)
class BroadcastConfig:
    """The broadcast settings (see config.Settings), never from rooms.yaml."""

    ingest_rtmp_url: str
    ingest_hls_url: str
    """A pattern with ``{key}``, e.g. ``http://127.0.0.1:8089/hls/{key}.m3u8``."""
    jitsi_app_id: str | None = None
    jitsi_app_secret: str | None = None
    jitsi_room_size_url: str | None = None
    live_timeout_s: float = 30.0


class SourceFactory:
    """``factory(state)`` → the :class:`BroadcastSource` a session's descriptor asks for.

    A session without a descriptor uses OBS with the controller's ingest: the usual setup of
    a mediator streaming from the studio.
    """

    def __init__(
        self,
        config: BroadcastConfig,
        keeper: ObsKeeper,
        http: aiohttp.ClientSession,
        registry: Registry,
        clock: Clock,
        room_secret: bytes,
    ) -> None:
        self.config = config
        self.room_secret = room_secret
        self.keeper = keeper
        self.http = http
        self.probe = HlsProbe(http)
        self.registry = registry
        self.clock = clock
        self.issuer = (
            JitsiTokenIssuer(config.jitsi_app_id, config.jitsi_app_secret, clock=clock)
            if config.jitsi_app_id and config.jitsi_app_secret
            else None
        )

    def __call__(self, state: SessionState) -> BroadcastSource:
        source = state.source or ObsSource()
        match source:
            case ObsSource():
                key = source.stream_key or state.id
                return ObsBroadcast(
                    self.keeper,
                    self.probe,
                    self.http,
                    rtmp_url=source.rtmp_url or self.config.ingest_rtmp_url,
                    stream_key=key,
                    hls_url=source.hls_url or self.config.ingest_hls_url.format(key=key),
                    live_timeout_s=self.config.live_timeout_s,
                )
            case ExternalSource():
                return ExternalBroadcast(
                    source.url, self.probe, live_timeout_s=self.config.live_timeout_s
                )
            case JitsiSource():
                return self._jitsi(state, source)
        raise TypeError(f"unknown source {source!r}")

    def _jitsi(self, state: SessionState, source: JitsiSource) -> JitsiBroadcast:
        # Unguessable without the controller's key: on a public Jitsi the name is the lock.
        room = source.room or room_name_for(state.id, state.title, secret=self.room_secret)
        room_size = (
            RoomSizeClient(self.config.jitsi_room_size_url, self.http, source.domain)
            if self.config.jitsi_room_size_url
            else None
        )
        names = {
            site: (found.nom if (found := self.registry.get(site)) else site)
            for site in state.rooms
        }
        return JitsiBroadcast(
            session_id=state.id,
            domain=source.domain,
            room=room,
            issuer=self.issuer,
            room_size=room_size,
            room_names=names,
            clock=self.clock,
        )
