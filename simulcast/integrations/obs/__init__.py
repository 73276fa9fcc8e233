"""OBS Studio through obs-websocket v5: a thin asyncio client and the bitrate of its output.

``ObsClient`` (client.py) is the API; ``Connection`` (connection.py) wraps simpleobsws;
``replies.py`` validates what OBS sends; ``errors.py`` draws the error tree.
"""

from simulcast.integrations.obs.bitrate import BitrateMeter
from simulcast.integrations.obs.client import DisconnectCallback, ObsClient, StateCallback
from simulcast.integrations.obs.errors import (
    ObsAuthFailed,
    ObsError,
    ObsRequestFailed,
    ObsStreamFailed,
    ObsUnavailable,
)
from simulcast.integrations.obs.replies import ObsVersion, StreamState, StreamStatus

__all__ = [
    "BitrateMeter",
    "DisconnectCallback",
    "ObsAuthFailed",
    "ObsClient",
    "ObsError",
    "ObsRequestFailed",
    "ObsStreamFailed",
    "ObsUnavailable",
    "ObsVersion",
    "StateCallback",
    "StreamState",
    "StreamStatus",
]
