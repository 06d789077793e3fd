"""Tune-split figures for the flow checks: redirect, transfer, next step, repeated identity ask.

Reads only rows whose split is `tune` (the hand labels by docs/analysis-labels.md, and STAR's
own dataset labels for the dialogues of the tune split). The test split is for
`benchmarks/accuracy.py` alone: this script never scores or prints it.

    python -m benchmarks.tune_flow [--labels DIR] [--show CHECK] [--kind fp|fn]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import corpora
from benchmarks._scoring import Score
from benchmarks.corpora import LABELS, conversations, split_of
from everytouch.analysis.analyzer import Analysis, run_analysis
from everytouch.analysis.conversation import Conversation, Turn

CHECKS: dict[str, Callable[[Analysis], bool]] = {
    "redirect": lambda a: any(t.kind == "redirect" for t in a.transfers),
    "transfer": lambda a: any(t.kind == "transfer" for t in a.transfers),
    "next_step": lambda a: bool(a.next_steps),
    "repeated_identity_ask": lambda a: any(ask.repeat for ask in a.asks),
    # Guards: the identity asks the repeats are built on.
    "asked_name": lambda a: any(ask.detail == "name" for ask in a.asks),
    "asked_phone": lambda a: any(ask.detail == "phone" for ask in a.asks),
    "asked_email": lambda a: any(ask.detail == "email" for ask in a.asks),
}


def tune_rows(directory: Path) -> Iterator[dict[str, Any]]:
    """Hand-labelled rows of the tune split (checked against `split_of`, never trusted)."""
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("split") == "tune" and split_of(row["source"], row["id"]) == "tune":
                yield row


def _evidence(analysis: Analysis, check: str) -> str:
    if check in ("redirect", "transfer"):
        items = [(t.turn, t.quote) for t in analysis.transfers if t.kind == check]
    elif check == "next_step":
        items = [(s.turn, f"{s.kind}: {s.quote}") for s in analysis.next_steps]
    elif check == "repeated_identity_ask":
        items = [(a.turn, f"{a.detail}: {a.quote}") for a in analysis.asks if a.repeat]
    else:
        items = [(a.turn, a.quote) for a in analysis.asks if a.detail == check.split("_")[1]]
    return "; ".join(f"[{turn}] {quote[:120]}" for turn, quote in items[:3])


def hand_labels(directory: Path, show: str | None, kind: str) -> dict[str, Score]:
    scores = {check: Score() for check in CHECKS}
    for row in tune_rows(directory):
        conv = conversations(row["source"])[row["id"]]
        analysis = run_analysis(conv)
        for check, predict in CHECKS.items():
            truth = row["checks"].get(check, {}).get("value")
            if truth is None:
                continue
            predicted = predict(analysis)
            scores[check].add(truth, predicted)
            wrong = (kind == "fp" and predicted and not truth) or (
                kind == "fn" and truth and not predicted
            )
            if check == show and wrong:
                print(f"--- {row['source']} {row['id']} {kind}")
                print("  label:", row["checks"][check]["evidence"], row.get("note", ""))
                print("  ours: ", _evidence(analysis, check))
    return scores


def star_dataset(show: bool) -> Score:
    """STAR's own label: one identity action in two or more agent turns, tune dialogues only."""
    score = Score()
    for record in corpora.records("star", "tune"):
        conv = Conversation(
            str(record["dialogue_id"]),
            tuple(Turn(t["speaker"], t["text"]) for t in record["turns"] if t["text"].strip()),
            channel="chat",
        )
        truth = bool(record["labels_from_dataset"]["repeated_identity_ask"])
        analysis = run_analysis(conv)
        predicted = CHECKS["repeated_identity_ask"](analysis)
        score.add(truth, predicted)
        if show and truth != predicted:
            evidence = _evidence(analysis, "repeated_identity_ask")
            print(f"--- star {record['dialogue_id']} truth={truth}", evidence)
    return score


def _line(name: str, s: Score) -> str:
    return (
        f"{name:40} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}"
        f"  (tp {s.tp} fp {s.fp} fn {s.fn} tn {s.tn})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune_flow")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show", choices=[*CHECKS, "star"])
    parser.add_argument("--kind", choices=["fp", "fn"], default="fp")
    args = parser.parse_args(argv)
    scores = hand_labels(args.labels, args.show, args.kind)
    print("Hand labels, TUNE split only")
    for check, score in scores.items():
        print(_line(check, score))
    print(_line("STAR dataset repeated ask (tune dialogues)", star_dataset(args.show == "star")))


if __name__ == "__main__":
    main()
