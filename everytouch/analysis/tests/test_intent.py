"""The learned buying-intent veto (intent.py) and how buying_signals uses it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from everytouch.analysis import intent, signals
from everytouch.analysis.conversation import Conversation, Turn


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to order two large pizzas",
        "how much is the premium plan",
        "I want to book a table for four tonight",
        "I'd like to sign up for internet service",
    ],
)
def test_it_reads_wanting_something_new(text: str) -> None:
    assert intent.wants_to_acquire(text), intent.probability(text)


@pytest.mark.parametrize(
    "text",
    [
        "my printer won't print since the update",
        "I was charged twice for my subscription",
        "How do I cancel?",
        "My order never arrived, where is it?",
        "@Delta I need my boarding pass, the app keeps crashing https://t.co/x1",
    ],
)
def test_it_reads_no_wish_to_buy_in_support_turns(text: str) -> None:
    assert not intent.wants_to_acquire(text), intent.probability(text)


def test_handles_and_links_are_stripped() -> None:
    assert intent.clean("@AppleSupport my phone https://t.co/abc www.x.com/y ok") == "my phone ok"
    assert intent.clean("mail me at jo@example.com") == "mail me at jo@example.com"


def test_the_shipped_model_is_the_buying_intent_model() -> None:
    model = intent.model()
    assert model.check == intent.CHECK
    assert model.side == "customer"
    assert 0.0 < model.threshold < 1.0
    assert model.positives > 1000 and model.negatives > 1000


def test_a_rule_signal_counts_only_when_the_model_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    conv = Conversation("c", (Turn("customer", "I'd like to order two large pizzas"),))
    assert signals.buying_signals(conv)
    monkeypatch.setattr(signals, "wants_to_acquire", lambda text: False)
    signals._customer_signals.cache_clear()  # the model's verdict is cached with the signals
    assert signals.buying_signals(conv) == []
    signals._customer_signals.cache_clear()


def test_only_turns_with_a_rule_signal_are_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    scored: list[str] = []

    def spy(text: str) -> bool:
        scored.append(text)
        return True

    monkeypatch.setattr(signals, "wants_to_acquire", spy)
    signals._customer_signals.cache_clear()  # a cached verdict would not call the spy
    conv = Conversation(
        "c",
        (
            Turn("customer", "Hello there."),
            Turn("agent", "How much would you like to spend?"),
            Turn("customer", "How much is the premium plan?"),
        ),
    )
    signals.buying_signals(conv)
    signals._customer_signals.cache_clear()
    assert scored == ["How much is the premium plan?"]


def test_importing_the_analyzer_does_not_read_the_model() -> None:
    code = (
        "import everytouch.analysis.analyzer\n"
        "from everytouch.analysis import intent, learned\n"
        "assert intent.model.cache_info().currsize == 0\n"
        "assert learned._load.cache_info().currsize == 0\n"
        "intent.wants_to_acquire('I want to buy a phone')\n"
        "assert intent.model.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
