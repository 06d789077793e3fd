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

Rules and conditions are looked up by name in ``RULES`` and ``CONDITIONS``; they read the
``Analysis`` of one conversation (see analyzer.py) and return a ``RuleResult``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from everytouch.analysis.scorecard import Evidence, RuleResult, Status

if TYPE_CHECKING:
    from everytouch.analysis.analyzer import Analysis

RuleFn = Callable[["Analysis", Mapping[str, Any]], RuleResult]
ConditionFn = Callable[["Analysis"], bool]

_CHECK_KEYS = frozenset({"id", "title", "weight", "applies_when", "rule", "tip"})
_TOP_KEYS = frozenset({"version", "name", "checks"})
_ID = re.compile(r"[a-z0-9_]{1,64}")
DETAILS = ("name", "phone", "email", "account")
NEXT_STEP_KINDS = ("appointment", "quote", "callback", "link", "email", "visit", "message")


class PlaybookError(ValueError):
    """An invalid playbook; the message starts with ``file:line:``."""


@dataclass(frozen=True, slots=True)
class Param:
    """One rule parameter: its type ("int", "str" or "str_list"), default and allowed values."""

    kind: str
    default: Any
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSpec:
    fn: RuleFn
    params: Mapping[str, Param]
    doc: str


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


# ---- rules -------------------------------------------------------------------------------


class _Located(Protocol):
    @property
    def turn(self) -> int: ...
    @property
    def quote(self) -> str: ...


def _ev(items: Iterable[_Located]) -> tuple[Evidence, ...]:
    return tuple(Evidence(item.turn, item.quote) for item in items)


def _agent_spoke(a: Analysis) -> bool:
    return any(t.speaker == "agent" for t in a.conv.turns)


def rule_greeting(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    if not _agent_spoke(a):
        return RuleResult("n/a", note="the agent never spoke")
    if a.greeting is None:
        return RuleResult("fail", confidence=0.75)
    return RuleResult("pass", _ev([a.greeting]), 0.9)


def rule_asked_detail(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    detail = params["detail"]
    asks = [ask for ask in a.asks if ask.detail == detail]
    if asks:
        return RuleResult("pass", _ev(asks), 0.9)
    given = [c for c in a.contacts if c.kind == detail]
    if given:
        return RuleResult("pass", _ev(given[:1]), 0.7, "the customer gave it without being asked")
    return RuleResult("fail", confidence=0.8)


def rule_discovery_question(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    topics = set(params["topics"])
    found = [q for q in a.discovery if q.topic in topics]
    if found:
        return RuleResult("pass", _ev(found[:3]), 0.8)
    return RuleResult("fail", confidence=0.7)


def rule_next_step(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    kinds = set(params["kinds"])
    found = [s for s in a.next_steps if not kinds or s.kind in kinds]
    if found:
        return RuleResult("pass", _ev(found[:3]), 0.85, ", ".join(sorted({s.kind for s in found})))
    return RuleResult("fail", confidence=0.7)


def rule_commitments_dated(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    mine = [c for c in a.commitments if c.speaker == params["speaker"]]
    if not mine:
        return RuleResult("n/a", note="no commitment made")
    undated = [c for c in mine if not c.dated]
    if undated:
        return RuleResult("fail", _ev(undated), 0.75, "promised with no time")
    return RuleResult("pass", _ev(mine), 0.8)


def rule_no_repeat_identity_ask(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    if not a.asks:
        return RuleResult("n/a", note="no identity detail asked")
    repeats = [ask for ask in a.asks if ask.repeat]
    if repeats:
        details = ", ".join(sorted({r.detail for r in repeats}))
        return RuleResult("fail", _ev(repeats), 0.85, f"asked again: {details}")
    return RuleResult("pass", confidence=0.85)


def rule_transfers_at_most(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    count = len(a.transfers)
    status: Status = "pass" if count <= params["max"] else "fail"
    return RuleResult(status, _ev(a.transfers), 0.8, f"{count} transfer(s) or redirect(s)")


def rule_promotion_mentioned(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    if not a.promotions:
        return RuleResult("n/a", note="no current promotions supplied")
    if a.promotion_mentions:
        names = ", ".join(m.promotion for m in a.promotion_mentions)
        return RuleResult("pass", _ev(a.promotion_mentions), 0.85, names)
    return RuleResult("fail", confidence=0.8)


def rule_lead_captured(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    kinds = {c.kind for c in a.contacts}
    missing = [req for req in params["require"] if not kinds & set(req.split("|"))]
    wanted = {k for req in params["require"] for k in req.split("|")}
    evidence = _ev(c for c in a.contacts if c.kind in wanted)
    if missing:
        return RuleResult("fail", evidence, 0.75, "missing: " + ", ".join(missing))
    return RuleResult("pass", evidence, 0.85)


RULES: dict[str, RuleSpec] = {
    "greeting": RuleSpec(rule_greeting, {}, "the agent greeted the customer in their first turns"),
    "asked_detail": RuleSpec(
        rule_asked_detail,
        {"detail": Param("str", None, DETAILS)},
        "the agent asked for the detail, or the customer had already given it",
    ),
    "discovery_question": RuleSpec(
        rule_discovery_question,
        {
            "topics": Param(
                "str_list", ("need", "budget", "timeline"), ("need", "budget", "timeline")
            )
        },
        "the agent asked about the need, budget or timeline",
    ),
    "next_step": RuleSpec(
        rule_next_step,
        {"kinds": Param("str_list", (), NEXT_STEP_KINDS)},
        "the agent offered a next step (any of kinds; all kinds when empty)",
    ),
    "commitments_dated": RuleSpec(
        rule_commitments_dated,
        {"speaker": Param("str", "agent", ("agent", "customer"))},
        "every promise the speaker made has a time",
    ),
    "no_repeat_identity_ask": RuleSpec(
        rule_no_repeat_identity_ask, {}, "no identity detail asked again after it was given"
    ),
    "transfers_at_most": RuleSpec(
        rule_transfers_at_most, {"max": Param("int", 1)}, "at most max transfers or redirects"
    ),
    "promotion_mentioned": RuleSpec(
        rule_promotion_mentioned, {}, "the agent mentioned a current promotion"
    ),
    "lead_captured": RuleSpec(
        rule_lead_captured,
        {"require": Param("str_list", ("name", "phone|email"), DETAILS)},
        "every required detail (a|b: either) was captured from the customer",
    ),
}

CONDITIONS: dict[str, ConditionFn] = {
    "always": lambda a: True,
    "buying_intent": lambda a: bool(a.signals),
    "no_buying_intent": lambda a: not a.signals,
    "agent_spoke": _agent_spoke,
    "customer_spoke": lambda a: any(t.speaker == "customer" for t in a.conv.turns),
    "has_commitments": lambda a: bool(a.commitments),
    "identity_asked": lambda a: bool(a.asks),
    "promotions_supplied": lambda a: bool(a.promotions),
}


# ---- loading and validation --------------------------------------------------------------


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
