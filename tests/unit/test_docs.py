"""Every socket.io event, REST route, setting and CLI command is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click

from benchmarks.load.command import bench
from simulcast.cli import main
from simulcast.config import Settings
from simulcast.models.events import EVENT_TYPES
from simulcast.realtime import namespaces
from simulcast.web import protocol_tables
from simulcast.web.routes import ROUTED

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROTOCOL = (DOCS / "protocol.md").read_text()
OPERATIONS = (DOCS / "operations.md").read_text()


def _handlers() -> set[str]:
    names = {action.event for action in ROUTED if action.event is not None}
    for _, cls in inspect.getmembers(namespaces, inspect.isclass):
        if issubclass(cls, namespaces._Namespace):
            names |= {
                name.removeprefix("on_")
                for name, _ in inspect.getmembers(cls, inspect.isfunction)
                if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
            }
    return names


def test_every_socketio_event_is_in_the_protocol() -> None:
    emitted = {*EVENT_TYPES, "snapshot", "console_update"}
    missing = sorted(name for name in emitted | _handlers() if f"`{name}`" not in PROTOCOL)
    assert missing == []


def test_every_rest_route_is_in_the_protocol() -> None:
    routes = [f"`{method} {path}`" for method, path in (a.rest for a in ROUTED if a.rest)]
    assert [route for route in [*routes, "`GET /api/openapi.json`"] if route not in PROTOCOL] == []


def test_the_protocol_tables_are_made_from_the_action_table() -> None:
    """Run `python -m simulcast.web.protocol_tables` after changing an action."""
    assert protocol_tables.render(PROTOCOL) == PROTOCOL


def test_every_setting_is_in_the_operations_guide() -> None:
    names = [f"SIMULCAST_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in names if name not in OPERATIONS] == []


def _commands(group: click.Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_cli_command_and_flag_is_in_the_operations_guide() -> None:
    missing = [command for command in _commands(main, "simulcast") if command not in OPERATIONS]
    # `simulcast bench` hands its arguments to the load generator's own command.
    commands = [*main.commands.values(), bench]
    flags = {
        option
        for command in commands
        if not isinstance(command, click.Group)
        for param in command.params
        for option in param.opts
        if option.startswith("--")
    }
    missing += sorted(flag for flag in flags if not re.search(rf"`{flag}\b", OPERATIONS))
    assert missing == []
