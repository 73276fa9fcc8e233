"""What anyone may ask, without a token: is the controller up, which sites are there."""

from __future__ import annotations

import time

from simulcast import __version__
from simulcast.engine.actions.base import Action, Answer, Call, query


async def _health(call: Call) -> Answer:
    services = call.services
    failure = services.hub.store.failure
    return Answer(
        {
            "status": "ok" if failure is None else "degraded",
            "version": __version__,
            "store": "ok" if failure is None else failure,
            "sessions": len(services.hub.sessions),
            "sites": len(services.registry),
            "timezone": services.zone.key,
            "uptime_s": round(time.monotonic() - services.started_at, 1),
        },
        status=200 if failure is None else 503,
    )


def _sites(call: Call) -> list[dict[str, object]]:
    """Every key for the admin; the public keys for anyone else (no staff contacts)."""
    if call.actor.role == "admin":
        return [site.model_dump(mode="json") for site in call.services.registry]
    return [site.public() for site in call.services.registry]


ACTIONS = (
    Action("health", "Liveness and store health", (), _health, rest=("GET", "/api/health")),
    Action(
        "list_sites",
        "The sites of rooms.yaml (every key with the admin token)",
        (),
        query(_sites),
        rest=("GET", "/api/sites"),
    ),
)
