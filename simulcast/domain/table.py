"""The domain's two dispatch tables, filled by decorators where each function is defined.

- :data:`RULES`: command class → :class:`Rule` (its handler, and the type of the event
  that names what it did). ``decide`` and ``principal_event`` read it.
- :data:`FOLDS`: event class → the function that folds it into a session. ``apply`` reads it.

Both are keyed by exact class, so dispatch is one dict look-up on ``type(x)``: no
``isinstance`` chain and no reflection on the hot path. They are complete only once
:mod:`simulcast.domain.rules` is imported; ``decide`` and ``apply`` import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from simulcast.domain.commands import Actor
from simulcast.domain.state import SessionState
from simulcast.models.events import Event

C = TypeVar("C")
E = TypeVar("E", bound=BaseModel)

Handler = Callable[[SessionState, Actor, C], list[Event]]
"""Checks a command against the state and the actor and returns its events, or raises a
SimulcastError saying why it is refused. Never changes the state."""

Fold = Callable[[SessionState, E, datetime], None]
"""Folds one recorded event (and the time it was recorded) into the state, in place."""


@dataclass(frozen=True, slots=True)
class Rule:
    """What the domain knows of one command."""

    decide: Handler[Any]
    principal: str
    """The ``type`` of the event that names what the command did: an idempotent retry must
    find this event among the first attempt's records, or its client id was reused."""


RULES: dict[type[Any], Rule] = {}
FOLDS: dict[type[BaseModel], Fold[Any]] = {}


def event_type(event_class: type[BaseModel]) -> str:
    """The ``type`` string of an event class (its wire name)."""
    name = event_class.model_fields["type"].default
    assert isinstance(name, str), f"{event_class.__name__} has no type"
    return name


def decides(command: type[C], *, principal: type[BaseModel]) -> Callable[[Handler[C]], Handler[C]]:
    """Register the decorated function as the one handler of ``command``, whose principal
    event is of class ``principal``."""

    def register(handler: Handler[C]) -> Handler[C]:
        if command in RULES:
            raise RuntimeError(f"{command.__name__} already has a handler")
        RULES[command] = Rule(decide=handler, principal=event_type(principal))
        return handler

    return register


def folds(event_class: type[E]) -> Callable[[Fold[E]], Fold[E]]:
    """Register the decorated function as the one fold of ``event_class``."""

    def register(fold: Fold[E]) -> Fold[E]:
        if event_class in FOLDS:
            raise RuntimeError(f"{event_class.__name__} already has a fold")
        FOLDS[event_class] = fold
        return fold

    return register
