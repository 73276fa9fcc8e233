"""The exception tree of simulcast.

Every error a user can meet carries a stable ``code`` (snake_case, for programs and
translations) and a ``message`` that says what is wrong and how to fix it::

    SimulcastError                      code, message, status (HTTP), details
    ├── StartupError                    bad settings or files at start-up: one line, exit 1
    │   └── RoomsFileError              rooms.yaml: names the file, line, key, what is expected
    ├── InputError            400/413   a request body, socket.io payload or flag is malformed
    ├── AuthError             401       missing or unknown token / join code
    ├── ForbiddenError        403       a valid token that may not do this (another room's)
    ├── NotFoundError         404       no such session, help request, site, …
    ├── ConflictError         409       an illegal transition (resolving a cancelled request, …)
    ├── RateLimitedError      429       too many wrong join codes, or connections, from one address
    ├── StoreError            503       the event store could not commit; nothing was acknowledged
    ├── ObsError              502       OBS (integrations/obs/errors.py): unavailable, refused the
    │                                   password, a request failed (its code and comment), the
    │                                   stream did not start
    ├── IngestError           502/503   the ingest's playlist (integrations/ingest/errors.py)
    └── JitsiError            502/503   Prosody's room-size (integrations/jitsi/errors.py)
"""

from __future__ import annotations

from typing import Any


class SimulcastError(Exception):
    """Base of every error simulcast reports to a user."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        """The one error shape of the REST API and of socket.io acknowledgements."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class StartupError(SimulcastError):
    """A setting or file is wrong at start-up; shown as one line, then exit 1."""

    code = "startup_error"


class RoomsFileError(StartupError):
    """rooms.yaml is invalid. The message names the file, the line, the key and the fix."""

    code = "rooms_file_invalid"


class InputError(SimulcastError):
    status = 400
    code = "invalid_input"


class PayloadTooLargeError(InputError):
    status = 413
    code = "payload_too_large"


class AuthError(SimulcastError):
    status = 401
    code = "unauthorized"


class ForbiddenError(SimulcastError):
    status = 403
    code = "forbidden"


class NotFoundError(SimulcastError):
    status = 404
    code = "not_found"


class ConflictError(SimulcastError):
    status = 409
    code = "conflict"


class RateLimitedError(SimulcastError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class StoreError(SimulcastError):
    status = 503
    code = "store_unavailable"
