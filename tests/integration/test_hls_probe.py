"""The ingest probes against real streams: ffmpeg writing live HLS, and a real nginx-rtmp.

- HlsProbe on a live HLS stream ffmpeg writes into a directory served by aiohttp (port 0),
  then on the same stream once ffmpeg is killed; on 404s, garbage and master playlists.
- The generated nginx.conf running for real: ffmpeg publishes RTMP, the rooms' HLS URL goes
  live with the right headers, /stat lists the stream, and a push reaches a second nginx
  while another push to a dead port fails on its own.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulcast.integrations.ingest.errors import IngestError, IngestNotLive
from simulcast.integrations.ingest.hls import HlsProbe
from simulcast.integrations.ingest.nginx_conf import (
    PushTarget,
    install_nginx_conf,
    render_nginx_conf,
)
from simulcast.integrations.ingest.stat import RtmpStat, StreamStats, VideoInfo, parse_stat

TEST_SOURCE = [
    *("-hide_banner", "-loglevel", "error", "-nostdin", "-re"),
    *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15"),
    *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"),
    *("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15"),
    *("-c:a", "aac"),
]

Spawn = Callable[..., Awaitable[asyncio.subprocess.Process]]


@pytest.fixture
async def spawn(tmp_path: Path) -> AsyncIterator[Spawn]:
    """Start processes with their output in tmp_path/<name>.log; stop the survivors after."""
    started: list[tuple[asyncio.subprocess.Process, Path]] = []

    async def start(name: str, *argv: str) -> asyncio.subprocess.Process:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output
            )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.returncode is None:
            process.terminate()  # nginx's master stops its workers on SIGTERM; SIGKILL would not
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
        await process.wait()
        print(f"--- {log.name} (exit {process.returncode})\n{log.read_text(errors='replace')}")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def hls_server(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """An aiohttp static server on port 0 for tmp_path/hls: (base URL of /hls, directory)."""
    directory = tmp_path / "hls"
    directory.mkdir()
    app = web.Application()
    app.router.add_static("/hls", directory)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("/hls")), directory
    await server.close()


async def test_hls_probe_follows_a_live_ffmpeg_stream_then_sees_it_stop(
    hls_server: tuple[str, Path], spawn: Spawn, http: aiohttp.ClientSession
) -> None:
    base, directory = hls_server
    url = f"{base}/live.m3u8"
    ffmpeg = await spawn(
        "ffmpeg",
        "ffmpeg",
        *TEST_SOURCE,
        *("-f", "hls", "-hls_time", "1", "-hls_list_size", "5"),
        *("-hls_flags", "delete_segments+temp_file", str(directory / "live.m3u8")),
    )
    probe = HlsProbe(http)

    live = await probe.wait_live(url, timeout=30, min_advance=2)
    assert live.url == url
    assert live.ended is False
    assert live.target_duration == 1
    assert [segment.url for segment in live.segments] == [
        f"{base}/{segment.uri}" for segment in live.segments
    ]
    assert await probe.is_live(url) is True

    ffmpeg.send_signal(signal.SIGKILL)  # a crash: no EXT-X-ENDLIST is written
    await ffmpeg.wait()
    with pytest.raises(IngestNotLive) as stuck:
        await probe.wait_live(url, timeout=2, poll_interval=0.2)
    assert re.fullmatch(
        rf"playlist not advancing for \d s: {re.escape(url)} stays at media sequence \d+ "
        r"with \d segments \(waited for 1 new\)",
        stuck.value.reason,
    ), stuck.value.reason
    stale = await probe.check(url, stale_after=0.5)
    assert stale.live is False
    assert re.fullmatch(
        rf"playlist not advancing for \d s \(limit 0.5 s\): {re.escape(url)}", stale.reason
    ), stale.reason


async def test_hls_probe_missing_playlist_is_not_live_with_the_reason(
    hls_server: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    base, _ = hls_server
    url = f"{base}/nobody.m3u8"
    probe = HlsProbe(http)
    with pytest.raises(IngestNotLive) as caught:
        await probe.wait_live(url, timeout=0.5, poll_interval=0.1)
    assert caught.value.reason == f"no playlist at {url}: 404"
    assert (caught.value.status, caught.value.code) == (503, "ingest_not_live")
    assert (await probe.check(url)).reason == f"no playlist at {url}: 404"


async def test_hls_probe_unreachable_ingest_is_not_live(http: aiohttp.ClientSession) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/hls/live.m3u8"
    with pytest.raises(IngestNotLive) as caught:
        await HlsProbe(http).fetch(url)
    assert caught.value.reason.startswith(f"no playlist at {url}: Cannot connect to host")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html><body>Welcome to nginx!</body></html>", "is not an HLS playlist: first line is"),
        ("", "is not an HLS playlist: first line is ''"),
        ("#EXTM3U\n#EXTINF:1.0,\nseg-1.ts\n", "no #EXT-X-TARGETDURATION"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:abc,\nseg-1.ts\n", "line 3: #EXTINF"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:x\n", "line 2: #EXT-X-TARGETDURATION 'x'"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg-1.ts\n", "line 3: segment URI 'seg-1.ts'"),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n", "line 3: #EXTINF without a segment"),
    ],
)
async def test_hls_probe_garbage_playlist_is_an_ingest_error(
    hls_server: tuple[str, Path], http: aiohttp.ClientSession, body: str, problem: str
) -> None:
    base, directory = hls_server
    (directory / "bad.m3u8").write_text(body)
    with pytest.raises(IngestError) as caught:
        await HlsProbe(http).fetch(f"{base}/bad.m3u8")
    assert type(caught.value) is IngestError
    assert (caught.value.status, caught.value.code) == (502, "ingest_bad_reply")
    assert caught.value.message.startswith(f"{base}/bad.m3u8")
    assert problem in caught.value.message


async def test_hls_probe_follows_a_master_playlist_to_its_first_variant(
    hls_server: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    base, directory = hls_server
    (directory / "low").mkdir()
    (directory / "master.m3u8").write_text(
        "#EXTM3U\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.42e01e,mp4a.40.2"\n'
        "low/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3000000\n"
        "high/index.m3u8\n"
    )
    (directory / "low" / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:41\n"
        "#EXTINF:2.000,\nseg-41.ts\n#EXTINF:1.960,\nseg-42.ts\n"
    )
    playlist = await HlsProbe(http).fetch(f"{base}/master.m3u8")
    assert playlist.url == f"{base}/low/index.m3u8"
    assert (playlist.media_sequence, playlist.target_duration, playlist.ended) == (41, 2, False)
    assert [(s.url, s.duration, s.sequence) for s in playlist.segments] == [
        (f"{base}/low/seg-41.ts", 2.0, 41),
        (f"{base}/low/seg-42.ts", 1.96, 42),
    ]
    assert playlist.next_sequence == 43


async def test_hls_probe_ended_playlist_is_not_live(
    hls_server: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    base, directory = hls_server
    url = f"{base}/ended.m3u8"
    (directory / "ended.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\na.ts\n#EXT-X-ENDLIST\n"
    )
    probe = HlsProbe(http)
    reason = f"playlist at {url} has ended (EXT-X-ENDLIST): the publisher stopped"
    with pytest.raises(IngestNotLive) as caught:
        await probe.wait_live(url, timeout=0.5, poll_interval=0.1)
    assert caught.value.reason == reason
    assert (await probe.check(url)).reason == reason


def media(sequence: int, segments: int, *, ended: bool = False) -> str:
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:1", f"#EXT-X-MEDIA-SEQUENCE:{sequence}"]
    for number in range(sequence, sequence + segments):
        lines += ["#EXTINF:1.0,", f"seg-{number}.ts"]
    return "\n".join([*lines, *(["#EXT-X-ENDLIST"] if ended else []), ""])


@pytest.mark.parametrize(
    ("versions", "advanced_to"),
    [
        # A previous publish's ended playlist, then the new publish replaces it.
        ([media(0, 3, ended=True), media(0, 1), media(0, 2)], 2),
        # The publisher restarted: the position went backwards, so counting starts again.
        ([media(40, 5), media(0, 1), media(0, 2)], 2),
    ],
)
async def test_hls_probe_wait_live_waits_through_a_previous_publish(
    hls_server: tuple[str, Path],
    http: aiohttp.ClientSession,
    versions: list[str],
    advanced_to: int,
) -> None:
    base, directory = hls_server
    playlist_file = directory / "live.m3u8"
    upcoming = iter(versions)
    playlist_file.write_text(next(upcoming))

    async def publish_next(_: float) -> None:  # the probe's sleep: the publisher moves on
        playlist_file.write_text(next(upcoming))

    live = await HlsProbe(http, sleep=publish_next).wait_live(f"{base}/live.m3u8", timeout=10)
    assert (live.next_sequence, live.ended) == (advanced_to, False)


async def test_hls_probe_empty_playlist_is_not_live(
    hls_server: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    base, directory = hls_server
    (directory / "empty.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
    check = await HlsProbe(http).check(f"{base}/empty.m3u8")
    assert (check.live, check.reason) == (
        False,
        f"playlist at {base}/empty.m3u8 lists no segment yet",
    )


# --- the generated nginx.conf, running --------------------------------------------------


def free_port() -> int:
    """A port free right now (nginx cannot report the port it bound for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def start_nginx(
    spawn: Spawn, http: aiohttp.ClientSession, prefix: Path, text: str, http_port: int
) -> None:
    conf = install_nginx_conf(prefix, text)
    await spawn(
        f"nginx-{prefix.name}",
        *("nginx", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "logs/error.log")),
        *("-g", "daemon off;"),
    )
    async with asyncio.timeout(15):
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{http_port}/stat") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)


async def wait_for_stream(
    stat: RtmpStat, name: str, ready: Callable[[StreamStats], bool]
) -> StreamStats:
    async with asyncio.timeout(20):
        while True:
            for stream in await stat.streams():
                if stream.name == name and ready(stream):
                    return stream
            await asyncio.sleep(0.1)


async def test_nginx_ingest_serves_live_hls_stat_and_pushes(
    tmp_path: Path, spawn: Spawn, http: aiohttp.ClientSession
) -> None:
    user = "root" if os.geteuid() == 0 else None  # workers must write HLS into tmp_path
    ingest_rtmp, ingest_http, peer_rtmp, peer_http, dead = (free_port() for _ in range(5))
    peer = render_nginx_conf(
        "peertube-sim",
        rtmp_port=peer_rtmp,
        http_port=peer_http,
        hls_dir=tmp_path / "peer-hls",
        bind="127.0.0.1",
        user=user,
    )
    ingest = render_nginx_conf(
        "mediatheque-nord",
        rtmp_port=ingest_rtmp,
        http_port=ingest_http,
        hls_dir=tmp_path / "ingest-hls",
        bind="127.0.0.1",
        user=user,
        pushes=[
            PushTarget(kind="rtmp", key="nobody-listens", url=f"rtmp://127.0.0.1:{dead}/live"),
            PushTarget(kind="peertube", key="peer-key", url=f"rtmp://127.0.0.1:{peer_rtmp}/live"),
        ],
    )
    for directory in ("peer-hls", "ingest-hls"):
        (tmp_path / directory).mkdir()
    await start_nginx(spawn, http, tmp_path / "peer", peer, peer_http)
    await start_nginx(spawn, http, tmp_path / "ingest", ingest, ingest_http)

    await spawn(
        "ffmpeg-obs",
        "ffmpeg",
        *TEST_SOURCE,
        *("-f", "flv", f"rtmp://127.0.0.1:{ingest_rtmp}/live/cours1"),
    )
    url = f"http://127.0.0.1:{ingest_http}/hls/cours1.m3u8"
    probe = HlsProbe(http)
    playlist = await probe.wait_live(url, timeout=30)
    assert await probe.is_live(url) is True

    async with http.get(url) as response:
        headers = response.headers
        assert (response.status, headers["Content-Type"]) == (200, "application/vnd.apple.mpegurl")
        assert (headers["Cache-Control"], headers["Access-Control-Allow-Origin"]) == (
            "no-cache",
            "*",
        )
    async with http.get(playlist.segments[-1].url) as response:
        assert (response.status, response.headers["Content-Type"]) == (200, "video/mp2t")
        assert "Cache-Control" not in response.headers

    stream = await wait_for_stream(
        RtmpStat(f"http://127.0.0.1:{ingest_http}", http), "cours1", lambda s: s.pushes == 1
    )
    assert (stream.application, stream.publishing, stream.active) == ("live", True, True)
    assert (stream.clients, stream.publishers, stream.pushes, stream.players) == (2, 1, 1, 0)
    assert stream.video == VideoInfo(width=320, height=180, frame_rate=15, codec="H264")
    assert stream.bytes_in > 0

    # The dead push failed on its own: the peer receives the stream under its key.
    pushed = await wait_for_stream(
        RtmpStat(f"http://127.0.0.1:{peer_http}", http), "peer-key", lambda s: s.publishing
    )
    assert (pushed.publishers, pushed.pushes) == (1, 0)


# --- nginx-rtmp /stat documents ---------------------------------------------------------

STAT_1_1_4 = b"""<?xml version="1.0" encoding="utf-8" ?>
<rtmp>
<nginx_version>1.22.1</nginx_version>
<nginx_rtmp_version>1.1.4</nginx_rtmp_version>
<server>
<application>
<name>live</name>
<live>
<stream>
<name>cours1</name>
<time>4733</time><bw_in>812000</bw_in>
<bytes_in>298934</bytes_in>
<bw_out>790000</bw_out>
<bytes_out>298624</bytes_out>
<bw_audio>0</bw_audio>
<bw_video>0</bw_video>
<client><id>2</id><address>127.0.0.1:29360/live/SECRET-KEY</address><time>4733</time>\
<flashver>ngx-local-relay</flashver><dropped>0</dropped><active/></client>
<client><id>1</id><address>192.168.1.20</address><time>4908</time>\
<flashver>FMLE/3.0 (compatible; obs-output module (libobs version 30.1.2))</flashver>\
<dropped>0</dropped><publishing/><active/></client>
<client><id>3</id><address>127.0.0.1</address><time>100</time><flashver>LNX 9,0,124,2</flashver>\
<dropped>0</dropped><active/></client>
<meta><video><width>1280</width><height>720</height><frame_rate>30</frame_rate>\
<codec>H264</codec></video><audio><codec>AAC</codec></audio></meta>
<nclients>3</nclients>
<publishing/>
<active/>
</stream>
<stream><name>idle</name><time>10</time><nclients>0</nclients></stream>
<nclients>3</nclients>
</live>
</application>
</server>
</rtmp>
"""


def test_stat_lists_streams_with_bandwidth_and_client_counts() -> None:
    assert parse_stat(STAT_1_1_4) == [
        StreamStats(
            application="live",
            name="cours1",
            uptime_ms=4733,
            bw_in=812000,
            bw_out=790000,
            bytes_in=298934,
            bytes_out=298624,
            publishing=True,
            active=True,
            clients=3,
            publishers=1,
            pushes=1,
            players=1,
            video=VideoInfo(width=1280, height=720, frame_rate=30, codec="H264"),
        ),
        StreamStats(
            application="live",
            name="idle",
            uptime_ms=10,
            bw_in=0,
            bw_out=0,
            bytes_in=0,
            bytes_out=0,
            publishing=False,
            active=False,
            clients=0,
            publishers=0,
            pushes=0,
            players=0,
            video=None,
        ),
    ]
    assert "SECRET-KEY" not in repr(parse_stat(STAT_1_1_4))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE rtmp [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rtmp>&b;</rtmp>',
            "refusing a /stat document with a DTD (nginx-rtmp sends none)",
        ),
        (
            b'<!DOCTYPE rtmp SYSTEM "http://example.org/evil.dtd"><rtmp/>',
            "refusing a /stat document with a DTD (nginx-rtmp sends none)",
        ),
        (b"<rtmp><server>", "the /stat document is not well-formed XML: no element found"),
        (b"<html><body>nginx</body></html>", "not nginx-rtmp statistics: the root element"),
        (
            b"<rtmp><server><application><live><stream><name>x</name><bw_in>lots</bw_in>"
            b"</stream></live></application></server></rtmp>",
            "not nginx-rtmp statistics: <application> has no <name>",
        ),
        (
            b"<rtmp><server><application><name>live</name><live><stream><name>x</name>"
            b"<bw_in>lots</bw_in></stream></live></application></server></rtmp>",
            "not nginx-rtmp statistics: <stream><bw_in> is 'lots', not a number",
        ),
    ],
)
def test_stat_refuses_what_is_not_nginx_rtmp_statistics(document: bytes, message: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_stat(document)
    assert caught.value.message.startswith(message)
