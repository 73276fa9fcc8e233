"""The OpenAPI 3.1 description of the REST API, built from the route table and the models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulcast import __version__
from simulcast.web.routes import ROUTED

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
    for action in ROUTED:
        if action.rest is None:
            continue
        method, path = action.rest
        operation: dict[str, Any] = {
            "summary": action.summary,
            "operationId": action.name,
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
        params = re.findall(r"{(\w+)}", path)
        if params:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in params
            ]
        security: list[dict[str, list[str]]] = [
            {role: []} for role in action.roles if role in _SECURITY
        ]
        if security:
            operation["security"] = [*security, {}] if "guest" in action.roles else security
        if action.body is not None:
            name = _body_schema(action.body, set(params), schemas)
            operation["requestBody"] = {
                "required": not action.optional_body,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                },
            }
        paths.setdefault(path, {})[method.lower()] = operation
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


def _body_schema(model: type[BaseModel], in_path: set[str], schemas: dict[str, Any]) -> str:
    """The body's schema in ``schemas``, without the fields the path gives; its name."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for sub_name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(sub_name, sub)
    name = model.__name__
    if in_path & set(schema.get("properties", {})):
        name = f"{name}Body"
        for field in in_path:
            schema["properties"].pop(field, None)
        schema["required"] = [f for f in schema.get("required", []) if f not in in_path]
        schema["title"] = name
    schemas.setdefault(name, schema)
    return name


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build_openapi())
