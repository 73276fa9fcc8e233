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


def test_trusted_proxies_from_flags_or_a_comma_separated_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIMULCAST_TRUSTED_PROXY", "127.0.0.1, ::1,10.0.0.0/8")
    assert [str(net) for net in load_settings().trusted_proxy] == [
        "127.0.0.1/32",
        "::1/128",
        "10.0.0.0/8",
    ]
    assert [str(net) for net in load_settings(trusted_proxy=("192.0.2.1",)).trusted_proxy] == [
        "192.0.2.1/32"
    ]
    with pytest.raises(StartupError) as error:
        load_settings(trusted_proxy=("proxy.local",))
    assert error.value.message == (
        "setting trusted_proxy (--trusted-proxy or SIMULCAST_TRUSTED_PROXY): 'proxy.local' is "
        "not an address or a network, e.g. 127.0.0.1, ::1 or 10.0.0.0/8 (several: repeat the "
        "flag, or separate them with commas)"
    )
