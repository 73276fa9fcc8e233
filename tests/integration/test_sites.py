"""GET /api/sites: the national schema's keys for anyone; every key of rooms.yaml for the admin."""

from __future__ import annotations

import yaml

from tests.conftest import Controller
from tests.helpers import ADMIN, SAMPLE_ROOMS

STAFF_ONLY = {"x_facilitators", "x_sms_sender", "x_coop_structure_id"}


async def test_the_public_site_list_has_no_staff_contacts(controller: Controller) -> None:
    full = (await controller.api.get("/api/sites", token=ADMIN)).body
    expected = [{k: v for k, v in site.items() if k not in STAFF_ONLY} for site in full]
    for token in (None, "not-a-token", "F.s1.cs-lille-sud.forged"):
        public = await controller.api.get("/api/sites", token=token)
        assert (public.status, public.body) == (200, expected)
    project_keys = {key for site in expected for key in site if key.startswith("x_")}
    assert project_keys == {"x_kind", "x_capacity", "x_screen"}


async def test_the_admin_gets_every_key_of_rooms_yaml(controller: Controller) -> None:
    file = yaml.safe_load(SAMPLE_ROOMS.read_text())
    written = {site["id"]: set(site) for site in file["sites"]}
    full = (await controller.api.get("/api/sites", token=ADMIN)).body
    assert {site["id"]: set(site) >= written[site["id"]] for site in full} == {
        site_id: True for site_id in written
    }
    assert any(set(site) >= STAFF_ONLY for site in full)
