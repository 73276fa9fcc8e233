"""The OpenAPI 3.1 description of the REST API, built from the route table and the models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from simulcast import __version__
from simulcast.web.routes import ROUTES

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}

_SECURITY = {
    "admin": "the admin token printed by `simulcast serve`",
    "facilitator": "a room's facilitator token (see /access)",
    "resident": "a resident token, given at check-in (optional where a join code suffices)",
}


def build_openapi() -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "operationId": route.handler.__name__
            if route.handler.__name__ != "handler"
            else re.sub(r"\W+", "_", f"{route.method}{route.path}").strip("_").lower(),
            "responses": {
                "200": {"description": "OK"},
                "default": {
                    "description": "any error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
        params = re.findall(r"{(\w+)}", route.path)
        if params:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in params
            ]
        if route.auth:
            operation["security"] = [{route.auth: []}]
        if route.body is not None:
            name = route.body.__name__
            schemas.setdefault(
                name, route.body.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            for sub_name, sub in schemas[name].pop("$defs", {}).items():
                schemas.setdefault(sub_name, sub)
            operation["requestBody"] = {
                "required": not route.body_optional,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                },
            }
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "simulcast",
            "version": __version__,
            "description": "REST API of the simulcast controller; see docs/protocol.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                name: {"type": "http", "scheme": "bearer", "description": text}
                for name, text in _SECURITY.items()
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build_openapi())
