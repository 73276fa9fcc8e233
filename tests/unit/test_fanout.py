"""Every event says who hears it (realtime/fanout.py routes by that alone)."""

from __future__ import annotations

from typing import get_args

import pytest

from simulcast.models.events import Audience, _Event


@pytest.mark.parametrize("event", _Event.__subclasses__(), ids=lambda cls: cls.__name__)
def test_every_event_declares_its_audience(event: type[_Event]) -> None:
    assert event.audience in get_args(Audience)
