"""Who may do what: signed tokens for rooms and residents, and readable join codes.

Tokens are ``<role>.<session>.<subject>.<mac>`` with an HMAC-SHA256 over the first three
parts: the controller verifies them without a lookup, and they survive a restart because
the signing key is kept in the store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets

from simulcast.domain.commands import Actor

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: easy to read aloud and to type on a phone."""
JOIN_CODE_LENGTH = 6

_ROLE_PREFIX = {"facilitator": "F", "screen": "S", "resident": "R"}
_PREFIX_ROLE = {prefix: role for role, prefix in _ROLE_PREFIX.items()}


_IDS = random.Random(secrets.randbits(256))
"""Ids must be unique, not secret (every right comes from an HMAC-signed token), and they are
made on the hot path of each help request: a generator seeded once from the system's
random source, instead of one system call per id."""


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS = [first + second for first in _BASE32 for second in _BASE32]
"""Two base32 characters per 10 random bits: a third of base64.b32encode's time, which is
pure Python."""


def new_id(prefix: str, length: int = 13) -> str:
    """A random id such as ``h7k2m9q4xab3c``: prefix + ``length`` base32 characters
    (a–z, 2–7; 13 characters carry 65 random bits)."""
    bits = _IDS.getrandbits(5 * length)
    parts = [prefix]
    for _ in range(length // 2):
        parts.append(_PAIRS[bits & 1023])
        bits >>= 10
    if length % 2:
        parts.append(_BASE32[bits & 31])
    return "".join(parts)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Accept ``abc-234``, ``ABC 234``: case and separators do not matter."""
    return "".join(ch for ch in raw.upper() if ch not in " -_.")


def format_join_code(code: str) -> str:
    """``ABC234`` → ``ABC-234``, as printed on screens."""
    return f"{code[:3]}-{code[3:]}"


class TokenSigner:
    """Issues and verifies facilitator, screen and resident tokens."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @property
    def key(self) -> bytes:
        """The signing key (Jitsi room names are derived from it too)."""
        return self._key

    def _mac(self, role_prefix: str, session_id: str, subject: str) -> str:
        message = f"{role_prefix}|{session_id}|{subject}".encode(errors="surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def issue(self, role: str, session_id: str, subject: str) -> str:
        prefix = _ROLE_PREFIX[role]
        return f"{prefix}.{session_id}.{subject}.{self._mac(prefix, session_id, subject)}"

    def verify(self, token: str) -> Actor | None:
        """The actor a token proves, or None when it is forged, truncated or unknown."""
        parts = token.split(".")
        if len(parts) != 4 or parts[0] not in _PREFIX_ROLE:
            return None
        prefix, session_id, subject, mac = parts
        expected = self._mac(prefix, session_id, subject).encode()
        # Bytes: compare_digest refuses str with characters outside ASCII (TypeError).
        if not hmac.compare_digest(mac.encode(errors="surrogatepass"), expected):
            return None
        role = _PREFIX_ROLE[prefix]
        if role == "resident":
            return Actor(role="resident", session_id=session_id, resident_id=subject)
        if role == "facilitator":
            return Actor(role="facilitator", session_id=session_id, room=subject)
        return Actor(role="screen", session_id=session_id, room=subject)
