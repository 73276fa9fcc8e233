"""BitrateMeter: kbps from successive readings of a growing byte counter (OBS's outputBytes)."""

from __future__ import annotations


class BitrateMeter:
    """Turns (total bytes, monotonic seconds) samples into the bitrate between the last two.

    A counter that goes backwards means a new stream (OBS restarts outputBytes at 0): the
    meter starts over from that sample. Pure: the caller supplies the time.
    """

    def __init__(self) -> None:
        self._last: tuple[int, float] | None = None
        self.kbps: float | None = None
        """The latest bitrate, None until two samples of one stream were seen."""

    def sample(self, total_bytes: int, at: float) -> float | None:
        """Record a reading; return kbps (1000 bits/s) since the previous one, or None for
        the first reading, after a counter reset, or when ``at`` did not move forward."""
        if total_bytes < 0:
            raise ValueError(f"a byte counter cannot be negative: {total_bytes}")
        last = self._last
        if last is not None and at <= last[1]:
            return None
        self._last = (total_bytes, at)
        if last is None or total_bytes < last[0]:
            self.kbps = None
            return None
        self.kbps = (total_bytes - last[0]) * 8 / 1000 / (at - last[1])
        return self.kbps

    def reset(self) -> None:
        """Forget every sample (the stream stopped)."""
        self._last = None
        self.kbps = None
