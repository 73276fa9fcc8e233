"""JWTs that let each role join a session's Jitsi Meet room, and the room's name and URL.

Claims follow lib-jitsi-meet ``doc/tokens.md`` (the Prosody ``token`` authentication):

- ``iss`` the application id (Prosody ``app_id``), ``aud`` the audience agreed with the
  deployment (``asap_accepted_audiences``), ``sub`` the lowercase domain of a ``/ROOM``
  conference (or ``"*"``), ``room`` the room name, never the MUC address (or ``"*"``),
  ``exp`` the expiry; ``iat`` and ``nbf`` from RFC 7519.
- ``context.user`` is display information: ``id``, ``name`` and every other user field are
  strings, because Prosody rejects numbers and ``null`` there. ``context.group`` carries the
  session id (the doc: "intended for use in reporting/analytics").

The doc does not define roles; deployments read them from the fields below, so each token
carries all of them (:data:`ROLE_CLAIMS`):

- ``context.user.affiliation`` is read by jitsi-contrib ``mod_token_affiliation``: ``owner``
  makes the occupant a room owner (a Jitsi moderator), anything else makes them a member.
- ``context.user.moderator`` (the string ``"true"``/``"false"``, JaaS's convention, also read
  by ``mod_token_affiliation``) and the top-level boolean ``moderator`` (read by the
  ``mod_token_moderation`` plugins) grant moderator rights.
- ``context.user.role = "visitor"`` is what jitsi-meet's visitors component reads to treat a
  token holder as a receive-only viewer.
- ``context.features`` (``"true"``/``"false"`` strings) is honoured where the deployment
  enables features from the token; a feature that is absent counts as off there.

Secrets never leave this module: the issuer's ``repr`` omits the secret and nothing here logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import quote

import jwt

from simulcast.domain.clock import Clock
from simulcast.errors import StartupError

Role = Literal["mediator", "facilitator", "screen"]

MIN_SECRET_BYTES = 32
"""RFC 7518 §3.2: an HS256 key is at least 256 bits."""

_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?")
_ROOM = re.compile(r"[a-z0-9_-]{1,64}")
_SLUG_MAX = 40
_SUFFIX_CHARS = 16  # base32: 80 bits from an HMAC of the session id


@dataclass(frozen=True)
class RoleClaims:
    """What one role's token says about its holder."""

    affiliation: Literal["owner", "member"]
    moderator: bool
    visitor: bool
    features: MappingProxyType[str, str]


def _features(**flags: bool) -> MappingProxyType[str, str]:
    return MappingProxyType(
        {name.replace("_", "-"): "true" if on else "false" for name, on in flags.items()}
    )


ROLE_CLAIMS: MappingProxyType[Role, RoleClaims] = MappingProxyType(
    {
        # Runs the course: owns the room, moderates, shares slides.
        "mediator": RoleClaims(
            affiliation="owner",
            moderator=True,
            visitor=False,
            features=_features(screen_sharing=True, recording=False, livestreaming=False),
        ),
        # Speaks for their room and keeps order in it (mute, lobby), but does not own the
        # course: a member with moderator rights.
        "facilitator": RoleClaims(
            affiliation="member",
            moderator=True,
            visitor=False,
            features=_features(screen_sharing=True, recording=False, livestreaming=False),
        ),
        # A projector PC: watches, never sends; the room is heard through its facilitator.
        "screen": RoleClaims(
            affiliation="member",
            moderator=False,
            visitor=True,
            features=_features(screen_sharing=False, recording=False, livestreaming=False),
        ),
    }
)
"""The claims per role. Recording is off for everyone: residents appear on camera and the
course has no consent flow for a recording."""


class JitsiTokenIssuer:
    """Signs HS256 tokens with the deployment's shared ``app_secret``.

    ``lifetime`` is how long a token stays valid (a room screen re-joins with the same token
    after a network drop, so it should cover a whole session); ``skew`` back-dates ``nbf`` so
    that a Prosody whose clock is slightly behind ours still accepts a fresh token.
    """

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        audience: str = "jitsi",
        clock: Clock,
        lifetime: timedelta = timedelta(hours=4),
        skew: timedelta = timedelta(seconds=30),
    ) -> None:
        if not app_id.strip():
            raise StartupError("the Jitsi app id is empty: set it to Prosody's app_id")
        if len(app_secret.encode()) < MIN_SECRET_BYTES:
            raise StartupError(
                f"the Jitsi app secret is {len(app_secret.encode())} bytes; HS256 needs at "
                f"least {MIN_SECRET_BYTES} (RFC 7518 §3.2): generate one with "
                "`openssl rand -hex 32` and set it as Prosody's app_secret too"
            )
        if lifetime <= timedelta(0) or skew < timedelta(0):
            raise StartupError("a Jitsi token lifetime must be positive and its skew not negative")
        self.app_id = app_id
        self.audience = audience
        self._secret = app_secret.encode()
        self._clock = clock
        self.lifetime = lifetime
        self.skew = skew

    def __repr__(self) -> str:
        return f"JitsiTokenIssuer(app_id={self.app_id!r}, audience={self.audience!r})"

    def claims(
        self,
        role: Role,
        *,
        user_id: str,
        name: str,
        domain: str,
        room: str,
        group: str | None = None,
        lifetime: timedelta | None = None,
    ) -> dict[str, Any]:
        """The payload :meth:`issue` signs, for a holder of ``role`` in ``room`` on ``domain``.

        ``domain`` is the Jitsi host as in a join URL (a port is dropped from ``sub``) or
        ``"*"``; ``room`` is a room name or ``"*"``.
        """
        role_claims = ROLE_CLAIMS[role]
        now = int(self._clock.now().timestamp())
        user: dict[str, str] = {
            "id": _text("user_id", user_id),
            "name": _text("name", name),
            "affiliation": role_claims.affiliation,
            "moderator": "true" if role_claims.moderator else "false",
        }
        if role_claims.visitor:
            user["role"] = "visitor"
        context: dict[str, Any] = {"user": user, "features": dict(role_claims.features)}
        if group is not None:
            context["group"] = _text("group", group)
        return {
            "iss": self.app_id,
            "aud": self.audience,
            "sub": _subject(domain),
            "room": _room_claim(room),
            "iat": now,
            "nbf": now - int(self.skew.total_seconds()),
            "exp": now + int((lifetime or self.lifetime).total_seconds()),
            "moderator": role_claims.moderator,
            "context": context,
        }

    def issue(
        self,
        role: Role,
        *,
        user_id: str,
        name: str,
        domain: str,
        room: str,
        group: str | None = None,
        lifetime: timedelta | None = None,
    ) -> str:
        """A signed token for :meth:`claims` with the same arguments."""
        payload = self.claims(
            role,
            user_id=user_id,
            name=name,
            domain=domain,
            room=room,
            group=group,
            lifetime=lifetime,
        )
        return jwt.encode(payload, self._secret, algorithm="HS256")

    def room_name_for(self, session_id: str, title: str) -> str:
        """The session's room name: see :func:`room_name_for`; keyed with the app secret."""
        return room_name_for(session_id, title, secret=self._secret)


def room_name_for(session_id: str, title: str, *, secret: bytes) -> str:
    """A URL-safe room name for a session: ``<ascii slug of the title>-<16 chars>``.

    Lowercase ASCII letters, digits and ``-`` only, at most 57 characters. The suffix is an
    HMAC of the session id under ``secret``: the same session always gets the same room (after
    a restart, on every process), and nobody without the secret can guess it from the title
    or the session id.
    """
    if not session_id:
        raise ValueError("a room name needs a session id")
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = slug[:_SLUG_MAX].rstrip("-") or "session"
    digest = hmac.new(secret, session_id.encode(), hashlib.sha256).digest()
    suffix = base64.b32encode(digest).decode().lower()[:_SUFFIX_CHARS]
    return f"{slug}-{suffix}"


def join_url(domain: str, room: str, token: str) -> str:
    """``https://<domain>/<room>?jwt=<token>``: how jitsi-meet takes a token (tokens.md)."""
    host = domain.lower()
    if not _DOMAIN.fullmatch(host):
        raise ValueError(f"{domain!r} is not a Jitsi host name (letters, digits, '.', '-', :port)")
    if room == "*":
        raise ValueError("a join URL needs one room, not '*'")
    return f"https://{host}/{_room_claim(room)}?jwt={quote(token, safe='.')}"


def _subject(domain: str) -> str:
    if domain == "*":
        return "*"
    host = domain.lower()
    if not _DOMAIN.fullmatch(host):
        raise ValueError(f"{domain!r} is not a Jitsi host name (letters, digits, '.', '-', :port)")
    return host.split(":", 1)[0]


def _room_claim(room: str) -> str:
    if room == "*":
        return "*"
    name = room.lower()
    if not _ROOM.fullmatch(name):
        raise ValueError(f"{room!r} is not a room name (1-64 letters, digits, '_' or '-')")
    return name


def _text(field: str, value: str) -> str:
    if not value.strip():
        raise ValueError(f"a Jitsi token's {field} must be a non-empty string")
    return value
