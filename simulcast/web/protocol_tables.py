"""docs/protocol.md's tables of routes and socket.io actions, made from the action table.

``python -m simulcast.web.protocol_tables`` rewrites them in place (between the
``<!-- actions:rest -->`` and ``<!-- actions:socket -->`` markers); a test fails when the
file and the table disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel

from simulcast.engine.actions import Action
from simulcast.engine.actions.base import NAMESPACES
from simulcast.web.routes import CONTEXT_PARAMS, ROUTED

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"

_AUTH = {
    "admin": "admin",
    "facilitator": "facilitator",
    "screen": "screen",
    "resident": "resident",
    "guest": "join code",
}


def _fields(model: type[BaseModel] | None, leave_out: set[str]) -> str:
    if model is None:
        return "—"
    names = [
        name + ("" if field.is_required() else "?")
        for name, field in model.model_fields.items()
        if name not in leave_out
    ]
    return "`{" + ", ".join(names) + "}`" if names else "—"


def _who(action: Action) -> str:
    return " or ".join(_AUTH[role] for role in action.roles) or "—"


def rest_table(actions: tuple[Action, ...] = ROUTED) -> str:
    rows = [
        "| route | who | body | what |",
        "|---|---|---|---|",
        "| `GET /api/openapi.json` | — | — | This API, as OpenAPI 3.1 |",
    ]
    for action in actions:
        if action.rest is None:
            continue
        method, path = action.rest
        in_path = set(re.findall(r"{(\w+)}", path)) - CONTEXT_PARAMS
        body = _fields(action.body, in_path)
        if action.optional_body and body != "—":
            body += " (optional)"
        rows.append(f"| `{method} {path}` | {_who(action)} | {body} | {action.summary} |")
    return "\n".join(rows)


def socket_table(actions: tuple[Action, ...] = ROUTED) -> str:
    rows = ["| namespace | event | who | payload | what |", "|---|---|---|---|---|"]
    for action in actions:
        for namespace in action.namespaces:
            roles = [r for r in action.roles if NAMESPACES.get(r) == namespace]
            who = " or ".join(_AUTH[role] for role in roles)
            payload = _fields(action.body, set())
            rows.append(
                f"| `{namespace}` | `{action.event}` | {who} | {payload} | {action.summary} |"
            )
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` (protocol.md) with both tables made anew."""
    for marker, table in (("rest", rest_table()), ("socket", socket_table())):
        start, end = f"<!-- actions:{marker} -->", f"<!-- /actions:{marker} -->"
        before, found, rest = text.partition(start)
        _, found_end, after = rest.partition(end)
        if not found or not found_end:
            raise SystemExit(f"{PROTOCOL}: the markers {start} … {end} are missing")
        text = f"{before}{start}\n{table}\n{end}{after}"
    return text


if __name__ == "__main__":
    PROTOCOL.write_text(render(PROTOCOL.read_text()))
    sys.stdout.write(f"rewrote the action tables of {PROTOCOL}\n")
