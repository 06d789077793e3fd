"""The learned reading of bare numbers in transcripts with no agent side (number_kind.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from everytouch.analysis import number_kind
from everytouch.analysis.contacts import extract_contacts
from everytouch.analysis.conversation import Conversation, Turn


def customer_only(*texts: str) -> Conversation:
    return Conversation(id="t", turns=tuple(Turn("customer", t) for t in texts))


def kinds(conv: Conversation) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in extract_contacts(conv) if f.kind != "name"]


def test_a_bare_number_after_a_login_problem_and_a_name_is_not_a_phone() -> None:
    # The shape alone (ten digits) made this a phone; it is the password the customer gives.
    conv = customer_only("i forgot my login for the app", "john smith", "4587125639")
    assert kinds(conv) == []


def test_a_bare_number_in_a_booking_is_a_phone_even_of_nine_or_eleven_digits() -> None:
    assert kinds(customer_only("hi i want to book a flight", "kavisri", "9876543210")) == [
        ("phone", "+19876543210")
    ]
    assert kinds(customer_only("i would like to order a pizza", "sam", "987654321")) == [
        ("phone", "987654321")
    ]
    assert kinds(customer_only("i would like to order a pizza", "sam", "98765432101")) == [
        ("phone", "98765432101")
    ]


def test_an_eleven_digit_number_in_an_insurance_talk_is_not_a_phone() -> None:
    conv = customer_only("hi", "i need insurance for my car", "sam", "98765432101")
    assert kinds(conv) == []


def test_cues_still_decide_before_the_model() -> None:
    assert kinds(customer_only("i forgot my login", "my phone number is 4587125639")) == [
        ("phone", "+14587125639")
    ]
    conv = customer_only("i want to know my account balance", "sam", "9876543210")
    assert kinds(conv) == [("account", "9876543210")]


def test_a_transcript_with_an_agent_side_never_asks_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str, start: int, end: int, digits: str, earlier: Sequence[str]) -> bool:
        raise AssertionError("the model was asked")

    monkeypatch.setattr(number_kind, "is_phone", refuse)
    conv = Conversation(
        id="t", turns=(Turn("agent", "How can I help?"), Turn("customer", "4155550123"))
    )
    assert kinds(conv) == [("phone", "+14155550123")]


def test_the_features_name_the_shape_the_turn_and_the_turns_before() -> None:
    text = "sure its 9142351709 thanks"
    start = text.index("9")
    feats = number_kind.number_features(
        text, start, start + 10, "9142351709", ["book a flight", "kavisri"]
    )
    assert {"n=10", "f=9", "f2=91", "b:its", "a:thanks", "p1:kavisri", "p2:flight"} <= set(feats)
    assert {"c:book", "c:kavisri", "pos=2"} <= set(feats)
    assert "only" not in feats
    assert "only" in number_kind.number_features("9142351709", 0, 10, "9142351709", [])


def test_the_shipped_model_is_small_and_says_what_it_is_for() -> None:
    model = number_kind.model()
    assert model.check == number_kind.CHECK
    assert 0 < number_kind.MODEL_PATH.stat().st_size < 100_000
    assert model.positives > 300 and model.negatives > 100
