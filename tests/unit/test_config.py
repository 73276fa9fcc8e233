from __future__ import annotations

import pytest

from simulcast.config import load_settings
from simulcast.errors import StartupError


def test_bad_settings_become_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMULCAST_TIMEZONE", "Mars/Olympus")
    with pytest.raises(StartupError) as error:
        load_settings(port=70000, public_url="ftp://x")
    assert error.value.message == (
        "setting port (--port or SIMULCAST_PORT): Input should be less than or equal to 65535; "
        "setting public_url (--public-url or SIMULCAST_PUBLIC_URL): must start "
        "with http:// or https://, e.g. https://simulcast.example.org; "
        "setting timezone (--timezone or SIMULCAST_TIMEZONE): unknown time zone, "
        "e.g. Europe/Paris"
    )


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMULCAST_PORT", "9000")
    assert load_settings().port == 9000
    assert load_settings(port=9100).port == 9100
    assert load_settings(port=0).base_url(4321) == "http://127.0.0.1:4321"
