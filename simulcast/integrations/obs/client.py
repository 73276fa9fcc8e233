"""ObsClient: what simulcast asks of the mediator's OBS Studio, over obs-websocket v5.

Promises:

- Each method does what it says or raises an ``ObsError``: ``ObsUnavailable`` when there is no
  session (connect again and retry), ``ObsRequestFailed`` with OBS's code and comment,
  ``ObsStreamFailed`` when the output does not reach the state asked for. No call waits past
  its timeout, and none waits on a session that has ended.
- ``start_stream`` returns once OBS reports the output STARTED. OBS accepts StartStream towards
  a dead ingest and stops within ~50 ms: that raises ``ObsStreamFailed`` naming the server.
- ``configure_stream`` works right after a stop: OBS refuses new service settings until its
  output has really stopped (~0.2 s after StopStream), so it waits for that (bounded), retries.
- Stream-state and disconnect callbacks run one at a time, in the order OBS sent the events,
  in a task of the client; one that raises is logged and the others still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from simulcast.integrations.obs.connection import Connection
from simulcast.integrations.obs.errors import (
    ObsError,
    ObsRequestFailed,
    ObsStreamFailed,
    ObsUnavailable,
)
from simulcast.integrations.obs.replies import (
    CurrentScene,
    ObsVersion,
    SceneList,
    StreamService,
    StreamState,
    StreamStateChanged,
    StreamStatus,
    parse,
)

log = logging.getLogger(__name__)

OUTPUT_RUNNING = 500
"""obs-websocket's RequestStatus for "the output is running" (also while it is stopping)."""
OUTPUT_NOT_RUNNING = 501
POLL_INTERVAL = 0.05
"""Seconds between GetStreamStatus polls while waiting for the output to stop."""

StateCallback = Callable[[StreamState], Awaitable[None] | None]
DisconnectCallback = Callable[[str], Awaitable[None] | None]
Unsubscribe = Callable[[], None]
_Arg = TypeVar("_Arg")
_Callback = TypeVar("_Callback")


@dataclass(frozen=True)
class _Lost:
    reason: str


_Notice = StreamState | _Lost | None
"""What the dispatcher delivers; None stops it."""


class ObsClient:
    """A client of one OBS (``ws://host:port``); ``connect()`` again after a loss."""

    def __init__(
        self,
        url: str,
        password: str | None = None,
        *,
        connect_timeout: float = 5.0,
        request_timeout: float = 5.0,
        start_timeout: float = 15.0,
        stop_timeout: float = 10.0,
        settle_timeout: float = 5.0,
    ) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"an obs-websocket URL starts with ws:// or wss://, not {url!r}")
        self.url = url
        self._password = password
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self._settle_timeout = settle_timeout
        self._connection: Connection | None = None
        self._connecting = asyncio.Lock()
        self._state_callbacks: list[StateCallback] = []
        self._disconnect_callbacks: list[DisconnectCallback] = []
        self._watchers: set[asyncio.Queue[StreamState]] = set()
        self._notices: asyncio.Queue[_Notice] | None = None
        self._dispatcher: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ session

    @property
    def connected(self) -> bool:
        """True while an identified session is open."""
        return self._connection is not None and not self._connection.lost.done()

    async def connect(self) -> None:
        """Open and identify a session (no-op when connected); ``ObsUnavailable`` says why not.

        A wrong password raises ``ObsAuthFailed`` (a subclass): retrying will not help.
        """
        async with self._connecting:
            if self.connected:
                return
            if self._connection is not None:
                await self._connection.close()
                self._connection = None
            if self._notices is None:  # before open: no event between Identified and here is lost
                self._notices = asyncio.Queue()
            self._connection = await Connection.open(
                self.url,
                self._password,
                within=self._connect_timeout,
                on_event=self._on_event,
                on_lost=self._on_lost,
            )
            if self._dispatcher is None:
                self._dispatcher = asyncio.create_task(self._dispatch(self._notices))

    async def close(self) -> None:
        """Close the session and stop delivering callbacks; safe to call twice."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
        dispatcher, self._dispatcher = self._dispatcher, None
        notices, self._notices = self._notices, None
        if dispatcher is None or notices is None:  # never connected
            return
        if dispatcher is asyncio.current_task():  # close() from a callback: stop after it
            notices.put_nowait(None)
        else:
            dispatcher.cancel()
            await asyncio.wait({dispatcher})

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    def on_stream_state(self, callback: StateCallback) -> Unsubscribe:
        """Call ``callback(state)`` (sync or async) on every StreamStateChanged."""
        return _subscribe(self._state_callbacks, callback)

    def on_disconnect(self, callback: DisconnectCallback) -> Unsubscribe:
        """Call ``callback(reason)`` when OBS or the network ends the session (not on close())."""
        return _subscribe(self._disconnect_callbacks, callback)

    # ------------------------------------------------------------------ requests

    async def version(self) -> ObsVersion:
        """Which OBS and obs-websocket answer, on which platform."""
        return parse(ObsVersion, "GetVersion", await self._call("GetVersion"))

    async def current_scene(self) -> str:
        """The scene on program (what the rooms see)."""
        reply = await self._call("GetCurrentProgramScene")
        return parse(CurrentScene, "GetCurrentProgramScene", reply).name

    async def scenes(self) -> list[str]:
        """Scene names, top to bottom as in OBS's Scenes dock."""
        return parse(SceneList, "GetSceneList", await self._call("GetSceneList")).names()

    async def set_scene(self, name: str) -> None:
        """Put scene ``name`` on program; an unknown one raises ``ObsRequestFailed`` (600)."""
        await self._call("SetCurrentProgramScene", {"sceneName": name})

    async def stream_status(self) -> StreamStatus:
        """The stream output's counters now."""
        return parse(StreamStatus, "GetStreamStatus", await self._call("GetStreamStatus"))

    async def configure_stream(self, server: str, key: str) -> None:
        """Point OBS's stream at a custom RTMP ``server`` with stream ``key``.

        While the output is still stopping OBS refuses (code 500): wait until it has stopped,
        then retry, for up to ``settle_timeout`` seconds. A stream that keeps running past that
        (nobody stopped it) raises OBS's refusal as ``ObsRequestFailed``.
        """
        request = {
            "streamServiceType": "rtmp_custom",
            "streamServiceSettings": {"server": server, "key": key, "use_auth": False},
        }
        deadline = _now() + self._settle_timeout
        while True:
            try:
                await self._call("SetStreamServiceSettings", request)
                return
            except ObsRequestFailed as error:
                if error.obs_code != OUTPUT_RUNNING or _now() >= deadline:
                    raise
            await self._until_output_inactive(deadline)

    async def start_stream(self) -> None:
        """Start streaming; return once OBS reports STARTED (connected to the ingest).

        ``ObsStreamFailed`` when OBS stops instead (ingest unreachable) or reports nothing
        within ``start_timeout`` (the output may still be starting: call ``stop_stream``).
        ``ObsRequestFailed`` (500) when it is streaming already.
        """
        with self._watching() as states:
            await self._call("StartStream")
            deadline = _now() + self._start_timeout
            starting = False
            while True:
                try:
                    state = await self._next_state(states, deadline)
                except TimeoutError:
                    raise ObsStreamFailed(
                        f"OBS did not report the stream started within {self._start_timeout:g} s"
                    ) from None
                if state is StreamState.STARTED:
                    return
                if state is StreamState.STARTING:
                    starting = True
                elif state is StreamState.STOPPED and starting:
                    server = await self._stream_server()
                    raise ObsStreamFailed(f"OBS could not connect to the ingest at {server}")

    async def stop_stream(self, *, wait: bool = True) -> None:
        """Stop streaming and, with ``wait``, return once OBS reports STOPPED and its output
        is inactive (GetStreamStatus lags the event by a few tens of ms).

        Not streaming is not an error. ``ObsStreamFailed`` if the output has not stopped
        within ``stop_timeout``.
        """
        with self._watching() as states:
            try:
                await self._call("StopStream")
            except ObsRequestFailed as error:
                if error.obs_code == OUTPUT_NOT_RUNNING:
                    return
                raise
            if not wait:
                return
            deadline = _now() + self._stop_timeout
            while True:
                try:
                    state = await self._next_state(states, deadline)
                except TimeoutError:
                    raise ObsStreamFailed(
                        f"OBS did not stop the stream within {self._stop_timeout:g} s"
                    ) from None
                if state is StreamState.STOPPED:
                    break
        if not await self._until_output_inactive(deadline):
            raise ObsStreamFailed(f"OBS did not stop the stream within {self._stop_timeout:g} s")

    # ------------------------------------------------------------------ internals

    def _require(self) -> Connection:
        connection = self._connection
        if connection is None:
            raise ObsUnavailable(f"not connected to OBS at {self.url}")
        if connection.lost.done():
            raise ObsUnavailable(connection.lost.result())
        return connection

    async def _call(self, request_type: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._require().call(request_type, data, within=self._request_timeout)

    async def _stream_server(self) -> str:
        """The server OBS streams to, for error messages (never the key)."""
        try:
            reply = await self._call("GetStreamServiceSettings")
            server = parse(StreamService, "GetStreamServiceSettings", reply).settings.server
        except ObsError:
            server = ""
        return server or "its configured stream server"

    async def _until_output_inactive(self, deadline: float) -> bool:
        """True once GetStreamStatus says inactive (polled, and woken early by a state event);
        False at ``deadline``."""
        with self._watching() as states:
            while (await self.stream_status()).active:
                if _now() >= deadline:
                    return False
                with contextlib.suppress(TimeoutError):
                    await self._next_state(states, min(deadline, _now() + POLL_INTERVAL))
            return True

    @contextlib.contextmanager
    def _watching(self) -> Iterator[asyncio.Queue[StreamState]]:
        """Stream states from now on (subscribe before sending a request: no event is missed)."""
        queue: asyncio.Queue[StreamState] = asyncio.Queue()
        self._watchers.add(queue)
        try:
            yield queue
        finally:
            self._watchers.discard(queue)

    async def _next_state(self, states: asyncio.Queue[StreamState], deadline: float) -> StreamState:
        """The next state, ``TimeoutError`` at ``deadline``, ``ObsUnavailable`` if the session
        ends first."""
        connection = self._require()
        if not states.empty():
            return states.get_nowait()
        remaining = deadline - _now()
        if remaining <= 0:
            raise TimeoutError
        getting = asyncio.ensure_future(states.get())
        either: set[asyncio.Future[Any]] = {getting, connection.lost}
        try:
            await asyncio.wait(either, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getting.done():
                getting.cancel()
        if getting.done() and not getting.cancelled():
            return getting.result()
        if connection.lost.done():
            raise ObsUnavailable(connection.lost.result())
        raise TimeoutError

    def _on_event(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type != "StreamStateChanged":
            return
        try:
            event = parse(StreamStateChanged, event_type, data)
        except ObsError as error:
            log.warning("%s", error.message)
            return
        state = StreamState.from_obs(event.state)
        if state is None:
            log.info("ignoring OBS stream state %s", event.state)
            return
        for queue in self._watchers:
            queue.put_nowait(state)
        if self._notices is not None:
            self._notices.put_nowait(state)

    def _on_lost(self, reason: str) -> None:
        if self._notices is not None:
            self._notices.put_nowait(_Lost(reason))

    async def _dispatch(self, notices: asyncio.Queue[_Notice]) -> None:
        while True:
            notice = await notices.get()
            if notice is None:
                return
            if isinstance(notice, _Lost):
                for on_lost in list(self._disconnect_callbacks):
                    await _run(on_lost, notice.reason)
            else:
                for on_state in list(self._state_callbacks):
                    await _run(on_state, notice)


def _now() -> float:
    return asyncio.get_running_loop().time()


def _subscribe(callbacks: list[_Callback], callback: _Callback) -> Unsubscribe:
    callbacks.append(callback)

    def unsubscribe() -> None:
        with contextlib.suppress(ValueError):
            callbacks.remove(callback)

    return unsubscribe


async def _run(callback: Callable[[_Arg], Awaitable[None] | None], arg: _Arg) -> None:
    try:
        result = callback(arg)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("an OBS callback (%r) failed", callback)
