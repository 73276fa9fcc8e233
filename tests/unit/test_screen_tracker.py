from __future__ import annotations

from simulcast.engine.broadcast.screens import ScreenTracker


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_room_is_alive_while_one_of_its_screens_beats() -> None:
    ticks = Ticks()
    tracker = ScreenTracker(ticks, timeout_s=15)
    room = ("s1", "cs-a")
    assert tracker.connected(room, "sid1") is True
    assert tracker.connected(room, "sid2") is False  # a second tab: still one screen online
    assert tracker.disconnected(room, "sid1") is False
    ticks.now += 10
    tracker.beat(room)
    ticks.now += 10
    assert tracker.silent() == []
    ticks.now += 6
    assert tracker.silent() == [room]
    assert tracker.silent() == []  # reported once
    assert tracker.beat(room) is True  # it speaks again: back online
    assert tracker.disconnected(room, "sid2") is True
    assert tracker.alive(room) is False
