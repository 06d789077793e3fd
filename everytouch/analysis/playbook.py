"""Playbooks: YAML files of checks, validated with errors that name the line.

Schema (documented in docs/analysis.md)::

    version: 1                 # optional, must be 1
    name: Default playbook     # optional
    checks:
      - id: asked_phone        # [a-z0-9_]+, unique
        title: Asked for a phone number
        weight: 1              # > 0
        applies_when: buying_intent   # a condition or a list of conditions (all must hold)
        rule: {name: asked_detail, detail: phone}   # a rule name, or name + parameters
        tip: Ask for the best number to call back on.

Rules and conditions are looked up by name in ``RULES`` and ``CONDITIONS``, the rule library
in playbook_rules.py; this module reads and validates the YAML that names them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from everytouch.analysis.playbook_rules import CONDITIONS, RULES, Param

_CHECK_KEYS = frozenset({"id", "title", "weight", "applies_when", "rule", "tip"})
_TOP_KEYS = frozenset({"version", "name", "checks"})
_ID = re.compile(r"[a-z0-9_]{1,64}")


class PlaybookError(ValueError):
    """An invalid playbook; the message starts with ``file:line:``."""


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    weight: float
    applies_when: tuple[str, ...]
    rule: str
    params: Mapping[str, Any]
    tip: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    checks: tuple[Check, ...]
    source: str = ""


class _Reader:
    """Walks the composed YAML node tree so every error can name its line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, node: yaml.Node | None, message: str) -> PlaybookError:
        line = node.start_mark.line + 1 if node is not None else 1
        return PlaybookError(f"{self.source}:{line}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = self.scalar(key, f"a key in {what}")
            if name in out:
                raise self.error(key, f"duplicate key {name!r} in {what}")
            out[name] = (key, value)
        return out

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a plain value")
        return str(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what).strip()
        if not value or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, f"{what} must be non-empty text")
        return value

    def number(self, node: yaml.Node, what: str, integer: bool = False) -> float:
        raw = self.scalar(node, what)
        tags = {"tag:yaml.org,2002:int"} | (set() if integer else {"tag:yaml.org,2002:float"})
        if node.tag not in tags:
            raise self.error(node, f"{what} must be {'an integer' if integer else 'a number'}")
        try:
            return float(int(raw.replace("_", ""), 0)) if integer else float(raw)
        except ValueError as exc:
            raise self.error(node, f"{what}: cannot read {raw!r}") from exc

    def text_list(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list of text")
        return tuple(self.text(item, what) for item in node.value)


def _compose(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PlaybookError(f"{source}:{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{source}:1: not valid YAML: {exc}") from exc
    if node is None:
        raise PlaybookError(f"{source}:1: the playbook is empty")
    return node


def parse_playbook(text: str, source: str = "<playbook>") -> Playbook:
    """Validate a playbook's YAML text and build it, or raise PlaybookError naming the line."""
    reader = _Reader(source)
    top = reader.mapping(_compose(text, source), "the playbook")
    for key, (key_node, _) in top.items():
        if key not in _TOP_KEYS:
            raise reader.error(key_node, f"unknown key {key!r} (expected {sorted(_TOP_KEYS)})")
    if "version" in top and reader.number(top["version"][1], "version", True) != 1:
        raise reader.error(top["version"][1], "version must be 1")
    name = reader.text(top["name"][1], "name") if "name" in top else Path(source).stem
    if "checks" not in top:
        raise reader.error(None, "the playbook has no 'checks' list")
    checks_node = top["checks"][1]
    if not isinstance(checks_node, yaml.SequenceNode) or not checks_node.value:
        raise reader.error(checks_node, "'checks' must be a non-empty list")
    checks = tuple(_check(reader, node) for node in checks_node.value)
    _unique_ids(reader, checks_node, checks)
    return Playbook(name, checks, source)


def _unique_ids(reader: _Reader, node: yaml.SequenceNode, checks: tuple[Check, ...]) -> None:
    seen: set[str] = set()
    for item, check in zip(node.value, checks, strict=True):
        if check.id in seen:
            raise reader.error(item, f"duplicate check id {check.id!r}")
        seen.add(check.id)


def _check(reader: _Reader, node: yaml.Node) -> Check:
    fields = reader.mapping(node, "a check")
    for key, (key_node, _) in fields.items():
        if key not in _CHECK_KEYS:
            raise reader.error(key_node, f"unknown key {key!r} in a check")
    for required in ("id", "rule"):
        if required not in fields:
            raise reader.error(node, f"a check needs {required!r}")
    check_id = reader.text(fields["id"][1], "id")
    if not _ID.fullmatch(check_id):
        raise reader.error(fields["id"][1], f"id {check_id!r}: use a-z, 0-9 and _")
    label = f"check {check_id!r}"
    rule, params = _rule(reader, fields["rule"][1], label)
    return Check(
        id=check_id,
        title=reader.text(fields["title"][1], f"{label}: title") if "title" in fields else check_id,
        weight=_weight(reader, fields, label),
        applies_when=_conditions(reader, fields, label),
        rule=rule,
        params=params,
        tip=reader.text(fields["tip"][1], f"{label}: tip") if "tip" in fields else "",
        line=node.start_mark.line + 1,
    )


def _weight(
    reader: _Reader, fields: Mapping[str, tuple[yaml.Node, yaml.Node]], label: str
) -> float:
    if "weight" not in fields:
        return 1.0
    weight = reader.number(fields["weight"][1], f"{label}: weight")
    if not 0 < weight <= 1000:
        raise reader.error(fields["weight"][1], f"{label}: weight must be > 0 and <= 1000")
    return weight


def _conditions(
    reader: _Reader, fields: Mapping[str, tuple[yaml.Node, yaml.Node]], label: str
) -> tuple[str, ...]:
    if "applies_when" not in fields:
        return ("always",)
    node = fields["applies_when"][1]
    names = reader.text_list(node, f"{label}: applies_when")
    for name in names:
        if name not in CONDITIONS:
            raise reader.error(
                node, f"{label}: unknown condition {name!r} (known: {', '.join(CONDITIONS)})"
            )
    return names


def _rule(reader: _Reader, node: yaml.Node, label: str) -> tuple[str, dict[str, Any]]:
    if isinstance(node, yaml.ScalarNode):
        name, given = reader.text(node, f"{label}: rule"), {}
    else:
        given = reader.mapping(node, f"{label}: rule")
        if "name" not in given:
            raise reader.error(node, f"{label}: a rule mapping needs 'name'")
        name = reader.text(given.pop("name")[1], f"{label}: rule name")
    spec = RULES.get(name)
    if spec is None:
        raise reader.error(node, f"{label}: unknown rule {name!r} (known: {', '.join(RULES)})")
    params: dict[str, Any] = {}
    for key, (key_node, value) in given.items():
        if key not in spec.params:
            known = ", ".join(spec.params) or "none"
            message = f"{label}: rule {name!r} has no parameter {key!r} (parameters: {known})"
            raise reader.error(key_node, message)
        params[key] = _param(reader, value, spec.params[key], f"{label}: {key}")
    for key, param in spec.params.items():
        if key not in params:
            if param.default is None:
                raise reader.error(node, f"{label}: rule {name!r} needs parameter {key!r}")
            params[key] = param.default
    return name, params


def _param(reader: _Reader, node: yaml.Node, param: Param, what: str) -> Any:
    if param.kind == "int":
        number = int(reader.number(node, what, integer=True))
        if number < 0:
            raise reader.error(node, f"{what} must be 0 or more")
        return number
    values = (
        reader.text_list(node, what) if param.kind == "str_list" else (reader.text(node, what),)
    )
    allowed = set(param.choices)
    for value in values:
        if allowed and not set(value.split("|")) <= allowed:
            raise reader.error(node, f"{what}: {value!r} is not one of {', '.join(param.choices)}")
    return values if param.kind == "str_list" else values[0]


def load_playbook(path: Path | str) -> Playbook:
    """Read and validate a playbook file; PlaybookError names the file and line on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{path}: cannot read the playbook: {exc}") from exc
    return parse_playbook(text, str(path))


_DEFAULT: Playbook | None = None


def default_playbook() -> Playbook:
    """The playbook shipped in everytouch/analysis/data/default_playbook.yaml (parsed once)."""
    global _DEFAULT
    if _DEFAULT is None:
        data = resources.files("everytouch.analysis").joinpath("data/default_playbook.yaml")
        _DEFAULT = parse_playbook(data.read_text(encoding="utf-8"), "default_playbook.yaml")
    return _DEFAULT
