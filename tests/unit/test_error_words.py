"""Every error code of docs/protocol.md's error table has its words in both page languages
(`err.<code>` in dashboards/shared/i18n/fr.js and en.js), so a refusal is never shown as the
server's English developer message or a generic text."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
I18N = ROOT / "dashboards" / "shared" / "i18n"


def _error_table_codes() -> set[str]:
    """The codes of the `| status | codes |` table under « ## Errors »."""
    section = PROTOCOL.split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\| \d{3} \|", line)]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[2])}


def _keys(language: str) -> set[str]:
    text = (I18N / f"{language}.js").read_text()
    return set(re.findall(r'^\s*"(err\.[a-z_.]+)":', text, re.MULTILINE))


def test_the_error_table_is_read() -> None:
    codes = _error_table_codes()
    assert {"invalid_input", "problem_open", "room_ready", "internal_error"} <= codes
    assert len(codes) >= 30


def test_every_error_code_has_french_and_english_words() -> None:
    codes = _error_table_codes()
    missing = {
        language: sorted(code for code in codes if f"err.{code}" not in _keys(language))
        for language in ("fr", "en")
    }
    assert missing == {"fr": [], "en": []}


def test_french_and_english_tables_have_the_same_error_keys() -> None:
    assert _keys("fr") ^ _keys("en") == set()
