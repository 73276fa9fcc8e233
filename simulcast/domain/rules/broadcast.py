"""The session's broadcast as the log tells it: idle → starting → live → stopping → stopped,
or failed from any state on air; OBS lost and back, the scene, health samples.

Most of these commands come from the controller itself (the ``system`` actor: the broadcast
supervisor); the mediator starts, stops and switches scenes.
"""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import (
    Actor,
    FailBroadcast,
    MarkBroadcastLive,
    MarkBroadcastStopped,
    MarkObsBack,
    MarkObsLost,
    RecordHealth,
    RequestBroadcastStart,
    RequestBroadcastStop,
    SwitchScene,
)
from simulcast.domain.guards import broadcast_in, require
from simulcast.domain.state import SessionState
from simulcast.domain.table import decides, folds
from simulcast.errors import ConflictError
from simulcast.models.events import (
    BroadcastFailed,
    BroadcastHealthSampled,
    BroadcastLive,
    BroadcastStarting,
    BroadcastStopped,
    BroadcastStopping,
    Event,
    ObsBack,
    ObsLost,
    SceneSwitched,
)

_ON_AIR = ("starting", "live")
_RUNNING = ("starting", "live", "stopping")


@decides(RequestBroadcastStart, principal=BroadcastStarting)
def request_broadcast_start(
    state: SessionState, actor: Actor, command: RequestBroadcastStart
) -> list[Event]:
    """Rooms open with the session; the broadcast starts once it is live."""
    require(actor, "admin")
    if state.state != "live":
        raise ConflictError(
            f"start the session first: it is {state.state} "
            "(rooms open with the session, the broadcast comes after)",
            code="invalid_session_state",
        )
    if state.broadcast.state in _RUNNING:
        raise ConflictError(
            f"the broadcast is already {state.broadcast.state}", code="invalid_broadcast_state"
        )
    return [BroadcastStarting(source=command.source)]


@decides(MarkBroadcastLive, principal=BroadcastLive)
def mark_broadcast_live(
    state: SessionState, actor: Actor, command: MarkBroadcastLive
) -> list[Event]:
    require(actor, "system")
    broadcast_in(state, ("starting",), "go live")
    return [BroadcastLive(kind=command.kind, url=command.url)]


@decides(FailBroadcast, principal=BroadcastFailed)
def fail_broadcast(state: SessionState, actor: Actor, command: FailBroadcast) -> list[Event]:
    require(actor, "system")
    broadcast_in(state, _RUNNING, "fail")
    return [BroadcastFailed(reason=command.reason)]


@decides(RequestBroadcastStop, principal=BroadcastStopping)
def request_broadcast_stop(
    state: SessionState, actor: Actor, command: RequestBroadcastStop
) -> list[Event]:
    require(actor, "admin", "system")
    broadcast_in(state, _ON_AIR, "stop")
    return [BroadcastStopping()]


@decides(MarkBroadcastStopped, principal=BroadcastStopped)
def mark_broadcast_stopped(
    state: SessionState, actor: Actor, command: MarkBroadcastStopped
) -> list[Event]:
    require(actor, "system")
    broadcast_in(state, _RUNNING, "be stopped")
    return [BroadcastStopped(reason=command.reason)]


@decides(MarkObsLost, principal=ObsLost)
def mark_obs_lost(state: SessionState, actor: Actor, command: MarkObsLost) -> list[Event]:
    require(actor, "system")
    return [ObsLost(reason=command.reason)]


@decides(MarkObsBack, principal=ObsBack)
def mark_obs_back(state: SessionState, actor: Actor, command: MarkObsBack) -> list[Event]:
    require(actor, "system")
    return [ObsBack(version=command.version)]


@decides(SwitchScene, principal=SceneSwitched)
def switch_scene(state: SessionState, actor: Actor, command: SwitchScene) -> list[Event]:
    require(actor, "admin", "system")
    return [SceneSwitched(scene=command.scene)]


@decides(RecordHealth, principal=BroadcastHealthSampled)
def record_health(state: SessionState, actor: Actor, command: RecordHealth) -> list[Event]:
    require(actor, "system")
    return [BroadcastHealthSampled(**command.sample)]


@folds(BroadcastStarting)
def broadcast_starting(state: SessionState, event: BroadcastStarting, at: datetime) -> None:
    """A new start forgets the previous broadcast's outcome."""
    broadcast = state.broadcast
    broadcast.state = "starting"
    broadcast.source = event.source
    broadcast.reason = None
    broadcast.started_at = at
    broadcast.url = None
    broadcast.kind = None
    broadcast.stopped_at = None


@folds(BroadcastLive)
def broadcast_live(state: SessionState, event: BroadcastLive, at: datetime) -> None:
    """Every room with a screen online now waits for its screen to play."""
    broadcast = state.broadcast
    broadcast.state = "live"
    broadcast.kind = event.kind
    broadcast.url = event.url
    broadcast.live_at = at
    for room in state.rooms.values():
        room.dispatch = "pending" if room.screen != "offline" else "offline"
        room.dispatch_detail = None
        room.dispatch_attempts = 0


@folds(BroadcastFailed)
def broadcast_failed(state: SessionState, event: BroadcastFailed, at: datetime) -> None:
    broadcast = state.broadcast
    broadcast.state = "failed"
    broadcast.reason = event.reason
    broadcast.stopped_at = at
    _clear_dispatch(state)


@folds(BroadcastStopping)
def broadcast_stopping(state: SessionState, event: BroadcastStopping, at: datetime) -> None:
    state.broadcast.state = "stopping"


@folds(BroadcastStopped)
def broadcast_stopped(state: SessionState, event: BroadcastStopped, at: datetime) -> None:
    broadcast = state.broadcast
    broadcast.state = "stopped"
    broadcast.reason = event.reason
    broadcast.stopped_at = at
    _clear_dispatch(state)


@folds(ObsLost)
def obs_lost(state: SessionState, event: ObsLost, at: datetime) -> None:
    state.broadcast.obs_lost = True
    state.broadcast.reason = event.reason


@folds(ObsBack)
def obs_back(state: SessionState, event: ObsBack, at: datetime) -> None:
    state.broadcast.obs_lost = False


@folds(SceneSwitched)
def scene_switched(state: SessionState, event: SceneSwitched, at: datetime) -> None:
    state.broadcast.scene = event.scene


@folds(BroadcastHealthSampled)
def broadcast_health_sampled(
    state: SessionState, event: BroadcastHealthSampled, at: datetime
) -> None:
    """Only the ingest's liveness is state; the other figures are for reports."""
    if event.ingest_live is not None:
        state.broadcast.ingest_live = event.ingest_live


def _clear_dispatch(state: SessionState) -> None:
    for room in state.rooms.values():
        room.dispatch = None
        room.dispatch_detail = None
        room.dispatch_attempts = 0
