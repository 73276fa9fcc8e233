"""The action table: every action of the REST API and of the socket.io namespaces, declared
once (see ``base``). Adding an action is one entry here plus its domain rule."""

from __future__ import annotations

from simulcast.engine.actions import mediator, public, resident, room
from simulcast.engine.actions.base import NAMESPACES, Action, Answer, Call

ACTIONS: tuple[Action, ...] = (*public.ACTIONS, *mediator.ACTIONS, *room.ACTIONS, *resident.ACTIONS)

__all__ = ["ACTIONS", "NAMESPACES", "Action", "Answer", "Call"]
