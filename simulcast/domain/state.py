"""Live state of a session: a fold of its events, kept in memory and rebuilt by replay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simulcast.models.events import (
    BroadcastStateName,
    DispatchStateName,
    HelpKind,
    HelpStateName,
    PlayKind,
    ProblemKind,
    ScreenStateName,
)
from simulcast.models.session import Niveau, SessionStateName, Source, Thematique

ACTIVE_HELP: frozenset[HelpStateName] = frozenset({"open", "claimed", "escalated"})
"""Requests still waiting for someone: counted in ``help_open``."""

FINAL_HELP: frozenset[HelpStateName] = frozenset({"resolved", "cancelled"})


@dataclass(slots=True)
class Resident:
    id: str
    room: str
    name: str | None
    checked_in_at: datetime
    left_at: datetime | None = None


@dataclass(slots=True)
class HelpRequest:
    id: str
    room: str
    resident_id: str
    kind: HelpKind
    seat: str | None
    text: str | None
    created_at: datetime
    state: HelpStateName = "open"
    updated_at: datetime | None = None
    answer: str | None = None
    note: str | None = None
    """The facilitator's note when escalating."""


@dataclass(slots=True)
class Check:
    id: str
    question: str
    options: list[str]
    launched_at: datetime
    closed_at: datetime | None = None
    present_at_close: dict[str, int] = field(default_factory=dict)
    """Per room, how many people were there when the check closed: its response rate's
    denominator."""
    answers: dict[str, int] = field(default_factory=dict)
    """resident id → option index (a resident may change their answer)."""
    tallies: dict[str, list[int]] = field(default_factory=dict)
    """room → count per option."""


@dataclass(slots=True)
class Announcement:
    id: str
    text: str
    at: datetime
    room: str | None = None
    """For one room only; None for every room."""


@dataclass(slots=True)
class Problem:
    id: str
    room: str
    problem: ProblemKind
    text: str | None
    reported_at: datetime
    cleared_at: datetime | None = None
    seen_at: datetime | None = None
    """When the mediator said they saw it."""


@dataclass(slots=True)
class BroadcastState:
    """The session's broadcast as the log tells it (live OBS figures are in the supervisor)."""

    state: BroadcastStateName = "idle"
    source: str | None = None
    kind: PlayKind | None = None
    url: str | None = None
    reason: str | None = None
    started_at: datetime | None = None
    live_at: datetime | None = None
    stopped_at: datetime | None = None
    obs_lost: bool = False
    scene: str | None = None
    ingest_live: bool | None = None


@dataclass(slots=True)
class RoomState:
    site: str
    join_code: str
    walkins: int = 0
    checked_in: int = 0
    help_total: int = 0
    present_ids: dict[str, None] = field(default_factory=dict)
    """Residents checked in and not gone, in arrival order (an ordered set)."""
    waiting: dict[str, datetime] = field(default_factory=dict)
    """Requests someone still waits on (open, claimed, escalated) → when they were made,
    oldest first: the console's "oldest request" without scanning the session."""
    unfinished: dict[str, None] = field(default_factory=dict)
    """Requests not yet resolved or cancelled, in arrival order: the facilitator's queue."""
    screen: ScreenStateName = "offline"
    screen_detail: str | None = None
    dispatch: DispatchStateName | None = None
    """Only while a broadcast is starting or live."""
    dispatch_detail: str | None = None
    dispatch_attempts: int = 0
    ready_at: datetime | None = None
    """When the facilitator said the room is ready."""

    @property
    def present_residents(self) -> int:
        return len(self.present_ids)

    @property
    def help_open(self) -> int:
        return len(self.waiting)

    @property
    def present(self) -> int:
        return len(self.present_ids) + self.walkins


@dataclass(slots=True)
class SessionState:
    id: str
    title: str
    origin: str
    starts_at: datetime
    duration_min: int
    thematiques: list[Thematique]
    niveau: Niveau | None
    source: Source | None
    created_at: datetime
    rooms: dict[str, RoomState]
    state: SessionStateName = "scheduled"
    seq: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    residents: dict[str, Resident] = field(default_factory=dict)
    help: dict[str, HelpRequest] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    announcements: list[Announcement] = field(default_factory=list)
    purged_at: datetime | None = None
    """When first names and free texts were erased (retention period over)."""
    requests_of: dict[str, list[str]] = field(default_factory=dict)
    """resident id → their requests, oldest first (what a resident's page shows)."""
    broadcast: BroadcastState = field(default_factory=BroadcastState)
    problems: dict[str, Problem] = field(default_factory=dict)

    @property
    def last_check(self) -> Check | None:
        """The latest check, open or closed (pages keep a closed check's result in view)."""
        return next(reversed(self.checks.values()), None)

    @property
    def active_check(self) -> Check | None:
        for check in reversed(self.checks.values()):
            if check.closed_at is None:
                return check
        return None

    @property
    def accepts_room_activity(self) -> bool:
        """Rooms open before the broadcast: residents may check in once scheduled."""
        return self.state in ("scheduled", "live")
