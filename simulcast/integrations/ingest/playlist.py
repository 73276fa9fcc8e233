"""HLS playlists (RFC 8216), parsed as far as a liveness check needs: pure, no I/O.

A media playlist gives its media sequence, target duration, segments and whether it has
ended; a master playlist gives its variant URIs. What a liveness check relies on must be
well-formed, else an :class:`IngestError` names the URL, the line and what is wrong; tags it
does not need are ignored, as RFC 8216 asks of clients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urljoin

from simulcast.integrations.ingest.errors import IngestError


@dataclass(frozen=True)
class Segment:
    uri: str
    """As written in the playlist."""
    url: str
    """``uri`` resolved against the playlist's URL."""
    duration: float
    sequence: int
    """Media sequence number (EXT-X-MEDIA-SEQUENCE + position)."""


@dataclass(frozen=True)
class Playlist:
    """A media playlist."""

    url: str
    media_sequence: int
    target_duration: int
    segments: tuple[Segment, ...]
    ended: bool
    """EXT-X-ENDLIST: the publisher stopped; no segment will be added."""

    @property
    def next_sequence(self) -> int:
        """Sequence number the next segment will get: grows by one per segment published,
        whether the server slides the window (sequence +1) or appends (one more segment)."""
        return self.media_sequence + len(self.segments)


@dataclass(frozen=True)
class MasterPlaylist:
    url: str
    variants: tuple[str, ...]
    """Variant playlist URLs, resolved, in playlist order."""


def parse_playlist(text: str, url: str) -> Playlist | MasterPlaylist:
    """Parse ``text``, fetched from ``url`` (used to resolve relative URIs and in errors)."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    if not lines or lines[0][1].lstrip("\ufeff") != "#EXTM3U":
        first = lines[0][1][:40] if lines else ""
        raise IngestError(f"{url} is not an HLS playlist: first line is {first!r}, not #EXTM3U")
    if any(line.startswith("#EXT-X-STREAM-INF:") for _, line in lines):
        return _master(lines, url)
    return _media(lines, url)


def _master(lines: list[tuple[int, str]], url: str) -> MasterPlaylist:
    variants: list[str] = []
    expecting_uri = False
    for number, line in lines[1:]:
        if line.startswith("#EXTINF:"):
            raise IngestError(f"{url} line {number}: #EXTINF in a master playlist")
        if line.startswith("#EXT-X-STREAM-INF:"):
            expecting_uri = True
        elif line and not line.startswith("#"):
            if not expecting_uri:
                raise IngestError(f"{url} line {number}: URI {line!r} without #EXT-X-STREAM-INF")
            variants.append(urljoin(url, line))
            expecting_uri = False
    if expecting_uri:
        raise IngestError(f"{url}: the last #EXT-X-STREAM-INF has no URI after it")
    return MasterPlaylist(url=url, variants=tuple(variants))


def _media(lines: list[tuple[int, str]], url: str) -> Playlist:
    target: int | None = None
    sequence = 0
    ended = False
    segments: list[Segment] = []
    pending: tuple[int, float] | None = None
    for number, line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = _integer(line, url, number)
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            if segments or pending:
                raise IngestError(f"{url} line {number}: #EXT-X-MEDIA-SEQUENCE after a segment")
            sequence = _integer(line, url, number)
        elif line.startswith("#EXTINF:"):
            if pending is not None:
                raise IngestError(f"{url} line {pending[0]}: #EXTINF without a segment URI")
            pending = (number, _duration(line, url, number))
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#"):
            if pending is None:
                raise IngestError(f"{url} line {number}: segment URI {line!r} without #EXTINF")
            segments.append(
                Segment(
                    uri=line,
                    url=urljoin(url, line),
                    duration=pending[1],
                    sequence=sequence + len(segments),
                )
            )
            pending = None
    if pending is not None:
        raise IngestError(f"{url} line {pending[0]}: #EXTINF without a segment URI")
    if target is None:
        raise IngestError(f"{url}: no #EXT-X-TARGETDURATION (required in a media playlist)")
    return Playlist(
        url=url,
        media_sequence=sequence,
        target_duration=target,
        segments=tuple(segments),
        ended=ended,
    )


def _integer(line: str, url: str, number: int) -> int:
    tag, _, value = line.partition(":")
    if not value.isdigit():
        raise IngestError(f"{url} line {number}: {tag} {value!r} is not a whole number")
    return int(value)


def _duration(line: str, url: str, number: int) -> float:
    value = line.partition(":")[2].partition(",")[0].strip()
    try:
        duration = float(value)
    except ValueError:
        duration = math.nan
    if not math.isfinite(duration) or duration < 0:
        raise IngestError(f"{url} line {number}: #EXTINF duration {value!r} is not a number ≥ 0")
    return duration
