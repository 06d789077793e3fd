"""Buying signals, the need phrase and discovery questions."""

from __future__ import annotations

import re

import pytest

from everytouch.analysis._fold import folded
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.signals import (
    _PATTERN_TRIGGERS,
    _SIGNAL_PATTERNS,
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


def _intent(*texts: str) -> bool:
    return bool(buying_signals(_conv(*(("customer", t) for t in texts))))


def test_it_reads_no_buying_intent_in_a_problem_with_something_owned() -> None:
    for text in (
        "My printer won't print anything since yesterday.",
        "The update fails every time, is there a way to fix it?",
        "I can\u2019t buy the game, the payment fails.",  # a typographic apostrophe
        "I just purchased the premium pack and it doesn't show up.",
        "I need a verification code, I can't log in.",
        "Is there anything else I need to do?",
        "I want update my app on the laptop.",
        "I need some software updates for my editor.",
    ):
        assert not _intent(text), text


def test_it_reads_no_buying_intent_in_refunds_status_changes_or_complaints() -> None:
    for text in (
        "Can I get my money back for the last three months?",
        "I need reimbursement for my travel expenses.",
        "I want to change the address on my card.",
        "Where is my order, it has been two weeks?",
        "Stop the price gouging on your site!",
        "I pay a monthly fee and still see adverts.",
        "okay buy have a nice day",
    ):
        assert not _intent(text), text


def test_it_keeps_a_purchase_that_follows_a_problem_in_another_clause() -> None:
    assert _intent("My old laptop is broken, so I want to buy a new laptop.")
    assert _intent("Sorry, cancel the fries, I just want the burger.")


def test_it_finds_sign_ups_and_new_services() -> None:
    for text in (
        "i want to signup for a new internet connection",
        "i want to a new cable service",
        "I'd like to set up new recurring orders",
        "Can you help me find a good data plan?",
    ):
        assert _intent(text), text


def test_it_finds_orders_that_only_name_the_items() -> None:
    for text in ("2 large pizzas", "one lemonade and a brownie", "tea"):
        assert _intent(text), text


def test_it_finds_searches_and_plans_for_something_to_book() -> None:
    for text in (
        "I'd like to search for a hotel near the station.",
        "I want to organize a surprise party.",
        "I need to schedule an apartment viewing for Saturday.",
    ):
        assert _intent(text), text


def test_it_tries_a_pattern_only_when_one_of_its_trigger_words_is_there() -> None:
    # The trigger words must cover every pattern, or a signal would be skipped unseen.
    for text in (
        "Can I get a quote?",
        "I'll take two.",
        "We're in the market for vans.",
        "Do you do catering?",
        "Could we place an order?",
        "I want to throw a wedding party.",
        "Please search for flights to Rome.",
        "Any tables free tonight?",
        "I'd like to add a line and more storage.",
        "How much for the blue one?",
        "Is it in stock?",
        "new cable connection",
        "3 hot dogs",
    ):
        words = re.findall(r"[a-z]+", text.lower())
        for (kind, pattern), triggers in zip(_SIGNAL_PATTERNS, _PATTERN_TRIGGERS, strict=True):
            if pattern.search(folded(text)):
                assert not triggers.isdisjoint(words), (kind, text)


def test_it_counts_requests_for_details_phrased_as_instructions() -> None:
    for sentence in (
        "Please share the serial number and the exact error.",
        "Tell me what happens when you press print.",
        "DM us more details about what's happening.",
        "Could you send a screenshot of the message you see?",
        "Describe the noise the engine makes.",
        "Please provide the name of the lock manufacturer.",
    ):
        assert question_topic(sentence) is not None, sentence


def test_it_counts_asking_what_the_customer_already_tried() -> None:
    for sentence in (
        "Did you try resetting your password with the steps on this page: (link)",
        "Have you already tried recovering your account?",
        "Are you able to restart it by holding the power button?",
    ):
        assert question_topic(sentence) == "need", sentence


def test_it_does_not_count_sign_offs_and_did_that_help_checks() -> None:
    for sentence in (
        "Let us know how that goes.",
        "Let me know if this resolves the issue or if the problem persists.",
        "Let us know if you need anything else.",
        "Hope this helps!",
        "Did that help?",
        "Notice any improvement since then?",
        "Mind if we jump in?",
    ):
        assert question_topic(sentence) is None, sentence


def test_it_does_not_count_instructions_to_act_or_to_use_another_channel() -> None:
    for sentence in (
        "Follow the steps at (link) to reset it.",
        "Could you go through the steps here (link) and see if that clears it up?",
        "Please send us a direct message.",
        "Please share your feedback with our engineers here: (link)",
        "Let us know what you would like to see through this form: (link)",
        "Here are more details about why this happens: (link)",
        "You can read more about what to do here: (link)",
    ):
        assert question_topic(sentence) is None, sentence


def test_it_does_not_count_lookups_offers_or_confirmations() -> None:
    for sentence in (
        "Please share your channel's URL.",
        "How old are you?",
        "You want the blue one, correct?",
        "Would you like to file a report?",
    ):
        assert question_topic(sentence) is None, sentence
    assert question_topic("At what time would you like us to come?") == "timeline"
    assert question_topic("With whom would you like to schedule the meeting?") == "need"


def test_it_finds_questions_in_unpunctuated_speech() -> None:
    assert question_topic("[noise] sure uh which card would you like to replace") == "need"
    assert question_topic("monday [noise] and what time would you like") == "timeline"
    assert question_topic("is there anything else i can help you with") is None


# Trade phrasing the buying rules used to miss (written for these rules, not from any data set).
TRADE_ASKS = [
    "Do you stock the Makita 18V batteries?",
    "We'd like a price for fleet insurance for six vans.",
    "What would you charge for a deep clean of a 3 bedroom house?",
    "Can you fit me in for a haircut on Saturday?",
    "Are you taking new patients?",
    "Could you print 300 flyers by Friday?",
]


@pytest.mark.parametrize("text", TRADE_ASKS)
def test_a_trade_ask_is_a_buying_signal(text: str) -> None:
    conv = Conversation("t", (Turn("customer", text),))
    assert buying_signals(conv), text


@pytest.mark.parametrize(
    "text",
    [
        "How much did you charge me last month? It looks wrong.",
        "Could you make it work again? It stopped after the update.",
        "Is the pharmacy taking my insurance yet?",
    ],
)
def test_the_same_words_about_something_had_are_not(text: str) -> None:
    assert not buying_signals(Conversation("t", (Turn("customer", text),)))
