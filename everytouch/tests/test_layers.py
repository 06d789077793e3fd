"""Imports run one way: down the layers, never up and never sideways between apps.

The layer list is the one in docs/architecture.md. A lower app that must react to something a
higher one does offers a small registry (``ownership``, ``sweeps``, ``interaction_logged``,
``lead_won``) that the higher app fills in its ``ready()``. Every import counts, including
the ones inside functions, so a late import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]

# Lowest first. A module may import its own unit and any unit in a lower layer.
LAYERS: list[set[str]] = [
    {"hooks", "spreadsheet", "bounds"},
    {"analysis"},
    {"env", "business_time", "sweeps", "cli_base", "ops", "redaction", "prepared"},
    {"outbox"},
    {"accounts"},
    {"customers"},
    {"interactions"},
    {"staff"},
    {"leads"},
    {"followups"},
    {"quality"},
    {"search", "privacy"},
]
# The faces a person or machine talks to; they may import any domain module.
TOP = {"api", "urls", "cli", "demo", "settings", "wsgi", "asgi", "middleware"}
# An app's own face modules (web, API, CLI, admin): they may import domain modules of any app,
# but never another app's face, and no domain module may import a face.
FACE_NAMES = (
    "views",
    "api",
    "urls",
    "forms",
    "cli",
    "admin",
    "templatetags",
    "management",
    "__main__",
)


# Modules at the package root that belong to an app's unit: every app with an owner registers in
# ``ownership``, but following successors reads staff's departures, so it is part of staff.
PART_OF = {"ownership": "staff"}


def _rank(unit: str) -> int:
    for rank, units in enumerate(LAYERS):
        if unit in units:
            return rank
    raise AssertionError(f"everytouch.{unit} is in no layer: add it to LAYERS and the docs")


def _unit_and_face(module: str) -> tuple[str, bool]:
    """('leads', True) for everytouch.leads.views_webhooks; faces are views*, api*, forms*, ..."""
    parts = module.split(".")[1:]
    unit = PART_OF.get(parts[0], parts[0]) if parts else ""
    rest = parts[1:]
    face = unit in TOP or any(p.startswith(FACE_NAMES) for p in rest)
    return unit, face


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if {"tests", "migrations", "testing"} & set(rel.parts):
            continue
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        yield name, path


def _imports(module: str, path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield from (_module_of(base, alias.name) for alias in node.names)


def _module_of(base: str, name: str) -> str:
    """`from everytouch import ownership` names a module; `from x.y import clip` a function."""
    candidate = PACKAGE.parent.joinpath(*f"{base}.{name}".split("."))
    if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
        return f"{base}.{name}"
    return base


def _verdict(importer: str, imported: str) -> str | None:
    """Why this import breaks the layers, or None if it is allowed."""
    src_unit, src_face = _unit_and_face(importer)
    dst_unit, dst_face = _unit_and_face(imported)
    if src_unit == dst_unit and (src_face or not dst_face):
        return None
    if src_unit in TOP:
        return None
    if dst_face:
        return "imports a face (views, api, forms, cli, ...) of another part"
    if src_face:
        return None
    if _rank(dst_unit) < _rank(src_unit):
        return None
    return "imports a part in the same or a higher layer"


def _violations() -> list[str]:
    found = []
    for module, path in _modules():
        for imported in _imports(module, path):
            if not imported.startswith("everytouch.") or imported == "everytouch.":
                continue
            why = _verdict(module, imported)
            if why:
                found.append(f"{module} -> {imported}: {why}")
    return found


# Being cleared while the house is consolidated (issue 8); this set only ever shrinks.
def test_it_finds_no_import_against_the_layers() -> None:
    assert _violations() == []


def test_it_would_catch_an_upward_import() -> None:
    assert _verdict("everytouch.interactions.actions", "everytouch.leads.tasks")
    assert _verdict("everytouch.leads.actions", "everytouch.followups.actions")
    assert _verdict("everytouch.leads.api", "everytouch.customers.api")
    assert _verdict("everytouch.customers.models", "everytouch.customers.views")


def test_it_allows_downward_and_face_imports() -> None:
    assert _verdict("everytouch.followups.actions", "everytouch.leads.models") is None
    assert _verdict("everytouch.interactions.views", "everytouch.staff.directory.routing") is None
    assert _verdict("everytouch.cli", "everytouch.leads.cli") is None
    assert _verdict("everytouch.customers.views", "everytouch.customers.forms") is None


def test_it_places_every_part_in_a_layer() -> None:
    units = {_unit_and_face(module)[0] for module, _ in _modules()} - TOP - {""}
    for unit in units:
        _rank(unit)


# Inside staff (one app, one set of models), the directory is the base that messages and
# departures build on; those two never import each other. The root modules (models, tasks,
# notifications) serve all three.
STAFF_PARTS = {"directory": set(), "messages": {"directory"}, "departures": {"directory"}}


def test_the_staff_parts_import_only_the_directory() -> None:
    found = []
    for module, path in _modules():
        parts = module.split(".")
        if parts[:2] != ["everytouch", "staff"] or len(parts) < 3 or parts[2] not in STAFF_PARTS:
            continue
        allowed = STAFF_PARTS[parts[2]] | {parts[2]}
        for imported in _imports(module, path):
            other = [*imported.split("."), ""][:3]
            if other[:2] == ["everytouch", "staff"] and other[2] in set(STAFF_PARTS) - allowed:
                found.append(f"{module} -> {imported}")
    assert found == []
