"""socket.io packets as simulcast sends them: JSON only, encoded with orjson.

python-socketio checks every outgoing payload, recursively, for binary attachments (about a
tenth of the server's time under load) and encodes with the standard json module; simulcast
never sends binary, so this packet class skips the check and uses orjson.
"""

from __future__ import annotations

from typing import Any

import orjson
from socketio import packet


class _OrJson:
    """The subset of the json module python-socketio calls."""

    @staticmethod
    def dumps(data: Any, **_: Any) -> str:
        return orjson.dumps(data).decode()

    @staticmethod
    def loads(text: str | bytes, **_: Any) -> Any:
        return orjson.loads(text)


class JsonPacket(packet.Packet):  # type: ignore[misc]
    uses_binary_events = False
    json = _OrJson
