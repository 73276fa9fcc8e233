"""The authorization matrix: every REST route and socket.io event × every kind of caller.

Generated from the action table (``simulcast.web.routes.ROUTED``): a new action gets its rows
by itself, and an action whose expected answers cannot be derived from its declaration
(roles, path, ``owner``) fails ``test_every_cell_of_the_matrix_is_derivable`` until this file
learns its rule. Answers are compared by class:

- ``allowed``: the caller got past authorization: 2xx, or a refusal about the state of things
  (409), the input (400) or an outside system (502 from an absent OBS);
- ``401``: no or a wrong token or join code (REST), or a refused socket.io connection;
- ``403``: a valid caller who may not do this (role) or not there (another room, session or
  resident);
- ``404``: a join code is needed and none was given (socket.io ``/resident`` with a token only).

Scope rules: the targets (help request, room problem, check) belong to room A of session 1
and to resident A; REST paths name room A and session 1 and carry room A's join code; over
socket.io each caller connects with its own credentials (resident B with room B's code).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import socketio
from pydantic import BaseModel

from simulcast.engine.actions import Action
from simulcast.web.routes import ROUTED
from tests.conftest import Controller, ControllerFactory
from tests.helpers import ADMIN, cid

A, B, C = "cs-lille-sud", "cyber-loos", "mediatheque-ronchin"

CALLERS = (
    "none",
    "guest_A",
    "resident_A",
    "resident_B",
    "facilitator_A",
    "facilitator_B",
    "facilitator_other_session",
    "screen_A",
    "admin",
)
ROLE_OF = {
    "none": None,
    "guest_A": "guest",
    "resident_A": "resident",
    "resident_B": "resident",
    "facilitator_A": "facilitator",
    "facilitator_B": "facilitator",
    "facilitator_other_session": "facilitator",
    "screen_A": "screen",
    "admin": "admin",
}
KNOWN_ROLES = {"admin", "facilitator", "screen", "resident", "guest"}
OWNERS_OF_TARGETS = {"admin", "facilitator_A", "resident_A"}
"""Who may act on the targets (room A's, resident A's) when their role may."""

CONNECTS: dict[str, dict[str, str | None]] = {
    "/console": {caller: None if caller == "admin" else "401" for caller in CALLERS},
    "/room": {
        caller: None if ROLE_OF[caller] in ("facilitator", "screen") else "401"
        for caller in CALLERS
    },
    "/resident": {
        "none": "401",
        "guest_A": None,
        "resident_A": None,
        "resident_B": None,
        "facilitator_A": "404",
        "facilitator_B": "404",
        "facilitator_other_session": "404",
        "screen_A": "404",
        "admin": "404",
    },
}
"""How each caller fares when connecting to each namespace (None: connected)."""


class Underivable(Exception):
    """The matrix has no rule for this action: teach it one before shipping the action."""


def _params(action: Action) -> set[str]:
    return set(re.findall(r"{(\w+)}", action.rest[1])) if action.rest else set()


def _check(action: Action) -> None:
    unknown = set(action.roles) - KNOWN_ROLES
    if unknown:
        raise Underivable(f"{action.name}: roles {sorted(unknown)} are not in the matrix")
    params = _params(action)
    owner = {action.owner[0]} if action.owner else set()
    ids = params - {"session_id", "site", "code"} - owner
    if ids and "code" not in params:
        raise Underivable(f"{action.name}: path ids {sorted(ids)} without an owner")
    if "session_id" in params and set(action.roles) != {"admin"}:
        raise Underivable(f"{action.name}: a session in the path for {action.roles}")
    if action.body is not None:
        for name, field in action.body.model_fields.items():
            if field.is_required() and name not in VALUES:
                raise Underivable(f"{action.name}: no value for the field {name!r}")


def expected_rest(action: Action, caller: str) -> str:
    _check(action)
    role = ROLE_OF[caller]
    if not action.roles:
        return "allowed"
    params = _params(action)
    if "code" in params:  # room A's join code, with the caller's token if any
        if caller in ("none", "guest_A"):
            return "allowed" if "guest" in action.roles else "403"
        if caller == "resident_A":
            return "allowed" if "resident" in action.roles else "403"
        return "401"
    if role is None or role == "guest":
        return "401"
    if role not in action.roles:
        return "403"
    if role == "admin":
        return "allowed"
    if "site" in params:
        return "allowed" if caller in ("facilitator_A", "screen_A") else "403"
    if action.owner is not None:
        return "allowed" if caller in OWNERS_OF_TARGETS else "403"
    return "allowed"


def expected_event(action: Action, namespace: str, caller: str) -> str:
    _check(action)
    refused = CONNECTS[namespace][caller]
    if refused is not None:
        return refused
    if ROLE_OF[caller] not in action.roles:
        return "403"
    if action.owner is not None:
        return "allowed" if caller in OWNERS_OF_TARGETS else "403"
    return "allowed"


def cells() -> list[tuple[str, Action, str | None, str]]:
    """(transport, action, namespace, caller) for every cell of the matrix."""
    found: list[tuple[str, Action, str | None, str]] = []
    for action in ROUTED:
        for caller in CALLERS:
            if action.rest is not None:
                found.append(("rest", action, None, caller))
            for namespace in action.namespaces:
                found.append(("socket.io", action, namespace, caller))
    return found


# --- the world every action is tried in ------------------------------------------------------


@dataclass
class World:
    session: str
    other_session: str
    codes: dict[str, str]
    tokens: dict[str, str]
    targets: dict[str, str]


async def _world(controller: Controller) -> World:
    api = controller.api
    session, rooms = await api.live_session([A, B])
    other_session, other_rooms = await api.live_session([C])
    codes = {site: rooms[site]["join_code"] for site in (A, B)}
    tokens = {
        "facilitator_A": rooms[A]["facilitator_token"],
        "facilitator_B": rooms[B]["facilitator_token"],
        "facilitator_other_session": other_rooms[C]["facilitator_token"],
        "screen_A": rooms[A]["screen_token"],
        "admin": ADMIN,
    }
    residents: dict[str, str] = {}
    for caller, site in (("resident_A", A), ("resident_B", B)):
        checked_in = await api.post(
            f"/api/join/{codes[site]}/checkin", {"client_id": cid()}, token=None
        )
        tokens[caller] = checked_in.body["resident_token"]
        residents[caller] = checked_in.body["resident_id"]
    asked = await api.post(
        f"/api/join/{codes[A]}/help",
        {"client_id": cid(), "kind": "tech"},
        token=tokens["resident_A"],
    )
    problem = await api.post(
        f"/api/rooms/{A}/problems",
        {"client_id": cid(), "problem": "no_sound"},
        token=tokens["facilitator_A"],
    )
    check = await api.post(f"/api/sessions/{session}/checks", {"client_id": cid()})
    targets = {
        "resident_id": residents["resident_A"],
        "request_id": asked.body["id"],
        "problem_id": problem.body["id"],
        "check_id": check.body["id"],
    }
    return World(session, other_session, codes, tokens, targets)


VALUES: dict[str, Callable[[World], Any]] = {
    "client_id": lambda world: str(uuid.uuid4()),
    "resident_id": lambda world: world.targets["resident_id"],
    "request_id": lambda world: world.targets["request_id"],
    "problem_id": lambda world: world.targets["problem_id"],
    "check_id": lambda world: world.targets["check_id"],
    "text": lambda world: "Bonjour",
    "answer": lambda world: "Regardez en haut à gauche",
    "kind": lambda world: "tech",
    "delta": lambda world: 1,
    "option": lambda world: 0,
    "problem": lambda world: "no_sound",
    "scene": lambda world: "Main",
    "state": lambda world: "waiting",
    "title": lambda world: "Envoyer un e-mail",
    "origin": lambda world: "studio-lille-sud",
}
"""A valid value for each required body field of the table's models, by name."""


def _body(model: type[BaseModel] | None, world: World, leave_out: set[str]) -> dict[str, Any]:
    if model is None:
        return {}
    return {
        name: VALUES[name](world)
        for name, field in model.model_fields.items()
        if field.is_required() and name not in leave_out
    }


def _path(action: Action, world: World) -> str:
    assert action.rest is not None
    values = {"session_id": world.session, "site": A, "code": world.codes[A], **world.targets}
    return re.sub(r"{(\w+)}", lambda match: values[match.group(1)], action.rest[1])


def _class(status: int, code: str | None) -> str:
    if status in (401, 403):
        return str(status)
    if code in ("bad_code", "not_found") or (status >= 500 and status != 502):
        return str(status)
    return "allowed"


async def _rest(controller: Controller, world: World, action: Action, caller: str) -> str:
    assert action.rest is not None
    method, _ = action.rest
    body = _body(action.body, world, _params(action)) if action.body is not None else None
    token = world.tokens.get(caller)
    answer = await controller.api.call(method, _path(action, world), body, token=token)
    code = answer.body["error"]["code"] if answer.status >= 400 else None
    return _class(answer.status, code)


def _auth(namespace: str, caller: str, world: World) -> dict[str, Any]:
    if caller == "none":
        return {}
    if namespace == "/resident":
        site = {"guest_A": A, "resident_A": A, "resident_B": B}.get(caller)
        auth: dict[str, Any] = {"code": world.codes[site]} if site else {}
        if caller in world.tokens:
            auth["token"] = world.tokens[caller]
        return auth
    auth = {"token": world.tokens.get(caller, "")}
    if namespace == "/console":
        auth["session"] = world.session
    return auth


async def _event(
    controller: Controller, world: World, action: Action, namespace: str, caller: str
) -> str:
    client = socketio.AsyncClient(reconnection=False)
    refusals: list[Any] = []
    client.on("connect_error", lambda data=None: refusals.append(data), namespace=namespace)
    try:
        await client.connect(
            controller.base,
            namespaces=[namespace],
            auth=_auth(namespace, caller, world),
            transports=["websocket"],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        code = refusals[0]["data"]["code"]
        return "404" if code == "bad_code" else "401"
    try:
        assert action.event is not None
        ack = await client.call(
            action.event, _body(action.body, world, set()), namespace=namespace, timeout=5
        )
    finally:
        await client.disconnect()
    if ack["ok"]:
        return "allowed"
    code = ack["error"]["code"]
    if code == "forbidden":
        return "403"
    if code in ("auth_missing", "bad_token", "unauthorized", "access_expired"):
        return "401"
    return _class(500 if code == "internal_error" else 400, code)


# --- the tests ----------------------------------------------------------------------------


def test_every_cell_of_the_matrix_is_derivable(capsys: pytest.CaptureFixture[str]) -> None:
    all_cells = cells()
    for transport, action, namespace, caller in all_cells:
        if transport == "rest":
            expected_rest(action, caller)
        else:
            assert namespace is not None
            expected_event(action, namespace, caller)
    rest = sum(1 for cell in all_cells if cell[0] == "rest")
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(all_cells)} cells "
            f"({rest} REST, {len(all_cells) - rest} socket.io) over {len(ROUTED)} actions "
            f"and {len(CALLERS)} callers"
        )


@pytest.mark.parametrize("action", ROUTED, ids=[action.name for action in ROUTED])
async def test_each_caller_gets_the_answer_its_role_and_scope_allow(
    start_controller: ControllerFactory, action: Action
) -> None:
    controller = await start_controller(join_guess_limit=10_000)
    got: dict[str, str] = {}
    wanted: dict[str, str] = {}
    if action.rest is not None:
        world = await _world(controller)
        for caller in CALLERS:
            wanted[f"REST {caller}"] = expected_rest(action, caller)
            got[f"REST {caller}"] = await _rest(controller, world, action, caller)
    for namespace in action.namespaces:
        world = await _world(controller)
        for caller in CALLERS:
            wanted[f"{namespace} {caller}"] = expected_event(action, namespace, caller)
            got[f"{namespace} {caller}"] = await _event(
                controller, world, action, namespace, caller
            )
    assert got == wanted


def test_an_action_the_matrix_has_no_rule_for_fails_it() -> None:
    """A new kind of action (a path id without an owner, a new role, a body field without a
    value) stops the matrix until someone writes its rule."""
    run = ROUTED[0].run
    new = [
        Action("x", "x", ("facilitator",), run, rest=("POST", "/api/things/{thing_id}")),
        Action("y", "y", ("system",), run, event="y"),
    ]
    for action in new:
        with pytest.raises(Underivable):
            expected_event(action, "/room", "admin")
