"""Small-business buying and support phrasing through analyze(): the learned veto must keep
quote, price and availability asks from print shops, dentists, garages, salons, ... as leads.

None of these phrases is in benchmarks/labels/written/intent_examples.jsonl (a test checks it):
they were written after the model was built, to see whether what it learned carries over.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from everytouch.analysis import intent, signals
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation, Turn

ROOT = Path(__file__).resolve().parents[3]
WRITTEN = ROOT / "benchmarks" / "labels" / "written" / "intent_examples.jsonl"

# Vetoed by the model trained on the public sets alone (probability below its threshold).
PROBES = [
    "Could you give me a quote for fifty units?",
    "Do you have this in blue?",
    "Do you sell ink for Epson printers?",
    "I need new tires for my car, what do they cost?",
    "How much is a toner cartridge for the HP 402?",
]

BUYING = [
    "Can you quote me for 300 branded pens with our logo?",
    "Do you have any slots on Thursday for a root canal consultation?",
    "I'd like to book a full head of foils with Jess next week.",
    "Do you do office catering for about 40 people on the 3rd?",
    "We need a plumber to fit a new radiator in the back bedroom, what would it cost?",
    "Do you have the Makita 18V batteries in stock?",
    "Hello, we'd like a quote for fleet insurance on six vans. Regards, Dev",
    "Our old till system is dead so we're looking for a new point of sale setup, can you quote?",
    "Can I get a dozen red roses delivered to Elm Street on Friday?",
    "what would a years membership cost for me and my husband",
]

SUPPORT = [
    "The brochures you printed last week are smudged on every page.",
    "My crown came loose again, it's the one you fitted in June.",
    "the garage still hasnt rung me about my car, it was meant to be ready at 4",
    "I'd like to move my colour appointment from Saturday to Sunday.",
    "We were charged the delivery fee twice on the catering invoice.",
    "The radiator you fitted is cold at the top.",
    "The drill batteries I bought from you won't charge.",
    "I want to return the hoodie, the seam split after one wash.",
    "Please cancel my van insurance from the end of the month.",
    "The card machine you sold us keeps rebooting in the middle of a payment.",
    "Where's my flower delivery? It was due at noon.",
    "How do I freeze my gym membership for two months?",
    "Why is the price of my membership higher this month?",
    "I need my invoice for the catering order from last week.",
]

# Rule signals fire on these support turns: only the veto keeps them from being leads.
VETOED = [
    "Why is the price of my membership higher this month?",
    "I need my invoice for the catering order from last week.",
]


def _buying(text: str) -> bool:
    return analyze(Conversation("c", (Turn("customer", text),))).lead.buying_intent


@pytest.mark.parametrize("text", PROBES + BUYING)
def test_small_business_buying_is_a_lead(text: str) -> None:
    assert _buying(text), intent.probability(text)


@pytest.mark.parametrize("text", SUPPORT)
def test_small_business_support_is_not_a_lead(text: str) -> None:
    assert not _buying(text), intent.probability(text)


@pytest.mark.parametrize("text", PROBES)
def test_the_model_itself_reads_the_probes_as_buying(text: str) -> None:
    assert intent.wants_to_acquire(text), intent.probability(text)


@pytest.mark.parametrize("text", VETOED)
def test_the_model_itself_vetoes_support_that_uses_buying_words(text: str) -> None:
    assert signals.turn_signals(Turn("customer", text), 0)
    assert not intent.wants_to_acquire(text), intent.probability(text)


def test_none_of_these_phrases_was_trained_on() -> None:
    with WRITTEN.open(encoding="utf-8") as handle:
        trained = {json.loads(line)["text"].lower() for line in handle if line.strip()}
    assert not {t.lower() for t in PROBES + BUYING + SUPPORT} & trained
