"""The three socket.io namespaces: ``/console``, ``/room``, ``/resident``.

Each authenticates in its connect handler (a refused connection gets ``connect_error``
with ``{"message", "data": {"code"}}``), joins the client to the rooms it may hear, then
sends it a ``snapshot``. Actions are events with an acknowledgement:
``{"ok": true, "data": …, "replayed": bool}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from simulcast.domain.commands import (
    Actor,
    AdjustWalkIns,
    Announce,
    AnswerCheck,
    AnswerEscalation,
    CancelHelp,
    CheckIn,
    ClaimHelp,
    ClearProblem,
    CloseCheck,
    Command,
    EndSession,
    EscalateHelp,
    LaunchCheck,
    Leave,
    ReportProblem,
    ReportScreenState,
    RequestHelp,
    ResolveHelp,
    StartSession,
)
from simulcast.engine.access import new_id
from simulcast.engine.results import result_data
from simulcast.engine.views import (
    JSON,
    broadcast_view,
    resident_snapshot,
    room_snapshot,
    screen_snapshot,
    session_summary,
    session_view,
)
from simulcast.errors import AuthError, ForbiddenError, InputError, SimulcastError
from simulcast.models.validation import parse
from simulcast.models.wire import (
    ActionBody,
    AnnounceBody,
    CheckAnswerPayload,
    CheckClosePayload,
    CheckInBody,
    CheckLaunchBody,
    EscalationAnswerPayload,
    HeartbeatPayload,
    HelpActionPayload,
    HelpBody,
    ProblemBody,
    ProblemClearPayload,
    SceneBody,
    ScreenStatePayload,
    WalkInsBody,
    WatchPayload,
)
from simulcast.realtime import channels
from simulcast.realtime.context import Services
from simulcast.realtime.sio import INTERNAL_ERROR, ConnectionRefused, Namespace, refusal_ack

log = logging.getLogger(__name__)


@dataclass
class Client:
    actor: Actor
    session_id: str | None
    site: str | None = None


def _refuse(error: SimulcastError) -> ConnectionRefused:
    return ConnectionRefused(error.message, {"code": error.code})


def _auth(auth: Any) -> dict[str, Any]:
    if not isinstance(auth, dict) or not auth:  # clients send {} when given no auth
        raise AuthError(
            'send your credentials in the connect auth payload, e.g. {"token": "…"}',
            code="auth_missing",
        )
    return auth


class _Namespace(Namespace):
    """Shared plumbing: client table, snapshots after connect, acknowledged actions."""

    def __init__(self, namespace: str, services: Services) -> None:
        super().__init__(namespace)
        self.services = services
        self.clients: dict[str, Client] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def snapshot(self, client: Client) -> JSON:
        raise NotImplementedError

    def on_disconnect(self, sid: str, reason: str) -> None:
        self.clients.pop(sid, None)

    async def on_connected(self, sid: str) -> None:
        """The client has its CONNECT packet: its snapshot comes next, then live events
        (any event older than the snapshot is ignored by the client's seq rule)."""
        client = self.clients.get(sid)
        if client is not None:
            self.emit("snapshot", self.snapshot(client), to=sid)

    async def on_snapshot(self, sid: str, data: Any = None) -> JSON:
        """A client that suspects it missed something asks for a fresh snapshot."""
        return await self._act(sid, lambda client: self._snapshot_ack(client))

    async def _snapshot_ack(self, client: Client) -> JSON:
        return {"ok": True, "data": self.snapshot(client)}

    async def _act(self, sid: str, action: Callable[[Client], Awaitable[JSON]]) -> JSON:
        client = self.clients.get(sid)
        try:
            if client is None:
                raise AuthError("not connected to this namespace", code="not_connected")
            return await action(client)
        except SimulcastError as error:
            return refusal_ack(error)
        except Exception:
            log.exception("socket.io action failed")
            return refusal_ack(INTERNAL_ERROR)

    async def _execute(
        self, client: Client, session_id: str, command: Command, client_id: str | None
    ) -> JSON:
        hub = self.services.hub
        outcome = await hub.execute(session_id, client.actor, command, client_id)
        state = hub.get(session_id)
        return {
            "ok": True,
            "data": result_data(outcome, state, self.services.signer),
            "replayed": outcome.replayed,
        }


class ConsoleNamespace(_Namespace):
    """The lead mediator. Auth ``{"token": <admin token>, "session"?: <id>}``."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            given = _auth(auth)
            token = given.get("token")
            if not isinstance(token, str) or not hmac.compare_digest(
                token.encode(), self.services.admin_token.encode()
            ):
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
        async def watch(client: Client) -> JSON:
            body = parse(WatchPayload, data)
            self.services.hub.get(body.session_id)
            if client.session_id is not None:
                self.leave_room(sid, channels.console(client.session_id))
            client.session_id = body.session_id
            self.enter_room(sid, channels.console(body.session_id))
            return {"ok": True, "data": self.snapshot(client)}

        return await self._act(sid, watch)

    def _watched(self, client: Client) -> str:
        if client.session_id is None:
            raise InputError('watch a session first (event "watch")', code="no_session")
        return client.session_id

    async def on_start(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(sid, data, ActionBody, lambda body: StartSession())

    async def on_end(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(sid, data, ActionBody, lambda body: EndSession())

    async def on_announce(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(
            sid, data, AnnounceBody, lambda body: Announce(new_id("a"), body.text)
        )

    async def on_launch_check(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(
            sid,
            data,
            CheckLaunchBody,
            lambda body: LaunchCheck(new_id("c"), body.question, list(body.options)),
        )

    async def on_close_check(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(
            sid, data, CheckClosePayload, lambda body: CloseCheck(body.check_id)
        )

    async def on_answer(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(
            sid,
            data,
            EscalationAnswerPayload,
            lambda body: AnswerEscalation(body.request_id, body.answer),
        )

    async def on_preflight(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            report = await self.services.supervisor.preflight(self._watched(client))
            return {"ok": True, "data": report}

        return await self._act(sid, run)

    async def on_broadcast_start(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(ActionBody, data)
            session_id = self._watched(client)
            await self.services.supervisor.start(session_id, body.client_id)
            return {"ok": True, "data": self._broadcast(session_id)}

        return await self._act(sid, run)

    async def on_broadcast_stop(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(ActionBody, data)
            session_id = self._watched(client)
            await self.services.supervisor.stop(session_id, body.client_id)
            return {"ok": True, "data": self._broadcast(session_id)}

        return await self._act(sid, run)

    async def on_scene(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(SceneBody, data)
            session_id = self._watched(client)
            await self.services.supervisor.switch_scene(session_id, body.scene, body.client_id)
            return {"ok": True, "data": {"scene": body.scene}}

        return await self._act(sid, run)

    async def on_clear_problem(self, sid: str, data: Any = None) -> JSON:
        return await self._admin(
            sid, data, ProblemClearPayload, lambda body: ClearProblem(body.problem_id)
        )

    def _broadcast(self, session_id: str) -> JSON:
        supervisor = self.services.supervisor
        state = self.services.hub.get(session_id)
        return broadcast_view(state, supervisor.health.get(session_id))

    async def _admin(
        self, sid: str, data: Any, model: type[Any], build: Callable[[Any], Command]
    ) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(model, data)
            return await self._execute(client, self._watched(client), build(body), body.client_id)

        return await self._act(sid, run)


class RoomNamespace(_Namespace):
    """A room's facilitator or screen. Auth ``{"token": <facilitator or screen token>}``."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            token = _auth(auth).get("token")
            actor = self.services.signer.verify(token) if isinstance(token, str) else None
            if actor is None or actor.role not in ("facilitator", "screen"):
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
        except SimulcastError as error:
            raise _refuse(error) from None
        self.clients[sid] = Client(actor=actor, session_id=actor.session_id, site=actor.room)
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
                state, client.site, self.services.registry, self.services.join_url(code)
            )
            return {"kind": "screen", **view}
        return {"kind": "facilitator", **room_snapshot(state, client.site, self.services.registry)}

    async def on_heartbeat(self, sid: str, data: Any = None) -> JSON:
        """A screen is alive (at least every 5 s)."""

        async def beat(client: Client) -> JSON:
            _screen_only(client)
            parse(HeartbeatPayload, data if data is not None else {})
            assert client.session_id is not None
            assert client.site is not None
            await self.services.supervisor.screen_heartbeat(client.session_id, client.site)
            return {"ok": True, "data": None}

        return await self._act(sid, beat)

    async def on_screen_state(self, sid: str, data: Any = None) -> JSON:
        """A screen's playback state changed; recorded when it differs from the last one."""

        async def report(client: Client) -> JSON:
            _screen_only(client)
            body = parse(ScreenStatePayload, data)
            assert client.session_id is not None
            assert client.site is not None
            supervisor = self.services.supervisor
            await supervisor.screen_heartbeat(client.session_id, client.site)
            room = self.services.hub.get(client.session_id).rooms[client.site]
            if (room.screen, room.screen_detail) == (body.state, body.detail):
                return {"ok": True, "data": {"state": body.state}, "replayed": True}
            return await self._execute(
                client,
                client.session_id,
                ReportScreenState(body.state, body.detail),
                body.client_id,
            )

        return await self._act(sid, report)

    async def on_report_problem(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(ProblemBody, data)
            assert client.session_id is not None
            command = ReportProblem(new_id("p"), body.problem, body.text)
            return await self._execute(client, client.session_id, command, body.client_id)

        return await self._act(sid, run)

    async def on_clear_problem(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(ProblemClearPayload, data)
            assert client.session_id is not None
            return await self._execute(
                client, client.session_id, ClearProblem(body.problem_id), body.client_id
            )

        return await self._act(sid, run)

    async def on_claim(self, sid: str, data: Any = None) -> JSON:
        return await self._help(sid, data, ClaimHelp)

    async def on_resolve(self, sid: str, data: Any = None) -> JSON:
        return await self._help(sid, data, ResolveHelp)

    async def on_escalate(self, sid: str, data: Any = None) -> JSON:
        return await self._help(sid, data, EscalateHelp)

    async def _help(
        self, sid: str, data: Any, command: type[ClaimHelp | ResolveHelp | EscalateHelp]
    ) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(HelpActionPayload, data)
            assert client.session_id is not None
            return await self._execute(
                client, client.session_id, command(body.request_id), body.client_id
            )

        return await self._act(sid, run)

    async def on_walkins(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(WalkInsBody, data)
            assert client.session_id is not None
            return await self._execute(
                client, client.session_id, AdjustWalkIns(body.delta), body.client_id
            )

        return await self._act(sid, run)


class ResidentNamespace(_Namespace):
    """A resident's phone or a shared tablet. Auth ``{"code": <join code>, "token"?: <resident
    token>}``; before checking in, the client hears only session-wide news."""

    async def on_connect(self, sid: str, remote: str, auth: Any) -> None:
        try:
            given = _auth(auth)
            state, actor = self.services.join(given.get("code"), given.get("token"), remote)
        except SimulcastError as error:
            raise _refuse(error) from None
        self.clients[sid] = Client(actor=actor, session_id=state.id, site=actor.room)
        self.enter_room(sid, channels.session(state.id))
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

    async def _become(self, sid: str, client: Client, resident_id: str) -> None:
        """After a check-in on this socket, act and listen as that resident."""
        assert client.session_id is not None
        client.actor = Actor(
            role="resident",
            session_id=client.session_id,
            room=client.site,
            resident_id=resident_id,
        )
        self.enter_room(sid, channels.resident(client.session_id, resident_id))

    async def on_checkin(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(CheckInBody, data)
            assert client.session_id is not None
            guest = Actor(role="guest", session_id=client.session_id, room=client.site)
            outcome = await self.services.hub.execute(
                client.session_id, guest, CheckIn(new_id("r"), body.name), body.client_id
            )
            state = self.services.hub.get(client.session_id)
            result = result_data(outcome, state, self.services.signer)
            await self._become(sid, client, result["resident_id"])
            return {"ok": True, "data": result, "replayed": outcome.replayed}

        return await self._act(sid, run)

    async def on_help(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(HelpBody, data)
            assert client.session_id is not None
            command = RequestHelp(
                new_id("h"),
                body.kind,
                body.seat,
                body.text,
                resident_id=None if client.actor.role == "resident" else new_id("r"),
            )
            ack = await self._execute(client, client.session_id, command, body.client_id)
            resident_id = ack["data"].get("resident_id")
            if client.actor.role == "guest" and resident_id:
                await self._become(sid, client, resident_id)
            return ack

        return await self._act(sid, run)

    async def on_cancel_help(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(HelpActionPayload, data)
            assert client.session_id is not None
            return await self._execute(
                client, client.session_id, CancelHelp(body.request_id), body.client_id
            )

        return await self._act(sid, run)

    async def on_answer_check(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(CheckAnswerPayload, data)
            assert client.session_id is not None
            return await self._execute(
                client, client.session_id, AnswerCheck(body.check_id, body.option), body.client_id
            )

        return await self._act(sid, run)

    async def on_leave(self, sid: str, data: Any = None) -> JSON:
        async def run(client: Client) -> JSON:
            body = parse(ActionBody, data)
            assert client.session_id is not None
            return await self._execute(client, client.session_id, Leave(), body.client_id)

        return await self._act(sid, run)


def _screen_only(client: Client) -> None:
    if client.actor.role != "screen":
        raise ForbiddenError("only a room screen sends this (connect with the screen token)")
