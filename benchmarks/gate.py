"""Accuracy regression gate: fails when a check drops more than 0.03 below its recorded F1.

    python -m benchmarks.gate            # compare with benchmarks/accuracy_recorded.json
    python -m benchmarks.gate --record   # write the current figures there (after an improvement)

It reads a fixed sample of the TEST splits only: every hand-labelled test conversation
(benchmarks/labels), the first STAR and MultiDoGO test conversations in hash order against the
sets' own labels. It takes seconds, so CI runs it on every push (tests/bench/test_accuracy_gate.py).
A figure with fewer than MIN_POSITIVES positives is not gated: there one conversation moves F1
by more than the tolerance, so the gate would fail on noise (it did: 12 -> 11 of 15 phones).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks import labelled
from benchmarks._scoring import Score
from benchmarks.corpora import (
    DATA,
    MULTIDOGO_BUYING,
    RAW,
    _digest,
    conversations,
    records,
)
from everytouch.analysis.analyzer import lead_of, run_analysis

RECORDED = Path(__file__).resolve().parent / "accuracy_recorded.json"
TOLERANCE = 0.03
MIN_POSITIVES = 20
SAMPLE = 1000


def _test_sample(source: str) -> list[dict[str, Any]]:
    """The first SAMPLE test records of a set in hash order: the same ones on every run."""
    key = RAW[source][1]
    return sorted(records(source, "test"), key=lambda r: _digest(source, str(r[key])))[:SAMPLE]


def star_figures() -> dict[str, Score]:
    repeat, name = Score(), Score()
    convs = conversations("star")
    for record in _test_sample("star"):
        truth = record["labels_from_dataset"]
        asks = run_analysis(convs[str(record["dialogue_id"])]).asks
        repeat.add(truth["repeated_identity_ask"], any(a.repeat for a in asks))
        name.add(truth["agent_asked_name"], any(a.detail == "name" for a in asks))
    return {"star/dataset/repeated_identity_ask": repeat, "star/dataset/asked_name": name}


def multidogo_figures() -> dict[str, Score]:
    intent, phone = Score(), Score()
    convs = conversations("multidogo")
    for record in _test_sample("multidogo"):
        analysis = run_analysis(convs[str(record["conversationId"])])
        intents = {i for turn in record["customer_turns"] for i in turn.get("intents") or ()}
        intent.add(bool(intents & MULTIDOGO_BUYING), lead_of(analysis).buying_intent)
        gave = bool(record["labels_from_dataset"]["customer_gave_phone"])
        phone.add(gave, any(c.kind == "phone" for c in analysis.contacts))
    return {"multidogo/dataset/buying_intent": intent, "multidogo/dataset/phone_given": phone}


def figures() -> dict[str, Score]:
    """Every gated figure by name: hand labels per source and check, then the sets' labels."""
    result = labelled.evaluate(labelled.read_labels(), "test")
    found = {f"{source}/labels/{check}": s for (source, check), s in result.checks.items()}
    found |= {f"{source}/labels/phones": s for source, s in result.phones.items()}
    return found | star_figures() | multidogo_figures()


def regressions(current: dict[str, Score], recorded: dict[str, float]) -> list[str]:
    """One line per gated figure that fell more than TOLERANCE below its record."""
    problems = []
    for name, floor in sorted(recorded.items()):
        score = current.get(name)
        if score is None:
            problems.append(f"{name}: recorded {floor:.3f}, no longer measured")
        elif score.f1 < floor - TOLERANCE:
            problems.append(f"{name}: F1 {score.f1:.3f} < recorded {floor:.3f} - {TOLERANCE}")
    return problems


def gated(current: dict[str, Score]) -> dict[str, float]:
    return {n: round(s.f1, 3) for n, s in current.items() if s.tp + s.fn >= MIN_POSITIVES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gate", description=__doc__)
    parser.add_argument("--record", action="store_true", help="write the current figures")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no data at {DATA}: the gate cannot run", file=sys.stderr)
        return 2
    current = figures()
    recorded: dict[str, float] = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
    for name, score in sorted(current.items()):
        mark = f"recorded {recorded[name]:.3f}" if name in recorded else "not gated"
        print(f"{name:48} F1 {score.f1:.3f} (TP {score.tp} FP {score.fp} FN {score.fn}) {mark}")
    if args.record:
        RECORDED.write_text(json.dumps(gated(current), indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(gated(current))} figures in {RECORDED}")
        return 0
    problems = regressions(current, recorded)
    for line in problems:
        print(f"REGRESSION {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
