"""The rule library a playbook's checks name: what each rule looks for, and its parameters.

A rule reads the ``Analysis`` of one conversation (see analyzer.py) and returns a
``RuleResult`` with the turns that are its evidence; a condition decides whether a check
applies at all. Adding a rule here (with its ``Param`` specs) makes it usable from any
playbook file; playbook.py validates the YAML against ``RULES`` and ``CONDITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from everytouch.analysis.conversation import Turn
from everytouch.analysis.learned import LinearModel, ModelError, load_model
from everytouch.analysis.phrases import Hit, PhraseSet
from everytouch.analysis.scorecard import Evidence, RuleResult, Status
from everytouch.analysis.signals import clip, quote_around

if TYPE_CHECKING:
    from everytouch.analysis.analyzer import Analysis

RuleFn = Callable[["Analysis", Mapping[str, Any]], RuleResult]
ConditionFn = Callable[["Analysis"], bool]
ParamConditionFn = Callable[["Analysis", Mapping[str, Any]], bool]
# Turns raw parameter values into what the rule runs on (a phrase automaton, a loaded model)
# once, when the playbook is loaded; ``folder`` is the playbook file's folder.
Prepare = Callable[[dict[str, Any], Path], None]

DETAILS = ("name", "phone", "email", "account")
SIDES = ("agent", "customer", "any")
NEXT_STEP_KINDS = ("appointment", "quote", "callback", "link", "email", "visit", "message")


class ParamError(ValueError):
    """A parameter value a rule cannot use; playbook.py adds the file and line of ``key``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class Param:
    """One rule parameter, its default and allowed values.

    Kinds: "int" (0 or more), "float" (0 to 1), "str", "str_list", "phrases" (a non-empty list
    of text, each with a word in it) and "path". A default of None makes the parameter
    required, unless ``optional``: then the rule's ``prepare`` fills it in.
    """

    kind: str
    default: Any
    choices: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True, slots=True)
class RuleSpec:
    fn: RuleFn
    params: Mapping[str, Param]
    doc: str
    prepare: Prepare | None = None


class _Located(Protocol):
    @property
    def turn(self) -> int: ...
    @property
    def quote(self) -> str: ...


def _ev(items: Iterable[_Located]) -> tuple[Evidence, ...]:
    return tuple(Evidence(item.turn, item.quote) for item in items)


def _on_side(a: Analysis, side: str) -> Iterator[tuple[int, Turn]]:
    for index, turn in enumerate(a.conv.turns):
        if side == "any" or turn.speaker == side:
            yield index, turn


def _nobody(side: str) -> str:
    return "nobody spoke" if side == "any" else f"the {side} never spoke"


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


# ---- rules a business writes without code: phrase lists and learned classifiers ----------


def _said(a: Analysis, params: Mapping[str, Any]) -> Iterator[tuple[int, str, Hit]]:
    """Each turn on the side where a phrase occurs, with its first hit; lazily, so ``said``
    stops at the first turn that has one."""
    phrases: PhraseSet = params["phrases"]
    for index, turn in _on_side(a, params["side"]):
        hit = phrases.find(turn.text)
        if hit is not None:
            yield index, turn.text, hit


def _hit_evidence(index: int, text: str, hit: Hit) -> Evidence:
    return Evidence(index, quote_around(text, hit.start, hit.end))


def rule_said(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    first = next(_said(a, params), None)
    if first is not None:
        index, text, hit = first
        return RuleResult("pass", (_hit_evidence(index, text, hit),), 0.95, f"said: {hit.phrase}")
    if not any(_on_side(a, params["side"])):
        return RuleResult("n/a", note=_nobody(params["side"]))
    return RuleResult("fail", confidence=0.9)


def rule_not_said(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    found = list(_said(a, params))
    if found:
        evidence = tuple(_hit_evidence(index, text, hit) for index, text, hit in found)
        said = ", ".join(dict.fromkeys(hit.phrase for _, _, hit in found))
        return RuleResult("fail", evidence, 0.95, f"said: {said}")
    if not any(_on_side(a, params["side"])):
        return RuleResult("n/a", note=_nobody(params["side"]))
    return RuleResult("pass", confidence=0.9)


def _prepare_phrases(params: dict[str, Any], folder: Path) -> None:
    params["phrases"] = PhraseSet(params["phrases"])


def _best_turn(a: Analysis, params: Mapping[str, Any]) -> tuple[int, float] | None:
    model: LinearModel = params["model"]
    scored = ((model.predict_proba(t.text), i) for i, t in _on_side(a, params["side"]))
    best = max(scored, default=None)  # ties go to the later turn; either is as good
    return None if best is None else (best[1], best[0])


def rule_classifier(a: Analysis, params: Mapping[str, Any]) -> RuleResult:
    best = _best_turn(a, params)
    if best is None:
        return RuleResult("n/a", note=_nobody(params["side"]))
    index, score = best
    evidence = (Evidence(index, clip(a.conv.turns[index].text)),)
    note = f"best turn scored {score:.2f} (threshold {params['threshold']:g})"
    if score >= params["threshold"]:
        return RuleResult("pass", evidence, score, note)
    return RuleResult("fail", evidence, 1.0 - score, note)


def _prepare_model(params: dict[str, Any], folder: Path) -> None:
    path = Path(params["model"]).expanduser()
    try:
        model = load_model(path if path.is_absolute() else folder / path)
    except ModelError as exc:
        raise ParamError("model", f"cannot load the model: {exc}") from exc
    params["model"] = model
    # The model knows which side it learned from and where it is sure enough.
    params.setdefault("side", model.side)
    params.setdefault("threshold", model.threshold)


_PHRASE_PARAMS = {"phrases": Param("phrases", None), "side": Param("str", "agent", SIDES)}


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
    "said": RuleSpec(rule_said, _PHRASE_PARAMS, "a phrase was said on the side", _prepare_phrases),
    "not_said": RuleSpec(
        rule_not_said, _PHRASE_PARAMS, "no phrase was said on the side", _prepare_phrases
    ),
    "classifier": RuleSpec(
        rule_classifier,
        {
            "model": Param("path", None),
            "side": Param("str", None, SIDES, optional=True),
            "threshold": Param("float", None, optional=True),
        },
        "a turn on the side scored at least the threshold with the trained model",
        _prepare_model,
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

# Conditions that take parameters: the same parameters (and preparation) as the rule of that
# name, written in applies_when as {said: {phrases: [price, quote], side: customer}}.
PARAM_CONDITIONS: dict[str, ParamConditionFn] = {
    "said": lambda a, p: next(_said(a, p), None) is not None,
    "not_said": lambda a, p: next(_said(a, p), None) is None,
    "classifier": lambda a, p: (best := _best_turn(a, p)) is not None and best[1] >= p["threshold"],
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of a check's applies_when: a named condition, or one with parameters.

    Only the name and parameters are kept, not a function, so a playbook pickles to the worker
    processes of `everytouch analyze --jobs`.
    """

    name: str
    params: Mapping[str, Any] | None = None

    def holds(self, a: Analysis) -> bool:
        if self.params is None:
            return CONDITIONS[self.name](a)
        return PARAM_CONDITIONS[self.name](a, self.params)

    @property
    def label(self) -> str:
        if self.params is None:
            return self.name
        shown = ", ".join(f"{key}={_show(value)}" for key, value in self.params.items())
        return f"{self.name}({shown})"


def _show(value: Any) -> str:
    if isinstance(value, PhraseSet):
        more = len(value.phrases) - 3
        return "|".join(value.phrases[:3]) + (f"|+{more}" if more > 0 else "")
    if isinstance(value, LinearModel):
        return Path(value.source).name
    return f"{value:g}" if isinstance(value, float) else str(value)
