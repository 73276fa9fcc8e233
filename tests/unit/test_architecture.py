"""Layers (docs/decisions/0001-layers.md): a lower layer never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "simulcast"

LAYERS = {
    "errors": 0,
    "models": 1,
    "config": 1,
    "registry": 2,
    "domain": 2,
    "store": 3,
    "integrations": 3,
    "engine": 4,
    "realtime": 5,
    "web": 6,
    "cli": 7,
    "bench": 7,
    "__main__": 8,
    "__init__": 0,
}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def _modules() -> list[tuple[str, Path]]:
    return [
        (".".join(("simulcast", *path.relative_to(PACKAGE).with_suffix("").parts)), path)
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for module, path in _modules():
        own = _layer(module.removesuffix(".__init__") if module != "simulcast.__init__" else module)
        for imported in _imports(path):
            if imported.startswith("simulcast.") and _layer(imported) > own:
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_the_socketio_wire_protocol_is_only_in_realtime() -> None:
    """python-socketio is the tests' reference client, not a dependency of the controller:
    the server side of the protocol is realtime/engineio.py and realtime/sio.py (decision
    0007), used by nothing outside realtime/ but the aiohttp wiring."""
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        for name in _imports(path)
        if name.split(".")[0] in ("socketio", "engineio")
        or (
            name.startswith(("simulcast.realtime.engineio", "simulcast.realtime.sio"))
            and not module.startswith("simulcast.realtime")
        )
    ]
    assert offenders == []


def test_every_top_level_module_has_a_layer() -> None:
    names = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert names - set(LAYERS) == set()
