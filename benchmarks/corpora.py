"""The public conversation sets as analysis Conversations, and their fixed tune/test split.

Every labelled conversation belongs to the *tune* or the *test* split by a hash of its source
and id (`split_of`). The split was fixed before any rule was changed against the labels: rules
and trained models may read the tune split; only the accuracy benchmark reads the test split.

Turn numbers in the labels (`benchmarks/labels/*.jsonl`) index the turns these loaders build,
so a loader must never change how it orders or merges turns once labels refer to it.

    python -m benchmarks.corpora show ibm --start 0 --count 20   # numbered turns, for labelling
    python -m benchmarks.corpora sample star                      # the ids chosen for labelling
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal

from everytouch.analysis.conversation import Conversation, Speaker, Turn

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LABELS = Path(__file__).resolve().parent / "labels"
SOURCES = ("ibm", "star", "multidogo", "abcd", "harper")
Split = Literal["tune", "test"]

# How many conversations of the big sets are labelled by hand (the first ids in hash order;
# STAR adds the dialogues whose agent asked for two or more identity details, by its labels).
SAMPLE_SIZE = {"star": 150, "multidogo": 200}
STAR_IDENTITY_EXTRA = 100
STAR_IDENTITY_ACTIONS = (
    "ask_name",
    "bank_ask_account_number",
    "bank_ask_pin",
    "bank_ask_dob",
    "bank_ask_mothers_maiden_name",
    "bank_ask_childhood_pets_name",
)

# MultiDoGO intents that mean the customer wants something new (docs/analysis-labels.md):
# orders, bookings, sign-ups, upgrades, and asking about offers they could take up.
MULTIDOGO_BUYING = frozenset(
    {
        "bookflight",
        "orderbreakfastintent",
        "orderburgerintent",
        "orderdessertintent",
        "orderdrinkintent",
        "orderpizzaintent",
        "ordersaladintent",
        "ordersideintent",
        "startserviceintent",
        "upgradeserviceintent",
        "openaccount",
        "getpromotions",
        "checkoffereligibility",
        "getchannelpackageintent",
        "orderchecks",
        "startorder",
    }
)

# MultiDoGO intents that say nothing about what the customer wants (greetings, yes/no, ...).
MULTIDOGO_NEUTRAL = frozenset(
    {
        "",
        "contentonly",
        "confirmation",
        "rejection",
        "openinggreeting",
        "closinggreeting",
        "thankyou",
        "outofdomain",
    }
)
# The raw records of the sets whose own labels the benchmarks read: file and id field.
RAW = {
    "star": ("star/star_dev.jsonl", "dialogue_id"),
    "multidogo": ("multidogo/multidogo_dev.jsonl", "conversationId"),
}


def _digest(source: str, conv_id: str) -> bytes:
    return hashlib.sha256(f"{source}:{conv_id}".encode()).digest()


def split_of(source: str, conv_id: str) -> Split:
    """Half of each source is held out for the benchmark, chosen by hash (stable forever)."""
    return "test" if _digest(source, conv_id)[0] % 2 else "tune"


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def records(source: str, split: Split | None = None) -> list[dict[str, Any]]:
    """The raw records of STAR or MultiDoGO as the set ships them, of one split or of both."""
    name, key = RAW[source]
    rows = jsonl(DATA / name)
    return [r for r in rows if split is None or split_of(source, str(r[key])) == split]


def _conversation(conv_id: str, turns: list[tuple[Speaker, str]], channel: str) -> Conversation:
    kept = tuple(Turn(speaker, text) for speaker, text in turns if text.strip())
    return Conversation(conv_id, kept, channel=channel)  # type: ignore[arg-type]


def ibm() -> Iterator[Conversation]:
    threads: list[dict[str, Any]] = json.loads((DATA / "ibm_twitter_care" / "dev.json").read_text())
    for thread in threads:
        turns: list[tuple[Speaker, str]] = [
            ("agent" if "agent" in item else "customer", item["message"])
            for item in thread["dialogContent"]
        ]
        turns.append(("agent", thread["agentURL"]["url_utterance"]))
        yield _conversation(thread["dialogHeader"]["sessionID"], turns, "chat")


def star() -> Iterator[Conversation]:
    for record in jsonl(DATA / "star" / "star_dev.jsonl"):
        turns = [(t["speaker"], t["text"]) for t in record["turns"]]
        yield _conversation(str(record["dialogue_id"]), turns, "chat")


def multidogo() -> Iterator[Conversation]:
    for record in jsonl(DATA / "multidogo" / "multidogo_dev.jsonl"):
        turns: list[tuple[Speaker, str]] = [
            ("customer", t["utterance"]) for t in record["customer_turns"]
        ]
        yield _conversation(str(record["conversationId"]), turns, "chat")


def abcd() -> Iterator[Conversation]:
    chats = json.loads((DATA / "abcd_sample" / "abcd_5convos_combined.json").read_text())
    for chat in chats:
        turns: list[tuple[Speaker, str]] = [
            (speaker, text) for speaker, text in chat["original"] if speaker != "action"
        ]
        yield _conversation(str(chat["convo_id"]), turns, "chat")


def harper() -> Iterator[Conversation]:
    calls = json.loads((DATA / "harper_valley" / "hvb_sample_5calls.json").read_text())["calls"]
    for call in calls:
        turns: list[tuple[Speaker, str]] = []
        for segment in call["segments"]:
            speaker: Speaker = "agent" if segment["speaker_role"] == "agent" else "customer"
            text = segment["human_transcript"]
            if turns and turns[-1][0] == speaker:  # one turn per change of speaker
                turns[-1] = (speaker, f"{turns[-1][1]} {text}")
            else:
                turns.append((speaker, text))
        yield _conversation(call["sid"], turns, "call")


LOADERS = {"ibm": ibm, "star": star, "multidogo": multidogo, "abcd": abcd, "harper": harper}


@cache
def conversations(source: str) -> dict[str, Conversation]:
    return {conv.id: conv for conv in LOADERS[source]()}


def _star_identity_heavy() -> list[str]:
    heavy = []
    for record in jsonl(DATA / "star" / "star_dev.jsonl"):
        asks = [t.get("action_label") for t in record["turns"] if t["speaker"] == "agent"]
        if sum(1 for a in asks if a in STAR_IDENTITY_ACTIONS) >= 2:
            heavy.append(str(record["dialogue_id"]))
    return heavy


def sample(source: str) -> list[str]:
    """The ids labelled by hand, in labelling order (all of them for the small sets)."""
    ids = sorted(conversations(source), key=lambda conv_id: _digest(source, conv_id))
    if source not in SAMPLE_SIZE:
        return ids
    chosen = ids[: SAMPLE_SIZE[source]]
    if source == "star":
        taken = set(chosen)
        heavy = sorted(_star_identity_heavy(), key=lambda conv_id: _digest(source, conv_id))
        chosen += [conv_id for conv_id in heavy if conv_id not in taken][:STAR_IDENTITY_EXTRA]
    return chosen


def render(conv: Conversation) -> str:
    lines = [f"### {conv.id}"]
    lines += [f"[{i}] {turn.speaker}: {turn.text}" for i, turn in enumerate(conv.turns)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpora")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print sampled conversations with numbered turns")
    show.add_argument("source", choices=SOURCES)
    show.add_argument("--start", type=int, default=0)
    show.add_argument("--count", type=int, default=20)
    listing = sub.add_parser("sample", help="print the sampled ids with their split")
    listing.add_argument("source", choices=SOURCES)
    args = parser.parse_args(argv)
    ids = sample(args.source)
    if args.command == "sample":
        for conv_id in ids:
            print(conv_id, split_of(args.source, conv_id))
        return
    convs = conversations(args.source)
    for conv_id in ids[args.start : args.start + args.count]:
        print(render(convs[conv_id]), end="\n\n")


if __name__ == "__main__":
    main()
