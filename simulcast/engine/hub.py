"""The session hub: the one place commands are executed.

For each command: idempotency look-up → ``decide`` → number and ``apply`` the events →
append to the store (group commit) → once durable, tell the listeners (socket.io fan-out)
and return. Decide-and-apply runs without awaiting, so commands on a session are serialised
by the event loop itself and the state a command sees always includes every earlier one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from simulcast.domain.apply import apply, new_session
from simulcast.domain.clock import Clock
from simulcast.domain.commands import Actor, Command
from simulcast.domain.decide import decide, principal_event
from simulcast.domain.state import SessionState
from simulcast.engine.access import new_id, new_join_code
from simulcast.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from simulcast.models.events import Event, Recorded, SessionScheduled
from simulcast.models.wire import SessionCreateBody
from simulcast.registry import Registry
from simulcast.store.base import EventStore

log = logging.getLogger(__name__)

Listener = Callable[[SessionState, Sequence[Recorded]], None]
"""Called after each commit, in commit order, with the session and its new records."""


def principal(records: Sequence[Recorded]) -> Recorded:
    """The event that names what a command did (a guest's help request also checks in)."""
    for record in records:
        if record.event.type == "help_requested":
            return record
    return records[0]


@dataclass
class Outcome:
    """What one command did: its records, and whether a retry just found them again."""

    records: list[Recorded]
    committed: asyncio.Future[None] = field(repr=False)
    replayed: bool = False

    @property
    def principal(self) -> Recorded:
        return principal(self.records)


class Hub:
    """Live state of every session, rebuilt from the store on start."""

    def __init__(self, store: EventStore, registry: Registry, clock: Clock) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.sessions: dict[str, SessionState] = {}
        self._codes: dict[str, tuple[str, str]] = {}
        self._owners: dict[str, str] = {}
        """help request, check or problem id → its session (ids carry distinct prefixes)."""
        self._outcomes: dict[tuple[str, str, str], Outcome] = {}
        self._stored: asyncio.Future[None] | None = None
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # --- start-up -----------------------------------------------------------------------

    async def load(self) -> int:
        """Replay the whole log; returns how many records were applied."""
        count = 0
        pending: list[Recorded] = []
        async for record in self.store.replay():
            if pending and (
                record.client_id is None
                or (record.session_id, record.actor, record.client_id)
                != (pending[0].session_id, pending[0].actor, pending[0].client_id)
            ):
                self._remember(pending, replayed=True)
                pending = []
            if record.event.type == "session_scheduled":
                self.sessions[record.session_id] = new_session(record)
            else:
                apply(self.sessions[record.session_id], record)
            self._index(record)
            if record.client_id is not None:
                pending.append(record)
            count += 1
        if pending:
            self._remember(pending, replayed=True)
        return count

    def _remember(self, records: list[Recorded], *, replayed: bool) -> Outcome:
        future: asyncio.Future[None]
        if replayed:  # stored already: one finished future serves every replayed outcome
            if self._stored is None:
                self._stored = asyncio.get_running_loop().create_future()
                self._stored.set_result(None)
            future = self._stored
        else:
            future = asyncio.get_running_loop().create_future()
        first = records[0]
        assert first.client_id is not None
        session_key = "" if first.event.type == "session_scheduled" else first.session_id
        outcome = Outcome(records=records, committed=future, replayed=replayed)
        self._outcomes[(session_key, first.actor, first.client_id)] = outcome
        return outcome

    def _index(self, record: Recorded) -> None:
        event = record.event
        match event.type:
            case "session_scheduled":
                for site, code in event.join_codes.items():
                    self._codes[code] = (record.session_id, site)
            case "session_updated":
                rooms = self.sessions[record.session_id].rooms
                for code, (session_id, site) in list(self._codes.items()):
                    if session_id == record.session_id and site not in rooms:
                        del self._codes[code]
                for site, code in event.join_codes.items():
                    self._codes[code] = (record.session_id, site)
            case "resident_checked_in":
                self._owners[event.resident_id] = record.session_id
            case "help_requested":
                self._owners[event.request_id] = record.session_id
            case "check_launched":
                self._owners[event.check_id] = record.session_id
            case "problem_reported":
                self._owners[event.problem_id] = record.session_id

    # --- look-ups -------------------------------------------------------------------------

    def get(self, session_id: str) -> SessionState:
        state = self.sessions.get(session_id)
        if state is None:
            raise NotFoundError(f"no session {session_id}")
        return state

    def by_code(self, code: str) -> tuple[SessionState, str] | None:
        """The session and room a join code opens, or None."""
        found = self._codes.get(code)
        if found is None:
            return None
        return self.sessions[found[0]], found[1]

    def session_of(self, thing_id: str, what: str) -> SessionState:
        """The session a help request, check or problem belongs to (``what`` names it in
        the 404 message: "help request", "comprehension check", "room problem")."""
        session_id = self._owners.get(thing_id)
        if session_id is None:
            raise NotFoundError(f"no {what} {thing_id}")
        return self.sessions[session_id]

    # --- commands -------------------------------------------------------------------------

    async def schedule(self, body: SessionCreateBody, default_start: datetime) -> Outcome:
        """Create a session (``scheduled``) with a fresh join code per room."""
        if body.client_id is not None:
            known = self._outcomes.get(("", "admin", body.client_id))
            if known is not None:
                return await self._again(known, "session_scheduled")
        rooms = self.rooms_for(body.origin, body.rooms)
        codes = self.new_join_codes(rooms)
        event = SessionScheduled(
            title=body.title,
            origin=body.origin,
            rooms=rooms,
            join_codes=codes,
            starts_at=body.starts_at or default_start,
            duration_min=body.duration_min,
            thematiques=body.thematiques,
            niveau=body.niveau,
            source=body.source,
        )
        session_id = new_id("s")
        while session_id in self.sessions:
            session_id = new_id("s")
        record = Recorded(
            session_id=session_id,
            seq=1,
            at=self.clock.now(),
            actor="admin",
            client_id=body.client_id,
            event=event,
        )
        state = new_session(record)
        self.sessions[session_id] = state
        self._index(record)
        return await self._commit(state, [record])

    def new_join_codes(self, sites: list[str]) -> dict[str, str]:
        """A fresh join code for each site, unlike every code in use."""
        codes: dict[str, str] = {}
        for site in sites:
            code = new_join_code()
            while code in self._codes or code in codes.values():
                code = new_join_code()
            codes[site] = code
        return codes

    def rooms_for(self, origin: str, chosen: list[str] | None) -> list[str]:
        """The rooms of a session taught from ``origin``: ``chosen``, checked against
        rooms.yaml, or every site but the origin."""
        registry = self.registry
        if origin not in registry:
            raise InputError(
                f'origin "{origin}" is not a site of rooms.yaml '
                f"(known: {', '.join(registry.sites)})",
                code="unknown_site",
            )
        if chosen is None:
            rooms = [site for site in registry.sites if site != origin]
        else:
            rooms = list(chosen)
            unknown = [site for site in rooms if site not in registry]
            if unknown:
                raise InputError(
                    f"rooms not in rooms.yaml: {', '.join(unknown)} "
                    f"(known: {', '.join(registry.sites)})",
                    code="unknown_site",
                )
            if len(set(rooms)) != len(rooms):
                raise InputError("a room is listed twice in rooms", code="duplicate_room")
        if not rooms:
            raise InputError("a session needs at least one room", code="no_rooms")
        return rooms

    def seen(self, session_id: str, actor: Actor, client_id: str | None) -> bool:
        """Whether ``client_id`` already names an action of ``actor`` (a retry)."""
        return client_id is not None and (session_id, actor.key, client_id) in self._outcomes

    async def execute(
        self, session_id: str, actor: Actor, command: Command, client_id: str | None
    ) -> Outcome:
        """Run ``command`` once: a retry with the same ``client_id`` gets the first outcome.

        Only the controller's own commands (``system``) come without a client id."""
        state = self.get(session_id)
        if actor.role not in ("admin", "system") and actor.session_id != session_id:
            raise ForbiddenError("this token or code belongs to another session")
        if client_id is not None:
            if actor.role == "guest":
                _random_enough(client_id)
            known = self._outcomes.get((session_id, actor.key, client_id))
            if known is not None:
                return await self._again(
                    known, principal_event(command), command if actor.role == "guest" else None
                )
        events = decide(state, actor, command)
        records = self._record(state, actor, client_id, events)
        return await self._commit(state, records)

    def _record(
        self, state: SessionState, actor: Actor, client_id: str | None, events: list[Event]
    ) -> list[Recorded]:
        now = self.clock.now()
        records = [
            Recorded(
                session_id=state.id,
                seq=state.seq + offset,
                at=now,
                actor=actor.key,
                client_id=client_id,
                event=event,
            )
            for offset, event in enumerate(events, start=1)
        ]
        for record in records:
            apply(state, record)
            self._index(record)
        return records

    async def _commit(self, state: SessionState, records: list[Recorded]) -> Outcome:
        outcome = (
            self._remember(records, replayed=False)
            if records[0].client_id is not None
            else Outcome(records, asyncio.get_running_loop().create_future())
        )
        try:
            await self.store.append(records)
        except BaseException as exc:
            outcome.committed.set_exception(exc)
            outcome.committed.exception()  # retrieved: retries re-raise it themselves
            raise
        outcome.committed.set_result(None)
        for listener in self._listeners:
            try:
                listener(state, records)
            except Exception:
                log.exception("a listener failed on %s", records[-1].event.type)
        return outcome

    async def _again(
        self, known: Outcome, expected: str, command: Command | None = None
    ) -> Outcome:
        """The first outcome again, for a retry of the same action (``command``: and with the
        same details, checked for guests, who share their room's client ids)."""
        if known.principal.event.type != expected:
            raise ConflictError(
                f"client_id already used for another action ({known.principal.event.type}); "
                "use a new client_id for each action",
                code="client_id_reused",
            )
        if command is not None and _details(command) != _details(known.principal.event):
            raise ConflictError(
                "client_id already used for this action with other details; "
                "use a new client_id for each action",
                code="client_id_reused",
            )
        await asyncio.shield(known.committed)
        return Outcome(records=known.records, committed=known.committed, replayed=True)


GUEST_CLIENT_ID_MIN = 16
"""Guests of a room share its client ids, and a retry hands back the first answer (with a
resident token): theirs must be random ids too long to guess, such as UUIDs."""

_DETAILS = ("name", "kind", "seat", "text")
"""What a guest asks for (check-in, help request), as the command and its event both say."""


def _random_enough(client_id: str) -> None:
    if len(client_id) < GUEST_CLIENT_ID_MIN:
        message = (
            f"must be a random id of at least {GUEST_CLIENT_ID_MIN} characters (a UUID) "
            "before checking in: a short one could be another person's"
        )
        raise InputError(
            f"invalid request: client_id: {message}",
            details=[{"field": "client_id", "message": message}],
        )


def _details(thing: object) -> dict[str, object]:
    return {key: getattr(thing, key) for key in _DETAILS if hasattr(thing, key)}
