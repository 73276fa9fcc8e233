"""rooms.yaml → a validated, frozen registry of the territory's sites.

The file is a mapping::

    territoire:            # optional
      nom: Métropole Européenne de Lille
      region: Hauts-de-France   # optional
    sites:                 # at least one, and at least one with x_kind: studio
      - id: studio-lille-sud
        ...                # the keys of simulcast.models.site.Site

Every problem found is reported at once in one :class:`RoomsFileError`, one complete line
each: ``rooms.yaml:42: site "cs-lille-sud", key "x_kind": got "centre-social", expected …``.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from simulcast.errors import RoomsFileError
from simulcast.models.site import SITE_KINDS, Site, SiteKind, Territory

Loc = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_MAX_LISTED = 12
_KIND_LABELS: Mapping[SiteKind, tuple[str, str]] = {
    "studio": ("studio", "studios"),
    "cyberespace": ("cyberespace", "cyberespaces"),
    "centre_social": ("centre social", "centres sociaux"),
    "tiers_lieu": ("tiers-lieu", "tiers-lieux"),
    "mediatheque": ("médiathèque", "médiathèques"),
}


@dataclass(frozen=True)
class Registry:
    """The sites of a territory, in file order, keyed by id.

    Iterating yields the sites; ``in`` accepts a site id.
    """

    sites: Mapping[str, Site]
    territory: Territory | None = None

    def get(self, site_id: str) -> Site | None:
        return self.sites.get(site_id)

    def studios(self) -> tuple[Site, ...]:
        """The sites the lead mediator can broadcast from (at least one)."""
        return tuple(site for site in self if site.is_studio)

    def partner_rooms(self) -> tuple[Site, ...]:
        """The sites that receive the broadcast."""
        return tuple(site for site in self if not site.is_studio)

    def __len__(self) -> int:
        return len(self.sites)

    def __iter__(self) -> Iterator[Site]:
        return iter(self.sites.values())

    def __contains__(self, site_id: object) -> bool:
        return site_id in self.sites


class _RoomsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    territoire: Territory | None = None
    sites: tuple[Site, ...] = Field(min_length=1)


@dataclass(frozen=True)
class _Problem:
    loc: Loc
    text: str


@dataclass
class _Document:
    """Plain Python data with the line of every mapping key and list item, by location."""

    data: object
    lines: dict[Loc, int]
    problems: list[_Problem]

    def line_of(self, loc: Loc) -> int:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1


def load_registry(path: Path) -> Registry:
    """Read and validate ``path``; raise :class:`RoomsFileError` listing every problem."""
    document = _parse(path, _read(path))
    problems = list(document.problems)
    rooms: _RoomsFile | None = None
    try:
        rooms = _RoomsFile.model_validate(document.data)
    except ValidationError as error:
        problems += _validation_problems(error)
    problems += _duplicate_ids(document)
    if rooms is not None and not any(site.is_studio for site in rooms.sites):
        problems.append(
            _Problem(("sites",), "no site has x_kind studio; expected at least one studio")
        )
    if problems or rooms is None:
        raise _rooms_error(path, document, problems)
    sites = MappingProxyType({site.id: site for site in rooms.sites})
    return Registry(sites=sites, territory=rooms.territoire)


def summarise(registry: Registry) -> str:
    """A plain-text overview for ``simulcast rooms check``: territory, counts, one line a site."""
    territory = registry.territory
    if territory is None:
        heading = "Territoire : (non renseigné)"
    elif territory.region is None:
        heading = f"Territoire : {territory.nom}"
    else:
        heading = f"Territoire : {territory.nom} ({territory.region})"
    counts = Counter(site.x_kind for site in registry)
    per_kind = ", ".join(_count(counts[kind], kind) for kind in SITE_KINDS if counts[kind])
    capacities = [site.x_capacity for site in registry if site.x_capacity is not None]
    capacity = f"Capacité totale : {sum(capacities)} places"
    if len(capacities) < len(registry):
        capacity += f" (non renseignée pour {len(registry) - len(capacities)} site(s))"
    rows = [
        (
            site.id,
            site.nom,
            site.commune,
            _KIND_LABELS[site.x_kind][0],
            "—" if site.x_capacity is None else str(site.x_capacity),
        )
        for site in registry
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    table = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4].rjust(3)
        for row in rows
    ]
    return "\n".join([heading, f"{len(registry)} sites : {per_kind}", capacity, "", *table])


def _count(count: int, kind: SiteKind) -> str:
    singular, plural = _KIND_LABELS[kind]
    return f"{count} {singular if count == 1 else plural}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RoomsFileError(
            f"{path}: no such file; expected the sites registry (rooms.yaml)"
        ) from None
    except UnicodeDecodeError as error:
        raise RoomsFileError(f"{path}: not UTF-8 text ({error.reason}); save it as UTF-8") from None
    except OSError as error:
        raise RoomsFileError(f"{path}: cannot read the file ({error.strerror})") from None


def _parse(path: Path, text: str) -> _Document:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        document = _Document(data=None, lines={}, problems=[])
        if node is not None:
            document.data = _build(loader, node, (), document, frozenset())
        return document
    except yaml.MarkedYAMLError as error:
        raise RoomsFileError(_yaml_message(path, error)) from None
    finally:
        loader.dispose()


def _yaml_message(path: Path, error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    problem = error.problem or "cannot read this"
    text = f"{where}: invalid YAML: "
    if error.context and error.context_mark is not None and error.context_mark != mark:
        text += f"{error.context} from line {error.context_mark.line + 1}, "
    text += problem
    if mark is not None:
        text += f" (column {mark.column + 1})"
    if "\\t" in problem or "\t" in problem:
        text += "; indent with spaces, not tabs"
    return text


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    document: _Document,
    ancestors: frozenset[int],
) -> object:
    """Turn ``node`` into plain data, noting lines and duplicate keys in ``document``."""
    if id(node) in ancestors:
        raise yaml.MarkedYAMLError(
            problem="an alias refers to itself", problem_mark=node.start_mark
        )
    ancestors = ancestors | {id(node)}
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node)
    if node.tag not in _PLAIN_TAGS:
        raise yaml.MarkedYAMLError(
            problem=f'unsupported YAML tag "{node.tag}"', problem_mark=node.start_mark
        )
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            document.lines[(*loc, index)] = item.start_mark.line + 1
            items.append(_build(loader, item, (*loc, index), document, ancestors))
        return items
    assert isinstance(node, yaml.MappingNode)
    mapping: dict[str, object] = {}
    own_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            merged = _build(loader, value_node, loc, document, ancestors)
            for source in merged if isinstance(merged, list) else [merged]:
                if isinstance(source, dict):
                    mapping = {**source, **mapping}
            continue
        key = str(loader.construct_object(key_node))
        line = key_node.start_mark.line + 1
        if key in own_lines:
            document.problems.append(
                _Problem((*loc, key), f"given twice (lines {own_lines[key]} and {line}); keep one")
            )
        own_lines[key] = line
        document.lines[(*loc, key)] = line
        mapping[key] = _build(loader, value_node, (*loc, key), document, ancestors)
    return mapping


def _duplicate_ids(document: _Document) -> list[_Problem]:
    data = document.data
    sites = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(sites, list):
        return []
    first_line: dict[str, int] = {}
    problems = []
    for index, site in enumerate(sites):
        site_id = site.get("id") if isinstance(site, dict) else None
        if not isinstance(site_id, str):
            continue
        if site_id in first_line:
            text = f"already used by the site on line {first_line[site_id]}"
            problems.append(_Problem(("sites", index, "id"), text))
        else:
            first_line[site_id] = document.line_of(("sites", index))
    return problems


def _validation_problems(error: ValidationError) -> list[_Problem]:
    details = error.errors(include_url=False)
    problems: list[_Problem] = []
    missing: dict[Loc, list[str]] = {}
    for detail in details:
        loc = detail["loc"]
        if detail["type"] == "missing":
            missing.setdefault(loc[:-1], []).append(str(loc[-1]))
        elif detail["type"] == "too_short" and detail["input"]:
            continue
        else:
            problems.append(_Problem(loc, _describe(detail)))
    for parent, keys in missing.items():
        noun = "key" if len(keys) == 1 else "keys"
        quoted = ", ".join(f'"{key}"' for key in keys)
        problems.append(_Problem(parent, f"missing required {noun} {quoted}"))
    return problems


def _describe(detail: ErrorDetails) -> str:
    """What was wrong at one location, as "got …, expected …" where it can."""
    kind, value, loc = detail["type"], detail["input"], detail["loc"]
    got = f"got {_show(value)}"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "literal_error":
        return f"{got}, {_expected_one_of(_literal_values(loc), value)}"
    if kind == "value_error":
        message = str(detail.get("ctx", {}).get("error", detail["msg"]))
        return f"{got}, {message}" if message.startswith("expected") else message
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        return f'{got}, expected text: write it in quotes, "{value}"'
    if kind == "model_type" and not loc:
        return f'{got}, expected a mapping with the keys "territoire" and "sites"'
    if kind == "too_short":
        return f"{got}, expected at least one {'site' if loc == ('sites',) else 'item'}"
    if kind == "tuple_type":
        advice = ", or remove the key" if value is None and not _field(loc).is_required() else ""
        return f'{got}, expected a list (one "- item" per line){advice}'
    if kind == "string_too_long":
        limit = detail.get("ctx", {}).get("max_length")
        return f"got {len(value)} characters, expected at most {limit}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = detail.get("ctx", {})
        if "ge" in bound:
            return f"{got}, expected at least {bound['ge']}"
        return f"{got}, expected at most {bound['le']}"
    if kind in _EXPECTED:
        return f"{got}, expected {_EXPECTED[kind]}"
    return f"{got}: {detail['msg']}"


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "model_type": 'a mapping ("key: value" lines)',
}


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = json.dumps(value if len(value) <= 60 else value[:59] + "…", ensure_ascii=False)
        return "an empty text" if not value else shown
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _expected_one_of(values: tuple[str, ...], value: object) -> str:
    if len(values) <= _MAX_LISTED:
        return "expected one of " + ", ".join(values)
    close = difflib.get_close_matches(str(value), values, n=1)
    if close:
        return f'expected one of {len(values)} codes; did you mean "{close[0]}"?'
    return f"expected one of {len(values)} codes, such as " + ", ".join(values[:8])


def _unknown_key(loc: Loc) -> str:
    owner = _owner(loc)
    key = str(loc[-1])
    known = list(owner.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f'unknown key; did you mean "{close[0]}"?'
    if owner is not Site:
        return "unknown key; expected one of " + ", ".join(known)
    if key.startswith("x_"):
        project_keys = (name for name in known if name.startswith("x_"))
        return "unknown project key; expected one of " + ", ".join(project_keys)
    return 'unknown key: not in the national schema (project keys start with "x_")'


def _owner(loc: Loc) -> type[BaseModel]:
    """The model whose key is the last string of ``loc``."""
    owner: type[BaseModel] = _RoomsFile
    names = [part for part in loc if isinstance(part, str)]
    for name in names[:-1]:
        nested = _find(owner.model_fields[name].annotation, _is_model)
        if nested is None:
            break
        owner = nested
    return owner


def _field(loc: Loc) -> FieldInfo:
    """The model field named by the last string of ``loc``."""
    name = next(part for part in reversed(loc) if isinstance(part, str))
    return _owner(loc).model_fields[name]


def _literal_values(loc: Loc) -> tuple[str, ...]:
    return get_args(_find(_field(loc).annotation, _is_literal))


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_literal(annotation: object) -> bool:
    return get_origin(annotation) is Literal


def _find(annotation: object, wanted: Callable[[object], bool]) -> Any:
    """The first type inside ``annotation`` (itself included) that is ``wanted``."""
    if wanted(annotation):
        return annotation
    for argument in get_args(annotation):
        found = _find(argument, wanted)
        if found is not None:
            return found
    return None


def _rooms_error(path: Path, document: _Document, problems: list[_Problem]) -> RoomsFileError:
    located = [
        (document.line_of(problem.loc), _where(problem.loc, document), problem)
        for problem in dict.fromkeys(problems)
    ]
    located.sort(key=lambda entry: entry[0])
    lines = [f"{path}:{line}: {where}{problem.text}" for line, where, problem in located]
    details = [
        {"line": line, "loc": list(problem.loc), "problem": problem.text}
        for line, _, problem in located
    ]
    return RoomsFileError("\n".join(lines), details=details)


def _where(loc: Loc, document: _Document) -> str:
    """``site "id", key "services", item 3: `` for a location; empty for the whole file."""
    parts: list[str] = []
    rest: Loc = loc
    if len(loc) >= 2 and loc[0] == "sites" and isinstance(loc[1], int):
        parts.append(_site_label(document.data, loc[1]))
        rest = loc[2:]
    parts += [f'key "{part}"' if isinstance(part, str) else f"item {part + 1}" for part in rest]
    return ", ".join(parts) + ": " if parts else ""


def _site_label(data: object, index: int) -> str:
    sites = data.get("sites") if isinstance(data, dict) else None
    site = sites[index] if isinstance(sites, list) and index < len(sites) else None
    site_id = site.get("id") if isinstance(site, dict) else None
    return f'site "{site_id}"' if isinstance(site_id, str) else f"site #{index + 1}"
