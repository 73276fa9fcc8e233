"""The domain's tables are complete: a command cannot ship without a handler, a principal
event and test cases, nor an event without a fold and a test case."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from simulcast.domain.commands import Command, StartSession
from simulcast.domain.rules import FOLDS, RULES
from simulcast.domain.table import decides, folds
from simulcast.models.events import EVENT_TYPES, Event, SessionScheduled, SessionStarted
from tests.unit import test_domain_apply, test_domain_broadcast, test_domain_decide
from tests.unit.domain_logs import commands_of

COMMANDS: set[type[Any]] = set(get_args(Command))
EVENTS: set[type[Any]] = set(get_args(get_args(Event)[0]))


def test_every_command_has_exactly_one_handler() -> None:
    assert set(RULES) == COMMANDS


def test_every_commands_principal_event_is_an_event_type() -> None:
    unknown = {
        command.__name__: rule.principal
        for command, rule in RULES.items()
        if rule.principal not in EVENT_TYPES
    }
    assert unknown == {}


def test_every_event_type_has_a_fold() -> None:
    assert set(FOLDS) == EVENTS


def test_every_command_has_an_accepted_case_and_says_who_may_send_it() -> None:
    accepted = commands_of(test_domain_decide.ACCEPTED) | commands_of(
        test_domain_broadcast.ACCEPTED
    )
    assert set(accepted) == COMMANDS
    assert set(test_domain_decide.WHO) | set(test_domain_broadcast.WHO) == COMMANDS


def test_every_event_type_has_a_fold_case() -> None:
    folded = {type(case.values[1]) for case in test_domain_apply.FOLDED}
    assert folded | {SessionScheduled} == EVENTS


def test_a_second_handler_for_a_command_is_refused() -> None:
    before = dict(RULES)
    with pytest.raises(RuntimeError, match="StartSession already has a handler"):
        decides(StartSession, principal=SessionStarted)(lambda state, actor, command: [])
    assert before == RULES


def test_a_second_fold_for_an_event_is_refused() -> None:
    before = dict(FOLDS)
    with pytest.raises(RuntimeError, match="SessionStarted already has a fold"):
        folds(SessionStarted)(lambda state, event, at: None)
    assert before == FOLDS
