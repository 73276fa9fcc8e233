"""Events: the facts of a session, past tense, appended to the log and folded into state.

The ``type`` string is also the socket.io event name clients receive. Events are frozen and
validated when read back from the store, so a corrupt row is refused, never half-applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from simulcast.models.session import Niveau, Source, Thematique

HelpKind = Literal["lost", "tech", "question"]
ScreenStateName = Literal["offline", "waiting", "loading", "playing", "stalled", "error"]
DispatchStateName = Literal["pending", "playing", "failed", "offline"]
BroadcastStateName = Literal["idle", "starting", "live", "stopping", "stopped", "failed"]
PlayKind = Literal["hls", "external", "jitsi"]
ProblemKind = Literal["no_sound", "frozen_image", "no_connection", "other"]
HelpStateName = Literal["open", "claimed", "escalated", "answered", "resolved", "cancelled"]


Audience = Literal[
    "consoles",
    "lifecycle",
    "everyone",
    "rooms",
    "console",
    "facilitators",
    "facilitators_and_resident",
    "facilitators_and_console",
    "check_answer",
    "help",
    "help_and_console",
]
"""Who hears an event as it happens (realtime/fanout.py routes by it; the console also gets
its coalesced view of every event):

- ``consoles``: every console (a new session appears in their lists);
- ``lifecycle``: the session's rooms, screens and residents, and every console;
- ``everyone``: the session's rooms, screens and residents (only the event's ``room``'s
  when it names one), and the consoles watching it;
- ``rooms``: the session's facilitators and screens, and the consoles watching it;
- ``console``: the consoles watching the session only;
- ``facilitators``: the facilitators of the event's room;
- ``facilitators_and_resident``: those, and the resident the event is about (a resident
  counted out by the facilitator learns it at once);
- ``facilitators_and_console``: those, and the consoles watching the session;
- ``check_answer``: the room's facilitators (with the room's tally) and the resident who
  answered;
- ``help``: the room's facilitators and the resident who asked, with the request's view;
- ``help_and_console``: those, and the consoles watching the session (they act on it).
"""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    audience: ClassVar[Audience]


class SessionScheduled(_Event):
    type: Literal["session_scheduled"] = "session_scheduled"
    audience: ClassVar[Audience] = "consoles"
    title: str
    origin: str
    rooms: list[str]
    join_codes: dict[str, str]
    starts_at: datetime
    duration_min: int
    thematiques: list[Thematique] = []
    niveau: Niveau | None = None
    source: Source | None = None


class SessionUpdated(_Event):
    """A scheduled session changed: the fields given are its new values; the rooms it adds
    have their join codes here, the others keep theirs."""

    type: Literal["session_updated"] = "session_updated"
    audience: ClassVar[Audience] = "lifecycle"
    title: str | None = None
    starts_at: datetime | None = None
    duration_min: int | None = None
    rooms: list[str] | None = None
    join_codes: dict[str, str] = {}


class SessionStarted(_Event):
    type: Literal["session_started"] = "session_started"
    audience: ClassVar[Audience] = "lifecycle"


class SessionEnded(_Event):
    type: Literal["session_ended"] = "session_ended"
    audience: ClassVar[Audience] = "lifecycle"


class SessionCancelled(_Event):
    type: Literal["session_cancelled"] = "session_cancelled"
    audience: ClassVar[Audience] = "lifecycle"


class ResidentCheckedIn(_Event):
    type: Literal["resident_checked_in"] = "resident_checked_in"
    audience: ClassVar[Audience] = "facilitators"
    resident_id: str
    room: str
    name: str | None = None


class ResidentLeft(_Event):
    type: Literal["resident_left"] = "resident_left"
    audience: ClassVar[Audience] = "facilitators_and_resident"
    resident_id: str
    room: str


class WalkInsAdjusted(_Event):
    type: Literal["walkins_adjusted"] = "walkins_adjusted"
    audience: ClassVar[Audience] = "facilitators"
    room: str
    delta: Literal[1, -1]


class HelpRequested(_Event):
    type: Literal["help_requested"] = "help_requested"
    audience: ClassVar[Audience] = "help"
    request_id: str
    resident_id: str
    room: str
    kind: HelpKind
    seat: str | None = None
    text: str | None = None


class HelpCancelled(_Event):
    type: Literal["help_cancelled"] = "help_cancelled"
    audience: ClassVar[Audience] = "help"
    request_id: str
    room: str


class HelpClaimed(_Event):
    type: Literal["help_claimed"] = "help_claimed"
    audience: ClassVar[Audience] = "help"
    request_id: str
    room: str


class HelpResolved(_Event):
    type: Literal["help_resolved"] = "help_resolved"
    audience: ClassVar[Audience] = "help"
    request_id: str
    room: str


class HelpEscalated(_Event):
    type: Literal["help_escalated"] = "help_escalated"
    audience: ClassVar[Audience] = "help_and_console"
    request_id: str
    room: str
    note: str | None = None
    """The facilitator's note for the mediator (personal data: erased by the purge)."""


class HelpAnswered(_Event):
    type: Literal["help_answered"] = "help_answered"
    audience: ClassVar[Audience] = "help_and_console"
    request_id: str
    room: str
    answer: str | None
    """None once purged (retention)."""


class AnnouncementSent(_Event):
    type: Literal["announcement_sent"] = "announcement_sent"
    audience: ClassVar[Audience] = "everyone"
    announcement_id: str
    text: str
    room: str | None = None
    """For one room only (its facilitators, screens and residents, and the console)."""


class CheckLaunched(_Event):
    type: Literal["check_launched"] = "check_launched"
    audience: ClassVar[Audience] = "everyone"
    check_id: str
    question: str
    options: list[str]


class CheckAnswered(_Event):
    type: Literal["check_answered"] = "check_answered"
    audience: ClassVar[Audience] = "check_answer"
    check_id: str
    resident_id: str
    room: str
    option: int


class CheckClosed(_Event):
    type: Literal["check_closed"] = "check_closed"
    audience: ClassVar[Audience] = "everyone"
    check_id: str


class BroadcastStarting(_Event):
    """The mediator asked to start the broadcast; the source is being brought up."""

    type: Literal["broadcast_starting"] = "broadcast_starting"
    audience: ClassVar[Audience] = "rooms"
    source: str


class BroadcastLive(_Event):
    """The source really serves (an ingest playlist advancing, or an external/Jitsi URL)."""

    type: Literal["broadcast_live"] = "broadcast_live"
    audience: ClassVar[Audience] = "rooms"
    kind: PlayKind
    url: str


class BroadcastFailed(_Event):
    type: Literal["broadcast_failed"] = "broadcast_failed"
    audience: ClassVar[Audience] = "rooms"
    reason: str


class BroadcastStopping(_Event):
    type: Literal["broadcast_stopping"] = "broadcast_stopping"
    audience: ClassVar[Audience] = "rooms"


class BroadcastStopped(_Event):
    type: Literal["broadcast_stopped"] = "broadcast_stopped"
    audience: ClassVar[Audience] = "rooms"
    reason: str | None = None


class ScreenOnline(_Event):
    type: Literal["screen_online"] = "screen_online"
    audience: ClassVar[Audience] = "facilitators"
    room: str


class ScreenOffline(_Event):
    type: Literal["screen_offline"] = "screen_offline"
    audience: ClassVar[Audience] = "facilitators"
    room: str
    reason: str


class ScreenDispatched(_Event):
    """``play`` was sent to the room's screens (``attempt`` counts retries)."""

    type: Literal["screen_dispatched"] = "screen_dispatched"
    audience: ClassVar[Audience] = "facilitators"
    room: str
    attempt: int


class ScreenStateReported(_Event):
    type: Literal["screen_state_reported"] = "screen_state_reported"
    audience: ClassVar[Audience] = "facilitators"
    room: str
    state: ScreenStateName
    detail: str | None = None


class DispatchFailed(_Event):
    type: Literal["dispatch_failed"] = "dispatch_failed"
    audience: ClassVar[Audience] = "facilitators"
    room: str
    reason: str


class ObsLost(_Event):
    type: Literal["obs_lost"] = "obs_lost"
    audience: ClassVar[Audience] = "rooms"
    reason: str


class ObsBack(_Event):
    type: Literal["obs_back"] = "obs_back"
    audience: ClassVar[Audience] = "rooms"
    version: str


class SceneSwitched(_Event):
    type: Literal["scene_switched"] = "scene_switched"
    audience: ClassVar[Audience] = "rooms"
    scene: str


class BroadcastHealthSampled(_Event):
    """A bounded-rate sample of the broadcast's health, for reports and uptime."""

    type: Literal["broadcast_health_sampled"] = "broadcast_health_sampled"
    audience: ClassVar[Audience] = "console"
    ingest_live: bool | None = None
    obs_connected: bool | None = None
    obs_streaming: bool | None = None
    obs_reconnecting: bool | None = None
    bitrate_kbps: int | None = None
    skipped_frames: int | None = None
    participants: int | None = None


class ProblemReported(_Event):
    type: Literal["problem_reported"] = "problem_reported"
    audience: ClassVar[Audience] = "facilitators_and_console"
    problem_id: str
    room: str
    problem: ProblemKind
    text: str | None = None


class ProblemCleared(_Event):
    type: Literal["problem_cleared"] = "problem_cleared"
    audience: ClassVar[Audience] = "facilitators_and_console"
    problem_id: str
    room: str


class ProblemSeen(_Event):
    """The mediator saw a room's problem (the room's facilitator is told)."""

    type: Literal["problem_seen"] = "problem_seen"
    audience: ClassVar[Audience] = "facilitators_and_console"
    problem_id: str
    room: str


class RoomReady(_Event):
    """A room's facilitator says the room is ready: screen on, sound checked, people seated."""

    type: Literal["room_ready"] = "room_ready"
    audience: ClassVar[Audience] = "facilitators_and_console"
    room: str


class PersonalDataPurged(_Event):
    """The retention period of an ended session passed: first names and free texts were
    erased from its log (``retention_days`` was the setting then)."""

    type: Literal["personal_data_purged"] = "personal_data_purged"
    audience: ClassVar[Audience] = "console"
    retention_days: int


Event = Annotated[
    SessionScheduled
    | SessionUpdated
    | SessionStarted
    | SessionEnded
    | SessionCancelled
    | ResidentCheckedIn
    | ResidentLeft
    | WalkInsAdjusted
    | HelpRequested
    | HelpCancelled
    | HelpClaimed
    | HelpResolved
    | HelpEscalated
    | HelpAnswered
    | AnnouncementSent
    | CheckLaunched
    | CheckAnswered
    | CheckClosed
    | BroadcastStarting
    | BroadcastLive
    | BroadcastFailed
    | BroadcastStopping
    | BroadcastStopped
    | ScreenOnline
    | ScreenOffline
    | ScreenDispatched
    | ScreenStateReported
    | DispatchFailed
    | ObsLost
    | ObsBack
    | SceneSwitched
    | BroadcastHealthSampled
    | ProblemReported
    | ProblemCleared
    | ProblemSeen
    | RoomReady
    | PersonalDataPurged,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].default for cls in _Event.__subclasses__()
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as stored: its session, its place in the session's log, who caused it.

    ``client_id`` is the caller's idempotency key, kept on every event a command produced,
    so a retry finds them and returns the same result. A plain dataclass, not a pydantic
    model: records are made on the hot path from values the domain already checked; the
    store validates the event when it reads a record back.
    """

    session_id: str
    seq: int
    at: datetime
    actor: str
    event: Event
    client_id: str | None = None
    _data: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def data(self) -> dict[str, Any]:
        """The event's fields in JSON form, ``type`` included, serialised once: the store
        and the fan-out both need them (do not modify the dict)."""
        if self._data is None:
            object.__setattr__(self, "_data", EVENT_ADAPTER.dump_python(self.event, mode="json"))
        assert self._data is not None
        return self._data
