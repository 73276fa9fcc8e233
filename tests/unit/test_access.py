from __future__ import annotations

from simulcast.domain.commands import Actor
from simulcast.engine.access import (
    JOIN_CODE_ALPHABET,
    TokenSigner,
    format_join_code,
    new_join_code,
    normalise_join_code,
)


def test_tokens_verify_to_the_actor_they_were_issued_for() -> None:
    signer = TokenSigner(b"k" * 32)
    assert signer.verify(signer.issue("facilitator", "s1", "cs-a")) == Actor(
        role="facilitator", session_id="s1", room="cs-a"
    )
    assert signer.verify(signer.issue("screen", "s1", "cs-a")) == Actor(
        role="screen", session_id="s1", room="cs-a"
    )
    assert signer.verify(signer.issue("resident", "s1", "r9")) == Actor(
        role="resident", session_id="s1", resident_id="r9"
    )


def test_forged_or_altered_tokens_are_refused() -> None:
    signer = TokenSigner(b"k" * 32)
    token = signer.issue("facilitator", "s1", "cs-a")
    other_room = token.replace(".cs-a.", ".cs-b.")
    promoted = "S" + token[1:]
    foreign = TokenSigner(b"x" * 32).issue("facilitator", "s1", "cs-a")
    assert [
        signer.verify(t) for t in (other_room, promoted, foreign, "", "F.s1", token + ".x")
    ] == [None] * 6


def test_join_codes_avoid_confusable_characters() -> None:
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert not set(JOIN_CODE_ALPHABET) & set("01OIL")


def test_join_codes_are_typed_forgivingly() -> None:
    assert normalise_join_code(" abc-23 4") == "ABC234"
    assert format_join_code("ABC234") == "ABC-234"


def test_tokens_with_characters_outside_ascii_are_refused_not_an_error() -> None:
    """Found by tests/integration/test_socketio_fuzz.py: a /room connect with such a token
    raised TypeError in hmac.compare_digest (logged as a failure, acknowledged as an
    internal error; a REST Authorization header could do the same)."""
    signer = TokenSigner(b"k" * 32)
    token = signer.issue("facilitator", "s1", "cs-a")
    assert signer.verify(token[:-1] + "é") is None
    assert signer.verify(token[:-1] + "\udcff") is None  # how aiohttp decodes stray header bytes
    assert signer.verify("F.s1.cs-\udcff.x") is None
