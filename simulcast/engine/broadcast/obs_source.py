"""The ``obs`` source: the mediator's OBS streams over RTMP to an ingest that serves HLS."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp

from simulcast.engine.broadcast.obs_keeper import ObsKeeper
from simulcast.engine.broadcast.sources import JSON
from simulcast.errors import SimulcastError
from simulcast.integrations.ingest.errors import IngestError
from simulcast.integrations.ingest.hls import HlsProbe
from simulcast.integrations.obs.bitrate import BitrateMeter
from simulcast.integrations.obs.errors import ObsError, ObsUnavailable
from simulcast.models.events import PlayKind


class ObsBroadcast:
    kind = "obs"

    def __init__(
        self,
        keeper: ObsKeeper,
        probe: HlsProbe,
        http: aiohttp.ClientSession,
        *,
        rtmp_url: str,
        stream_key: str,
        hls_url: str,
        live_timeout_s: float = 30.0,
    ) -> None:
        self.keeper = keeper
        self.probe = probe
        self.http = http
        self.rtmp_url = rtmp_url
        self.stream_key = stream_key
        self.hls_url = hls_url
        self.live_timeout_s = live_timeout_s
        self.meter = BitrateMeter()

    async def preflight(self) -> JSON:
        """OBS and the ingest checked at the same time: a few seconds at worst."""
        obs, rtmp, http_reachable = await asyncio.gather(
            self._obs_preflight(), _tcp_reachable(self.rtmp_url), self._http_reachable()
        )
        ingest = {
            "rtmp_url": self.rtmp_url,
            "hls_url": self.hls_url,
            **rtmp,
            "http_reachable": http_reachable,
        }
        ingest["reachable"] = bool(ingest["rtmp_reachable"] and http_reachable)
        return {"ready": obs["reachable"] and ingest["reachable"], "obs": obs, "ingest": ingest}

    async def _obs_preflight(self) -> JSON:
        obs: JSON = {"reachable": False, "url": self.keeper.url}
        try:
            client = await self.keeper.ensure(now=True)
            version = await client.version()
            status = await client.stream_status()
            obs.update(
                reachable=True,
                version=version.obs,
                websocket_version=version.websocket,
                scene=await client.current_scene(),
                scenes=await client.scenes(),
                streaming=status.active,
            )
        except ObsError as error:
            obs["error"] = error.message
        return obs

    async def _http_reachable(self) -> bool:
        try:
            async with self.http.get(self.hls_url, timeout=aiohttp.ClientTimeout(total=3)):
                return True  # any answer, 404 included: the server is there
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def start(self) -> tuple[PlayKind, str]:
        client = await self.keeper.ensure(now=True)
        await client.configure_stream(self.rtmp_url, self.stream_key)
        await client.start_stream()
        self.meter.reset()
        try:
            await self.probe.wait_live(self.hls_url, timeout=self.live_timeout_s)
        except IngestError as error:
            await client.stop_stream()
            raise SimulcastError(
                f"OBS streams to {self.rtmp_url} but the ingest does not serve it: {error.message}",
                code="ingest_not_live",
            ) from None
        return "hls", self.hls_url

    async def stop(self) -> None:
        if self.keeper.connected:
            await self.keeper.client.stop_stream()
        self.meter.reset()

    async def health(self) -> JSON:
        obs: JSON = {
            "connected": False,
            "streaming": False,
            "reconnecting": False,
            "version": self.keeper.version,
        }
        try:
            client = await self.keeper.ensure()
            status = await client.stream_status()
            kbps = (
                self.meter.sample(status.bytes, asyncio.get_running_loop().time())
                if status.active
                else None
            )
            obs.update(
                connected=True,
                streaming=status.active,
                reconnecting=status.reconnecting,
                bitrate_kbps=None if kbps is None else round(kbps),
                skipped_frames=status.skipped_frames,
                total_frames=status.total_frames,
                congestion=round(status.congestion, 3),
                scene=await client.current_scene(),
                version=self.keeper.version,
            )
        except ObsUnavailable as error:
            obs["error"] = error.message
            self.meter.reset()
        except ObsError as error:
            obs["error"] = error.message
        liveness = await self.probe.check(self.hls_url)
        return {"obs": obs, "ingest_live": liveness.live, "ingest_reason": liveness.reason}

    def play(self, site: str) -> JSON:
        return {"kind": "hls", "url": self.hls_url}

    async def switch_scene(self, scene: str) -> None:
        client = await self.keeper.ensure(now=True)
        await client.set_scene(scene)


async def _tcp_reachable(url: str) -> JSON:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 1935
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=3)
    except (OSError, TimeoutError) as error:
        return {"rtmp_reachable": False, "rtmp_error": f"{host}:{port}: {error}"}
    writer.close()
    await writer.wait_closed()
    return {"rtmp_reachable": True}
