"""What the socket.io namespaces share with the REST API: the hub, tokens, limits, links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulcast.domain.commands import Actor
from simulcast.domain.state import SessionState
from simulcast.engine.access import TokenSigner, normalise_join_code
from simulcast.engine.broadcast.supervisor import BroadcastSupervisor
from simulcast.engine.hub import Hub
from simulcast.engine.purge import Purger
from simulcast.engine.ratelimit import GuessLimiter
from simulcast.errors import AuthError, NotFoundError
from simulcast.registry import Registry


@dataclass
class Services:
    """Built by create_app; ``signer`` and ``admin_token`` are set once the store is open
    (both are kept in it), ``base_url`` once the port is bound."""

    hub: Hub
    limiter: GuessLimiter
    signer: TokenSigner
    admin_token: str
    base_url: Callable[[], str]
    retention_days: int = 30
    """Shown on the resident page's information notice."""
    purger: Purger | None = None
    broadcast: BroadcastSupervisor | None = None
    """Set by create_app once the socket.io server (its screen channel) exists."""

    @property
    def supervisor(self) -> BroadcastSupervisor:
        assert self.broadcast is not None, "create_app wires the broadcast supervisor"
        return self.broadcast

    @property
    def registry(self) -> Registry:
        return self.hub.registry

    def join(self, code: object, token: object, address: str) -> tuple[SessionState, Actor]:
        """Who connects with a room's join code (and, once checked in, their resident token):
        the session, and the caller as ``guest`` or ``resident``. The one rule for REST and
        socket.io: wrong codes are rate limited per address; a token must be a resident of
        that very room."""
        self.limiter.check(address)
        found = self.hub.by_code(normalise_join_code(code)) if isinstance(code, str) else None
        if found is None:
            self.limiter.failed(address)
            raise NotFoundError(
                "unknown join code: check the code shown on the room's screen", code="bad_code"
            )
        state, site = found
        if token is None:
            return state, Actor(role="guest", session_id=state.id, room=site)
        resident = self.signer.verify(token) if isinstance(token, str) else None
        known = state.residents.get(resident.resident_id or "") if resident else None
        if (
            resident is None
            or resident.session_id != state.id
            or known is None
            or known.room != site
        ):
            raise AuthError(
                "this resident token is not valid for this room's code: check in again",
                code="bad_token",
            )
        return state, Actor(role="resident", session_id=state.id, room=site, resident_id=known.id)

    def join_url(self, code: str) -> str:
        return f"{self.base_url()}/join/{code}"
