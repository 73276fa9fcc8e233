"""Jitsi JWTs: every claim of lib-jitsi-meet doc/tokens.md, per role, checked with PyJWT."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from simulcast.domain.clock import ManualClock
from simulcast.errors import StartupError
from simulcast.integrations.jitsi.tokens import JitsiTokenIssuer, join_url, room_name_for

APP_ID = "simulcast"
SECRET = "0123456789abcdef0123456789abcdef-not-a-real-secret"
NOW = datetime.now(UTC).replace(microsecond=0)


def issuer(clock: ManualClock | None = None, **kwargs: Any) -> JitsiTokenIssuer:
    return JitsiTokenIssuer(APP_ID, SECRET, clock=clock or ManualClock(NOW), **kwargs)


def decode(token: str, audience: str = "jitsi") -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience=audience, issuer=APP_ID
    )
    return claims


def test_jitsi_token_mediator_carries_every_documented_claim() -> None:
    token = issuer().issue(
        "mediator",
        user_id="mediator:ana",
        name="Ana (médiatrice)",
        domain="Meet.Example.org:8443",
        room="atelier-email-abcdefghijklmnop",
        group="session-42",
    )
    now = int(NOW.timestamp())
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert decode(token) == {
        "iss": APP_ID,
        "aud": "jitsi",
        "sub": "meet.example.org",
        "room": "atelier-email-abcdefghijklmnop",
        "iat": now,
        "nbf": now - 30,
        "exp": now + 4 * 3600,
        "moderator": True,
        "context": {
            "user": {
                "id": "mediator:ana",
                "name": "Ana (médiatrice)",
                "affiliation": "owner",
                "moderator": "true",
            },
            "group": "session-42",
            "features": {"screen-sharing": "true", "recording": "false", "livestreaming": "false"},
        },
    }


def test_jitsi_token_facilitator_is_a_moderating_member() -> None:
    claims = decode(
        issuer().issue(
            "facilitator", user_id="site:mediatheque-nord", name="Léo", domain="*", room="*"
        )
    )
    now = int(NOW.timestamp())
    assert claims == {
        "iss": APP_ID,
        "aud": "jitsi",
        "sub": "*",
        "room": "*",
        "iat": now,
        "nbf": now - 30,
        "exp": now + 4 * 3600,
        "moderator": True,
        "context": {
            "user": {
                "id": "site:mediatheque-nord",
                "name": "Léo",
                "affiliation": "member",
                "moderator": "true",
            },
            "features": {"screen-sharing": "true", "recording": "false", "livestreaming": "false"},
        },
    }


def test_jitsi_token_screen_is_a_visitor_without_features() -> None:
    claims = decode(
        issuer(audience="meet-prod").issue(
            "screen",
            user_id="screen:mediatheque-nord",
            name="Écran Médiathèque Nord",
            domain="meet.example.org",
            room="Atelier-Email-abcdefghijklmnop",
            lifetime=timedelta(hours=6),
        ),
        audience="meet-prod",
    )
    now = int(NOW.timestamp())
    assert claims == {
        "iss": APP_ID,
        "aud": "meet-prod",
        "sub": "meet.example.org",
        "room": "atelier-email-abcdefghijklmnop",
        "iat": now,
        "nbf": now - 30,
        "exp": now + 6 * 3600,
        "moderator": False,
        "context": {
            "user": {
                "id": "screen:mediatheque-nord",
                "name": "Écran Médiathèque Nord",
                "affiliation": "member",
                "moderator": "false",
                "role": "visitor",
            },
            "features": {
                "screen-sharing": "false",
                "recording": "false",
                "livestreaming": "false",
            },
        },
    }


def test_jitsi_token_user_fields_are_all_strings() -> None:
    for role in ("mediator", "facilitator", "screen"):
        claims = decode(
            issuer().issue(role, user_id="u", name="n", domain="meet.example.org", room="r")
        )
        assert {type(value) for value in claims["context"]["user"].values()} == {str}


def test_jitsi_token_expired_fails_verification() -> None:
    clock = ManualClock(NOW - timedelta(hours=5))
    token = issuer(clock).issue(
        "screen", user_id="s", name="Écran", domain="meet.example.org", room="r"
    )
    with pytest.raises(jwt.ExpiredSignatureError):
        decode(token)


def test_jitsi_token_not_yet_valid_fails_verification() -> None:
    clock = ManualClock(NOW + timedelta(hours=1))
    token = issuer(clock).issue(
        "screen", user_id="s", name="Écran", domain="meet.example.org", room="r"
    )
    with pytest.raises(jwt.ImmatureSignatureError):
        decode(token)


def test_jitsi_token_signed_with_another_secret_fails_verification() -> None:
    other = JitsiTokenIssuer(APP_ID, "x" * 32, clock=ManualClock(NOW))
    token = other.issue("mediator", user_id="m", name="M", domain="meet.example.org", room="r")
    with pytest.raises(jwt.InvalidSignatureError):
        decode(token)


def test_jitsi_issuer_refuses_a_short_secret_with_the_fix() -> None:
    with pytest.raises(StartupError) as caught:
        JitsiTokenIssuer(APP_ID, "short", clock=ManualClock(NOW))
    assert caught.value.message == (
        "the Jitsi app secret is 5 bytes; HS256 needs at least 32 (RFC 7518 §3.2): "
        "generate one with `openssl rand -hex 32` and set it as Prosody's app_secret too"
    )


def test_jitsi_issuer_repr_hides_the_secret() -> None:
    assert repr(issuer()) == "JitsiTokenIssuer(app_id='simulcast', audience='jitsi')"


@pytest.mark.parametrize(
    ("domain", "room"),
    [("meet example.org", "r"), ("meet.example.org", "a/b"), ("meet.example.org", "")],
)
def test_jitsi_token_rejects_unsafe_domain_or_room(domain: str, room: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        issuer().issue("screen", user_id="s", name="S", domain=domain, room=room)


def test_jitsi_join_url_carries_the_token_as_jwt_param() -> None:
    token = issuer().issue("screen", user_id="s", name="S", domain="meet.example.org", room="r")
    url = join_url("meet.example.org", "atelier-abc", token)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "meet.example.org", "/atelier-abc")
    assert parse_qs(parts.query) == {"jwt": [token]}


def test_jitsi_room_name_is_ascii_lowercase_and_stable() -> None:
    name = issuer().room_name_for("session-42", "Atelier « E-mail » : créer son adresse !")
    assert re.fullmatch(r"atelier-e-mail-creer-son-adresse-[a-z2-7]{16}", name)
    assert issuer().room_name_for("session-42", "Atelier « E-mail » : créer son adresse !") == name


def test_jitsi_room_name_suffix_depends_on_session_and_secret() -> None:
    a = room_name_for("s1", "Cours", secret=b"k" * 32)
    b = room_name_for("s2", "Cours", secret=b"k" * 32)
    c = room_name_for("s1", "Cours", secret=b"j" * 32)
    assert len({a, b, c}) == 3
    assert {name.rsplit("-", 1)[0] for name in (a, b, c)} == {"cours"}


def test_jitsi_room_name_of_an_unsluggable_or_long_title() -> None:
    assert re.fullmatch(r"session-[a-z2-7]{16}", room_name_for("s", "« ! »", secret=b"k" * 32))
    long = room_name_for("s", "x" * 200, secret=b"k" * 32)
    assert long == "x" * 40 + "-" + long[-16:]
    assert len(long) <= 64
