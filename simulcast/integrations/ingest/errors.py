"""Errors of the ingest integration, as a branch of simulcast's tree (simulcast.errors)::

    SimulcastError
    └── IngestError           502  ingest_bad_reply  a playlist or /stat page we cannot use
        └── IngestNotLive     503  ingest_not_live   no playlist, ended, or not advancing

``IngestNotLive.reason`` is the message, e.g. ``no playlist at <url>: 404``.
"""

from __future__ import annotations

from simulcast.errors import SimulcastError


class IngestError(SimulcastError):
    """The ingest answered something that is not a valid HLS playlist or /stat document."""

    status = 502
    code = "ingest_bad_reply"


class IngestNotLive(IngestError):
    """The stream is not live at the ingest; ``reason`` says what was seen."""

    status = 503
    code = "ingest_not_live"

    @property
    def reason(self) -> str:
        return self.message
