"""Accuracy of the conversation analysis on public labelled data (../shared/data).

`.venv/bin/python -m benchmarks.accuracy` prints every table, each on the TEST split only
(benchmarks.corpora.split_of): the identity and contact tables of benchmarks.accuracy_identity,
then these:

- every check against the hand labels in benchmarks/labels (docs/analysis-labels.md), per
  source, with the share of non-buying conversations read as buying and the phones found;
- discovery questions on STAR, against its action labels (slot-filling asks about the need);
- next step offered on IBM Twitter care: every thread ends with the agent's help link;
- greeting on STAR against the `hello` action;
- buying intent and lead capture on MultiDoGO against its intents and slot labels.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import corpora, labelled
from benchmarks._scoring import Score
from benchmarks.corpora import MULTIDOGO_BUYING, MULTIDOGO_NEUTRAL, split_of
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.flow import greeting, next_step_kind
from everytouch.analysis.signals import buying_signals, discovery_in_text, sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
URL = re.compile(r"https?://\S+|www\.\S+")

STAR_GAME_DOMAINS = ("trivia_", "spaceship_")
STAR_NOT_DISCOVERY = re.compile(
    r"^ask_name$|account_number|_pin$|_dob$|maiden|pets_name|booking_number|flight_id|room_number|"
    r"confirm|search_more|continue_searching|more_questions|custom_message|_inform_"
)
STAR_DISCOVERY = re.compile(r"^(?:[a-z]+_)?ask_")


@dataclass
class Table:
    title: str
    note: str = ""
    rows: dict[str, Score] = field(default_factory=dict)

    def score(self, row: str) -> Score:
        return self.rows.setdefault(row, Score())

    def render(self) -> str:
        lines = [f"\n## {self.title}", ""]
        if self.note:
            lines += [self.note, ""]
        lines += ["| measure | P | R | F1 | TP | FP | FN | TN |", "| --- " * 8 + "|"]
        for row, s in self.rows.items():
            lines.append(
                f"| {row} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                f"{s.tp} | {s.fp} | {s.fn} | {s.tn} |"
            )
        return "\n".join(lines)


def asks_discovery(text: str) -> bool:
    return any(True for _ in discovery_in_text(text))


def offers_next_step(text: str) -> bool:
    return bool(URL.search(text)) or any(next_step_kind(s) for _, s in sentences(text))


# ---- IBM Twitter customer care -----------------------------------------------------------


def ibm_threads() -> list[dict[str, Any]]:
    """IBM's test split only (benchmarks.corpora.split_of)."""
    data: list[dict[str, Any]] = json.loads((DATA / "ibm_twitter_care" / "dev.json").read_text())
    return [t for t in data if split_of("ibm", t["dialogHeader"]["sessionID"]) == "test"]


def _earlier_agent_turns(thread: dict[str, Any]) -> Iterator[tuple[tuple[str, str], str]]:
    session = thread["dialogHeader"]["sessionID"]
    for item in thread["dialogContent"]:
        if "agent" in item:
            yield (session, item["tweet_ID"]), item["message"]


def ibm_next_step(threads: list[dict[str, Any]]) -> Table:
    table = Table(
        "Next step offered on IBM Twitter care (agentURL reply = a next step)",
        "Negatives are the earlier agent turns: unlabelled, and several hold links or 'DM us' "
        "themselves, so precision here is a floor.",
    )
    for thread in threads:
        reply = thread["agentURL"]["url_utterance"]
        table.score("with the URL").add(True, offers_next_step(reply))
        table.score("URL text removed (language only)").add(
            True, offers_next_step(URL.sub("", reply))
        )
        for _, text in _earlier_agent_turns(thread):
            table.score("with the URL").add(False, offers_next_step(text))
            table.score("URL text removed (language only)").add(
                False, offers_next_step(URL.sub("", text))
            )
    return table


def ibm_conversation(thread: dict[str, Any]) -> Conversation:
    turns = [
        Turn("agent" if "agent" in item else "customer", item["message"])
        for item in thread["dialogContent"]
    ]
    turns.append(Turn("agent", thread["agentURL"]["url_utterance"]))
    return Conversation(thread["dialogHeader"]["sessionID"], tuple(turns), channel="chat")


def ibm_scorecards(threads: list[dict[str, Any]]) -> Table:
    table = Table("next_step check through analyze() on IBM Twitter care threads")
    for thread in threads:
        card = analyze(ibm_conversation(thread))
        table.score("next_step passes").add(True, card.check("next_step").status == "pass")
    return table


# ---- STAR --------------------------------------------------------------------------------


def star_records() -> list[dict[str, Any]]:
    """STAR's test split only (benchmarks.corpora.split_of): the tune half is for tuning."""
    return corpora.records("star", "test")


def star_discovery_truth(label: str) -> bool:
    return bool(STAR_DISCOVERY.match(label)) and not STAR_NOT_DISCOVERY.search(label)


def star_discovery(records: list[dict[str, Any]]) -> Table:
    table = Table(
        "Discovery question on STAR (labelled agent turns)",
        "Truth: the action asks about the need (`*_ask_*` minus identity, confirmations, "
        "'search more'); trivia and spaceship games left out.",
    )
    for record in records:
        for turn in record["turns"]:
            label = turn.get("action_label")
            if turn["speaker"] != "agent" or not label or label.startswith(STAR_GAME_DOMAINS):
                continue
            table.score("agent turn").add(star_discovery_truth(label), asks_discovery(turn["text"]))
    return table


def star_conversation(record: dict[str, Any]) -> Conversation:
    turns = tuple(Turn(t["speaker"], t["text"]) for t in record["turns"])
    return Conversation(str(record["dialogue_id"]), turns, channel="chat")


def star_greeting(records: list[dict[str, Any]]) -> Table:
    table = Table(
        "Greeting on STAR (dialogues whose first agent turn is labelled)",
        "Truth: one of the first two agent turns has the `hello` action.",
    )
    for record in records:
        agent = [t for t in record["turns"] if t["speaker"] == "agent"][:2]
        if not agent or agent[0].get("action_label") is None:
            continue
        truth = any(t.get("action_label") == "hello" for t in agent)
        table.score("greeting found").add(truth, greeting(star_conversation(record)) is not None)
    return table


# ---- MultiDoGO ---------------------------------------------------------------------------


def multidogo_records() -> list[dict[str, Any]]:
    """MultiDoGO's test split only (benchmarks.corpora.split_of)."""
    return corpora.records("multidogo", "test")


def multidogo_conversation(record: dict[str, Any]) -> Conversation:
    turns = tuple(Turn("customer", t["utterance"]) for t in record["customer_turns"])
    return Conversation(str(record["conversationId"]), turns, channel="chat")


def multidogo_intent(records: list[dict[str, Any]]) -> Table:
    table = Table(
        "Buying intent on MultiDoGO (customer turns with a task intent)",
        "Truth: the turn's intent is booking, ordering, starting or upgrading a service, "
        "opening an account or asking for offers; turns with only greeting/confirmation/"
        "content intents are left out at turn level.",
    )
    for record in records:
        conv_truth = conv_predicted = False
        for turn in record["customer_turns"]:
            intents = set(turn.get("intents") or [])
            truth = bool(intents & MULTIDOGO_BUYING)
            predicted = bool(
                buying_signals(Conversation("t", (Turn("customer", turn["utterance"]),)))
            )
            conv_truth, conv_predicted = conv_truth or truth, conv_predicted or predicted
            if intents - MULTIDOGO_NEUTRAL:
                table.score("turn").add(truth, predicted)
        table.score("conversation").add(conv_truth, conv_predicted)
    return table


def multidogo_lead(records: list[dict[str, Any]]) -> Table:
    table = Table(
        "Lead captured on MultiDoGO (lead_captured check through analyze())",
        "Truth: a buying intent and the customer gave a name and a phone or e-mail (labels). "
        "Customer turns only: the agent side is not in the set.",
    )
    for record in records:
        labels = record["labels_from_dataset"]
        intent = bool(set(labels.get("intents") or []) & MULTIDOGO_BUYING)
        details = labels["customer_gave_name"] and (
            labels["customer_gave_phone"] or labels["customer_gave_email"]
        )
        card = analyze(multidogo_conversation(record))
        table.score("lead captured").add(
            intent and details, card.check("lead_captured").status == "pass"
        )
    return table


def _identity_tables(forward: list[str]) -> None:
    try:
        from benchmarks import accuracy_identity
    except ModuleNotFoundError as exc:
        if exc.name != "benchmarks.accuracy_identity":
            raise
        print("(benchmarks.accuracy_identity not present: identity tables skipped)")
        return
    accuracy_identity.main(forward)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-identity", action="store_true", help="skip the identity tables")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio baseline")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"No data at {DATA}: nothing to measure")
        return
    if not args.no_identity:
        _identity_tables(["--no-presidio"] if args.no_presidio else [])
    print("\n# Conversation analysis accuracy (test split)")
    print("\n".join(labelled.render(labelled.evaluate(labelled.read_labels(), "test"), "test")))
    threads = ibm_threads()
    print(ibm_next_step(threads).render())
    print(ibm_scorecards(threads).render())
    star = star_records()
    print(star_discovery(star).render())
    print(star_greeting(star).render())
    multidogo = multidogo_records()
    print(multidogo_intent(multidogo).render())
    print(multidogo_lead(multidogo).render())


if __name__ == "__main__":
    main()
