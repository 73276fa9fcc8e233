"""Request payloads of the REST API and socket.io actions, with their limits.

Every body is validated here before it reaches the domain: types, lengths, enums. Unknown
fields are refused, so a typo in a client is reported instead of silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from simulcast.models.events import HelpKind, ProblemKind
from simulcast.models.session import Niveau, Source, Thematique

_LINE_BREAKS = re.compile(r"[\r\n\t]")
_SUSPECT = re.compile(r"[^\t\n\x20-\x7e\xa0-\xac\xae-\u05ff]")
"""Characters worth a closer look (everything outside the Latin, Greek, Cyrillic and
Hebrew blocks but for tab and newline): most texts are checked by this search alone."""

_ZWJ = "\u200d"
_EMOJI_MODIFIERS = frozenset("\ufe0f") | {chr(c) for c in range(0x1F3FB, 0x1F400)}
"""What may stand between an emoji and a zero-width joiner: the emoji presentation selector,
the skin tones."""


def _in_emoji_sequence(value: str, at: int) -> bool:
    """A zero-width joiner between two emoji (👩‍💻, 🧑🏽‍🦯, ❤️‍🩹) only draws them as one."""
    before, after = value[at - 1 : at], value[at + 1 : at + 2]
    return (
        before != ""
        and after != ""
        and (unicodedata.category(before) == "So" or before in _EMOJI_MODIFIERS)
        and unicodedata.category(after) == "So"
    )


def _no_control(value: str) -> str:
    """Refuse what a reader cannot see but a screen obeys: control characters (C0 but for
    tab and newline, DEL, C1 such as U+0085), format characters (category Cf: bidi
    overrides and isolates, zero-width spaces and joiners, soft hyphens, byte order marks,
    tags) and line and paragraph separators (U+2028, U+2029), so that a name cannot pass
    for another on the facilitator's screen. A zero-width joiner inside an emoji sequence is
    kept: it is how many emoji are written."""
    if _SUSPECT.search(value) is None:
        return value
    for at, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\t\n":
            raise ValueError(f"contains a control character (U+{ord(char):04X}): remove it")
        if category in ("Cf", "Zl", "Zp") and not (char == _ZWJ and _in_emoji_sequence(value, at)):
            raise ValueError(f"contains an invisible character (U+{ord(char):04X}): remove it")
    return value


def _one_line(value: str) -> str:
    if _LINE_BREAKS.search(value):
        raise ValueError("must fit on one line")
    return _no_control(value)


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def _plausible_time(value: datetime) -> datetime:
    """Far-off years are typos, and near year 1 or 9999 a change of zone overflows."""
    if not 2000 <= value.year <= 2100:
        raise ValueError("must be a date between 2000 and 2100, e.g. 2026-12-01T14:00")
    return value


def _text(max_length: int, *, min_length: int = 1, one_line: bool = False) -> tuple[object, ...]:
    return (
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_one_line if one_line else _no_control),
    )


ClientId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$"),
    Field(description="caller-generated id of this action (a UUID is fine); a retry reuses it"),
]
SiteId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Title = Annotated[str, *_text(120, one_line=True)]
Name = Annotated[
    Annotated[str, *_text(40, min_length=0, one_line=True)] | None,
    AfterValidator(_blank_to_none),
    Field(description="first name, only if the resident chooses to give one"),
]
Seat = Annotated[
    Annotated[str, *_text(10, min_length=0, one_line=True)] | None,
    AfterValidator(_blank_to_none),
    Field(description="seat or device number, never a name"),
]
HelpText = Annotated[
    Annotated[str, *_text(280, min_length=0)] | None,
    AfterValidator(_blank_to_none),
]
Announcement = Annotated[str, *_text(500)]
Question = Annotated[str, *_text(200)]
Option = Annotated[str, *_text(60, one_line=True)]
Answer = Annotated[str, *_text(500)]

DEFAULT_CHECK_QUESTION = "Tout le monde a réussi ?"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionCreateBody(Body):
    title: Title
    origin: SiteId
    rooms: Annotated[list[SiteId], Field(min_length=1, max_length=1000)] | None = None
    starts_at: Annotated[datetime, AfterValidator(_plausible_time)] | None = None
    duration_min: Annotated[int, Field(ge=5, le=720)] = 90
    thematiques: Annotated[list[Thematique], Field(max_length=19)] = []
    niveau: Niveau | None = None
    source: Source | None = None
    client_id: ClientId | None = None


class SessionPatchBody(Body):
    """What may change in a scheduled session; a field left out keeps its value."""

    title: Title | None = None
    starts_at: datetime | None = None
    duration_min: Annotated[int, Field(ge=5, le=720)] | None = None
    rooms: Annotated[list[SiteId], Field(min_length=1, max_length=1000)] | None = None
    client_id: ClientId


class ActionBody(Body):
    """An action with nothing but its idempotency key (claim, resolve, start, …)."""

    client_id: ClientId


class CheckInBody(Body):
    client_id: ClientId
    name: Name = None


class HelpBody(Body):
    client_id: ClientId
    kind: HelpKind
    seat: Seat = None
    text: HelpText = None


class WalkInsBody(Body):
    client_id: ClientId
    delta: Literal[1, -1]


class AnnounceBody(Body):
    client_id: ClientId
    text: Announcement
    room: Annotated[
        SiteId | None, Field(description="one room of the session; all if left out")
    ] = None


class CheckLaunchBody(Body):
    client_id: ClientId
    question: Question = DEFAULT_CHECK_QUESTION
    options: Annotated[
        list[Option],
        Field(min_length=2, max_length=4),
    ] = ["Oui", "Non"]


class CheckAnswerBody(Body):
    client_id: ClientId
    option: Annotated[int, Field(ge=0, le=3)]


class EscalationAnswerBody(Body):
    client_id: ClientId
    answer: Answer


# socket.io actions name their target in the payload, where REST has it in the path.


class ResidentActionPayload(ActionBody):
    resident_id: Annotated[str, StringConstraints(pattern=r"^r[a-z0-9]{1,32}$")]


class HelpActionPayload(ActionBody):
    request_id: Annotated[str, StringConstraints(pattern=r"^h[a-z0-9]{1,32}$")]


class EscalatePayload(HelpActionPayload):
    note: HelpText = None
    """For the mediator: what the resident needs, what was tried (optional)."""


class EscalationAnswerPayload(EscalationAnswerBody):
    request_id: Annotated[str, StringConstraints(pattern=r"^h[a-z0-9]{1,32}$")]


class CheckClosePayload(ActionBody):
    check_id: Annotated[str, StringConstraints(pattern=r"^c[a-z0-9]{1,32}$")]


class CheckAnswerPayload(CheckAnswerBody):
    check_id: Annotated[str, StringConstraints(pattern=r"^c[a-z0-9]{1,32}$")]


class WatchPayload(Body):
    session_id: Annotated[str, StringConstraints(pattern=r"^s[a-z0-9]{1,32}$")]


ScreenReport = Literal["waiting", "loading", "playing", "stalled", "error"]


class ScreenStatePayload(Body):
    """A room screen's playback state; sent on every change (``client_id`` optional)."""

    state: ScreenReport
    detail: Annotated[str, *_text(200, min_length=0, one_line=True)] | None = None
    client_id: ClientId | None = None


class HeartbeatPayload(Body):
    state: ScreenReport | None = None


class ProblemBody(Body):
    client_id: ClientId
    problem: ProblemKind
    text: HelpText = None


class ProblemActionPayload(ActionBody):
    problem_id: Annotated[str, StringConstraints(pattern=r"^p[a-z0-9]{1,32}$")]


class SceneBody(Body):
    client_id: ClientId | None = None
    scene: Annotated[str, *_text(100, one_line=True)]
