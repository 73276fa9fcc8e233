"""What can go wrong when simulcast drives OBS; every error is a 502 for the API::

SimulcastError
└── ObsError                 obs_error           OBS sent something simulcast cannot use
    ├── ObsUnavailable       obs_unavailable     no identified session: refused, timed out, lost
    │   └── ObsAuthFailed    obs_auth_failed     OBS refused the password (retrying won't help)
    ├── ObsRequestFailed     obs_request_failed  OBS answered a request with a failure status
    └── ObsStreamFailed      obs_stream_failed   the stream did not start or stop as asked
"""

from __future__ import annotations

from simulcast.errors import SimulcastError


class ObsError(SimulcastError):
    """OBS failed us; also raised for a reply that lacks a field the protocol promises."""

    status = 502
    code = "obs_error"


class ObsUnavailable(ObsError):
    """There is no identified obs-websocket session, or it ended while we waited."""

    code = "obs_unavailable"


class ObsAuthFailed(ObsUnavailable):
    """OBS closed the session because the password is wrong or missing."""

    code = "obs_auth_failed"


_STATUS_MEANINGS = {
    204: "unknown request type",
    207: "OBS is not ready yet",
    300: "a required field is missing",
    400: "a field has an invalid value",
    500: "the output is running",
    501: "the output is not running",
    600: "no such resource",
    604: "the resource is in the wrong state",
    702: "OBS could not process it",
}
"""obs-websocket RequestStatus codes, for replies that come without a comment."""


class ObsRequestFailed(ObsError):
    """OBS answered ``request_type`` with a failed ``requestStatus`` (``obs_code``, ``comment``)."""

    code = "obs_request_failed"

    def __init__(self, request_type: str, obs_code: int, comment: str | None) -> None:
        reason = comment or _STATUS_MEANINGS.get(obs_code, "no reason given")
        super().__init__(
            f"OBS refused {request_type}: {reason} (code {obs_code})",
            details=[{"request": request_type, "obs_code": obs_code, "comment": comment}],
        )
        self.request_type = request_type
        self.obs_code = obs_code
        self.comment = comment


class ObsStreamFailed(ObsError):
    """OBS accepted StartStream or StopStream, but its output did not get there."""

    code = "obs_stream_failed"
