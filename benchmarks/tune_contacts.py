"""Phone extraction on MultiDoGO's TUNE split only: the figure and its errors, for tuning rules.

    python -m benchmarks.tune_contacts                 # P/R/F1 per conversation
    python -m benchmarks.tune_contacts --show fp       # false positives with the turns read
    python -m benchmarks.tune_contacts --show fn       # misses, with the set's phone slots
    python -m benchmarks.tune_contacts --snapshot F    # every finding on STAR + MultiDoGO to F
    python -m benchmarks.tune_contacts --compare F     # how many conversations now differ

The snapshot holds all conversations (a speed change must leave every result alone), but the
comparison prints details for tune-split conversations only and counts for the rest.

It never reads a test-split conversation (benchmarks.corpora.split_of): the test split is for
benchmarks.gate and benchmarks.accuracy_identity only.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._scoring import Score
from benchmarks.corpora import DATA, conversations, split_of
from everytouch.analysis.contacts import extract_contacts
from everytouch.analysis.conversation import Conversation, Turn

PHONE_SLOTS = ("phone_number", "phonenumber")


def tune_records() -> Iterator[dict[str, Any]]:
    with (DATA / "multidogo" / "multidogo_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if split_of("multidogo", str(record["conversationId"])) == "tune":
                yield record


def conversation(record: dict[str, Any]) -> Conversation:
    turns = tuple(
        Turn("customer", t["utterance"]) for t in record["customer_turns"] if t["utterance"].strip()
    )
    return Conversation(id=str(record["conversationId"]), turns=turns, channel="chat")


def findings() -> dict[str, list[list[Any]]]:
    """Every finding of every STAR and MultiDoGO conversation, keyed "source:id"."""
    out: dict[str, list[list[Any]]] = {}
    for source in ("star", "multidogo"):
        for conv_id, conv in conversations(source).items():
            found = [[f.kind, f.value, f.turn, f.quote] for f in extract_contacts(conv)]
            out[f"{source}:{conv_id}"] = found
    return out


def compare(path: Path) -> None:
    before: dict[str, list[list[Any]]] = json.loads(path.read_text(encoding="utf-8"))
    differ = {"tune": 0, "test": 0}
    for key, now in findings().items():
        if now == before.get(key):
            continue
        source, _, conv_id = key.partition(":")
        split = split_of(source, conv_id)
        differ[split] += 1
        if split == "tune":
            print(f"{key}\n  before {before.get(key)}\n  now    {now}")
    print(f"conversations that differ: tune {differ['tune']}, test {differ['test']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune_contacts")
    parser.add_argument("--show", choices=("fp", "fn"), default=None)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--snapshot", type=Path, default=None)
    parser.add_argument("--compare", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.snapshot is not None:
        args.snapshot.write_text(json.dumps(findings()), encoding="utf-8")
        return
    if args.compare is not None:
        compare(args.compare)
        return
    score = Score()
    shown = 0
    for record in tune_records():
        conv = conversation(record)
        phones = [f for f in extract_contacts(conv) if f.kind == "phone"]
        truth = bool(record["labels_from_dataset"]["customer_gave_phone"])
        score.add(truth, bool(phones))
        wanted = (args.show == "fp" and phones and not truth) or (
            args.show == "fn" and truth and not phones
        )
        if wanted and shown < args.limit:
            shown += 1
            print(f"### {record['conversationId']} {record['domain']}")
            turns = [t for t in record["customer_turns"] if t["utterance"].strip()]
            for f in phones:
                slots = turns[f.turn]["slot_values"]
                print(f"  FOUND {f.value} in [{f.turn}] {conv.turns[f.turn].text!r} {slots}")
            for t in record["customer_turns"]:
                slots = {k: v for k, v in t["slot_values"].items() if k in PHONE_SLOTS}
                if slots or args.show == "fn":
                    print(f"  {t['utterance']!r} {slots or ''}")
    print(
        f"tune phone_given: P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
        f"(TP {score.tp} FP {score.fp} FN {score.fn} TN {score.tn})"
    )


if __name__ == "__main__":
    main()
