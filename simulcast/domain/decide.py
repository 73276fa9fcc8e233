"""``decide``: check a command against the state and the actor, and say what happened.

Refusals raise with a reason a person can act on; nothing is decided half-way. Each command
has one handler (in :mod:`simulcast.domain.rules`), found by its class in one table.
"""

from __future__ import annotations

from simulcast.domain.commands import Actor, Command
from simulcast.domain.rules import RULES
from simulcast.domain.state import SessionState
from simulcast.errors import ForbiddenError
from simulcast.models.events import Event


def decide(state: SessionState, actor: Actor, command: Command) -> list[Event]:
    """The events ``command`` produces, or a SimulcastError saying why it is refused.

    Never changes ``state``: the caller applies the events once it has numbered them."""
    if actor.session_id != state.id and actor.role not in ("admin", "system"):
        raise ForbiddenError("this token or code belongs to another session")
    rule = RULES.get(type(command))
    if rule is None:
        raise TypeError(f"unknown command {command!r}")
    return rule.decide(state, actor, command)


def principal_event(command: Command) -> str:
    """The ``type`` of the event that names what ``command`` did when it was accepted.

    An idempotent retry is answered with the first attempt's records only if they include
    this event; otherwise its client id was used for another kind of action."""
    rule = RULES.get(type(command))
    if rule is None:
        raise TypeError(f"unknown command {command!r}")
    return rule.principal
