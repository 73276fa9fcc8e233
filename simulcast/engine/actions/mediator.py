"""What the lead mediator does (admin token): sessions, the broadcast, announcements,
comprehension checks, escalated questions."""

from __future__ import annotations

from datetime import datetime

from simulcast.domain.commands import (
    Announce,
    AnswerEscalation,
    CancelSession,
    CloseCheck,
    EndSession,
    LaunchCheck,
    Role,
    StartSession,
    UpdateSession,
)
from simulcast.engine.access import new_id
from simulcast.engine.actions.base import Action, Answer, Call, command, query, session_answer
from simulcast.engine.results import access_view
from simulcast.models.wire import (
    ActionBody,
    AnnounceBody,
    CheckClosePayload,
    CheckLaunchBody,
    EscalationAnswerPayload,
    SceneBody,
    SessionCreateBody,
    SessionPatchBody,
)

ADMIN: tuple[Role, ...] = ("admin",)


def _local(call: Call, moment: datetime | None) -> datetime | None:
    """Times are kept in the territory's zone: a naive time is local, any other converted."""
    if moment is None:
        return None
    zone = call.services.zone
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


async def _create_session(call: Call) -> Answer:
    services = call.services
    body: SessionCreateBody = call.body
    if body.starts_at is not None:
        body = body.model_copy(update={"starts_at": _local(call, body.starts_at)})
    default_start = services.hub.clock.now().astimezone(services.zone)
    outcome = await services.hub.schedule(body, default_start=default_start)
    state = services.hub.get(outcome.principal.session_id)
    created = not outcome.replayed
    return Answer(
        session_answer(services, state), status=201 if created else 200, replayed=outcome.replayed
    )


def _update_session(call: Call) -> UpdateSession:
    body: SessionPatchBody = call.body
    hub, state = call.services.hub, call.state
    rooms = None if body.rooms is None else hub.rooms_for(state.origin, body.rooms)
    return UpdateSession(
        title=body.title,
        starts_at=_local(call, body.starts_at),
        duration_min=body.duration_min,
        rooms=rooms,
        new_codes=hub.new_join_codes([site for site in rooms or () if site not in state.rooms]),
    )


def _list_sessions(call: Call) -> object:
    return [session_answer(call.services, state) for state in call.services.hub.sessions.values()]


def _access(call: Call) -> object:
    state, services = call.state, call.services
    access = access_view(state, services.signer, services.links.base())
    return {**access, **services.supervisor.links(state)}


async def _purge(call: Call) -> Answer:
    purged = await call.services.purger.purge_due()
    return Answer({"purged": purged, "retention_days": call.services.retention_days})


async def _preflight(call: Call) -> Answer:
    return Answer(await call.services.supervisor.preflight(call.state.id))


async def _broadcast_start(call: Call) -> Answer:
    await call.services.supervisor.start(call.state.id, call.client_id)
    return _broadcast_answer(call)


async def _broadcast_stop(call: Call) -> Answer:
    await call.services.supervisor.stop(call.state.id, call.client_id)
    return _broadcast_answer(call)


def _broadcast_answer(call: Call) -> Answer:
    """202: the broadcast comes up (or down) in the background; its events follow."""
    return Answer(session_answer(call.services, call.services.hub.get(call.state.id)), status=202)


async def _switch_scene(call: Call) -> Answer:
    body: SceneBody = call.body
    await call.services.supervisor.switch_scene(call.state.id, body.scene, body.client_id)
    return Answer({"scene": body.scene})


_SESSION = "/api/sessions/{session_id}"


def _lifecycle(
    verb: str, summary: str, make: type[StartSession | EndSession | CancelSession]
) -> Action:
    """A session's move from one state to the next; answered with the whole session."""
    return Action(
        f"{verb}_session",
        summary,
        ADMIN,
        command(lambda call: make(), answer="session"),
        body=ActionBody,
        optional_body=True,
        rest=("POST", f"{_SESSION}/{verb}"),
        event=verb,
    )


ACTIONS = (
    Action(
        "create_session",
        "Schedule a session",
        ADMIN,
        _create_session,
        body=SessionCreateBody,
        rest=("POST", "/api/sessions"),
    ),
    Action(
        "list_sessions",
        "Every session with its rooms",
        ADMIN,
        query(
            lambda call: [
                session_answer(call.services, s) for s in call.services.hub.sessions.values()
            ]
        ),
        rest=("GET", "/api/sessions"),
    ),
    Action(
        "get_session",
        "One session",
        ADMIN,
        query(lambda call: session_answer(call.services, call.state)),
        rest=("GET", _SESSION),
    ),
    _lifecycle("start", "scheduled → live: the rooms open", StartSession),
    _lifecycle("end", "live → ended, for every room", EndSession),
    _lifecycle("cancel", "scheduled → cancelled", CancelSession),
    Action(
        "update_session",
        "Change a scheduled session (title, time, duration, rooms); its id and codes stay",
        ADMIN,
        command(_update_session, answer="session"),
        body=SessionPatchBody,
        rest=("PATCH", _SESSION),
        event="update",
    ),
    Action(
        "session_access",
        "Join codes, facilitator and screen links per room",
        ADMIN,
        query(_access),
        rest=("GET", f"{_SESSION}/access"),
    ),
    Action(
        "announce",
        "Send an announcement to every room, or to one",
        ADMIN,
        command(lambda call: Announce(new_id("a"), call.body.text, call.body.room)),
        body=AnnounceBody,
        rest=("POST", f"{_SESSION}/announcements"),
        event="announce",
    ),
    Action(
        "launch_check",
        "Launch a comprehension check",
        ADMIN,
        command(lambda call: LaunchCheck(new_id("c"), call.body.question, list(call.body.options))),
        body=CheckLaunchBody,
        rest=("POST", f"{_SESSION}/checks"),
        event="launch_check",
    ),
    Action(
        "close_check",
        "Close a comprehension check",
        ADMIN,
        command(lambda call: CloseCheck(call.body.check_id)),
        body=CheckClosePayload,
        optional_body=True,
        rest=("POST", "/api/checks/{check_id}/close"),
        event="close_check",
        owner=("check_id", "comprehension check"),
    ),
    Action(
        "answer_escalation",
        "Answer a question escalated to the mediator",
        ADMIN,
        command(lambda call: AnswerEscalation(call.body.request_id, call.body.answer)),
        body=EscalationAnswerPayload,
        rest=("POST", "/api/help/{request_id}/answer"),
        event="answer",
        owner=("request_id", "help request"),
    ),
    Action(
        "preflight",
        "OBS, ingest and screens before the broadcast",
        ADMIN,
        _preflight,
        rest=("GET", f"{_SESSION}/preflight"),
        event="preflight",
    ),
    Action(
        "start_broadcast",
        "Start the broadcast (202: it comes up in the background)",
        ADMIN,
        _broadcast_start,
        body=ActionBody,
        optional_body=True,
        rest=("POST", f"{_SESSION}/broadcast/start"),
        event="broadcast_start",
    ),
    Action(
        "stop_broadcast",
        "Stop the broadcast",
        ADMIN,
        _broadcast_stop,
        body=ActionBody,
        optional_body=True,
        rest=("POST", f"{_SESSION}/broadcast/stop"),
        event="broadcast_stop",
    ),
    Action(
        "switch_scene",
        "Switch OBS's scene",
        ADMIN,
        _switch_scene,
        body=SceneBody,
        rest=("POST", f"{_SESSION}/broadcast/scene"),
        event="scene",
    ),
    Action(
        "purge",
        "Erase now the personal data of sessions past their retention period",
        ADMIN,
        _purge,
        rest=("POST", "/api/purge"),
    ),
)
