"""The obs-websocket v5 replies and events simulcast reads, validated into small frozen types.

``parse`` turns a reply that lacks a field (or has one of the wrong type) into an ``ObsError``
that names the request and the field, never a ``KeyError`` deep inside the caller.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulcast.integrations.obs.errors import ObsError


class StreamState(enum.StrEnum):
    """The stream output's states, as ``StreamStateChanged`` reports them (without the
    ``OBS_WEBSOCKET_OUTPUT_`` prefix)."""

    STARTING = "STARTING"
    STARTED = "STARTED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    RECONNECTING = "RECONNECTING"
    RECONNECTED = "RECONNECTED"

    @classmethod
    def from_obs(cls, value: str) -> StreamState | None:
        """``OBS_WEBSOCKET_OUTPUT_STARTED`` → ``STARTED``; None for a state simulcast ignores."""
        try:
            return cls(value.removeprefix("OBS_WEBSOCKET_OUTPUT_"))
        except ValueError:
            return None


class _Reply(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class ObsVersion(_Reply):
    """Which OBS answers (``GetVersion``)."""

    obs: str = Field(validation_alias="obsVersion")
    websocket: str = Field(validation_alias="obsWebSocketVersion")
    rpc: int = Field(validation_alias="rpcVersion")
    platform: str
    platform_description: str = Field(validation_alias="platformDescription")


class StreamStatus(_Reply):
    """The stream output right now (``GetStreamStatus``). ``bytes`` only grows while a stream
    runs and restarts at 0 with the next one (feed it to a ``BitrateMeter``)."""

    active: bool = Field(validation_alias="outputActive")
    reconnecting: bool = Field(validation_alias="outputReconnecting")
    bytes: int = Field(validation_alias="outputBytes")
    skipped_frames: int = Field(validation_alias="outputSkippedFrames")
    total_frames: int = Field(validation_alias="outputTotalFrames")
    duration_ms: int = Field(validation_alias="outputDuration")
    congestion: float = Field(validation_alias="outputCongestion")


class CurrentScene(_Reply):
    """``GetCurrentProgramScene``."""

    name: str = Field(validation_alias="currentProgramSceneName")


class _Scene(_Reply):
    name: str = Field(validation_alias="sceneName")


class SceneList(_Reply):
    """``GetSceneList``; OBS lists the bottom scene of its Scenes dock first."""

    scenes: list[_Scene]

    def names(self) -> list[str]:
        """Scene names from top to bottom, as the mediator sees them in OBS."""
        return [scene.name for scene in reversed(self.scenes)]


class _ServiceSettings(_Reply):
    server: str = ""


class StreamService(_Reply):
    """``GetStreamServiceSettings``: only the server is read (the key is a secret)."""

    settings: _ServiceSettings = Field(validation_alias="streamServiceSettings")


class StreamStateChanged(_Reply):
    """The ``StreamStateChanged`` event."""

    active: bool = Field(validation_alias="outputActive")
    state: str = Field(validation_alias="outputState")


Reply = TypeVar("Reply", bound=_Reply)


def parse(model: type[Reply], request_type: str, data: dict[str, Any]) -> Reply:
    """Validate ``data`` (what OBS sent for ``request_type``) or raise a readable ``ObsError``."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ObsError(
            f"OBS sent an unexpected {request_type} (is it obs-websocket 5?): {problems}"
        ) from None
