from __future__ import annotations

import pytest

from simulcast.models.opening_hours import (
    WEEKDAYS,
    OpeningHours,
    OpeningHoursError,
    Rule,
    TimeRange,
    Weekday,
    parse_opening_hours,
)

EXAMPLE = '(example: "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00")'
MONDAY_TO_FRIDAY: tuple[Weekday, ...] = ("Mo", "Tu", "We", "Th", "Fr")


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (
            "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
            (
                Rule(MONDAY_TO_FRIDAY, False, (TimeRange(540, 720), TimeRange(840, 1110))),
                Rule(("Sa",), False, (TimeRange(510, 720),)),
            ),
        ),
        ("Mo,We 10:00-12:00", (Rule(("Mo", "We"), False, (TimeRange(600, 720),)),)),
        ("Mo, We 10:00-12:00", (Rule(("Mo", "We"), False, (TimeRange(600, 720),)),)),
        (
            "Tu-Fr,Su 10:00-24:00",
            (Rule(("Tu", "We", "Th", "Fr", "Su"), False, (TimeRange(600, 1440),)),),
        ),
        ("Sa-Mo 09:00-12:00", (Rule(("Mo", "Sa", "Su"), False, (TimeRange(540, 720),)),)),
        ("Fr 22:00-02:00", (Rule(("Fr",), False, (TimeRange(1320, 1560),)),)),
        ("Fr 18:00-00:00", (Rule(("Fr",), False, (TimeRange(1080, 1440),)),)),
        (
            "24/7; PH off",
            (Rule(WEEKDAYS, False, (TimeRange(0, 1440),)), Rule((), True, ())),
        ),
        (
            "Mo-Fr 09:00-17:00; PH,Sa closed",
            (Rule(MONDAY_TO_FRIDAY, False, (TimeRange(540, 1020),)), Rule(("Sa",), True, ())),
        ),
        ("09:00-12:00", (Rule(WEEKDAYS, False, (TimeRange(540, 720),)),)),
        ("off", (Rule(WEEKDAYS, False, ()),)),
    ],
)
def test_parse_opening_hours_accepts_the_subset(text: str, rules: tuple[Rule, ...]) -> None:
    assert parse_opening_hours(text) == OpeningHours(rules=rules)


def test_rule_without_times_is_closed() -> None:
    assert parse_opening_hours("PH off").rules[0].closed
    assert not parse_opening_hours("PH 10:00-12:00").rules[0].closed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no opening hours given"),
        ("Mo-Fr 9h-12h", '"9h-12h" is not a time range: use HH:MM-HH:MM'),
        ("Mo-Fr 9:00-12:00", '"9:00-12:00" is not a time range: use HH:MM-HH:MM'),
        ("Mo-Fr 09:00 - 12:00", '"09:00 - 12:00" is not a time range: use HH:MM-HH:MM'),
        (
            "Mo-Fr 09:00-12:00, Sa 10:00-12:00",
            '"Sa 10:00-12:00" is not a time range: use HH:MM-HH:MM, and separate rules with ";"',
        ),
        (
            "Lu-Ve 09:00-12:00",
            '"Lu-Ve" is not a day: use Mo, Tu, We, Th, Fr, Sa, Su, a range such as Mo-Fr, '
            "or PH (public holidays)",
        ),
        (
            "Jan-Mar Mo 09:00-12:00",
            '"Jan-Mar Mo" is not a day: use Mo, Tu, We, Th, Fr, Sa, Su, a range such as Mo-Fr, '
            "or PH (public holidays)",
        ),
        ("Mo,,We 09:00-12:00", '"Mo,,We" has an empty day: remove the extra ","'),
        ("Mo-Fr", '"Mo-Fr" has no hours: add time ranges or "off"'),
        ("Mo 09:00-12:00;", '"Mo 09:00-12:00;" has an empty rule: remove the extra ";"'),
        (
            "Mo 09:00-12:00;;Tu off",
            '"Mo 09:00-12:00;;Tu off" has an empty rule: remove the extra ";"',
        ),
        ("Mo 25:00-26:00", '"25:00" is not a time of day: use 00:00 to 24:00'),
        ("Mo 09:60-12:00", '"09:60" is not a time of day: use 00:00 to 24:00'),
        ("Mo 10:00-24:30", '"24:30" is not a time of day: use 00:00 to 24:00'),
        ("Mo 24:00-02:00", '"24:00-02:00" starts at 24:00: start at 00:00 instead'),
        (
            "Mo 09:00-09:00",
            '"09:00-09:00" is an empty time range: the end must differ from the start',
        ),
        ("Mo-Fr 24/7", '"Mo-Fr 24/7": write "24/7" alone, as a rule of its own'),
        ("Mo 09:00-12:00 open", '"09:00-12:00 open" is not a time range: use HH:MM-HH:MM'),
    ],
)
def test_parse_opening_hours_rejects_with_the_part_to_fix(text: str, message: str) -> None:
    with pytest.raises(OpeningHoursError) as caught:
        parse_opening_hours(text)
    assert str(caught.value) == f"{message} {EXAMPLE}"
