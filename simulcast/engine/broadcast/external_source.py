"""The ``external`` source: any live URL the screens can play (HLS, YouTube, PeerTube, …)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from simulcast.engine.broadcast.sources import JSON
from simulcast.errors import SimulcastError
from simulcast.integrations.ingest.errors import IngestError
from simulcast.integrations.ingest.hls import HlsProbe
from simulcast.models.events import PlayKind

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def embed_of(url: str) -> JSON:
    """How a screen plays ``url``: ``{"embed": "hls" | "youtube" | "facebook" | "peertube" |
    "video" | "page", …}`` with the video id where the player needs one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path
    if path.endswith(".m3u8"):
        return {"embed": "hls"}
    if host in ("youtube.com", "youtu.be", "youtube-nocookie.com"):
        video = parse_qs(parts.query).get("v", [""])[0] if host == "youtube.com" else ""
        if not video:
            video = path.rstrip("/").rsplit("/", 1)[-1]
        if _YOUTUBE_ID.match(video):
            return {"embed": "youtube", "video_id": video}
    if host in ("facebook.com", "fb.watch"):
        return {"embed": "facebook"}
    peertube = re.match(r"^/(?:w|videos/watch|videos/embed)/([A-Za-z0-9-]+)$", path)
    if peertube:
        return {
            "embed": "peertube",
            "video_id": peertube.group(1),
            "embed_url": f"{parts.scheme}://{parts.netloc}/videos/embed/{peertube.group(1)}",
        }
    if path.endswith((".mp4", ".webm")):
        return {"embed": "video"}
    return {"embed": "page"}


class ExternalBroadcast:
    kind = "external"

    def __init__(self, url: str, probe: HlsProbe, *, live_timeout_s: float = 20.0) -> None:
        self.url = url
        self.probe = probe
        self.embed = embed_of(url)
        self.live_timeout_s = live_timeout_s

    async def preflight(self) -> JSON:
        if self.embed["embed"] != "hls":
            return {
                "ready": True,
                "external": {
                    "url": self.url,
                    **self.embed,
                    "checked": False,
                    "note": "only an HLS URL can be checked from here; screens report playback",
                },
            }
        liveness = await self.probe.check(self.url)
        return {
            "ready": liveness.live,
            "external": {
                "url": self.url,
                **self.embed,
                "checked": True,
                "live": liveness.live,
                "reason": liveness.reason,
            },
        }

    async def start(self) -> tuple[PlayKind, str]:
        if self.embed["embed"] == "hls":
            try:
                await self.probe.wait_live(self.url, timeout=self.live_timeout_s)
            except IngestError as error:
                raise SimulcastError(
                    f"the live URL does not serve a live stream: {error.message}",
                    code="external_not_live",
                ) from None
        return "external", self.url

    async def stop(self) -> None:
        return None

    async def health(self) -> JSON:
        if self.embed["embed"] != "hls":
            return {}
        liveness = await self.probe.check(self.url)
        return {"ingest_live": liveness.live, "ingest_reason": liveness.reason}

    def play(self, site: str) -> JSON:
        return {"kind": "external", "url": self.url, **self.embed}
