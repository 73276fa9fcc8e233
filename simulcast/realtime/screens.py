"""The broadcast supervisor's way to reach room screens and consoles, over socket.io."""

from __future__ import annotations

from typing import Any

from simulcast.realtime import channels
from simulcast.realtime.sio import SocketServer


class SocketScreenChannel:
    """Implements engine.broadcast.channel.ScreenChannel with the socket.io server."""

    def __init__(self, sio: SocketServer) -> None:
        self._sio = sio

    async def play(self, session_id: str, site: str, payload: dict[str, Any]) -> None:
        self._sio.emit("play", payload, room=channels.screens(session_id, site), namespace="/room")

    async def stop(self, session_id: str, site: str, reason: str | None) -> None:
        self._sio.emit(
            "stop",
            {"session_id": session_id, "reason": reason},
            room=channels.screens(session_id, site),
            namespace="/room",
        )

    async def health(self, session_id: str, payload: dict[str, Any]) -> None:
        self._sio.emit(
            "broadcast_health", payload, room=channels.console(session_id), namespace="/console"
        )
