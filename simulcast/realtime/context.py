"""What the socket.io namespaces share with the REST API: the hub, tokens, limits, links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulcast.engine.access import TokenSigner
from simulcast.engine.broadcast.supervisor import BroadcastSupervisor
from simulcast.engine.hub import Hub
from simulcast.engine.purge import Purger
from simulcast.engine.ratelimit import GuessLimiter
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

    def join_url(self, code: str) -> str:
        return f"{self.base_url()}/join/{code}"
