"""A place of the territory, described with the national "lieux de médiation numérique" schema.

Keys follow the schema (schema.data.gouv.fr, LaMednum/standard-mediation-num); project keys
start with ``x_``. Models are frozen and forbid unknown keys. Validators raise ``ValueError``
with a message that either starts with "expected …" (the caller prefixes what it got) or
quotes the offending part itself.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from simulcast.models.opening_hours import OpeningHours, parse_opening_hours

SiteKind = Literal["studio", "cyberespace", "centre_social", "tiers_lieu", "mediatheque"]
SITE_KINDS: tuple[SiteKind, ...] = get_args(SiteKind)

Service = Literal[
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
]
ModaliteAccompagnement = Literal[
    "En autonomie",
    "Accompagnement individuel",
    "Dans un atelier collectif",
    "À distance",
]
Public = Literal["Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"]
PriseEnCharge = Literal[
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
]
Itinerance = Literal["Itinérant", "Fixe"]
Typologie = Literal[
    # The codes mediation places use most, then the rest of the data.inclusion list.
    "CS", "CSC", "EVS", "EPN", "TIERS_LIEUX", "FABLAB", "BIB", "MQ", "MJC", "MDH", "MUNI",
    "CCAS", "CIAS", "RFS", "ASSO", "PE", "FT", "LA_POSTE", "ML", "MDS", "PIJ_BIJ", "PIMMS",
    "ACI", "ACIPHC", "AFPA", "AI", "ASE", "ASSO_CHOMEUR", "CAARUD", "CADA", "CAF", "CAP_EMPLOI",
    "CAVA", "CC", "CCONS", "CD", "CDAS", "CFP", "CHRS", "CHU", "CIDFF", "CITMET", "CPAM", "CPH",
    "CSAPA", "DEETS", "DEPT", "DIPLP", "E2C", "EA", "EATT", "EI", "EITI", "ENM", "EPCI",
    "EPIDE", "ESS", "ETTI", "FAIS", "GEIQ", "HUDA", "MDE", "MDEF", "MDPH", "MSA", "OACAS",
    "ODC", "OF", "OIL", "OPCS", "PAD", "PENSION", "PJJ", "PLIE", "PREF", "PREVENTION", "REG",
    "RS_FJT", "SCP", "SPIP", "UDAF", "Autre",
]  # fmt: skip

_SITE_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_PIVOT = re.compile(r"\d{14}|W\d{9}")
_CODE_POSTAL = re.compile(r"\d{5}")
_CODE_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_PHONE = re.compile(
    r"(?:\+33 ?|0)[1-9](?:[ .]?\d\d){4}"
    r"|\+(?:262|269|508|590|594|596|687|689) ?\d{3}(?:[ .]?\d\d){3}"
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_URL = re.compile(r"https?://[^\s/?#.][^\s]*")
_SMS_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,11}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _matching(pattern: re.Pattern[str], expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.fullmatch(value) is None:
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("expected some text")
    return value


def _opening_hours(value: str) -> str:
    parse_opening_hours(value)
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("expected a date written YYYY-MM-DD, e.g. 2025-01-31")


SiteId = Annotated[
    str,
    _matching(
        _SITE_ID,
        '2 to 63 characters, lowercase letters, digits or "-", starting with a letter or digit'
        ' ("." and "_" are not allowed: site ids appear in URLs and in tokens that use them'
        " as separators)",
    ),
]
Text = Annotated[str, AfterValidator(_not_blank)]
Pivot = Annotated[
    str, _matching(_PIVOT, "a SIRET (14 digits, no spaces) or an RNA number (W and 9 digits)")
]
CodePostal = Annotated[str, _matching(_CODE_POSTAL, '5 digits, e.g. "59000"')]
CodeInsee = Annotated[
    str, _matching(_CODE_INSEE, 'an INSEE commune code (5 characters), e.g. "59350"')
]
Phone = Annotated[
    str,
    _matching(_PHONE, 'a French phone number, e.g. "06 12 34 56 78" or "+33 6 12 34 56 78"'),
]
Email = Annotated[str, _matching(_EMAIL, 'an email address, e.g. "contact@example.org"')]
Url = Annotated[str, _matching(_URL, "a web address starting with https:// or http://")]
SmsSender = Annotated[
    str,
    _matching(
        _SMS_SENDER,
        "1 to 11 letters or digits (no spaces, accents or punctuation), at least one letter",
    ),
]
Summary = Annotated[str, StringConstraints(max_length=500), AfterValidator(_not_blank)]
Horaires = Annotated[str, AfterValidator(_opening_hours)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Latitude = Annotated[float, Field(strict=True, ge=-90, le=90)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180)]
Capacity = Annotated[int, Field(strict=True, ge=1, le=500)]


class Facilitator(BaseModel):
    """A mediator who runs a partner room; the contact for the lead mediator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    phone: Phone | None = None
    email: Email | None = None


class Screen(BaseModel):
    """How the room's screen page looks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: Literal["fr", "en"] = "fr"
    show_qr: Annotated[bool, Field(strict=True)] = True


PUBLIC_PROJECT_KEYS = frozenset({"x_kind", "x_capacity", "x_screen"})
"""The project keys anyone may read with the national schema's: what kind of place, how many
seats, and how its screen page looks (read by that page before it connects). Staff contacts,
the SMS sender and La Coop's structure id are for the admin only."""


class Site(BaseModel):
    """One place: the studio that broadcasts, or a partner room that receives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SiteId
    pivot: Pivot
    nom: Text
    commune: Text
    code_postal: CodePostal
    code_insee: CodeInsee | None = None
    adresse: Text
    complement_adresse: Text | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    typologie: tuple[Typologie, ...] = ()
    telephone: Phone | None = None
    courriels: tuple[Email, ...] = ()
    site_web: tuple[Url, ...] = ()
    horaires: Horaires | None = None
    presentation_resume: Summary | None = None
    presentation_detail: Text | None = None
    structure_parente: Text | None = None
    date_maj: IsoDate
    services: Annotated[tuple[Service, ...], Field(min_length=1)]
    itinerance: tuple[Itinerance, ...] = ()
    fiche_acces_libre: Url | None = None
    prise_rdv: Url | None = None
    modalites_accompagnement: tuple[ModaliteAccompagnement, ...] = ()
    publics_specifiquement_adresses: tuple[Public, ...] = ()
    prise_en_charge_specifique: tuple[PriseEnCharge, ...] = ()

    x_kind: SiteKind
    x_capacity: Capacity | None = None
    x_facilitators: tuple[Facilitator, ...] = ()
    x_sms_sender: SmsSender | None = None
    x_coop_structure_id: Text | None = None
    x_screen: Screen = Screen()

    @model_validator(mode="after")
    def _coordinates_together(self) -> Site:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self

    @property
    def is_studio(self) -> bool:
        """Whether the lead mediator broadcasts from here."""
        return self.x_kind == "studio"

    def public(self) -> dict[str, Any]:
        """The site as anyone may read it: the national schema's keys and
        ``PUBLIC_PROJECT_KEYS``."""
        hidden = {
            key
            for key in type(self).model_fields
            if key.startswith("x_") and key not in PUBLIC_PROJECT_KEYS
        }
        return self.model_dump(mode="json", exclude=hidden)

    def opening_hours(self) -> OpeningHours | None:
        """The parsed ``horaires``, if given."""
        return None if self.horaires is None else parse_opening_hours(self.horaires)


class Territory(BaseModel):
    """The territory a registry covers, for display."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nom: Text
    region: Text | None = None
