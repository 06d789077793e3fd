"""The rule library a playbook's checks name: what each rule looks for, and its parameters.

A rule reads the ``Analysis`` of one conversation (see analyzer.py) and returns a
``RuleResult`` with the turns that are its evidence; a condition decides whether a check
applies at all. Adding a rule here (with its ``Param`` specs) makes it usable from any
playbook file; playbook.py validates the YAML against ``RULES`` and ``CONDITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from everytouch.analysis.scorecard import Evidence, RuleResult, Status

if TYPE_CHECKING:
    from everytouch.analysis.analyzer import Analysis

RuleFn = Callable[["Analysis", Mapping[str, Any]], RuleResult]
ConditionFn = Callable[["Analysis"], bool]

DETAILS = ("name", "phone", "email", "account")
NEXT_STEP_KINDS = ("appointment", "quote", "callback", "link", "email", "visit", "message")


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
