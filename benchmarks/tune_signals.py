"""Discovery question and buying intent on the TUNE split only (for fitting the rules).

`.venv/bin/python -m benchmarks.tune_signals` prints, for tune-split conversations only:

- discovery question per STAR agent turn against its action labels;
- discovery question and buying intent per conversation against the hand labels
  (`--labels DIR`, default ../labels then benchmarks/labels; rows with "split": "tune");
- the share of IBM Twitter care support threads read as buying intent;
- buying intent per MultiDoGO conversation against its intents.

`--errors KIND` prints the tune-split misses and false alarms of one measure (`star`,
`disc`, `buy`, `mdg`, `ibm`) so the rules can be read against them. Test-split conversations are
filtered out before anything is scored or printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks import corpora
from benchmarks._scoring import Score
from benchmarks.accuracy import (
    STAR_GAME_DOMAINS,
    asks_discovery,
    star_discovery_truth,
)
from benchmarks.corpora import MULTIDOGO_BUYING, conversations, render, split_of
from everytouch.analysis.conversation import Conversation
from everytouch.analysis.signals import buying_signals, discovery_questions

DATA = corpora.DATA


def tune_labels(directory: Path | None) -> list[dict[str, Any]]:
    """The hand-labelled rows of the tune split (benchmarks/labels unless told otherwise)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((directory or corpora.LABELS).glob("*.jsonl")):
        for row in corpora.jsonl(path):
            source, conv_id = row.get("source", ""), str(row.get("id", ""))
            if row.get("split") == "tune" and split_of(source, conv_id) == "tune":
                rows[(source, conv_id)] = row
    return list(rows.values())


def has_buying_intent(conv: Conversation) -> bool:
    return bool(buying_signals(conv))


def has_discovery(conv: Conversation) -> bool:
    return bool(discovery_questions(conv))


def star_turns(errors: bool) -> Score:
    score = Score()
    for record in corpora.jsonl(DATA / "star" / "star_dev.jsonl"):
        if split_of("star", str(record["dialogue_id"])) != "tune":
            continue
        for turn in record["turns"]:
            label = turn.get("action_label")
            if turn["speaker"] != "agent" or not label or label.startswith(STAR_GAME_DOMAINS):
                continue
            truth, predicted = star_discovery_truth(label), asks_discovery(turn["text"])
            score.add(truth, predicted)
            if errors and truth != predicted:
                print(f"{'FN' if truth else 'FP'} {label}: {turn['text']}")
    return score


def labelled(rows: list[dict[str, Any]], check: str, errors: bool) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for row in rows:
        value = row["checks"].get(check, {}).get("value")
        conv = conversations(row["source"]).get(str(row["id"]))
        if value is None or conv is None:
            continue
        if check == "discovery_question" and not any(t.speaker == "agent" for t in conv.turns):
            continue
        predicted = (
            has_discovery(conv) if check == "discovery_question" else has_buying_intent(conv)
        )
        for key in (row["source"], "all"):
            scores.setdefault(key, Score()).add(bool(value), predicted)
        if errors and bool(value) != predicted:
            found: list[object] = (
                list(discovery_questions(conv))
                if check == "discovery_question"
                else list(buying_signals(conv))
            )
            print(f"{'FN' if value else 'FP'} {row['source']}:{row['id']} note={row.get('note')}")
            print(f"  truth={row['checks'][check].get('evidence')} found={found}")
            print(render(conv), end="\n\n")
    return scores


def ibm_buying(errors: bool) -> tuple[int, int]:
    hits = total = 0
    for conv_id, conv in conversations("ibm").items():
        if split_of("ibm", conv_id) != "tune":
            continue
        total += 1
        signals = buying_signals(conv)
        hits += bool(signals)
        if errors and signals:
            print(f"{conv_id}: {[(s.kind, s.quote) for s in signals]}")
    return hits, total


def multidogo(errors: bool) -> Score:
    score = Score()
    convs = conversations("multidogo")
    for record in corpora.jsonl(DATA / "multidogo" / "multidogo_dev.jsonl"):
        conv_id = str(record["conversationId"])
        if split_of("multidogo", conv_id) != "tune":
            continue
        truth = any(
            set(t.get("intents") or []) & MULTIDOGO_BUYING for t in record["customer_turns"]
        )
        predicted = has_buying_intent(convs[conv_id])
        score.add(truth, predicted)
        if errors and truth != predicted:
            intents = [sorted(set(t.get("intents") or [])) for t in record["customer_turns"]]
            print(f"{'FN' if truth else 'FP'} {record['domain']} {conv_id} {intents}")
            for s in buying_signals(convs[conv_id]):
                print(f"   signal {s.kind}: {s.quote}")
            for t in record["customer_turns"][:6]:
                print(f"   {sorted(set(t.get('intents') or []))}: {t['utterance']}")
    return score


def _line(name: str, s: Score) -> str:
    return (
        f"{name:32} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} "
        f"(tp {s.tp} fp {s.fp} fn {s.fn} tn {s.tn})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune_signals")
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--errors", choices=("star", "disc", "buy", "mdg", "ibm"), default=None)
    args = parser.parse_args(argv)
    rows = tune_labels(args.labels)
    print("TUNE split only")
    print(_line("star discovery (agent turns)", star_turns(args.errors == "star")))
    for key, s in labelled(rows, "discovery_question", args.errors == "disc").items():
        print(_line(f"labels discovery [{key}]", s))
    for key, s in labelled(rows, "buying_intent", args.errors == "buy").items():
        print(_line(f"labels buying intent [{key}]", s))
    hits, total = ibm_buying(args.errors == "ibm")
    print(f"{'ibm threads read as buying':32} {hits}/{total} = {hits / max(total, 1):.1%}")
    print(_line("multidogo buying (conversation)", multidogo(args.errors == "mdg")))


if __name__ == "__main__":
    main()
