"""A territory of 60 rooms on air, as a lead mediator sees it in the middle of a session:
people present everywhere, a few rooms waiting for help, two reported problems, a dozen
screens online (playing, one stalled, one in error), the others not connected yet."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.load.targets import rooms_yaml
from tests.helpers import Recorder, cid, connect

if TYPE_CHECKING:
    from tests.e2e.conftest import Live

ROOMS = 60
KINDS = [
    "Centre social",
    "Médiathèque",
    "Espace numérique",
    "Maison de quartier",
    "France services",
    "Tiers-lieu",
]
PLACES = [
    "des Glycines",
    "Jean-Jaurès",
    "du Pont-Rouge",
    "de la Gare",
    "Les Hauts-Champs",
    "Pierre-et-Marie-Curie",
    "du Beau-Marais",
    "Saint-Exupéry",
    "de l'Épeule",
    "Louise-Michel",
]
COMMUNES = [
    "Lille",
    "Roubaix",
    "Tourcoing",
    "Villeneuve-d'Ascq",
    "Wattrelos",
    "Marcq-en-Barœul",
    "Lambersart",
    "Mons-en-Barœul",
    "Armentières",
    "Loos",
    "Croix",
    "Wasquehal",
    "Seclin",
    "Haubourdin",
    "Halluin",
]
HELP = {3: 1, 11: 2, 17: 1, 25: 1, 40: 3, 52: 1}
"""Room index → open help requests."""
PROBLEMS = {8: ("no_sound", "Les haut-parleurs ne marchent plus"), 30: ("frozen_image", None)}
SCREENS = {
    **{i: ("playing", None) for i in (0, 1, 2, 4, 5, 6, 7, 9, 10)},
    12: ("stalled", "no progress for 15 s"),
    13: ("error", "network error: manifestLoadError"),
    14: ("loading", None),
}
"""Room index → what its screen reports (the others have no screen connected)."""


def site(index: int) -> str:
    return f"room-{index}"


def territory_yaml(count: int = ROOMS) -> str:
    """rooms_yaml(count) with names and communes like a real territory's (fictional
    structures, real communes of the Métropole Européenne de Lille)."""
    text = rooms_yaml(count)
    for index in range(count):
        name = f"{KINDS[index % len(KINDS)]} {PLACES[index // len(KINDS) % len(PLACES)]}"
        commune = COMMUNES[index % len(COMMUNES)]
        text = text.replace(
            f"    nom: Salle {index + 1}\n    commune: Lille\n",
            f'    nom: "{name}"\n    commune: "{commune}"\n',
        )
    assert not re.search(r"nom: Salle [1-9]", text)
    return text


@dataclass
class Territory:
    session_id: str
    access: dict[str, Any]
    screens: list[Recorder] = field(default_factory=list)


@contextlib.asynccontextmanager
async def busy_territory(controller: Live) -> AsyncIterator[Territory]:
    """The session above, live with its broadcast on air; its screens keep beating until
    the block ends."""
    api = controller.api
    session = await api.new_session(
        origin="studio", source={"kind": "external", "url": "https://peertube.example.org/w/abc"}
    )
    session_id = session["id"]
    assert len(session["rooms"]) == ROOMS
    started = await api.post(f"/api/sessions/{session_id}/start", {"client_id": cid()})
    assert started.status == 200, started.body
    access = (await api.get(f"/api/sessions/{session_id}/access")).body["rooms"]

    async def checkin(code: str) -> None:
        body = {"client_id": cid()}
        assert (await api.post(f"/api/join/{code}/checkin", body, token=None)).status == 201

    async def ask(code: str, number: int) -> None:
        body = {"client_id": cid(), "kind": ["lost", "tech", "question"][number % 3]}
        body["seat"] = str(number + 3)
        assert (await api.post(f"/api/join/{code}/help", body, token=None)).status == 201

    calls = [
        checkin(access[site(index)]["join_code"])
        for index in range(ROOMS)
        for _ in range((index * 5) % 9 + 2)
    ]
    for at in range(0, len(calls), 40):
        await asyncio.gather(*calls[at : at + 40])
    for index, count in HELP.items():  # one after the other: room 3 has waited longest
        for number in range(count):
            await ask(access[site(index)]["join_code"], number)
    for index, (problem, text) in PROBLEMS.items():
        room = access[site(index)]
        body = {"client_id": cid(), "problem": problem, **({"text": text} if text else {})}
        reported = await api.post(
            f"/api/rooms/{site(index)}/problems", body, token=room["facilitator_token"]
        )
        assert reported.status == 201, reported.body

    on_air = await api.post(f"/api/sessions/{session_id}/broadcast/start", {"client_id": cid()})
    assert on_air.status == 202, on_air.body
    territory = Territory(session_id, access)
    for index, (state, detail) in SCREENS.items():
        screen = await connect(
            controller.base, "/room", {"token": access[site(index)]["screen_token"]}
        )
        territory.screens.append(screen)
        report = {"state": state, **({"detail": detail} if detail else {})}
        answer = await screen.call("screen_state", report)
        assert answer["ok"], answer

    async def beat() -> None:
        while True:
            await asyncio.sleep(4)
            for screen in territory.screens:
                await screen.call("heartbeat", {})

    beating = asyncio.create_task(beat())
    try:
        yield territory
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        for screen in territory.screens:
            await screen.close()


def write_territory(folder: Path) -> Path:
    """rooms.yaml of the territory in ``folder`` (for ``simulcast serve --rooms``)."""
    path = folder / "rooms-60.yaml"
    path.write_text(territory_yaml())
    return path
