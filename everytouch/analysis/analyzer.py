"""Run every analysis over one conversation and score it against a playbook."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from everytouch.analysis.asks import Ask, identity_asks
from everytouch.analysis.commitments import Commitment, find_commitments
from everytouch.analysis.contacts import ContactFinding, extract_contacts
from everytouch.analysis.conversation import Conversation
from everytouch.analysis.flow import (
    Mention,
    NextStep,
    Promotion,
    PromotionMention,
    Transfer,
    greeting,
    next_steps,
    promotions_mentioned,
    transfers,
)
from everytouch.analysis.playbook import Check, Playbook, default_playbook
from everytouch.analysis.scorecard import CheckResult, CommitmentOut, Lead, Scorecard
from everytouch.analysis.signals import (
    DiscoveryQuestion,
    Signal,
    buying_signals,
    discovery_questions,
    main_need,
)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything found in one conversation; playbook rules and conditions read this."""

    conv: Conversation
    contacts: tuple[ContactFinding, ...]
    asks: tuple[Ask, ...]
    signals: tuple[Signal, ...]
    need: str
    discovery: tuple[DiscoveryQuestion, ...]
    commitments: tuple[Commitment, ...]
    greeting: Mention | None
    transfers: tuple[Transfer, ...]
    next_steps: tuple[NextStep, ...]
    promotions: tuple[Promotion, ...]
    promotion_mentions: tuple[PromotionMention, ...]


def as_promotions(items: Iterable[Promotion | str]) -> tuple[Promotion, ...]:
    return tuple(p if isinstance(p, Promotion) else Promotion(p) for p in items)


def run_analysis(
    conv: Conversation,
    promotions: Sequence[Promotion | str] = (),
    tz: str = "UTC",
    region: str = "US",
) -> Analysis:
    """Every extractor over one conversation; no scoring."""
    contacts = extract_contacts(conv, region=region)
    signals = buying_signals(conv)
    promos = as_promotions(promotions)
    return Analysis(
        conv=conv,
        contacts=tuple(contacts),
        asks=tuple(identity_asks(conv, contacts=contacts)),
        signals=tuple(signals),
        need=main_need(signals),
        discovery=tuple(discovery_questions(conv)),
        commitments=tuple(find_commitments(conv, tz)),
        greeting=greeting(conv),
        transfers=tuple(transfers(conv)),
        next_steps=tuple(next_steps(conv)),
        promotions=promos,
        promotion_mentions=tuple(promotions_mentioned(conv, promos)) if promos else (),
    )


def evaluate(check: Check, analysis: Analysis, known: dict[str, bool] | None = None) -> CheckResult:
    """One playbook check over one analysis: n/a when a condition does not hold.

    ``known`` holds the named conditions already worked out for this analysis: several checks
    share one ("buying_intent"), and a condition depends on the analysis alone.
    """
    if not _applies(check, analysis, {} if known is None else known):
        return check.not_applicable
    return check.result(check.rule_fn(analysis, check.params))


def _applies(check: Check, analysis: Analysis, known: dict[str, bool]) -> bool:
    for condition in check.conditions:
        if condition.params is not None:  # parameters make it this check's own
            holds = condition.holds(analysis)
        elif condition.name in known:
            holds = known[condition.name]
        else:
            holds = known[condition.name] = condition.holds(analysis)
        if not holds:
            return False
    return True


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def lead_of(analysis: Analysis) -> Lead:
    # One pass over the contacts: each kind's values, first occurrence first, without repeats.
    values: dict[str, dict[str, None]] = {"name": {}, "phone": {}, "email": {}, "account": {}}
    for contact in analysis.contacts:
        if contact.value:
            values[contact.kind][contact.value] = None
    return Lead(
        buying_intent=bool(analysis.signals),
        names=tuple(values["name"]),
        phones=tuple(values["phone"]),
        emails=tuple(values["email"]),
        accounts=tuple(values["account"]),
        need=analysis.need,
    )


def _counts(values: Iterable[str]) -> dict[str, int]:
    """How often each value occurs, in order of first occurrence (as dict(Counter(values)))."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def scorecard_of(analysis: Analysis, playbook: Playbook) -> Scorecard:
    conv = analysis.conv
    known: dict[str, bool] = {}  # conditions worked out so far (see evaluate)
    # evaluate() for each check, written out: two calls fewer for each of the playbook's checks.
    checks: list[CheckResult] = []
    for check in playbook.checks:
        if _applies(check, analysis, known):
            checks.append(check.result(check.rule_fn(analysis, check.params)))
        else:
            checks.append(check.not_applicable)
    return Scorecard(
        id=conv.id,
        channel=conv.channel,
        turns=len(conv.turns),
        checks=tuple(checks),
        lead=lead_of(analysis),
        commitments=tuple(
            CommitmentOut(c.speaker, c.turn, c.text, c.due_text, c.due_at, c.dated)
            for c in analysis.commitments
        ),
        identity_asks=_counts(ask.detail for ask in analysis.asks),
        transfers=len(analysis.transfers),
        signals=_unique(s.kind for s in analysis.signals),
    )


def analyze(
    conv: Conversation,
    playbook: Playbook | None = None,
    promotions: Sequence[Promotion | str] = (),
    tz: str = "UTC",
    region: str = "US",
) -> Scorecard:
    """Score one conversation against a playbook (the default one when None)."""
    analysis = run_analysis(conv, promotions, tz, region)
    return scorecard_of(analysis, playbook or default_playbook())


def clear_text_caches() -> None:
    """Forget every per-turn-text result cache, as a freshly started process would.

    Agents repeat their phrasings, so these caches pay off on real traffic; a benchmark that
    passes over the same conversations several times clears them between passes, so the second
    pass is not flattered by the first.
    """
    from everytouch.analysis import _asked, _words, asks, commitments, contacts, flow, signals

    for cached in (
        _asked.asked_details,
        asks._turn_asks,
        _words.letter_runs,
        commitments._turn_promises,
        contacts._turn_contacts,
        flow._turn_greeting,
        flow._turn_transfers,
        flow._turn_next_steps,
        flow.turn_tokens,
        signals._discovery_in_turn,
        signals._customer_signals,
    ):
        cached.cache_clear()
