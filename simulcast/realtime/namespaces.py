"""The three socket.io namespaces: ``/console``, ``/room``, ``/resident``.

Each authenticates in its connect handler (a refused connection gets ``connect_error``
with ``{"message", "data": {"code"}}``), joins the client to the rooms it may hear, then
sends it a ``snapshot``. Its events are the actions of the table (engine.actions) offered
on it, run with the connection's caller; each is acknowledged with
``{"ok": true, "data": …, "replayed"?: bool}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from simulcast.domain.commands import Actor
from simulcast.engine.actions import Action, Answer, Call
from simulcast.engine.services import Services
from simulcast.engine.views import (
    JSON,
    resident_snapshot,
    room_snapshot,
    screen_snapshot,
    session_summary,
    session_view,
)
from simulcast.errors import AuthError, SimulcastError
from simulcast.models.validation import parse
from simulcast.models.wire import WatchPayload
from simulcast.realtime import channels
from simulcast.realtime.sio import (
    INTERNAL_ERROR,
    ConnectionRefused,
    EventHandler,
    Namespace,
    refusal_ack,
)

log = logging.getLogger(__name__)


@dataclass
class Client:
    actor: Actor
    session_id: str | None
    site: str | None = None
    address: str = "unknown"
    """Where it connected from (behind a trusted proxy, the address it forwarded)."""


def _refuse(error: SimulcastError) -> ConnectionRefused:
    return ConnectionRefused(error.message, {"code": error.code})


def _auth(auth: Any) -> dict[str, Any]:
    if not isinstance(auth, dict) or not auth:  # clients send {} when given no auth
        raise AuthError(
            'send your credentials in the connect auth payload, e.g. {"token": "…"}',
            code="auth_missing",
        )
    return auth


def ok(answer: Answer) -> JSON:
    """The acknowledgement of an action that succeeded."""
    ack: JSON = {"ok": True, "data": answer.data}
    if answer.replayed is not None:
        ack["replayed"] = answer.replayed
    return ack


class _Namespace(Namespace):
    """Shared plumbing: client table, snapshots after connect, the table's actions."""

    def __init__(self, namespace: str, services: Services, actions: Iterable[Action]) -> None:
        super().__init__(namespace)
        self.services = services
        self.clients: dict[str, Client] = {}
        self.actions = {
            action.event: action
            for action in actions
            if action.event is not None and namespace in action.namespaces
        }
        self._tasks: set[asyncio.Task[None]] = set()

    def events(self) -> dict[str, EventHandler]:
        handlers = super().events()
        for event, action in self.actions.items():
            handlers[event] = self._handler(action)
        return handlers

    def snapshot(self, client: Client) -> JSON:
        raise NotImplementedError

    def snapshot_of(self, client: Client) -> JSON:
        """The client's snapshot, with the territory's time zone (pages show times in it)."""
        return {**self.snapshot(client), "timezone": self.services.zone.key}

    def on_disconnect(self, sid: str, reason: str) -> None:
        self.clients.pop(sid, None)

    async def on_connected(self, sid: str) -> None:
        """The client has its CONNECT packet: its snapshot comes next, then live events
        (any event older than the snapshot is ignored by the client's seq rule)."""
        client = self.clients.get(sid)
        if client is not None:
            self.emit("snapshot", self.snapshot_of(client), to=sid)

    async def on_snapshot(self, sid: str, data: Any = None) -> JSON:
        """A client that suspects it missed something asks for a fresh snapshot."""

        async def snapshot(client: Client) -> JSON:
            return {"ok": True, "data": self.snapshot_of(client)}

        return await self._act(sid, snapshot)

    def _handler(self, action: Action) -> EventHandler:
        async def handle(sid: str, data: Any = None) -> JSON:
            async def run(client: Client) -> JSON:
                action.allows(client.actor)
                action.admit(self.services, client.actor)
                body = (
                    None
                    if action.body is None
                    else parse(action.body, {} if data is None else data)
                )
                call = Call(
                    self.services,
                    action,
                    client.actor,
                    body,
                    hint=client.session_id,
                    address=client.address,
                )
                answer = await action.run(call)
                self.after(sid, client, answer)
                return ok(answer)

            return await self._act(sid, run)

        return handle

    def after(self, sid: str, client: Client, answer: Answer) -> None:
        """What the connection itself learns from an action's answer (nothing, by default)."""

    async def _act(self, sid: str, action: Callable[[Client], Awaitable[JSON]]) -> JSON:
        client = self.clients.get(sid)
        try:
            if client is None:
                raise AuthError("not connected to this namespace", code="not_connected")
            self.services.check_actor(client.actor)
            return await action(client)
        except SimulcastError as error:
            return refusal_ack(error)
        except Exception:
            log.exception("socket.io action failed")
            return refusal_ack(INTERNAL_ERROR)


class ConsoleNamespace(_Namespace):
    """The lead mediator. Auth ``{"token": <admin token>, "session"?: <id>}``; acts on the
    session it watches."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            given = _auth(auth)
            token = given.get("token")
            if not isinstance(token, str) or not hmac.compare_digest(
                token.encode(errors="surrogatepass"), self.services.admin_token.encode()
            ):
                self.services.limiter.miss(remote)
                raise AuthError("wrong or missing admin token", code="bad_token")
            session_id = given.get("session")
            if session_id is not None:
                self.services.hub.get(str(session_id))
        except SimulcastError as error:
            raise _refuse(error) from None
        client = Client(actor=Actor(role="admin"), session_id=session_id)
        self.clients[sid] = client
        self.enter_room(sid, channels.CONSOLES)
        if session_id is not None:
            self.enter_room(sid, channels.console(session_id))

    def snapshot(self, client: Client) -> JSON:
        hub = self.services.hub
        sessions = [session_summary(state) for state in hub.sessions.values()]
        watched = None
        if client.session_id is not None:
            watched = session_view(
                hub.get(client.session_id),
                self.services.registry,
                self.services.supervisor.health.get(client.session_id),
            )
        return {"kind": "console", "sessions": sessions, "session": watched}

    async def on_watch(self, sid: str, data: Any = None) -> JSON:
        """Follow another session: its events from now on, its snapshot in the answer."""

        async def watch(client: Client) -> JSON:
            body = parse(WatchPayload, data)
            self.services.hub.get(body.session_id)
            if client.session_id is not None:
                self.leave_room(sid, channels.console(client.session_id))
            client.session_id = body.session_id
            self.enter_room(sid, channels.console(body.session_id))
            return {"ok": True, "data": self.snapshot_of(client)}

        return await self._act(sid, watch)


class RoomNamespace(_Namespace):
    """A room's facilitator or screen. Auth ``{"token": <facilitator or screen token>}``."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            token = _auth(auth).get("token")
            actor = self.services.signer.verify(token) if isinstance(token, str) else None
            if actor is None or actor.role not in ("facilitator", "screen"):
                self.services.limiter.miss(remote)
                raise AuthError(
                    "wrong or missing room token: use the facilitator or screen link "
                    "given when the session was created",
                    code="bad_token",
                )
            assert actor.session_id is not None
            assert actor.room is not None
            state = self.services.hub.get(actor.session_id)
            if actor.room not in state.rooms:
                raise AuthError("this room is not part of the session", code="bad_token")
            self.services.check_access(state)
        except SimulcastError as error:
            raise _refuse(error) from None
        self.clients[sid] = Client(
            actor=actor, session_id=actor.session_id, site=actor.room, address=remote
        )
        self.enter_room(sid, channels.session(actor.session_id))
        audience = channels.facilitators if actor.role == "facilitator" else channels.screens
        self.enter_room(sid, audience(actor.session_id, actor.room))

    async def on_connected(self, sid: str) -> None:
        await super().on_connected(sid)
        client = self.clients.get(sid)
        if client is not None and client.actor.role == "screen":
            assert client.session_id is not None
            assert client.site is not None
            await self.services.supervisor.screen_connected(client.session_id, client.site, sid)

    def on_disconnect(self, sid: str, reason: str) -> None:
        client = self.clients.pop(sid, None)
        if client is not None and client.actor.role == "screen":
            assert client.session_id is not None
            assert client.site is not None
            gone = self.services.supervisor.screen_disconnected(client.session_id, client.site, sid)
            task = asyncio.get_running_loop().create_task(gone)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def snapshot(self, client: Client) -> JSON:
        assert client.session_id is not None
        assert client.site is not None
        state = self.services.hub.get(client.session_id)
        if client.actor.role == "screen":
            code = state.rooms[client.site].join_code
            view = screen_snapshot(
                state, client.site, self.services.registry, self.services.links.join(code)
            )
            return {"kind": "screen", **view}
        return {"kind": "facilitator", **room_snapshot(state, client.site, self.services.registry)}


class ResidentNamespace(_Namespace):
    """A resident's phone or a shared tablet. Auth ``{"code": <join code>, "token"?: <resident
    token>}``; before checking in, the client hears only session-wide news."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            given = _auth(auth)
            state, actor = self.services.join(given.get("code"), given.get("token"), remote)
        except SimulcastError as error:
            raise _refuse(error) from None
        self.clients[sid] = Client(
            actor=actor, session_id=state.id, site=actor.room, address=remote
        )
        self.enter_room(sid, channels.session(state.id))
        assert actor.room is not None, "a join code names its room"
        self.enter_room(sid, channels.room_residents(state.id, actor.room))
        if actor.resident_id is not None:
            self.enter_room(sid, channels.resident(state.id, actor.resident_id))

    def snapshot(self, client: Client) -> JSON:
        assert client.session_id is not None
        assert client.site is not None
        state = self.services.hub.get(client.session_id)
        view = resident_snapshot(
            state,
            client.site,
            self.services.registry,
            client.actor.resident_id,
            self.services.retention_days,
        )
        return {"kind": "resident", **view}

    def after(self, sid: str, client: Client, answer: Answer) -> None:
        """A check-in on this socket (or a guest's first help request, which checks in)
        makes it that resident: it acts and listens as them from now on."""
        data = answer.data
        if not isinstance(data, dict) or "resident_token" not in data:
            return
        assert client.session_id is not None
        client.actor = Actor(
            role="resident",
            session_id=client.session_id,
            room=client.site,
            resident_id=data["resident_id"],
        )
        self.enter_room(sid, channels.resident(client.session_id, data["resident_id"]))
