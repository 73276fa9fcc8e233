"""What a session is made of: its subject (Coop thématiques, niveau) and its broadcast source."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Thematique = Literal[
    "diagnostic_numerique",
    "prendre_en_main_du_materiel",
    "maintenance_de_materiel",
    "gere_ses_contenus_numeriques",
    "navigation_sur_internet",
    "email",
    "bureautique",
    "reseaux_sociaux",
    "sante",
    "banque_et_achats_en_ligne",
    "entrepreneuriat",
    "insertion_professionnelle",
    "securite_numerique",
    "parentalite",
    "scolarite_et_numerique",
    "creer_avec_le_numerique",
    "culture_numerique",
    "intelligence_artificielle",
    "aide_aux_demarches_administratives",
]
"""Thématiques of La Coop de la médiation numérique (API values), used by activity reports."""

Niveau = Literal["debutant", "intermediaire", "avance"]
SessionStateName = Literal["scheduled", "live", "ended", "cancelled"]

Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^(https?|rtmps?)://\S+$"),
]
HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://\S+$")
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObsSource(_Frozen):
    """The mediator's OBS streams to an RTMP ingest that serves HLS to the rooms."""

    kind: Literal["obs"] = "obs"
    stream_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    rtmp_url: Url | None = None
    hls_url: HttpUrl | None = None


class ExternalSource(_Frozen):
    """Any live URL the room screens can play (YouTube, Facebook, PeerTube, HLS)."""

    kind: Literal["external"] = "external"
    url: HttpUrl


class JitsiSource(_Frozen):
    """A Jitsi Meet room per session, for a two-way or low-latency course."""

    kind: Literal["jitsi"] = "jitsi"
    domain: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$")]
    room: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None


Source = Annotated[ObsSource | ExternalSource | JitsiSource, Field(discriminator="kind")]
