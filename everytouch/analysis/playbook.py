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
        # A condition may take parameters too: {said: {phrases: [price], side: customer}}.
        tip: Ask for the best number to call back on.

Rules and conditions are looked up by name in ``RULES``, ``CONDITIONS`` and
``PARAM_CONDITIONS``, the rule library in playbook_rules.py; this module reads and validates
the YAML that names them, and prepares parameters once (phrase automata, trained models, whose
paths are relative to the playbook file's folder).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from everytouch.analysis.calibration import calibrated, measured, rule_key
from everytouch.analysis.phrases import phrase_words
from everytouch.analysis.playbook_rules import (
    CONDITIONS,
    PARAM_CONDITIONS,
    RULES,
    Condition,
    Param,
    ParamError,
    RuleFn,
    RuleSpec,
)
from everytouch.analysis.scorecard import CheckResult, RuleResult, Status

_CHECK_KEYS = frozenset({"id", "title", "weight", "applies_when", "rule", "tip"})
_TOP_KEYS = frozenset({"version", "name", "checks"})
CHECK_ID = re.compile(r"[a-z0-9_]{1,64}")
# At most this many evidence-less results kept per check (notes may hold counts).
PLAIN_RESULTS = 64


class PlaybookError(ValueError):
    """An invalid playbook; the message starts with ``file:line:``."""


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    weight: float
    conditions: tuple[Condition, ...]
    rule: str
    params: Mapping[str, Any]
    tip: str
    line: int = 0
    # The calibration table's key for this rule and parameters (None: keep the rule's own
    # confidence). It depends on nothing else, so it is worked out once here rather than for
    # every check of every conversation scored.
    calibration_key: str | None = field(init=False, repr=False, compare=False)
    # The result when a condition does not hold, likewise fixed by the check alone; frozen, so
    # every conversation it does not apply to shares the one object.
    not_applicable: CheckResult = field(init=False, repr=False, compare=False)
    # Results with no evidence, by status, confidence and note: a check has few of them (one
    # each on STAR), and two in three results are one, so conversations share the objects.
    _plain: dict[tuple[Status, float, str], CheckResult] = field(
        init=False, repr=False, compare=False
    )

    # The rule's function, and the calibration table's figures for this check by status: both
    # fixed by the check, so looked up once here rather than for every conversation scored.
    rule_fn: RuleFn = field(init=False, repr=False, compare=False)
    _measured: Mapping[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        defaults = {name: param.default for name, param in RULES[self.rule].params.items()}
        object.__setattr__(self, "calibration_key", rule_key(self.rule, self.params, defaults))
        object.__setattr__(self, "rule_fn", RULES[self.rule].fn)
        object.__setattr__(self, "_measured", measured(self.calibration_key))
        na = RuleResult("n/a", note="not applicable: " + ", ".join(self.applies_when))
        not_applicable = CheckResult(
            id=self.id,
            title=self.title,
            weight=self.weight,
            status=na.status,
            evidence=na.evidence,
            confidence=calibrated(self.calibration_key, na.status, na.confidence),
            tip=self.tip,
            note=na.note,
        )
        object.__setattr__(self, "not_applicable", not_applicable)
        object.__setattr__(self, "_plain", {})

    def result(self, rule_result: RuleResult) -> CheckResult:
        """This check's result for what its rule found, calibrated."""
        status, evidence, note = rule_result.status, rule_result.evidence, rule_result.note
        confidence = self._measured.get(status, rule_result.confidence)  # as calibrated()
        key = (status, confidence, note)
        if not evidence and key in self._plain:
            return self._plain[key]
        result = CheckResult(
            id=self.id,
            title=self.title,
            weight=self.weight,
            status=status,
            evidence=evidence,
            confidence=confidence,
            tip=self.tip,
            note=note,
        )
        if not evidence and len(self._plain) < PLAIN_RESULTS:
            self._plain[key] = result
        return result

    @property
    def applies_when(self) -> tuple[str, ...]:
        """The conditions as the scorecard names them ("buying_intent", "said(...)")."""
        return tuple(condition.label for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    checks: tuple[Check, ...]
    source: str = ""


class _Reader:
    """Walks the composed YAML node tree so every error can name its line."""

    def __init__(self, source: str, folder: Path) -> None:
        self.source = source
        self.folder = folder

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
        except (ValueError, OverflowError) as exc:  # OverflowError: too large for a float
            raise self.error(node, f"{what}: cannot read {_clip(raw)!r}") from exc

    def text_list(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, what),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list of text")
        return tuple(self.text(item, what) for item in node.value)


def _clip(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:37] + "..."


def _compose(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PlaybookError(f"{source}:{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{source}:1: not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise PlaybookError(f"{source}:1: not readable YAML: nested too deeply") from exc
    if node is None:
        raise PlaybookError(f"{source}:1: the playbook is empty")
    return node


def parse_playbook(
    text: str, source: str = "<playbook>", folder: Path | str | None = None
) -> Playbook:
    """Validate a playbook's YAML text and build it, or raise PlaybookError naming the line.

    Model paths in it are relative to ``folder`` (default: the folder of ``source``).
    """
    reader = _Reader(source, Path(folder) if folder is not None else Path(source).parent)
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
    if not CHECK_ID.fullmatch(check_id):
        raise reader.error(fields["id"][1], f"id {check_id!r}: use a-z, 0-9 and _")
    label = f"check {check_id!r}"
    rule, params = _rule(reader, fields["rule"][1], label)
    return Check(
        id=check_id,
        title=reader.text(fields["title"][1], f"{label}: title") if "title" in fields else check_id,
        weight=_weight(reader, fields, label),
        conditions=_conditions(reader, fields, label),
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
) -> tuple[Condition, ...]:
    if "applies_when" not in fields:
        return (Condition("always"),)
    node = fields["applies_when"][1]
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        raise reader.error(node, f"{label}: applies_when must name at least one condition")
    return tuple(c for item in items for c in _condition_item(reader, item, label))


def _condition_item(reader: _Reader, node: yaml.Node, label: str) -> list[Condition]:
    """A plain name (``buying_intent``) or a mapping of names to parameters (all must hold)."""
    what = f"{label}: applies_when"
    if isinstance(node, yaml.ScalarNode):
        return [_named_condition(reader, node, reader.text(node, what), label)]
    if not isinstance(node, yaml.MappingNode):
        raise reader.error(node, f"{what}: a condition is a name or {{name: {{parameters}}}}")
    out = []
    for name, (key_node, value) in reader.mapping(node, what).items():
        if name not in PARAM_CONDITIONS:
            raise reader.error(key_node, _no_params(name, label))
        given = reader.mapping(value, f"{label}: condition {name!r}")
        params = _params(reader, value, name, given, label, "condition")
        out.append(Condition(name, params))
    return out


def _named_condition(reader: _Reader, node: yaml.Node, name: str, label: str) -> Condition:
    if name in PARAM_CONDITIONS:
        first = next(iter(RULES[name].params))  # phrases, model: what it cannot do without
        example = f"{{{name}: {{{first}: ...}}}}"
        raise reader.error(node, f"{label}: condition {name!r} needs parameters: {example}")
    if name not in CONDITIONS:
        known = ", ".join([*CONDITIONS, *PARAM_CONDITIONS])
        raise reader.error(node, f"{label}: unknown condition {name!r} (known: {known})")
    return Condition(name)


def _no_params(name: str, label: str) -> str:
    if name in CONDITIONS:
        return f"{label}: condition {name!r} takes no parameters; write it as a plain name"
    known = ", ".join([*CONDITIONS, *PARAM_CONDITIONS])
    return f"{label}: unknown condition {name!r} (known: {known})"


def _rule(reader: _Reader, node: yaml.Node, label: str) -> tuple[str, dict[str, Any]]:
    if isinstance(node, yaml.ScalarNode):
        name, given = reader.text(node, f"{label}: rule"), {}
    else:
        given = reader.mapping(node, f"{label}: rule")
        if "name" not in given:
            raise reader.error(node, f"{label}: a rule mapping needs 'name'")
        name = reader.text(given.pop("name")[1], f"{label}: rule name")
    if name not in RULES:
        raise reader.error(node, f"{label}: unknown rule {name!r} (known: {', '.join(RULES)})")
    return name, _params(reader, node, name, given, label)


def _params(
    reader: _Reader,
    node: yaml.Node,
    name: str,
    given: Mapping[str, tuple[yaml.Node, yaml.Node]],
    label: str,
    kind: str = "rule",
) -> dict[str, Any]:
    """Validate the parameters given to a rule (or the condition of the same name), fill in
    defaults, then prepare them."""
    spec = RULES[name]
    params: dict[str, Any] = {}
    for key, (key_node, value) in given.items():
        if key not in spec.params:
            known = ", ".join(spec.params) or "none"
            message = f"{label}: {kind} {name!r} has no parameter {key!r} (parameters: {known})"
            raise reader.error(key_node, message)
        params[key] = _param(reader, value, spec.params[key], f"{label}: {key}")
    for key, param in spec.params.items():
        if key not in params and not param.optional:
            if param.default is None:
                raise reader.error(node, f"{label}: {kind} {name!r} needs parameter {key!r}")
            params[key] = param.default
    _prepare(reader, node, spec, params, given, label)
    return params


def _prepare(
    reader: _Reader,
    node: yaml.Node,
    spec: RuleSpec,
    params: dict[str, Any],
    given: Mapping[str, tuple[yaml.Node, yaml.Node]],
    label: str,
) -> None:
    if spec.prepare is None:
        return
    try:
        spec.prepare(params, reader.folder)
    except ParamError as exc:
        where = given[exc.key][1] if exc.key in given else node
        raise reader.error(where, f"{label}: {exc.key}: {exc}") from exc


def _param(reader: _Reader, node: yaml.Node, param: Param, what: str) -> Any:
    if param.kind == "int":
        number = int(reader.number(node, what, integer=True))
        if number < 0:
            raise reader.error(node, f"{what} must be 0 or more")
        return number
    if param.kind == "float":
        fraction = reader.number(node, what)
        if not 0 <= fraction <= 1:
            raise reader.error(node, f"{what} must be between 0 and 1")
        return fraction
    if param.kind == "phrases":
        return _phrases(reader, node, what)
    values = (
        reader.text_list(node, what) if param.kind == "str_list" else (reader.text(node, what),)
    )
    allowed = set(param.choices)
    for value in values:
        # "a|b" (either) only means something in a list, as lead_captured's require.
        options = set(value.split("|")) if param.kind == "str_list" else {value}
        if allowed and not options <= allowed:
            raise reader.error(node, f"{what}: {value!r} is not one of {', '.join(param.choices)}")
    return values if param.kind == "str_list" else values[0]


def _phrases(reader: _Reader, node: yaml.Node, what: str) -> tuple[str, ...]:
    """A non-empty list of phrases, each naming its own line when it is wrong."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise reader.error(node, f"{what} must be a non-empty list of phrases")
    phrases = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag == "tag:yaml.org,2002:null":
            raise reader.error(item, f"{what}: each phrase must be text")
        phrase = str(item.value).strip()
        if not phrase_words(phrase):
            raise reader.error(item, f"{what}: {phrase!r} has no word to match")
        phrases.append(phrase)
    return tuple(phrases)


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
