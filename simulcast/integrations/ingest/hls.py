"""Is the broadcast really served? Fetch an HLS playlist and watch it advance.

Words used below:

- *position* of a media playlist: its media sequence plus its number of segments, i.e. the
  sequence number the next segment will get. It grows by one for each segment the publisher
  adds, whether the server slides its window (nginx-rtmp, ``ffmpeg -hls_list_size``) or only
  appends.
- *advancing*: the position grew between two fetches.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp

from simulcast.integrations.ingest.errors import IngestError, IngestNotLive
from simulcast.integrations.ingest.playlist import MasterPlaylist, Playlist, parse_playlist

MAX_PLAYLIST_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Liveness:
    """The answer of :meth:`HlsProbe.check`: ``live`` and, when not, why."""

    live: bool
    reason: str
    playlist: Playlist | None


@dataclass
class _Seen:
    position: int
    since: float  # monotonic time this probe first saw the position


@dataclass(frozen=True)
class _Fetched:
    playlist: Playlist
    age: float | None  # server Date − Last-Modified, when the server sent both


class HlsProbe:
    """Fetches HLS playlists with ``http``; remembers positions to judge freshness.

    ``monotonic`` and ``sleep`` are injectable for tests; ``timeout`` bounds each request.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        timeout: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._monotonic = monotonic
        self._sleep = sleep
        self._seen: dict[str, _Seen] = {}

    async def fetch(self, url: str) -> Playlist:
        """The media playlist at ``url``; a master playlist is followed to its first variant.

        Raises :class:`IngestNotLive` ("no playlist at <url>: 404", "…: timed out after 5 s",
        "…: connection refused …") when nothing is served, and :class:`IngestError` when what
        is served is not a valid playlist.
        """
        return (await self._fetch(url)).playlist

    async def wait_live(
        self,
        url: str,
        *,
        timeout: float,  # noqa: ASYNC109 - a deadline, not a cancel: the error says what was seen
        min_advance: int = 1,
        poll_interval: float | None = None,
    ) -> Playlist:
        """Return once the playlist at ``url`` exists and has advanced by ``min_advance``
        segments since this call first saw it; the playlist returned is the advanced one.

        Polls every ``poll_interval`` seconds (default: half the target duration, between
        0.2 and 2 s; 0.5 s until a playlist is seen). After ``timeout`` seconds, raises
        :class:`IngestNotLive` with the last thing seen: "no playlist at <url>: 404",
        "playlist at <url> has ended …" or "playlist not advancing for N s: …". An ended
        playlist (EXT-X-ENDLIST) is waited through, as it may be a previous publish's
        leftover about to be replaced; a position that goes backwards (the publisher
        restarted) starts the count again. A malformed playlist raises :class:`IngestError`
        at once.
        """
        deadline = self._monotonic() + timeout
        first: _Seen | None = None
        latest: Playlist | None = None
        last_error: IngestNotLive | None = None
        interval = poll_interval or 0.5
        while True:
            try:
                playlist = await self.fetch(url)
            except IngestNotLive as exc:
                last_error = exc
            else:
                last_error, latest = None, playlist
                position = playlist.next_sequence
                if playlist.ended:
                    first = None  # a previous publish's leftover: wait for the new one
                elif first is None or position < first.position:
                    first = _Seen(position, self._monotonic())
                elif position - first.position >= min_advance:
                    return playlist
                interval = poll_interval or min(2.0, max(0.2, playlist.target_duration / 2))
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                break
            await self._sleep(min(interval, remaining))
        if last_error is not None or latest is None:
            raise last_error or IngestNotLive(f"no playlist at {url}")
        if latest.ended or first is None:
            raise IngestNotLive(_ended(url))
        waited = self._monotonic() - first.since
        raise IngestNotLive(
            f"playlist not advancing for {waited:.0f} s: {url} stays at media sequence "
            f"{latest.media_sequence} with {len(latest.segments)} segments "
            f"(waited for {min_advance} new)"
        )

    async def check(self, url: str, *, stale_after: float | None = None) -> Liveness:
        """One quick health check of the stream at ``url``.

        Live means all of: the playlist is served (HTTP 200) and valid, it has not ended
        (no EXT-X-ENDLIST), it lists at least one segment, and its *age* is at most
        ``stale_after`` seconds (default: 3 × EXT-X-TARGETDURATION). The age is the server's
        ``Date`` minus its ``Last-Modified`` when it sends both (one clock, no skew with
        ours); otherwise the time since this probe first saw the current position (0 on the
        first check, so a frozen playlist without those headers is caught from the check
        after ``stale_after``).
        """
        try:
            fetched = await self._fetch(url)
        except IngestNotLive as exc:
            return Liveness(False, exc.reason, None)
        except IngestError as exc:
            return Liveness(False, exc.message, None)
        playlist = fetched.playlist
        if playlist.ended:
            return Liveness(False, _ended(url), playlist)
        if not playlist.segments:
            return Liveness(False, f"playlist at {url} lists no segment yet", playlist)
        now = self._monotonic()
        seen = self._seen.get(url)
        if seen is None or seen.position != playlist.next_sequence:
            seen = self._seen[url] = _Seen(playlist.next_sequence, now)
        age = fetched.age if fetched.age is not None else now - seen.since
        limit = stale_after if stale_after is not None else 3.0 * playlist.target_duration
        if age > limit:
            return Liveness(
                False,
                f"playlist not advancing for {age:.0f} s (limit {limit:g} s): {url}",
                playlist,
            )
        return Liveness(True, "live", playlist)

    async def is_live(self, url: str, *, stale_after: float | None = None) -> bool:
        """``check(url).live``: see :meth:`check` for the exact definition."""
        return (await self.check(url, stale_after=stale_after)).live

    async def _fetch(self, url: str) -> _Fetched:
        text, age = await self._get(url)
        parsed = parse_playlist(text, url)
        if isinstance(parsed, MasterPlaylist):
            if not parsed.variants:
                raise IngestError(f"master playlist at {url} lists no variant")
            variant = parsed.variants[0]
            text, age = await self._get(variant)
            parsed = parse_playlist(text, variant)
            if isinstance(parsed, MasterPlaylist):
                raise IngestError(f"the first variant of {url} is another master playlist")
        return _Fetched(parsed, age)

    async def _get(self, url: str) -> tuple[str, float | None]:
        try:
            async with self._http.get(
                url, timeout=self._timeout, headers={"Cache-Control": "no-cache"}
            ) as response:
                if response.status != 200:
                    raise IngestNotLive(f"no playlist at {url}: {response.status}")
                body = await response.content.read(MAX_PLAYLIST_BYTES + 1)
                age = _age(response.headers.get("Date"), response.headers.get("Last-Modified"))
        except TimeoutError:
            raise IngestNotLive(
                f"no playlist at {url}: timed out after {self._timeout.total:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise IngestNotLive(f"no playlist at {url}: {exc}") from None
        if len(body) > MAX_PLAYLIST_BYTES:
            raise IngestError(f"{url} is larger than {MAX_PLAYLIST_BYTES} bytes: not a playlist")
        try:
            return body.decode("utf-8"), age
        except UnicodeDecodeError:
            raise IngestError(f"{url} is not UTF-8 text, so not an HLS playlist") from None


def _age(date: str | None, last_modified: str | None) -> float | None:
    if not date or not last_modified:
        return None
    try:
        return max(
            0.0,
            (parsedate_to_datetime(date) - parsedate_to_datetime(last_modified)).total_seconds(),
        )
    except (TypeError, ValueError):
        return None


def _ended(url: str) -> str:
    return f"playlist at {url} has ended (EXT-X-ENDLIST): the publisher stopped"
