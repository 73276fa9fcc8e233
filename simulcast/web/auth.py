"""Who is calling a REST route: the admin, a room's facilitator, or a resident."""

from __future__ import annotations

import hmac

from aiohttp import web

from simulcast.domain.commands import Actor
from simulcast.errors import AuthError, ForbiddenError
from simulcast.realtime.context import Services


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_admin(request: web.Request, services: Services) -> Actor:
    token = bearer(request)
    if token is None:
        raise AuthError(
            "this route needs the admin token: send 'Authorization: Bearer <admin token>' "
            "(printed when simulcast serve starts)",
            code="auth_missing",
        )
    if not hmac.compare_digest(token.encode(), services.admin_token.encode()):
        raise AuthError("wrong admin token", code="bad_token")
    return Actor(role="admin")


def require_room_actor(request: web.Request, services: Services, role: str) -> Actor:
    """A facilitator (or screen) token, verified."""
    token = bearer(request)
    if token is None:
        raise AuthError(
            "this route needs the room's facilitator token: "
            "send 'Authorization: Bearer <facilitator token>'",
            code="auth_missing",
        )
    actor = services.signer.verify(token)
    if actor is None:
        raise AuthError("wrong or damaged token", code="bad_token")
    if actor.role != role:
        raise ForbiddenError(f"this route needs a {role} token, not a {actor.role} token")
    return actor


def optional_resident(request: web.Request, services: Services) -> Actor | None:
    token = bearer(request)
    if token is None:
        return None
    actor = services.signer.verify(token)
    if actor is None or actor.role != "resident":
        raise AuthError("wrong resident token: check in again to get a new one", code="bad_token")
    return actor
