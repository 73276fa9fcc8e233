"""A real live HLS stream for tests: ffmpeg writes it, a small aiohttp server serves it."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class LiveHls:
    url: str
    folder: Path
    process: asyncio.subprocess.Process

    async def stop_stream(self) -> None:
        """Stop publishing (the playlist stays, frozen)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@contextlib.asynccontextmanager
async def live_hls(folder: Path) -> AsyncIterator[LiveHls]:
    """ffmpeg's test pattern as 1 s HLS segments at ``<server>/live/stream.m3u8``."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is needed (Debian package ffmpeg; .ci/run installs it)"
    out = folder / "live"
    out.mkdir(parents=True)
    process = await asyncio.create_subprocess_exec(
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=15",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-g",
        "15",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_list_size",
        "5",
        "-hls_flags",
        "delete_segments+omit_endlist",
        str(out / "stream.m3u8"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    app = web.Application()
    app.router.add_static("/live", out)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield LiveHls(str(server.make_url("/live/stream.m3u8")), out, process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        await server.close()
