"""Commands: what someone asks the domain to do, imperative. Ids are chosen by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from simulcast.models.events import HelpKind, PlayKind, ProblemKind, ScreenStateName

Role = Literal["admin", "facilitator", "screen", "resident", "guest", "system"]

ROOM_BOUND: frozenset[Role] = frozenset({"facilitator", "screen", "resident", "guest"})
"""Roles that act through a session's room token, join code or resident token."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, as proven by their token or join code.

    ``guest`` holds a room's join code but has not checked in; ``resident`` has checked in;
    ``system`` is the controller itself (the broadcast supervisor).
    """

    role: Role
    session_id: str | None = None
    room: str | None = None
    resident_id: str | None = None

    @property
    def key(self) -> str:
        """Namespace of this actor's client ids: two actors never collide."""
        match self.role:
            case "admin" | "system":
                return self.role
            case "resident":
                return f"resident:{self.resident_id}"
            case _:
                return f"{self.role}:{self.room}"


@dataclass(frozen=True, slots=True)
class StartSession:
    pass


@dataclass(frozen=True, slots=True)
class EndSession:
    pass


@dataclass(frozen=True, slots=True)
class CancelSession:
    pass


@dataclass(frozen=True, slots=True)
class UpdateSession:
    """Change a scheduled session; ``None`` keeps a field as it is. ``new_codes`` are the
    join codes chosen for the rooms that ``rooms`` adds."""

    title: str | None = None
    starts_at: datetime | None = None
    duration_min: int | None = None
    rooms: list[str] | None = None
    new_codes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckIn:
    resident_id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class DismissResident:
    resident_id: str


@dataclass(frozen=True, slots=True)
class AdjustWalkIns:
    delta: Literal[1, -1]


@dataclass(frozen=True, slots=True)
class RequestHelp:
    request_id: str
    kind: HelpKind
    seat: str | None
    text: str | None
    resident_id: str | None = None
    """For a guest who asks without checking in first: checked in anonymously with this id."""


@dataclass(frozen=True, slots=True)
class CancelHelp:
    request_id: str


@dataclass(frozen=True, slots=True)
class ClaimHelp:
    request_id: str


@dataclass(frozen=True, slots=True)
class ResolveHelp:
    request_id: str


@dataclass(frozen=True, slots=True)
class EscalateHelp:
    request_id: str
    note: str | None = None
    """The facilitator's words for the mediator (what the resident needs, what was tried)."""


@dataclass(frozen=True, slots=True)
class AnswerEscalation:
    request_id: str
    answer: str


@dataclass(frozen=True, slots=True)
class Announce:
    announcement_id: str
    text: str
    room: str | None = None
    """One room of the session, or every room (None)."""


@dataclass(frozen=True, slots=True)
class LaunchCheck:
    check_id: str
    question: str
    options: list[str]


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    check_id: str
    option: int


@dataclass(frozen=True, slots=True)
class CloseCheck:
    check_id: str


@dataclass(frozen=True, slots=True)
class PurgePersonalData:
    retention_days: int


CoreCommand = (
    StartSession
    | EndSession
    | CancelSession
    | UpdateSession
    | CheckIn
    | Leave
    | DismissResident
    | AdjustWalkIns
    | RequestHelp
    | CancelHelp
    | ClaimHelp
    | ResolveHelp
    | EscalateHelp
    | AnswerEscalation
    | Announce
    | LaunchCheck
    | AnswerCheck
    | CloseCheck
    | PurgePersonalData
)


# --- broadcast -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestBroadcastStart:
    source: str


@dataclass(frozen=True, slots=True)
class MarkBroadcastLive:
    kind: PlayKind
    url: str


@dataclass(frozen=True, slots=True)
class FailBroadcast:
    reason: str


@dataclass(frozen=True, slots=True)
class RequestBroadcastStop:
    pass


@dataclass(frozen=True, slots=True)
class MarkBroadcastStopped:
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RecordScreenOnline:
    room: str


@dataclass(frozen=True, slots=True)
class RecordScreenOffline:
    room: str
    reason: str


@dataclass(frozen=True, slots=True)
class RecordDispatch:
    room: str
    attempt: int


@dataclass(frozen=True, slots=True)
class FailDispatch:
    room: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReportScreenState:
    state: ScreenStateName
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class MarkObsLost:
    reason: str


@dataclass(frozen=True, slots=True)
class MarkObsBack:
    version: str


@dataclass(frozen=True, slots=True)
class SwitchScene:
    scene: str


@dataclass(frozen=True, slots=True)
class RecordHealth:
    sample: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReportProblem:
    problem_id: str
    problem: ProblemKind
    text: str | None


@dataclass(frozen=True, slots=True)
class ClearProblem:
    problem_id: str


@dataclass(frozen=True, slots=True)
class AcknowledgeProblem:
    problem_id: str


@dataclass(frozen=True, slots=True)
class SignalRoomReady:
    pass


BroadcastCommand = (
    RequestBroadcastStart
    | MarkBroadcastLive
    | FailBroadcast
    | RequestBroadcastStop
    | MarkBroadcastStopped
    | RecordScreenOnline
    | RecordScreenOffline
    | RecordDispatch
    | FailDispatch
    | ReportScreenState
    | MarkObsLost
    | MarkObsBack
    | SwitchScene
    | RecordHealth
    | ReportProblem
    | ClearProblem
    | AcknowledgeProblem
    | SignalRoomReady
)

Command = CoreCommand | BroadcastCommand
