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


def _benchmark_imports(
    tree: ast.AST, prefix: str = "", function: str = ""
) -> list[tuple[int, str]]:
    """Each import of the ``benchmarks`` package below ``tree``: its line, and the function
    it runs in (dotted, e.g. ``bench`` or ``Outer.method``), or ``""`` when it runs as the
    module is imported (module level, a class body, an ``if`` or ``try`` block)."""
    found = []
    for node in ast.iter_child_nodes(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        if any(name.partition(".")[0] == "benchmarks" for name in names):
            found.append((node.lineno, function))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += _benchmark_imports(node, f"{prefix}{node.name}.", prefix + node.name)
        elif isinstance(node, ast.Lambda):
            found += _benchmark_imports(node, prefix, prefix + "<lambda>")
        elif isinstance(node, ast.ClassDef):
            found += _benchmark_imports(node, f"{prefix}{node.name}.", function)
        else:
            found += _benchmark_imports(node, prefix, function)
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


def test_the_package_imports_benchmarks_only_in_the_bench_command() -> None:
    """The load generator (benchmarks/load) is in the source checkout, not in the wheel: a
    module of the package that imported it when imported would break the installed
    controller. The ``bench`` command's lazy import is the one allowed place."""
    found = [
        (module, where)
        for module, path in _modules()
        for _, where in _benchmark_imports(ast.parse(path.read_text()))
    ]
    assert found == [("simulcast.cli", "bench")]


def test_benchmark_imports_are_found_with_the_function_they_run_in() -> None:
    source = """
import benchmarks
import benchmarking, json
from benchmarks.load import runner
if TYPE_CHECKING:
    import benchmarks.load.stats as stats
try:
    x = importlib.import_module("benchmarks.load.wire")
except ImportError:
    pass
class Outer:
    from benchmarks import load
    def method(self):
        return [__import__("benchmarks") for _ in ()]
def command():
    from benchmarks.load.command import bench
    async def inner():
        from . import benchmarks
"""
    assert _benchmark_imports(ast.parse(source)) == [
        (2, ""),
        (4, ""),
        (6, ""),
        (8, ""),
        (12, ""),
        (14, "Outer.method"),
        (16, "command"),
    ]


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
