"""REST routes: one handler for every action of the table that has a ``rest`` route.

A request becomes a ``Call``: its caller (``auth.identify``), its body validated against the
action's model with the path's ids filled in, the path's session as the hint. The answer is
the action's data with its status; errors go through ``errors.error_middleware``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import orjson
from aiohttp import web

from simulcast.engine.access import new_id
from simulcast.engine.actions import ACTIONS, Action, Call
from simulcast.errors import InputError
from simulcast.models.validation import parse
from simulcast.web import metrics
from simulcast.web.auth import identify
from simulcast.web.keys import SERVICES

ROUTED: tuple[Action, ...] = (*ACTIONS, *metrics.ACTIONS)
"""Every action the REST API and the socket.io namespaces offer."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTEXT_PARAMS = frozenset({"session_id", "site", "code"})
"""Path parameters that say where the caller acts (checked by ``identify`` or used as the
session), not what the action is about: they never go into the body."""


def add_routes(app: web.Application, actions: Iterable[Action] = ROUTED) -> None:
    for action in actions:
        if action.rest is not None:
            method, path = action.rest
            app.router.add_route(method, path, handler(action))


def handler(action: Action) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        services = request.app[SERVICES]
        actor = identify(request, services, action)
        action.admit(services, actor)
        body = await _body(request, action)
        call = Call(
            services,
            action,
            actor,
            body,
            hint=request.match_info.get("session_id"),
            address=request.remote or "unknown",
            origin=request,
        )
        answer = await action.run(call)
        return web.json_response(answer.data, status=answer.status)

    handle.__name__ = action.name
    return handle


async def _body(request: web.Request, action: Action) -> Any:
    """The action's model from the JSON body and the path's ids; None for an action that
    takes no body."""
    if action.body is None:
        return None
    raw = await request.read()
    if not raw and action.optional_body:
        payload: Any = {"client_id": new_id("x", 16)}
    else:
        payload = _json(raw)
    ids = {k: v for k, v in request.match_info.items() if k not in CONTEXT_PARAMS}
    if ids and isinstance(payload, dict):
        clash = sorted(set(ids) & set(payload))
        if clash:
            raise InputError(
                f"{', '.join(clash)} is given by the path: leave it out of the body",
                code="invalid_body",
            )
        payload = {**payload, **ids}
    return parse(action.body, payload)


def _json(raw: bytes) -> Any:
    """The body as JSON, always read as UTF-8 (whatever charset the request claims): bytes
    that are not UTF-8, NaN, lone surrogates and the like are the client's mistake (400)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InputError(
            f"the body is not valid JSON in UTF-8: {error}", code="invalid_json"
        ) from None
