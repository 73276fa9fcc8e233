"""One JSON error shape for every HTTP error: ``{"error": {"code", "message", "details"?}}``."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from simulcast.errors import RateLimitedError, SimulcastError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    404: ("not_found", "no such URL: {method} {path} (see /api/openapi.json)"),
    405: ("method_not_allowed", "{method} is not allowed on {path}"),
    413: ("payload_too_large", "the request body is too large (16 KiB at most)"),
}


def error_response(error: SimulcastError) -> web.Response:
    headers = {}
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    return web.json_response(error.to_dict(), status=error.status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SimulcastError as error:
        return error_response(error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, template = _HTTP_CODES.get(exc.status, ("http_error", "{reason}"))
        message = template.format(method=request.method, path=request.path, reason=exc.reason)
        return web.json_response({"error": {"code": code, "message": message}}, status=exc.status)
    except json.JSONDecodeError as exc:
        return web.json_response(
            {"error": {"code": "invalid_json", "message": f"the body is not valid JSON: {exc}"}},
            status=400,
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(
            {"error": {"code": "internal_error", "message": "internal error (see server log)"}},
            status=500,
        )
