"""ObsClient against a real OBS Studio 29 (obs-websocket 5.1) and a real nginx-rtmp ingest.

No mocks: OBS runs headless under Xvfb (tests/realobs.py, scripts/real-obs.sh). Its profile
streams to a dead server on purpose, so every stream here was configured by the client. Each
test leaves OBS idle on "Main" with its ingest up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulcast.integrations.obs import (
    BitrateMeter,
    ObsAuthFailed,
    ObsClient,
    ObsError,
    ObsRequestFailed,
    ObsStreamFailed,
    ObsUnavailable,
    StreamState,
    StreamStatus,
)
from simulcast.integrations.obs.replies import parse
from tests.realobs import RealObs, free_ports

pytestmark = pytest.mark.xdist_group("real_obs")  # one real OBS, on one worker

PLAYLIST_WITHIN = 15.0
"""Seconds for the first HLS playlist (about 1.5 s with 1 s keyframes)."""
STATE_WITHIN = 15.0
"""Seconds for a stream state OBS should report (RECONNECTED needs a 2 s retry delay)."""


class States:
    """Records the stream states a client reports, and awaits one of them."""

    def __init__(self, client: ObsClient) -> None:
        self.seen: list[StreamState] = []
        self._changed = asyncio.Event()
        client.on_stream_state(self._record)

    def _record(self, state: StreamState) -> None:
        self.seen.append(state)
        self._changed.set()

    async def until(self, state: StreamState, within: float = STATE_WITHIN) -> None:
        async with asyncio.timeout(within):
            while state not in self.seen:
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def obs(real_obs: RealObs) -> AsyncIterator[ObsClient]:
    """A connected client; afterwards OBS is left idle on "Main", whatever the test did."""
    await asyncio.to_thread(real_obs.ensure_running)
    client = ObsClient(real_obs.ws_url, real_obs.password)
    await client.connect()
    yield client
    await client.close()
    await asyncio.to_thread(real_obs.ensure_running)
    async with ObsClient(real_obs.ws_url, real_obs.password) as cleanup:
        await cleanup.stop_stream()
        await cleanup.set_scene("Main")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def new_key() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


async def media_sequence(http: aiohttp.ClientSession, url: str) -> int | None:
    """The playlist's EXT-X-MEDIA-SEQUENCE, or None while the ingest has no playlist."""
    async with http.get(url) as response:
        if response.status == 404:
            return None
        assert response.status == 200, await response.text()
        text = await response.text()
    numbers = [
        int(line.split(":", 1)[1])
        for line in text.splitlines()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:")
    ]
    assert len(numbers) == 1, text
    return numbers[0]


async def playlist_sequence(http: aiohttp.ClientSession, url: str, *, above: int = -1) -> int:
    """Poll (the ingest has no event to await) until the playlist's sequence is above ``above``."""
    async with asyncio.timeout(PLAYLIST_WITHIN):
        while True:
            sequence = await media_sequence(http, url)
            if sequence is not None and sequence > above:
                return sequence
            await asyncio.sleep(0.1)


async def status_once_reconnected(obs: ObsClient, within: float = 2.0) -> StreamStatus:
    """GetStreamStatus's outputReconnecting lags the RECONNECTED event by a few ms: poll."""
    async with asyncio.timeout(within):
        while True:
            status = await obs.stream_status()
            if not status.reconnecting:
                return status
            await asyncio.sleep(0.02)


# ---------------------------------------------------------------------- session and scenes


async def test_obs_client_connects_and_reports_versions(obs: ObsClient, real_obs: RealObs) -> None:
    version = await obs.version()
    assert obs.connected
    assert (version.obs, version.websocket.split(".")[0], version.rpc) == (
        real_obs.obs_version,
        "5",
        1,
    )
    assert version.platform != ""


async def test_obs_client_scenes_are_the_harness_scenes(obs: ObsClient) -> None:
    assert await obs.scenes() == ["Main", "Pause", "Motion"]
    assert await obs.current_scene() == "Main"


async def test_set_scene_puts_it_on_program(obs: ObsClient) -> None:
    for name in ("Pause", "Motion", "Main"):
        await obs.set_scene(name)
        assert await obs.current_scene() == name


async def test_set_scene_unknown_raises_request_failed_with_obs_code(obs: ObsClient) -> None:
    with pytest.raises(ObsRequestFailed) as caught:
        await obs.set_scene("nope")
    comment = "No source was found by the name of `nope`."
    assert caught.value.to_dict() == {
        "error": {
            "code": "obs_request_failed",
            "message": f"OBS refused SetCurrentProgramScene: {comment} (code 600)",
            "details": [{"request": "SetCurrentProgramScene", "obs_code": 600, "comment": comment}],
        }
    }
    assert (caught.value.status, caught.value.obs_code, caught.value.comment) == (502, 600, comment)
    assert await obs.current_scene() == "Main"


# ---------------------------------------------------------------------- streaming


async def test_start_stream_serves_an_advancing_hls_playlist(
    obs: ObsClient, real_obs: RealObs, http: aiohttp.ClientSession
) -> None:
    states = States(obs)
    key = new_key()
    await obs.configure_stream(real_obs.rtmp_server, key)

    await obs.start_stream()
    first = await playlist_sequence(http, real_obs.hls_url(key))
    await playlist_sequence(http, real_obs.hls_url(key), above=first)

    meter = BitrateMeter()
    before = await obs.stream_status()
    meter.sample(before.bytes, time.monotonic())
    await asyncio.sleep(1.0)  # let bytes accumulate over a known interval
    after = await obs.stream_status()
    kbps = meter.sample(after.bytes, time.monotonic())
    assert (before.active, after.active, after.reconnecting) == (True, True, False)
    assert after.bytes > before.bytes > 0
    assert after.duration_ms > before.duration_ms
    assert kbps is not None
    assert kbps > 100  # CBR 2500 kbps; even a loaded CI box sends that much

    await obs.stop_stream()
    await states.until(StreamState.STOPPED)
    assert states.seen == [
        StreamState.STARTING,
        StreamState.STARTED,
        StreamState.STOPPING,
        StreamState.STOPPED,
    ]
    assert (await obs.stream_status()).active is False


async def test_configure_stream_right_after_stop_waits_for_the_output(
    obs: ObsClient, real_obs: RealObs
) -> None:
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()

    await obs.stop_stream(wait=False)
    assert (await obs.stream_status()).active  # still stopping: OBS refuses new settings now
    dead = f"rtmp://127.0.0.1:{free_ports(1)[0]}/live"
    await obs.configure_stream(dead, new_key())

    # the new settings took: the next start goes to the dead server
    with pytest.raises(ObsStreamFailed) as caught:
        await obs.start_stream()
    assert caught.value.message == f"OBS could not connect to the ingest at {dead}"


async def test_configure_stream_after_a_full_stop(obs: ObsClient, real_obs: RealObs) -> None:
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()
    await obs.stop_stream()
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()
    assert (await obs.stream_status()).active


async def test_configure_or_start_while_live_is_refused(obs: ObsClient, real_obs: RealObs) -> None:
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()

    async with ObsClient(real_obs.ws_url, real_obs.password, settle_timeout=0.5) as impatient:
        started = time.monotonic()
        with pytest.raises(ObsRequestFailed) as refused:
            await impatient.configure_stream(real_obs.rtmp_server, new_key())
        waited = time.monotonic() - started
    assert (refused.value.obs_code, refused.value.comment) == (
        500,
        "You cannot change stream service settings while streaming.",
    )
    assert 0.5 <= waited < 2.0

    with pytest.raises(ObsRequestFailed) as again:
        await obs.start_stream()
    assert (again.value.obs_code, again.value.message) == (
        500,
        "OBS refused StartStream: the output is running (code 500)",
    )
    assert (await obs.stream_status()).active


async def test_start_stream_to_a_dead_ingest_raises_stream_failed(obs: ObsClient) -> None:
    dead = f"rtmp://127.0.0.1:{free_ports(1)[0]}/live"
    await obs.configure_stream(dead, new_key())
    with pytest.raises(ObsStreamFailed) as caught:
        await obs.start_stream()
    assert caught.value.to_dict() == {
        "error": {
            "code": "obs_stream_failed",
            "message": f"OBS could not connect to the ingest at {dead}",
        }
    }
    assert (await obs.stream_status()).active is False


async def test_stop_stream_when_not_streaming_is_not_an_error(obs: ObsClient) -> None:
    await obs.stop_stream()
    assert (await obs.stream_status()).active is False


async def test_ingest_restart_reports_reconnecting_then_reconnected(
    obs: ObsClient, real_obs: RealObs
) -> None:
    states = States(obs)
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()

    await asyncio.to_thread(real_obs.stop_nginx)
    await states.until(StreamState.RECONNECTING)
    assert (await obs.stream_status()).reconnecting
    await asyncio.to_thread(real_obs.start_nginx)
    await states.until(StreamState.RECONNECTED)

    status = await status_once_reconnected(obs)
    assert (status.active, status.reconnecting) == (True, False)
    assert states.seen[:3] == [StreamState.STARTING, StreamState.STARTED, StreamState.RECONNECTING]


async def test_a_failing_callback_does_not_stop_the_others(
    obs: ObsClient, real_obs: RealObs, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(state: StreamState) -> None:
        raise RuntimeError(f"broken callback saw {state}")

    async def broken_async(state: StreamState) -> None:
        raise RuntimeError(f"broken async callback saw {state}")

    obs.on_stream_state(broken)
    obs.on_stream_state(broken_async)
    states = States(obs)
    await obs.configure_stream(real_obs.rtmp_server, new_key())
    await obs.start_stream()
    await obs.stop_stream()
    await states.until(StreamState.STOPPED)

    assert states.seen == [
        StreamState.STARTING,
        StreamState.STARTED,
        StreamState.STOPPING,
        StreamState.STOPPED,
    ]
    failures = [r for r in caplog.records if r.getMessage().startswith("an OBS callback")]
    assert len(failures) == 8
    assert await obs.current_scene() == "Main"


# ---------------------------------------------------------------------- failures of OBS itself


async def test_obs_crash_is_noticed_and_connect_fails_until_it_is_back(
    obs: ObsClient, real_obs: RealObs
) -> None:
    lost: asyncio.Queue[str] = asyncio.Queue()
    obs.on_disconnect(lost.put_nowait)
    try:
        killed = time.monotonic()
        await asyncio.to_thread(real_obs.kill_obs)
        async with asyncio.timeout(5):
            reason = await lost.get()
        noticed_after = time.monotonic() - killed
        assert (reason, obs.connected) == (f"the connection to OBS at {obs.url} was lost", False)
        assert noticed_after < 5

        with pytest.raises(ObsUnavailable) as caught:
            await obs.scenes()
        assert caught.value.message == reason
        with pytest.raises(ObsUnavailable) as caught:
            await obs.connect()
        assert caught.value.message == (
            f"OBS is not reachable at {obs.url}: connection refused "
            "(is OBS running, with its WebSocket server enabled on that port?)"
        )
    finally:
        await asyncio.to_thread(real_obs.ensure_running)

    await obs.connect()
    assert await obs.scenes() == ["Main", "Pause", "Motion"]
    assert lost.empty()


async def test_close_is_not_reported_as_a_disconnect(obs: ObsClient) -> None:
    lost: list[str] = []
    obs.on_disconnect(lost.append)
    await obs.close()
    assert (obs.connected, lost) == (False, [])
    with pytest.raises(ObsUnavailable) as caught:
        await obs.current_scene()
    assert caught.value.message == f"not connected to OBS at {obs.url}"


@pytest.mark.parametrize("password", ["wrong", None])
async def test_wrong_password_is_refused_at_once(real_obs: RealObs, password: str | None) -> None:
    client = ObsClient(real_obs.ws_url, password, connect_timeout=10)
    started = time.monotonic()
    with pytest.raises(ObsAuthFailed) as caught:
        await client.connect()
    assert time.monotonic() - started < 5  # OBS's close code, not the connect timeout
    assert isinstance(caught.value, ObsUnavailable)
    assert caught.value.to_dict() == {
        "error": {
            "code": "obs_auth_failed",
            "message": "OBS refused the password (check SIMULCAST_OBS_PASSWORD)",
        }
    }
    assert client.connected is False
    await client.close()


# ---------------------------------------------------------------------- without OBS


async def test_connect_to_nothing_raises_unavailable() -> None:
    url = f"ws://127.0.0.1:{free_ports(1)[0]}"
    with pytest.raises(ObsUnavailable) as caught:
        await ObsClient(url).connect()
    assert caught.value.to_dict() == {
        "error": {
            "code": "obs_unavailable",
            "message": f"OBS is not reachable at {url}: connection refused "
            "(is OBS running, with its WebSocket server enabled on that port?)",
        }
    }


async def test_connect_to_a_silent_server_times_out() -> None:
    connections: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connections.append(writer)
        await reader.read()

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ObsUnavailable) as caught:
            await ObsClient(f"ws://127.0.0.1:{port}", connect_timeout=0.5).connect()
        assert caught.value.message == f"OBS at ws://127.0.0.1:{port} did not answer within 0.5 s"
    finally:
        server.close()
        for writer in connections:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        await server.wait_closed()


def test_a_url_that_is_not_a_websocket_is_refused_early() -> None:
    with pytest.raises(ValueError, match="starts with ws:// or wss://"):
        ObsClient("http://127.0.0.1:4455")


def test_a_reply_missing_a_field_raises_obs_error() -> None:
    reply = {
        "outputActive": True,
        "outputReconnecting": False,
        "outputSkippedFrames": 0,
        "outputTotalFrames": 10,
        "outputDuration": 1000,
        "outputCongestion": 0.0,
    }
    with pytest.raises(ObsError) as caught:
        parse(StreamStatus, "GetStreamStatus", reply)
    assert caught.value.to_dict() == {
        "error": {
            "code": "obs_error",
            "message": "OBS sent an unexpected GetStreamStatus (is it obs-websocket 5?): "
            "outputBytes: Field required",
        }
    }
    assert parse(StreamStatus, "GetStreamStatus", {**reply, "outputBytes": 5}) == StreamStatus(
        active=True,
        reconnecting=False,
        bytes=5,
        skipped_frames=0,
        total_frames=10,
        duration_ms=1000,
        congestion=0.0,
    )
