"""Buying signals, the need phrase and discovery questions."""

from __future__ import annotations

from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.signals import (
    buying_signals,
    discovery_questions,
    main_need,
    need_phrase,
    question_topic,
)


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation("c", tuple(Turn(s, t) for s, t in turns))  # type: ignore[arg-type]


def test_it_finds_looking_for_with_the_need_as_a_short_phrase() -> None:
    conv = _conv(("customer", "Hi, I'm looking for a new laptop for my daughter, nothing fancy."))
    [signal] = buying_signals(conv)
    assert signal.kind == "looking_for"
    assert signal.need == "new laptop for my daughter"
    assert signal.turn == 0


def test_it_finds_price_availability_upgrade_and_quote_signals() -> None:
    conv = _conv(
        ("customer", "How much is the premium plan?"),
        ("agent", "It is 30 dollars."),
        ("customer", "Do you have it in blue? I might upgrade my phone too."),
        ("customer", "Could you give me a quote for fifty units?"),
    )
    kinds = [s.kind for s in buying_signals(conv)]
    assert kinds == ["price", "availability", "upgrade", "quote"]


def test_it_reads_the_need_from_the_most_direct_signal() -> None:
    conv = _conv(
        ("customer", "How much are the prices these days?"),
        ("customer", "We need two standing desks for the office."),
    )
    assert main_need(buying_signals(conv)) == "two standing desks for the office"


def test_it_ignores_agent_turns_and_complaints() -> None:
    conv = _conv(
        ("agent", "Are you looking for a new plan?"),
        ("customer", "I want a refund, I was charged twice for the order."),
        ("customer", "My password is not working."),
    )
    assert buying_signals(conv) == []


def test_it_keeps_a_need_phrase_to_eight_words() -> None:
    raw = "a very large red industrial espresso machine with two grinders and a steamer"
    assert need_phrase(raw) == "very large red industrial espresso machine with two"


def test_it_classifies_discovery_topics() -> None:
    assert question_topic("What's your budget for this?") == "budget"
    assert question_topic("What price range are you looking for?") == "budget"
    assert question_topic("When do you need it installed?") == "timeline"
    assert question_topic("What kind of printer do you need?") == "need"
    assert question_topic("Please let us know the platform you are on.") == "need"


def test_it_does_not_count_identity_asks_openers_or_closers_as_discovery() -> None:
    for sentence in (
        "Could I get your name, please?",
        "What's the best phone number to reach you?",
        "How can I help you today?",
        "Is there anything else I can do for you?",
        "Can I book that for you?",
        "The price is 20 dollars.",
    ):
        assert question_topic(sentence) is None, sentence


def test_it_finds_discovery_questions_in_agent_turns_only() -> None:
    conv = _conv(
        ("customer", "What kind of plans do you have?"),
        ("agent", "Sure. How many people will use it? And when would you like to start?"),
    )
    found = discovery_questions(conv)
    assert [(q.turn, q.topic) for q in found] == [(1, "need"), (1, "timeline")]
    assert found[0].quote == "How many people will use it?"
