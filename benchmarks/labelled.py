"""Score the analysis against the hand labels in benchmarks/labels (docs/analysis-labels.md).

Each labelled check is compared per conversation with what `run_analysis` found; the extracted
phones are compared as sets of digits. Only one split is read per run: the benchmark reports
`test`; `--split tune` is for whoever tunes the rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._scoring import Score
from benchmarks.corpora import LABELS, Split, conversations, split_of
from everytouch.analysis.analyzer import Analysis, lead_of, run_analysis

CHECKS = (
    "greeting",
    "asked_name",
    "asked_phone",
    "asked_email",
    "discovery_question",
    "redirect",
    "transfer",
    "next_step",
    "repeated_identity_ask",
    "agent_promise",
    "buying_intent",
)
FIELDS = ("names", "phones", "emails")
NON_DIGIT = re.compile(r"\D")


class LabelError(ValueError):
    """A label row that does not follow docs/analysis-labels.md; the message says where."""


@dataclass(frozen=True, slots=True)
class Labelled:
    source: str
    id: str
    split: Split
    checks: dict[str, bool | None]
    fields: dict[str, tuple[str, ...]]


def _row(path: Path, number: int, data: Any) -> Labelled:
    where = f"{path.name}:{number}"
    try:
        source, conv_id, split = data["source"], str(data["id"]), data["split"]
        checks = {name: data["checks"][name]["value"] for name in CHECKS}
        fields = {name: tuple(data["fields"].get(name) or ()) for name in FIELDS}
    except (KeyError, TypeError) as exc:
        raise LabelError(f"{where}: missing {exc}") from exc
    if split != split_of(source, conv_id):
        raise LabelError(f"{where}: {conv_id} is in the {split_of(source, conv_id)} split")
    return Labelled(source, conv_id, split, checks, fields)


def read_labels(folder: Path = LABELS) -> list[Labelled]:
    rows: list[Labelled] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows += [_row(path, n, json.loads(line)) for n, line in enumerate(handle, 1) if line]
    return rows


def _agent_turns(analysis: Analysis) -> bool:
    return any(turn.speaker == "agent" for turn in analysis.conv.turns)


def _asked(detail: str) -> Callable[[Analysis], bool]:
    return lambda a: any(ask.detail == detail for ask in a.asks)


PREDICT: dict[str, Callable[[Analysis], bool]] = {
    "greeting": lambda a: a.greeting is not None,
    "asked_name": _asked("name"),
    "asked_phone": _asked("phone"),
    "asked_email": _asked("email"),
    "discovery_question": lambda a: bool(a.discovery),
    "redirect": lambda a: any(t.kind == "redirect" for t in a.transfers),
    "transfer": lambda a: any(t.kind == "transfer" for t in a.transfers),
    "next_step": lambda a: bool(a.next_steps),
    "repeated_identity_ask": lambda a: any(ask.repeat for ask in a.asks),
    "agent_promise": lambda a: any(c.speaker == "agent" for c in a.commitments),
    "buying_intent": lambda a: lead_of(a).buying_intent,
}


def digits(phone: str) -> str:
    """A phone as its last ten digits: the labels and the engine differ on country codes."""
    return NON_DIGIT.sub("", phone)[-10:]


@dataclass
class Result:
    """Per source, per check counts; `phones` compares (conversation, number) pairs."""

    checks: dict[tuple[str, str], Score] = field(default_factory=dict)
    phones: dict[str, Score] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def score(self, source: str, check: str) -> Score:
        return self.checks.setdefault((source, check), Score())


def add_set(score: Score, truth: Iterable[str], found: Iterable[str]) -> None:
    wanted, got = set(truth), set(found)
    score.tp += len(wanted & got)
    score.fp += len(got - wanted)
    score.fn += len(wanted - got)


def evaluate(rows: Iterable[Labelled], split: Split) -> Result:
    result = Result()
    for row in rows:
        if row.split != split:
            continue
        analysis = run_analysis(conversations(row.source)[row.id])
        result.rows[row.source] = result.rows.get(row.source, 0) + 1
        for check, truth in row.checks.items():
            if truth is None or (check != "buying_intent" and not _agent_turns(analysis)):
                continue
            result.score(row.source, check).add(truth, PREDICT[check](analysis))
        found = (c.value for c in analysis.contacts if c.kind == "phone")
        add_set(
            result.phones.setdefault(row.source, Score()),
            map(digits, row.fields["phones"]),
            map(digits, found),
        )
    return result


def false_lead_rate(score: Score) -> float:
    """Share of conversations without buying intent that the engine read as buying."""
    negatives = score.fp + score.tn
    return score.fp / negatives if negatives else 0.0


def render(result: Result, split: Split) -> Iterator[str]:
    yield f"\n## Hand-labelled conversations ({split} split; docs/analysis-labels.md)\n"
    yield "| source | check | P | R | F1 | TP | FP | FN | TN |"
    yield "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    for (source, check), s in sorted(result.checks.items()):
        if s.tp + s.fn == 0 and s.fp == 0:
            continue  # nothing to score: no positive label and no false alarm
        yield (
            f"| {source} | {check} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
            f"{s.tp} | {s.fp} | {s.fn} | {s.tn} |"
        )
    yield ""
    yield "| source | conversations | not buying, read as buying | phone P | phone R | phone F1 |"
    yield "| --- | --- | --- | --- | --- | --- |"
    for source, count in sorted(result.rows.items()):
        intent = result.checks.get((source, "buying_intent"), Score())
        phones = result.phones.get(source, Score())
        yield (
            f"| {source} | {count} | {false_lead_rate(intent):.1%} ({intent.fp} of "
            f"{intent.fp + intent.tn}) | {phones.precision:.3f} | {phones.recall:.3f} | "
            f"{phones.f1:.3f} |"
        )
