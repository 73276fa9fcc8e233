"""Turn an untrusted payload into a model, or an InputError that says what to fix."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simulcast.errors import InputError

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], payload: Any) -> M:
    """Validate ``payload`` (a dict from JSON) against ``model``."""
    if not isinstance(payload, dict):
        raise InputError(
            f"expected a JSON object with the fields of {model.__name__}, "
            f"got {type(payload).__name__}",
            code="invalid_body",
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        details = [
            {
                "field": ".".join(str(part) for part in error["loc"]) or "(body)",
                "message": _message(error),
            }
            for error in exc.errors(include_url=False)
        ]
        summary = "; ".join(f"{item['field']}: {item['message']}" for item in details)
        raise InputError(f"invalid request: {summary}", details=details) from None


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check its spelling)"
    if error["type"] == "missing":
        return "required"
    return str(error["msg"]).removeprefix("Value error, ")
