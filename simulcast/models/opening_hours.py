"""The OpenStreetMap ``opening_hours`` subset that mediation centres use.

Accepted: rules separated by ``;``; an optional day selector (``Mo Tu We Th Fr Sa Su``, ranges
such as ``Mo-Fr``, lists such as ``Mo,We``, and ``PH`` for public holidays); then time ranges
``HH:MM-HH:MM`` separated by ``,`` (a range may run past midnight, as in OSM), or ``off`` /
``closed``; and ``24/7``. Anything else (months, weeks, sunrise, comments…) is rejected with a
message that quotes the offending part and shows an example.

Rules read as in OSM: a later rule replaces what earlier rules said about the days it selects,
so ``Mo-Fr 09:00-18:00; PH off`` closes on public holidays that fall on a weekday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

Weekday = Literal["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
EXAMPLE = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"

_DAY_MINUTES = 24 * 60
_TIME_RANGE = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")
_HOURS_START = re.compile(r"\d|\b(?:off|closed)\b")


class OpeningHoursError(ValueError):
    """The text is not in the accepted subset; the message quotes the part to fix."""

    def __init__(self, problem: str) -> None:
        super().__init__(f'{problem} (example: "{EXAMPLE}")')


@dataclass(frozen=True)
class TimeRange:
    """Open from ``start`` to ``end``, in minutes after midnight of the selected day.

    ``start`` < ``end``; ``end`` exceeds 1440 when the range runs past midnight.
    """

    start: int
    end: int


@dataclass(frozen=True)
class Rule:
    """The hours of the days a rule selects; no time ranges means closed on those days."""

    weekdays: tuple[Weekday, ...]
    public_holidays: bool
    times: tuple[TimeRange, ...]

    @property
    def closed(self) -> bool:
        return not self.times


@dataclass(frozen=True)
class OpeningHours:
    """Parsed opening hours: the rules in the order written."""

    rules: tuple[Rule, ...]


def parse_opening_hours(text: str) -> OpeningHours:
    """Parse ``text``, or raise :class:`OpeningHoursError` naming the first part to fix."""
    if not text.strip():
        raise OpeningHoursError("no opening hours given")
    parts = text.split(";")
    if len(parts) > 1 and any(not part.strip() for part in parts):
        raise OpeningHoursError(f'"{text.strip()}" has an empty rule: remove the extra ";"')
    return OpeningHours(rules=tuple(_rule(part.strip()) for part in parts))


def _rule(text: str) -> Rule:
    if text == "24/7":
        return Rule(WEEKDAYS, public_holidays=False, times=(TimeRange(0, _DAY_MINUTES),))
    if "24/7" in text:
        raise OpeningHoursError(f'"{text}": write "24/7" alone, as a rule of its own')
    found = _HOURS_START.search(text)
    if found is None:
        raise OpeningHoursError(f'"{text}" has no hours: add time ranges or "off"')
    selector, hours = text[: found.start()].strip(), text[found.start() :].strip()
    weekdays, public_holidays = _days(selector) if selector else (WEEKDAYS, False)
    return Rule(weekdays, public_holidays, _times(hours))


def _days(selector: str) -> tuple[tuple[Weekday, ...], bool]:
    selected: set[Weekday] = set()
    public_holidays = False
    for item in (part.strip() for part in selector.split(",")):
        if not item:
            raise OpeningHoursError(f'"{selector}" has an empty day: remove the extra ","')
        if item == "PH":
            public_holidays = True
        else:
            selected.update(_day_span(item))
    return tuple(day for day in WEEKDAYS if day in selected), public_holidays


def _day_span(item: str) -> tuple[Weekday, ...]:
    first, _, last = item.partition("-")
    if first in WEEKDAYS and (not last or last in WEEKDAYS):
        start = WEEKDAYS.index(first)
        stop = WEEKDAYS.index(last) if last else start
        return tuple(WEEKDAYS[(start + step) % 7] for step in range((stop - start) % 7 + 1))
    raise OpeningHoursError(
        f'"{item}" is not a day: use Mo, Tu, We, Th, Fr, Sa, Su, a range such as Mo-Fr, '
        "or PH (public holidays)"
    )


def _times(hours: str) -> tuple[TimeRange, ...]:
    if hours in ("off", "closed"):
        return ()
    return tuple(_time_range(piece.strip()) for piece in hours.split(","))


def _time_range(piece: str) -> TimeRange:
    found = _TIME_RANGE.fullmatch(piece)
    if found is None:
        advice = ', and separate rules with ";"' if piece[:1].isalpha() else ""
        raise OpeningHoursError(f'"{piece}" is not a time range: use HH:MM-HH:MM{advice}')
    start_h, start_m, end_h, end_m = (int(group) for group in found.groups())
    for hour, minute in ((start_h, start_m), (end_h, end_m)):
        if hour > 24 or minute > 59 or (hour == 24 and minute > 0):
            raise OpeningHoursError(
                f'"{hour:02}:{minute:02}" is not a time of day: use 00:00 to 24:00'
            )
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start == _DAY_MINUTES:
        raise OpeningHoursError(f'"{piece}" starts at 24:00: start at 00:00 instead')
    if start == end:
        raise OpeningHoursError(
            f'"{piece}" is an empty time range: the end must differ from the start'
        )
    return TimeRange(start, end if end > start else end + _DAY_MINUTES)
