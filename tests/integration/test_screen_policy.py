"""The screen page runs scripts from the controller and the configured Jitsi server only."""

from __future__ import annotations

import pytest

from simulcast.web.pages import DIST
from tests.conftest import ControllerFactory

pytestmark = pytest.mark.skipif(
    not (DIST / "screen.html").is_file(), reason="dashboards not built (make setup)"
)


async def _policy(start_controller: ControllerFactory, **settings: str) -> dict[str, str]:
    controller = await start_controller(**settings)
    url = f"{controller.base}/screen/cs-lille-sud"
    async with controller.api.http.get(url) as response:
        assert response.status == 200
        policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


async def test_without_a_jitsi_domain_the_screen_runs_the_controllers_scripts_only(
    start_controller: ControllerFactory,
) -> None:
    policy = await _policy(start_controller)
    assert (policy["script-src"], policy["default-src"]) == ("'self'", "'self'")


async def test_with_a_jitsi_domain_the_screen_may_load_its_iframe_api(
    start_controller: ControllerFactory,
) -> None:
    policy = await _policy(start_controller, jitsi_domain="meet.example.org")
    assert policy["script-src"] == "'self' https://meet.example.org"
