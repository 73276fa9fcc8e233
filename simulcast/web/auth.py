"""Who is calling a REST route: the admin, a room's facilitator or screen, a resident, or a
guest holding a room's join code. One rule for every route, from its action's roles."""

from __future__ import annotations

import hmac

from aiohttp import web

from simulcast.domain.commands import Actor
from simulcast.engine.actions import Action
from simulcast.engine.services import Services
from simulcast.errors import AuthError, ForbiddenError

ANONYMOUS = Actor(role="guest")
"""The caller of a public action: no session, no room."""
ADMIN = Actor(role="admin")

_TOKENS = {
    "admin": "the admin token (printed when simulcast serve starts)",
    "facilitator": "the room's facilitator token",
    "screen": "the room's screen token",
    "resident": "the resident token given at check-in",
}


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def identify(request: web.Request, services: Services, action: Action) -> Actor:
    """The caller of ``action``, checked against its roles and against the room in the path
    (``{site}``); a join code in the path (``{code}``) makes a guest or, with a resident
    token, that resident."""
    if not action.roles:  # public; the admin may be shown more (e.g. every key of a site)
        token = bearer(request)
        if token is None:
            return ANONYMOUS
        if _is_admin(token, services):
            return ADMIN
        if services.signer.verify(token) is None:
            # A wrong token here is a miss too: the answer (public or full) tells whether it
            # was the admin token, so it must not be an unlimited oracle.
            services.limiter.miss(address(request))
        return ANONYMOUS
    code = request.match_info.get("code")
    if code is not None:
        _, actor = services.join(code, bearer(request), address(request))
    else:
        actor = _token_actor(bearer(request), services, action, address(request))
    action.allows(actor)
    site = request.match_info.get("site")
    if site is not None and actor.room != site:
        raise ForbiddenError(f"your token is for room {actor.room}, not for room {site}")
    return actor


def address(request: web.Request) -> str:
    """The caller's address (behind a ``--trusted-proxy``, the one it forwarded)."""
    return request.remote or "unknown"


def _token_actor(token: str | None, services: Services, action: Action, address: str) -> Actor:
    kinds = " or ".join(dict.fromkeys(_TOKENS[role] for role in action.roles if role in _TOKENS))
    if token is None:
        raise AuthError(
            f"this route needs {kinds}: send 'Authorization: Bearer <token>'",
            code="auth_missing",
        )
    if _is_admin(token, services):
        return ADMIN
    actor = services.signer.verify(token)
    if actor is None:
        services.limiter.miss(address)
        wrong = "admin token" if action.roles == ("admin",) else "or damaged token"
        raise AuthError(f"wrong {wrong}", code="bad_token")
    return actor


def _is_admin(token: str, services: Services) -> bool:
    # aiohttp keeps header bytes that are not UTF-8 as surrogates, which .encode() refuses.
    return hmac.compare_digest(token.encode(errors="surrogatepass"), services.admin_token.encode())
