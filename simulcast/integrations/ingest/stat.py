"""nginx-rtmp's ``/stat`` page (``rtmp_stat all``): the live streams, their bandwidth, their
clients. Parsed with the standard library, refusing any DTD (so no entity expansion).

The document (nginx-rtmp ``ngx_rtmp_stat_module.c``)::

    <rtmp> … <server> <application> <name>live</name> <live>
        <stream> <name>KEY</name> <time>ms</time> <bw_in>bit/s</bw_in> <bytes_in/> <bw_out/>
                 <bytes_out/> <client>…<publishing/></client>… <meta>…</meta>
                 <nclients>N</nclients> <publishing/> <active/> </stream> …

A push shows as a client whose ``flashver`` is ``ngx-local-relay`` and whose ``address`` is
the push URL, stream key included: this module counts such clients and keeps no address.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

import aiohttp

from simulcast.integrations.ingest.errors import IngestError, IngestNotLive

MAX_STAT_BYTES = 4 * 1024 * 1024
RELAY_FLASHVER = "ngx-local-relay"


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    frame_rate: int
    codec: str


@dataclass(frozen=True)
class StreamStats:
    """One stream of one application. Bandwidths are bits per second, averaged by nginx-rtmp
    over its accounting period (about 10 s; 0 in a stream's first seconds)."""

    application: str
    name: str
    uptime_ms: int
    bw_in: int
    bw_out: int
    bytes_in: int
    bytes_out: int
    publishing: bool
    """Someone is publishing it (OBS is connected and sending)."""
    active: bool
    clients: int
    """Every RTMP client of the stream: publisher, pushes and RTMP players."""
    publishers: int
    pushes: int
    """Pushes to platforms that are connected right now."""
    players: int
    video: VideoInfo | None


def parse_stat(document: bytes) -> list[StreamStats]:
    """The streams listed in a ``/stat`` document, in document order.

    Raises :class:`IngestError` when the document has a DTD, is not well-formed XML, or is
    not nginx-rtmp's statistics.
    """
    _refuse_dtd(document)
    root = ET.fromstring(document)
    if root.tag != "rtmp":
        raise IngestError(f"not nginx-rtmp statistics: the root element is <{root.tag}>")
    streams: list[StreamStats] = []
    for application in root.iterfind("server/application"):
        app_name = _text(application, "name")
        for stream in application.iterfind("live/stream"):
            streams.append(_stream(app_name, stream))
    return streams


class RtmpStat:
    """Reads ``<base_url>/stat`` of one ingest (the location of :func:`render_nginx_conf`)."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession, *, timeout: float = 5.0):
        self.url = base_url.rstrip("/") + "/stat"
        self._http = http
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def streams(self) -> list[StreamStats]:
        """The ingest's streams; :class:`IngestNotLive` when the page cannot be fetched."""
        try:
            async with self._http.get(self.url, timeout=self._timeout) as response:
                if response.status != 200:
                    raise IngestNotLive(f"no statistics at {self.url}: {response.status}")
                body = await response.content.read(MAX_STAT_BYTES + 1)
        except TimeoutError:
            raise IngestNotLive(
                f"no statistics at {self.url}: timed out after {self._timeout.total:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise IngestNotLive(f"no statistics at {self.url}: {exc}") from None
        if len(body) > MAX_STAT_BYTES:
            raise IngestError(f"{self.url} is larger than {MAX_STAT_BYTES} bytes")
        return parse_stat(body)


def _refuse_dtd(document: bytes) -> None:
    def refuse(*_: object) -> NoReturn:
        raise IngestError("refusing a /stat document with a DTD (nginx-rtmp sends none)")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(document, True)
    except expat.ExpatError as exc:
        raise IngestError(f"the /stat document is not well-formed XML: {exc}") from None


def _stream(application: str, stream: ET.Element) -> StreamStats:
    clients = stream.findall("client")
    publishers = sum(1 for client in clients if client.find("publishing") is not None)
    pushes = sum(1 for client in clients if client.findtext("flashver") == RELAY_FLASHVER)
    count = _int(stream, "nclients")
    return StreamStats(
        application=application,
        name=_text(stream, "name"),
        uptime_ms=_int(stream, "time"),
        bw_in=_int(stream, "bw_in"),
        bw_out=_int(stream, "bw_out"),
        bytes_in=_int(stream, "bytes_in"),
        bytes_out=_int(stream, "bytes_out"),
        publishing=stream.find("publishing") is not None,
        active=stream.find("active") is not None,
        clients=count,
        publishers=publishers,
        pushes=pushes,
        players=max(0, count - publishers - pushes),
        video=_video(stream.find("meta/video")),
    )


def _video(video: ET.Element | None) -> VideoInfo | None:
    if video is None:
        return None
    return VideoInfo(
        width=_int(video, "width"),
        height=_int(video, "height"),
        frame_rate=_int(video, "frame_rate"),
        codec=video.findtext("codec") or "",
    )


def _text(element: ET.Element, tag: str) -> str:
    value = element.findtext(tag)
    if not value:
        raise IngestError(f"not nginx-rtmp statistics: <{element.tag}> has no <{tag}>")
    return value


def _int(element: ET.Element, tag: str) -> int:
    value = (element.findtext(tag) or "0").strip()
    try:
        return int(float(value)) if "." in value else int(value)
    except ValueError:
        raise IngestError(
            f"not nginx-rtmp statistics: <{element.tag}><{tag}> is {value!r}, not a number"
        ) from None
