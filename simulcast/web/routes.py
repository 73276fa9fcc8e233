"""REST routes. The table at the bottom registers them and feeds the OpenAPI description."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulcast import __version__
from simulcast.domain.commands import (
    Actor,
    AdjustWalkIns,
    Announce,
    AnswerCheck,
    AnswerEscalation,
    CancelHelp,
    CancelSession,
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
    RequestHelp,
    ResolveHelp,
    StartSession,
)
from simulcast.domain.state import SessionState
from simulcast.engine.access import new_id
from simulcast.engine.hub import Outcome
from simulcast.engine.results import CREATING_EVENTS, access_view, result_data
from simulcast.engine.views import resident_snapshot, room_snapshot, session_view
from simulcast.errors import AuthError, ForbiddenError
from simulcast.models.validation import parse
from simulcast.models.wire import (
    ActionBody,
    AnnounceBody,
    CheckAnswerBody,
    CheckInBody,
    CheckLaunchBody,
    EscalationAnswerBody,
    HelpBody,
    ProblemBody,
    SceneBody,
    SessionCreateBody,
    WalkInsBody,
)
from simulcast.realtime.context import Services
from simulcast.web.auth import bearer, optional_resident, require_admin, require_room_actor
from simulcast.web.keys import SERVICES, SETTINGS, STARTED_AT, STORE
from simulcast.web.metrics import metrics, reset_metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


async def _body(request: web.Request, model: type[BaseModel], *, optional: bool = False) -> Any:
    """The validated JSON body; an empty optional body gets a fresh client id."""
    if optional and not await request.read():
        return model.model_validate({"client_id": new_id("x", 16)})
    return parse(model, await request.json())


def _answer(outcome: Outcome, state: SessionState, services: Services) -> web.Response:
    status = (
        201 if outcome.principal.event.type in CREATING_EVENTS and not outcome.replayed else 200
    )
    return web.json_response(result_data(outcome, state, services.signer), status=status)


def _view(state: SessionState, services: Services) -> Any:
    """The session view with the broadcast supervisor's latest health reading."""
    live = services.broadcast.health.get(state.id) if services.broadcast else None
    return session_view(state, services.registry, live)


def _session_answer(outcome: Outcome, state: SessionState, services: Services) -> web.Response:
    created = outcome.principal.event.type == "session_scheduled" and not outcome.replayed
    return web.json_response(_view(state, services), status=201 if created else 200)


# --- public ---------------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    services = _services(request)
    failure = request.app[STORE].failure
    return web.json_response(
        {
            "status": "ok" if failure is None else "degraded",
            "version": __version__,
            "store": "ok" if failure is None else failure,
            "sessions": len(services.hub.sessions),
            "sites": len(services.registry),
            "uptime_s": round(time.monotonic() - request.app[STARTED_AT], 1),
        },
        status=200 if failure is None else 503,
    )


async def list_sites(request: web.Request) -> web.Response:
    sites = [site.model_dump(mode="json") for site in _services(request).registry]
    return web.json_response(sites)


# --- lead mediator (admin token) ------------------------------------------------------------


async def create_session(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    body = await _body(request, SessionCreateBody)
    # Times are kept in the territory's zone: a naive time is local, any other is converted.
    zone = request.app[SETTINGS].zone
    if body.starts_at is not None:
        given = body.starts_at
        local = given.replace(tzinfo=zone) if given.tzinfo is None else given.astimezone(zone)
        body = body.model_copy(update={"starts_at": local})
    default_start = services.hub.clock.now().astimezone(zone)
    outcome = await services.hub.schedule(body, default_start=default_start)
    state = services.hub.get(outcome.principal.session_id)
    return _session_answer(outcome, state, services)


async def list_sessions(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    return web.json_response([_view(state, services) for state in services.hub.sessions.values()])


async def get_session(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    state = services.hub.get(request.match_info["session_id"])
    return web.json_response(_view(state, services))


def _lifecycle(command: Command) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        services = _services(request)
        actor = require_admin(request, services)
        body = await _body(request, ActionBody, optional=True)
        session_id = request.match_info["session_id"]
        outcome = await services.hub.execute(session_id, actor, command, body.client_id)
        return _session_answer(outcome, services.hub.get(session_id), services)

    return handler


async def session_access(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    state = services.hub.get(request.match_info["session_id"])
    access = access_view(state, services.signer, services.base_url())
    return web.json_response({**access, **services.supervisor.links(state)})


async def announce(request: web.Request) -> web.Response:
    services = _services(request)
    actor = require_admin(request, services)
    body = await _body(request, AnnounceBody)
    return await _run(
        services,
        request.match_info["session_id"],
        actor,
        Announce(new_id("a"), body.text),
        body.client_id,
    )


async def launch_check(request: web.Request) -> web.Response:
    services = _services(request)
    actor = require_admin(request, services)
    body = await _body(request, CheckLaunchBody)
    command = LaunchCheck(new_id("c"), body.question, list(body.options))
    return await _run(services, request.match_info["session_id"], actor, command, body.client_id)


async def close_check(request: web.Request) -> web.Response:
    services = _services(request)
    actor = require_admin(request, services)
    body = await _body(request, ActionBody, optional=True)
    state = services.hub.session_of(request.match_info["check_id"], "comprehension check")
    return await _run(
        services, state.id, actor, CloseCheck(request.match_info["check_id"]), body.client_id
    )


async def answer_escalation(request: web.Request) -> web.Response:
    services = _services(request)
    actor = require_admin(request, services)
    body = await _body(request, EscalationAnswerBody)
    request_id = request.match_info["request_id"]
    state = services.hub.session_of(request_id, "help request")
    return await _run(
        services, state.id, actor, AnswerEscalation(request_id, body.answer), body.client_id
    )


async def _run(
    services: Services, session_id: str, actor: Actor, command: Command, client_id: str
) -> web.Response:
    outcome = await services.hub.execute(session_id, actor, command, client_id)
    return _answer(outcome, services.hub.get(session_id), services)


async def purge(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    assert services.purger is not None
    purged = await services.purger.purge_due()
    return web.json_response({"purged": purged, "retention_days": services.retention_days})


async def preflight(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    session_id = request.match_info["session_id"]
    return web.json_response(await services.supervisor.preflight(session_id))


def _broadcast_action(action: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        services = _services(request)
        require_admin(request, services)
        body = await _body(request, ActionBody, optional=True)
        session_id = request.match_info["session_id"]
        supervisor = services.supervisor
        if action == "start":
            await supervisor.start(session_id, body.client_id)
        else:
            await supervisor.stop(session_id, body.client_id)
        return web.json_response(_view(services.hub.get(session_id), services), status=202)

    return handler


async def switch_scene(request: web.Request) -> web.Response:
    services = _services(request)
    require_admin(request, services)
    body = await _body(request, SceneBody)
    session_id = request.match_info["session_id"]
    await services.supervisor.switch_scene(session_id, body.scene, body.client_id)
    return web.json_response({"scene": body.scene})


# --- facilitators (facilitator token) --------------------------------------------------------


async def report_problem(request: web.Request) -> web.Response:
    services = _services(request)
    actor = _own_room(request, services)
    body = await _body(request, ProblemBody)
    assert actor.session_id is not None
    command = ReportProblem(new_id("p"), body.problem, body.text)
    return await _run(services, actor.session_id, actor, command, body.client_id)


async def clear_problem(request: web.Request) -> web.Response:
    services = _services(request)
    body = await _body(request, ActionBody, optional=True)
    problem_id = request.match_info["problem_id"]
    try:
        actor = require_room_actor(request, services, "facilitator")
    except (AuthError, ForbiddenError):
        actor = require_admin(request, services)
    state = services.hub.session_of(problem_id, "room problem")
    return await _run(services, state.id, actor, ClearProblem(problem_id), body.client_id)


def _help_action(command: type[ClaimHelp | ResolveHelp | EscalateHelp]) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        services = _services(request)
        actor = require_room_actor(request, services, "facilitator")
        body = await _body(request, ActionBody, optional=True)
        request_id = request.match_info["request_id"]
        state = services.hub.session_of(request_id, "help request")
        if state.id != actor.session_id:
            raise ForbiddenError("this help request belongs to another session")
        return await _run(services, state.id, actor, command(request_id), body.client_id)

    return handler


def _own_room(request: web.Request, services: Services) -> Actor:
    actor = require_room_actor(request, services, "facilitator")
    site = request.match_info["site"]
    if site != actor.room:
        raise ForbiddenError(f"your token is for room {actor.room}, not for room {site}")
    return actor


async def walkins(request: web.Request) -> web.Response:
    services = _services(request)
    actor = _own_room(request, services)
    body = await _body(request, WalkInsBody)
    assert actor.session_id is not None
    return await _run(services, actor.session_id, actor, AdjustWalkIns(body.delta), body.client_id)


async def room_view(request: web.Request) -> web.Response:
    services = _services(request)
    actor = _own_room(request, services)
    assert actor.session_id is not None
    assert actor.room is not None
    state = services.hub.get(actor.session_id)
    return web.json_response(room_snapshot(state, actor.room, services.registry))


# --- residents (join code, then their resident token) ----------------------------------------


def _joined(request: web.Request, services: Services) -> tuple[SessionState, Actor]:
    """The session and room of the join code in the path; the caller as guest or resident."""
    return services.join(request.match_info["code"], bearer(request), request.remote or "unknown")


async def join_view(request: web.Request) -> web.Response:
    services = _services(request)
    state, actor = _joined(request, services)
    assert actor.room is not None
    return web.json_response(
        resident_snapshot(
            state, actor.room, services.registry, actor.resident_id, services.retention_days
        )
    )


async def checkin(request: web.Request) -> web.Response:
    services = _services(request)
    state, actor = _joined(request, services)
    body = await _body(request, CheckInBody)
    guest = Actor(role="guest", session_id=state.id, room=actor.room)
    return await _run(services, state.id, guest, CheckIn(new_id("r"), body.name), body.client_id)


async def request_help(request: web.Request) -> web.Response:
    services = _services(request)
    state, actor = _joined(request, services)
    body = await _body(request, HelpBody)
    command = RequestHelp(
        new_id("h"),
        body.kind,
        body.seat,
        body.text,
        resident_id=None if actor.role == "resident" else new_id("r"),
    )
    return await _run(services, state.id, actor, command, body.client_id)


async def leave(request: web.Request) -> web.Response:
    services = _services(request)
    state, actor = _joined(request, services)
    body = await _body(request, ActionBody)
    return await _run(services, state.id, actor, Leave(), body.client_id)


async def answer_check(request: web.Request) -> web.Response:
    services = _services(request)
    state, actor = _joined(request, services)
    body = await _body(request, CheckAnswerBody)
    command = AnswerCheck(request.match_info["check_id"], body.option)
    return await _run(services, state.id, actor, command, body.client_id)


async def cancel_help(request: web.Request) -> web.Response:
    services = _services(request)
    resident = optional_resident(request, services)
    if resident is None:
        raise AuthError(
            "send 'Authorization: Bearer <resident token>' (given at check-in)",
            code="auth_missing",
        )
    body = await _body(request, ActionBody, optional=True)
    request_id = request.match_info["request_id"]
    state = services.hub.session_of(request_id, "help request")
    known = state.residents.get(resident.resident_id or "")
    if resident.session_id != state.id or known is None:
        raise ForbiddenError("only the person who asked can cancel this request")
    actor = Actor(role="resident", session_id=state.id, room=known.room, resident_id=known.id)
    return await _run(services, state.id, actor, CancelHelp(request_id), body.client_id)


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: str | None = None
    body: type[BaseModel] | None = None
    body_optional: bool = False


ROUTES: list[Route] = [
    Route("GET", "/api/health", health, "Liveness and store health"),
    Route("GET", "/api/sites", list_sites, "The sites of rooms.yaml"),
    Route(
        "POST", "/api/sessions", create_session, "Schedule a session", "admin", SessionCreateBody
    ),
    Route("GET", "/api/sessions", list_sessions, "Every session with its rooms", "admin"),
    Route("GET", "/api/sessions/{session_id}", get_session, "One session", "admin"),
    Route(
        "POST",
        "/api/sessions/{session_id}/start",
        _lifecycle(StartSession()),
        "scheduled → live",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/end",
        _lifecycle(EndSession()),
        "live → ended",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/cancel",
        _lifecycle(CancelSession()),
        "scheduled → cancelled",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "GET",
        "/api/sessions/{session_id}/access",
        session_access,
        "Join codes, facilitator and screen links per room",
        "admin",
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/announcements",
        announce,
        "Send an announcement to every room",
        "admin",
        AnnounceBody,
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/checks",
        launch_check,
        "Launch a comprehension check",
        "admin",
        CheckLaunchBody,
    ),
    Route(
        "POST",
        "/api/checks/{check_id}/close",
        close_check,
        "Close a comprehension check",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/help/{request_id}/answer",
        answer_escalation,
        "Answer an escalated request",
        "admin",
        EscalationAnswerBody,
    ),
    Route(
        "POST",
        "/api/help/{request_id}/claim",
        _help_action(ClaimHelp),
        "Claim a help request of your room",
        "facilitator",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/help/{request_id}/resolve",
        _help_action(ResolveHelp),
        "Resolve a help request of your room",
        "facilitator",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/help/{request_id}/escalate",
        _help_action(EscalateHelp),
        "Escalate a help request to the lead mediator",
        "facilitator",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/rooms/{site}/walkins",
        walkins,
        "+1/-1 for people without a phone",
        "facilitator",
        WalkInsBody,
    ),
    Route("GET", "/api/rooms/{site}", room_view, "Your room's live view", "facilitator"),
    Route("GET", "/api/metrics", metrics, "GC pauses, connections, events", "admin"),
    Route(
        "POST",
        "/api/purge",
        purge,
        "Erase now the personal data of sessions past their retention period",
        "admin",
    ),
    Route("POST", "/api/metrics/reset", reset_metrics, "Reset the GC pause figures", "admin"),
    Route(
        "GET",
        "/api/sessions/{session_id}/preflight",
        preflight,
        "OBS, ingest and screens before the broadcast",
        "admin",
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/broadcast/start",
        _broadcast_action("start"),
        "Start the broadcast (202: it comes up in the background)",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/broadcast/stop",
        _broadcast_action("stop"),
        "Stop the broadcast",
        "admin",
        ActionBody,
        True,
    ),
    Route(
        "POST",
        "/api/sessions/{session_id}/broadcast/scene",
        switch_scene,
        "Switch OBS's scene",
        "admin",
        SceneBody,
    ),
    Route(
        "POST",
        "/api/rooms/{site}/problems",
        report_problem,
        "Report a room problem (no sound, frozen image, …)",
        "facilitator",
        ProblemBody,
    ),
    Route(
        "POST",
        "/api/problems/{problem_id}/clear",
        clear_problem,
        "Clear a room problem (facilitator of the room, or admin)",
        "facilitator",
        ActionBody,
        True,
    ),
    Route(
        "GET", "/api/join/{code}", join_view, "What a resident sees (guest or resident)", "resident"
    ),
    Route(
        "POST",
        "/api/join/{code}/checkin",
        checkin,
        "Check in (first name optional)",
        None,
        CheckInBody,
    ),
    Route(
        "POST",
        "/api/join/{code}/help",
        request_help,
        "Ask for help, discreetly",
        "resident",
        HelpBody,
    ),
    Route("POST", "/api/join/{code}/leave", leave, "Leave the session", "resident", ActionBody),
    Route(
        "POST",
        "/api/join/{code}/checks/{check_id}/answer",
        answer_check,
        "Answer a comprehension check",
        "resident",
        CheckAnswerBody,
    ),
    Route(
        "POST",
        "/api/help/{request_id}/cancel",
        cancel_help,
        "Cancel your own request",
        "resident",
        ActionBody,
        True,
    ),
]


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
