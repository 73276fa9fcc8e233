"""One identified obs-websocket v5 session, over simpleobsws, with types and readable failures.

simpleobsws (untyped, asyncio) speaks the protocol: Hello/Identify with the password, msgpack
frames, request ids. ``Connection`` adds what simulcast relies on:

- ``open`` returns only once OBS has identified the client, or raises ``ObsUnavailable`` that
  says why: refused, timed out, not obs-websocket, or ``ObsAuthFailed`` for a wrong password
  (seen at once from OBS's close code 4009, not after a timeout).
- ``call`` returns the reply's data or raises ``ObsRequestFailed`` with OBS's status code and
  comment; when the session ends it fails at once instead of waiting for its timeout.
- ``lost`` resolves with a reason when the session ends, whoever ended it; ``on_lost`` is called
  only when OBS or the network ended it.
- ``on_event`` gets events in the order OBS sent them; an exception it raises is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import simpleobsws  # type: ignore[import-untyped]

from simulcast.integrations.obs.errors import (
    ObsAuthFailed,
    ObsError,
    ObsRequestFailed,
    ObsUnavailable,
)

log = logging.getLogger(__name__)

EVENT_SUBSCRIPTIONS = (1 << 0) | (1 << 2) | (1 << 6)
"""obs-websocket event categories simulcast listens to: General, Scenes and Outputs."""

PASSWORD_REFUSED = "OBS refused the password (check SIMULCAST_OBS_PASSWORD)"
CLOSE_TIMEOUT = 2.0
"""Seconds to wait for OBS to acknowledge our closing of the session."""

_CLOSE_REASONS = {
    1001: "OBS is shutting down",
    4009: PASSWORD_REFUSED,
    4010: "OBS does not speak obs-websocket RPC version 1 (it needs OBS 28 or later)",
    4011: "OBS ended the session (another client invalidated it)",
}

EventHandler = Callable[[str, dict[str, Any]], None]
LostHandler = Callable[[str], None]


class Connection:
    """An identified session with OBS; make one with ``await Connection.open(…)``."""

    def __init__(self, client: Any, url: str, on_event: EventHandler, on_lost: LostHandler) -> None:
        self._client = client
        self._url = url
        self._on_event = on_event
        self._on_lost = on_lost
        self._closing = False
        self._watcher: asyncio.Task[None] | None = None
        self.lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        """Resolves with why the session ended."""

    @classmethod
    async def open(
        cls,
        url: str,
        password: str | None,
        *,
        within: float,
        on_event: EventHandler,
        on_lost: LostHandler,
    ) -> Connection:
        """Connect to ``url`` and identify, within ``within`` seconds."""
        client = simpleobsws.WebSocketClient(
            url=url,
            password=password or "",
            identification_parameters=simpleobsws.IdentificationParameters(
                eventSubscriptions=EVENT_SUBSCRIPTIONS
            ),
        )
        connection = cls(client, url, on_event, on_lost)
        client.register_event_callback(connection._receive)
        try:
            async with asyncio.timeout(within):
                await client.connect()
                await connection._identified()
        except asyncio.CancelledError:
            await connection._shutdown()
            raise
        except Exception as error:
            await connection._shutdown()
            if isinstance(error, ObsError):
                raise
            raise _unreachable(url, error, within) from error
        connection._watcher = asyncio.create_task(connection._watch())
        return connection

    async def call(
        self, request_type: str, data: dict[str, Any] | None = None, *, within: float
    ) -> dict[str, Any]:
        """Send one request and return its ``responseData`` (``{}`` when OBS sends none);
        ``ObsUnavailable`` when OBS does not answer ``within`` seconds."""
        if self.lost.done():
            raise ObsUnavailable(self.lost.result())
        pending = asyncio.ensure_future(
            self._client.call(simpleobsws.Request(request_type, data), timeout=within)
        )
        try:
            await asyncio.wait({pending, self.lost}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pending.cancel()
            raise
        if not pending.done():
            pending.cancel()
            raise ObsUnavailable(f"OBS did not answer {request_type}: {self.lost.result()}")
        try:
            response = pending.result()
        except simpleobsws.MessageTimeout:
            raise ObsUnavailable(f"OBS did not answer {request_type} within {within:g} s") from None
        except Exception as error:  # the socket broke under simpleobsws
            raise ObsUnavailable(f"could not send {request_type} to OBS: {error}") from error
        status = response.requestStatus
        if not response.ok():
            comment = status.comment if isinstance(status.comment, str) else None
            raise ObsRequestFailed(request_type, int(status.code), comment)
        data = response.responseData
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ObsError(f"OBS answered {request_type} with {type(data).__name__}, not an object")
        return data

    async def close(self) -> None:
        """End the session; ``lost`` resolves, ``on_lost`` is not called."""
        self._closing = True
        if not self.lost.done():
            self.lost.set_result(f"the session with OBS at {self._url} was closed")
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.wait({self._watcher})
        await self._shutdown()

    async def _identified(self) -> None:
        """Until OBS sends Identified; raise with OBS's reason if it closes the socket first."""
        identified = asyncio.ensure_future(self._client.wait_until_identified(timeout=3600))
        receiving: asyncio.Task[None] = self._client.recv_task
        try:
            await asyncio.wait({identified, receiving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not identified.done():
                identified.cancel()
        if not self._client.identified:
            reason = self._ended_reason()
            raise ObsAuthFailed(reason) if reason == PASSWORD_REFUSED else ObsUnavailable(reason)

    async def _watch(self) -> None:
        await asyncio.wait({self._client.recv_task})
        reason = self._ended_reason()
        if not self.lost.done():
            self.lost.set_result(reason)
        if self._closing:
            return
        log.warning("obs-websocket session ended: %s", reason)
        await self._shutdown()
        try:
            self._on_lost(reason)
        except Exception:
            log.exception("the handler of a lost OBS session failed")

    def _ended_reason(self) -> str:
        receiving = self._client.recv_task
        if receiving is not None and receiving.done() and not receiving.cancelled():
            error = receiving.exception()
            if error is not None:
                return f"the session with OBS at {self._url} failed: {error!r}"
        socket = self._client.ws
        code = getattr(socket, "close_code", None)
        if code in _CLOSE_REASONS:
            return _CLOSE_REASONS[code]
        if code is None or code == 1006:
            return f"the connection to OBS at {self._url} was lost"
        detail = getattr(socket, "close_reason", "") or ""
        said = f": {detail}" if detail else ""
        return f"OBS at {self._url} closed the connection (code {code}{said})"

    async def _shutdown(self) -> None:
        if self._client.recv_task is None:
            return
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self._client.disconnect()
        except Exception as error:  # the peer is gone already: nothing left to close
            log.debug("closing the obs-websocket socket: %r", error)

    async def _receive(self, payload: Any) -> None:
        """simpleobsws's event callback (one task per event, in the order received)."""
        if self._closing or not isinstance(payload, dict):
            return
        event_type = payload.get("eventType")
        data = payload.get("eventData") or {}
        if not isinstance(event_type, str) or not isinstance(data, dict):
            log.warning("ignoring a malformed obs-websocket event: %r", payload)
            return
        try:
            self._on_event(event_type, data)
        except Exception:
            log.exception("the handler of OBS event %s failed", event_type)


def _unreachable(url: str, error: BaseException, within: float) -> ObsUnavailable:
    if isinstance(error, TimeoutError):
        return ObsUnavailable(f"OBS at {url} did not answer within {within:g} s")
    if isinstance(error, ConnectionRefusedError):
        return ObsUnavailable(
            f"OBS is not reachable at {url}: connection refused "
            "(is OBS running, with its WebSocket server enabled on that port?)"
        )
    if isinstance(error, OSError):
        return ObsUnavailable(f"OBS is not reachable at {url}: {error.strerror or error}")
    return ObsUnavailable(f"cannot open an obs-websocket session at {url}: {error}")
