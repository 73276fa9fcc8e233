"""Errors of the Jitsi integration, as a branch of simulcast's tree (simulcast.errors)::

    SimulcastError
    └── JitsiError            502  jitsi_bad_reply    Prosody answered something unusable
        │                          jitsi_forbidden    (403: room-size tokens are required)
        └── JitsiUnavailable  503  jitsi_unavailable  no answer in time, refused, or 5xx

The poller catches ``JitsiError`` (both); the console shows ``message``.
"""

from __future__ import annotations

from simulcast.errors import SimulcastError


class JitsiError(SimulcastError):
    """Prosody answered, but not as its documented protocol says."""

    status = 502
    code = "jitsi_bad_reply"


class JitsiUnavailable(JitsiError):
    """Prosody could not be reached, did not answer in time, or failed (5xx)."""

    status = 503
    code = "jitsi_unavailable"
