"""Accuracy of identity extraction (contacts.py, asks.py) on public labelled conversations.

Run: .venv/bin/python -m benchmarks.accuracy_identity [--presidio-sample N]

Scores against the labels that ship with each set (see ../shared/data/README.md):
STAR (agent identity asks, repeated asks, captured customer name), MultiDoGO (customer gave
name / phone / e-mail) and Presidio's synthetic PII sentences (phone, e-mail, person values).
When Presidio is installed it is scored on the same samples as a baseline.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from everytouch.analysis._asked import security_topics
from everytouch.analysis.asks import asked_details, identity_asks
from everytouch.analysis.contacts import contacts_in_text, extract_contacts
from everytouch.analysis.conversation import Conversation, Turn

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STAR_DETAILS = {
    "ask_name": "name",
    "bank_ask_account_number": "account",
    "bank_ask_pin": "pin",
    "bank_ask_dob": "dob",
    "bank_ask_mothers_maiden_name": "security",
    "bank_ask_childhood_pets_name": "security",
}
STAR_NAME_KEYS = {"CustomerName", "PatientName", "RenterName", "FullName"}
KINDS = ("name", "phone", "email")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Table:
    title: str
    rows: dict[str, Score] = field(default_factory=dict)

    def score(self, row: str) -> Score:
        return self.rows.setdefault(row, Score())

    def render(self) -> str:
        lines = [f"\n## {self.title}", "", "| measure | P | R | F1 | TP | FP | FN | TN |"]
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for row, s in self.rows.items():
            lines.append(
                f"| {row} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                f"{s.tp} | {s.fp} | {s.fn} | {s.tn} |"
            )
        return "\n".join(lines)


# --- loading ------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def star_records() -> list[dict[str, Any]]:
    return list(_jsonl(DATA / "star" / "star_dev.jsonl"))


def star_conversation(record: dict[str, Any]) -> Conversation:
    turns = tuple(Turn(t["speaker"], t["text"]) for t in record["turns"])
    return Conversation(id=str(record["dialogue_id"]), turns=turns, channel="chat")


def multidogo_records() -> list[dict[str, Any]]:
    return list(_jsonl(DATA / "multidogo" / "multidogo_dev.jsonl"))


def multidogo_conversation(record: dict[str, Any]) -> Conversation:
    # The set keeps customer turns only: the extractor sees a transcript with no agent side.
    turns = tuple(Turn("customer", t["utterance"]) for t in record["customer_turns"])
    return Conversation(id=str(record["conversationId"]), turns=turns, channel="chat")


# --- STAR ---------------------------------------------------------------------------------


def star_asks(records: list[dict[str, Any]]) -> Table:
    table = Table(
        "STAR: identity asks by the agent (turn level, agent turns with a flowchart label)"
    )
    for record in records:
        for turn in record["turns"]:
            label = turn["action_label"]
            if turn["speaker"] != "agent" or label is None:
                continue
            asked = asked_details(turn["text"])
            for detail in ("name", "account", "pin", "dob", "security"):
                table.score(f"asked {detail}").add(
                    STAR_DETAILS.get(label) == detail, detail in asked
                )
    return table


def star_dialogues(records: list[dict[str, Any]]) -> Table:
    table = Table("STAR: per dialogue")
    for record in records:
        conv = star_conversation(record)
        labels = record["labels_from_dataset"]
        asks = identity_asks(conv)
        flow_name = any(t["action_label"] == "ask_name" for t in record["turns"])
        table.score("asked name (truth: an ask_name turn)").add(
            flow_name, any(a.detail == "name" for a in asks)
        )
        table.score("asked name (truth: dataset agent_asked_name)").add(
            labels["agent_asked_name"], any(a.detail == "name" for a in asks)
        )
        table.score("repeated identity ask: same detail asked in 2+ turns").add(
            labels["repeated_identity_ask"], _asked_twice(asks)
        )
        table.score("repeated identity ask: 2+ turns, flowchart-labelled turns only").add(
            labels["repeated_identity_ask"], _asked_twice_labelled(record)
        )
        table.score("repeated identity ask: Ask.repeat").add(
            labels["repeated_identity_ask"], any(a.repeat for a in asks)
        )
    return table


def _asked_twice(asks: Iterable[Any]) -> bool:
    seen: set[str] = set()
    for ask in asks:
        if ask.detail in seen and ask.detail != "security":
            return True
        seen.add(ask.detail)
    return False


def _asked_twice_labelled(record: dict[str, Any]) -> bool:
    """Repeats among the turns the dataset labelled: its own definition, free-typed turns aside."""
    counts: Counter[str] = Counter()
    for turn in record["turns"]:
        if turn["speaker"] == "agent" and turn["action_label"] is not None:
            for detail in asked_details(turn["text"]):
                keys = security_topics(turn["text"]) if detail == "security" else {detail}
                counts.update(keys)
    return any(n >= 2 for n in counts.values())


def star_truth_names(record: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for query in record["kb_queries"]:
        for item in query:
            for key, value in item.items():
                if key in STAR_NAME_KEYS:
                    names.update(_kb_strings(value))
    return {n for n in names if n}


def _kb_strings(value: str) -> list[str]:
    return [s.strip().lower() for s in re.findall(r'"([^"]*)"', value)]


def names_match(predicted: str, truth: str) -> bool:
    p, t = predicted.lower().split(), truth.lower().split()
    return bool(p) and bool(t) and (set(p) <= set(t) or set(t) <= set(p))


def score_values(
    score: Score, predicted: set[str], truth: set[str], match: Callable[[str, str], bool]
) -> None:
    """Value level: each predicted value is a TP or FP, each unmatched truth value an FN."""
    for value in predicted:
        score.add(any(match(value, t) for t in truth), True)
    for value in truth:
        if not any(match(p, value) for p in predicted):
            score.add(True, False)


def star_names(records: list[dict[str, Any]], presidio: Any, sample: int) -> Table:
    table = Table(
        "STAR: captured customer name vs kb_queries (dialogues with a name in kb_queries)"
    )
    for i, record in enumerate(records):
        truth = star_truth_names(record)
        if not truth:
            continue
        conv = star_conversation(record)
        ours = {f.value for f in extract_contacts(conv) if f.kind == "name"}
        score_values(table.score("everytouch"), ours, truth, names_match)
        if presidio is not None and i < sample:
            score_values(table.score("everytouch (Presidio sample)"), ours, truth, names_match)
            theirs = _presidio_customer(presidio, conv)["name"]
            score_values(table.score("Presidio (same sample)"), theirs, truth, names_match)
    return table


def _presidio_customer(presidio: Any, conv: Conversation) -> dict[str, set[str]]:
    from benchmarks.presidio_baseline import presidio_contacts

    text = "\n".join(t.text for t in conv.turns if t.speaker == "customer")
    return {k: set(v) for k, v in presidio_contacts(presidio, text).items()}


# --- MultiDoGO ----------------------------------------------------------------------------


def multidogo(records: list[dict[str, Any]], presidio: Any, sample: int) -> Table:
    table = Table("MultiDoGO: customer gave name / phone / e-mail (per conversation)")
    for i, record in enumerate(records):
        labels = record["labels_from_dataset"]
        conv = multidogo_conversation(record)
        kinds = {f.kind for f in extract_contacts(conv)}
        for kind in KINDS:
            table.score(f"{kind}").add(bool(labels[f"customer_gave_{kind}"]), kind in kinds)
        if presidio is not None and i < sample:
            theirs = _presidio_customer(presidio, conv)
            for kind in KINDS:
                truth = bool(labels[f"customer_gave_{kind}"])
                table.score(f"{kind}: everytouch (Presidio sample)").add(truth, kind in kinds)
                table.score(f"{kind}: Presidio (same sample)").add(truth, bool(theirs[kind]))
    return table


# --- Presidio synthetic -------------------------------------------------------------------


def presidio_synth(presidio: Any, sample: int) -> Table:
    table = Table("Presidio synthetic sentences: phone, e-mail, person values (value level)")
    rows = json.loads((DATA / "presidio_synth" / "synth_dataset_v2.json").read_text("utf-8"))
    types = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "PERSON": "name"}
    for i, row in enumerate(rows):
        truth: dict[str, set[str]] = {k: set() for k in KINDS}
        for span in row["spans"]:
            if span["entity_type"] in types:
                truth[types[span["entity_type"]]].add(span["entity_value"])
        ours = _ours_in_text(row["full_text"])
        for kind in KINDS:
            score_values(
                table.score(f"{kind}: everytouch"), ours[kind], truth[kind], _matcher(kind)
            )
        if presidio is not None and i < sample:
            from benchmarks.presidio_baseline import presidio_contacts

            theirs = presidio_contacts(presidio, row["full_text"])
            for kind in KINDS:
                m = _matcher(kind)
                score_values(
                    table.score(f"{kind}: everytouch (Presidio sample)"), ours[kind], truth[kind], m
                )
                score_values(
                    table.score(f"{kind}: Presidio (same sample)"),
                    set(theirs[kind]),
                    truth[kind],
                    m,
                )
    return table


def _ours_in_text(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {k: set() for k in KINDS}
    for hit in contacts_in_text(text, blind=False):
        if hit.kind in found:
            found[hit.kind].add(hit.value)
    return found


def _matcher(kind: str) -> Callable[[str, str], bool]:
    return {"phone": phones_match, "email": emails_match}.get(kind, names_match)


def phones_match(predicted: str, truth: str) -> bool:
    p, t = re.sub(r"\D", "", predicted), re.sub(r"\D", "", truth)
    short, long = sorted((p, t), key=len)
    return len(short) >= 7 and long.endswith(short[-7:]) and long[-len(short) :][-7:] == short[-7:]


def emails_match(predicted: str, truth: str) -> bool:
    return predicted.lower() == truth.lower()


# --- speed --------------------------------------------------------------------------------


def speed(records: list[dict[str, Any]]) -> str:
    convs = [star_conversation(r) for r in records]
    start = time.perf_counter()
    for conv in convs:
        identity_asks(conv, extract_contacts(conv))
    elapsed = time.perf_counter() - start
    return (
        f"\nSpeed: extract_contacts + identity_asks on {len(convs)} STAR dialogues: "
        f"{elapsed:.2f} s, {1000 * elapsed / len(convs):.3f} ms per conversation, "
        f"{len(convs) / elapsed:.0f} conversations/s (one core)"
    )


def _load_presidio() -> Any:
    try:
        from benchmarks.presidio_baseline import load_analyzer

        return load_analyzer()
    except ImportError:
        print("Presidio not installed: baseline rows skipped")
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--presidio-sample", type=int, default=150, help="items per set for Presidio"
    )
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio baseline")
    # Called as main() from benchmarks.accuracy: that command's own arguments are not ours.
    args = parser.parse_args([] if argv is None else argv)
    if not DATA.is_dir():
        print(f"No data at {DATA}: nothing to measure")
        return
    presidio = None if args.no_presidio else _load_presidio()
    star = star_records()
    print("# Identity extraction accuracy")
    print(star_asks(star).render())
    print(star_dialogues(star).render())
    print(star_names(star, presidio, args.presidio_sample).render())
    print(multidogo(multidogo_records(), presidio, args.presidio_sample).render())
    print(presidio_synth(presidio, args.presidio_sample).render())
    print(speed(star))


if __name__ == "__main__":
    main(sys.argv[1:])
