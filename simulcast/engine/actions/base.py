"""What an action is: declared once, offered over REST and socket.io alike.

An ``Action`` says what it accepts (a pydantic model), who may do it (roles; the session
and room come from the caller's token, the action's target or the watched session), what it
runs, and where it is offered (a REST method and path, a socket.io event). The transports
only turn a request into a ``Call`` and an ``Answer`` into a response: ``web.actions`` and
``realtime.namespaces`` do nothing else, and the OpenAPI description, docs/protocol.md's
tables and the CLI's admin commands are derived from the same table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from simulcast.domain.commands import ROOM_BOUND, Actor, Command, Role
from simulcast.domain.guards import open_for_activity, require
from simulcast.domain.state import SessionState
from simulcast.engine.hub import Outcome
from simulcast.engine.results import CREATING_EVENTS, result_data
from simulcast.engine.views import JSON, session_view
from simulcast.errors import ForbiddenError, InputError

if TYPE_CHECKING:  # the services bring aiohttp and OBS: the CLI reads this table without them
    from simulcast.engine.services import Services

NAMESPACES: dict[Role, str] = {
    "admin": "/console",
    "facilitator": "/room",
    "screen": "/room",
    "resident": "/resident",
    "guest": "/resident",
}
"""The socket.io namespace each role connects to: an action with an ``event`` is offered on
the namespaces of its roles."""

Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]


@dataclass(frozen=True)
class Answer:
    """What an action answers: the same data on both transports."""

    data: Any
    status: int = 200
    """The REST status (201 for a creation, 202 for something that goes on in the
    background)."""
    replayed: bool | None = None
    """For commands: True when a retry found the first outcome (None for other actions)."""


@dataclass
class Call:
    """One action being run, whatever the transport: who asks, with what, about which
    session (``hint``: the REST path's session or the console's watched session)."""

    services: Services
    action: Action
    actor: Actor
    body: Any
    hint: str | None = None
    address: str = "unknown"
    """The caller's network address (behind a trusted proxy, the one it forwarded)."""
    origin: Any = None
    """The transport's own request (aiohttp's for REST), for the web layer's few actions
    that read the application itself (metrics)."""
    _state: SessionState | None = field(default=None, repr=False)

    @property
    def state(self) -> SessionState:
        """The session this call acts on: the one that owns the action's target, else the
        caller's own, else the one named by the path or watched on the console."""
        if self._state is None:
            self._state = self._find_session()
        return self._state

    def _find_session(self) -> SessionState:
        hub = self.services.hub
        if self.action.owner is not None:
            key, what = self.action.owner
            state = hub.session_of(getattr(self.body, key), what)
            if self.actor.session_id not in (None, state.id):
                raise ForbiddenError(f"this {what} belongs to another session")
            return state
        session_id = self.actor.session_id or self.hint
        if session_id is None:
            raise InputError('watch a session first (event "watch")', code="no_session")
        return hub.get(session_id)

    @property
    def client_id(self) -> str | None:
        return getattr(self.body, "client_id", None)


Run = Callable[[Call], Awaitable[Answer]]


@dataclass(frozen=True)
class Action:
    """One thing a client can do; see the module docstring."""

    name: str
    """Stable id: the OpenAPI operationId and the CLI command's name."""
    summary: str
    roles: tuple[Role, ...]
    """Who may do it; empty for a public action."""
    run: Run
    body: type[BaseModel] | None = None
    """What it accepts. Over REST, the path's ids (``{request_id}``, …) fill the fields of
    the same name; over socket.io the payload carries them."""
    optional_body: bool = False
    """REST: an empty body is accepted (a fresh client id is made for it)."""
    rest: tuple[Method, str] | None = None
    event: str | None = None
    """The socket.io event, offered on the namespaces of ``roles``."""
    owner: tuple[str, str] | None = None
    """(body field, what it names): the session is the one that owns that id, e.g.
    ``("request_id", "help request")``."""
    after_end: bool = False
    """Still taken from a room once its session is over (it must record nothing then): a
    screen's heartbeat. Other actions with a body are refused with ``session_closed``."""

    def allows(self, actor: Actor) -> None:
        """Refuse a caller whose role may not do this."""
        if self.roles:
            require(actor, *self.roles)

    def admit(self, services: Services, actor: Actor) -> None:
        """The session rules for a caller of a room (token or join code), the same over REST
        and socket.io: nothing once its session's access expired (401 ``access_expired``);
        only reads (and ``after_end`` actions) once it ended (409 ``session_closed``)."""
        if actor.role not in ROOM_BOUND or actor.session_id is None:
            return
        state = services.hub.get(actor.session_id)
        services.check_access(state)
        if self.body is not None and not self.after_end:
            open_for_activity(state)

    @property
    def namespaces(self) -> tuple[str, ...]:
        if self.event is None:
            return ()
        return tuple(dict.fromkeys(NAMESPACES[role] for role in self.roles if role in NAMESPACES))


# --- the usual shapes of ``run`` ---------------------------------------------------------------


def command(build: Callable[[Call], Command], *, answer: str = "result") -> Run:
    """Run the command ``build`` makes through the hub (idempotent on the body's client id)
    and answer with what it did (``answer="session"``: with the whole session view)."""

    async def run(call: Call) -> Answer:
        hub = call.services.hub
        session_id = call.state.id
        outcome = await hub.execute(session_id, call.actor, build(call), call.client_id)
        state = hub.get(session_id)
        if answer == "session":  # a change of the session itself (start, end, update…)
            return Answer(session_answer(call.services, state), replayed=outcome.replayed)
        return outcome_answer(call.services, outcome, state)

    return run


def outcome_answer(services: Services, outcome: Outcome, state: SessionState) -> Answer:
    created = outcome.principal.event.type in CREATING_EVENTS and not outcome.replayed
    return Answer(
        result_data(outcome, state, services.signer),
        status=201 if created else 200,
        replayed=outcome.replayed,
    )


def session_answer(services: Services, state: SessionState) -> JSON:
    """The whole session view, with the broadcast supervisor's latest health reading and the
    territory's time zone."""
    view = session_view(state, services.registry, services.supervisor.health.get(state.id))
    return {**view, "timezone": services.zone.key}


def query(view: Callable[[Call], Any]) -> Run:
    """An action that only reads."""

    async def run(call: Call) -> Answer:
        return Answer(view(call))

    return run
