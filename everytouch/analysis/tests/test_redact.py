from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch.analysis import redact
from everytouch.analysis.redact import (
    luhn_valid,
    redact_card_numbers,
    redact_turns,
    redact_written_parts,
    split_card_parts,
)
from everytouch.testing.cards import Card, card_texts, eight_digit_runs, split_cards, survivors

VISA = "4111 1111 1111 1111"


def test_it_redacts_a_card_number_however_it_is_grouped() -> None:
    for written in (VISA, "4111111111111111", "4111-1111-1111-1111", "5500 0000 0000 0004"):
        out = redact_card_numbers(f"my card is {written}, expiry 04/29")
        assert out.startswith("my card is [card ending ")
        assert written not in out
        assert out.endswith(", expiry 04/29")


def test_it_keeps_phone_numbers_and_non_luhn_digit_runs() -> None:
    text = "call me on 201-555-0123 or +1 201 555 0123; order 4111111111111112"
    assert redact_card_numbers(text) == text


def test_it_checks_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_it_never_crashes_and_never_grows_a_text_without_cards(text: str) -> None:
    out = redact_card_numbers(text)
    assert isinstance(out, str)
    if sum(c.isdigit() for c in text) < 13:
        assert out == text


def test_it_stays_fast_on_long_digit_runs() -> None:
    # A pathological run for a backtracking regex; linear here (a hang would fail CI by timeout).
    text = "1 " * 50_000 + "9" * 100_000
    assert len(redact_card_numbers(text)) > 0


# --- every format ------------------------------------------------------------------------------


def gone(card: Card, texts: list[str]) -> bool:
    runs = eight_digit_runs([card.digits])
    return not any(survivors(text, runs) for text in texts)


@settings(max_examples=300, deadline=None)
@given(card_texts())
def test_it_redacts_a_card_number_in_any_format(card: Card) -> None:
    out = redact_card_numbers(card.texts[0])
    assert gone(card, [out]), (card, out)
    assert f"[card ending {card.digits[-4:]}]" in out


@settings(max_examples=200, deadline=None)
@given(split_cards())
def test_it_redacts_both_parts_of_a_number_split_across_turns(card: Card) -> None:
    out = redact_turns([*card.texts, "Thanks, and the expiry?"])
    assert gone(card, out), (card, out)
    assert out[2] == "Thanks, and the expiry?"


@settings(max_examples=100, deadline=None)
@given(card_texts())
def test_it_is_idempotent(card: Card) -> None:
    once = redact_card_numbers(card.texts[0])
    assert redact_card_numbers(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "4111.1111.1111.1111",
        "4111  1111  1111  1111",
        "4111/1111/1111/1111",
        "4111\t1111\u00a01111 1111",
        "ref-4111111111111111",
        "ref4111111111111111",
        "four one one one one one one one one one one one one one one one",
        "Four, one, one, one, one one one one, 1111, triple one one",
        "forty one eleven, eleven eleven, eleven eleven, eleven eleven",
        "4111, 1111, 1111, 1111",
        "five five oh oh, oh oh oh oh, oh oh oh oh, oh oh oh four",
        "5500 0000 0000 0004 12 29",
    ],
)
def test_it_reads_each_documented_format(text: str) -> None:
    assert "[card ending" in redact_card_numbers(text)


def test_it_joins_a_number_over_two_turns_and_keeps_the_rest() -> None:
    turns = ["Sure, it's 4539 1488", "0343 6467.", "OK"]
    assert redact_turns(turns) == ["Sure, it's [card ending 6467]", "[card ending 6467].", "OK"]
    assert split_card_parts(turns) == [
        ("4539 1488", "[card ending 6467]"),
        ("0343 6467", "[card ending 6467]"),
    ]
    raw = "Caller: Sure, it's 4539 1488\nAgent: go on\n"
    assert redact_written_parts(raw, split_card_parts(turns)) == (
        "Caller: Sure, it's [card ending 6467]\nAgent: go on\n"
    )


@pytest.mark.parametrize(
    "turns",
    [
        ["2025550147", "8594 peninsula street"],  # a phone number, then a house number
        ["2906 1970", "2906 1970"],  # a date of birth said twice
        ["account 9854", "7458 20000"],  # an account, then an amount
        ["call 201 555 0123", "or 201 555 0199"],
    ],
)
def test_it_does_not_join_short_numbers_in_turn_after_turn(turns: list[str]) -> None:
    assert redact_turns(turns) == turns


@pytest.mark.parametrize(
    "text",
    [
        "201 555 0123, 201 555 0199",  # two phone numbers in a list
        "+44 20 7946 0958 / +44 20 7946 0959",
        "0000 0000 0000 0000",  # a placeholder
        "4111 1111 1111 1112",  # fails Luhn
        "order 12345678901234567890123",  # longer than any card
        "one or two, maybe three",
        "+49 1512 3456787 or +4915123456787",  # international phones; 4915123456787 passes Luhn
    ],
)
def test_it_keeps_what_is_not_a_card(text: str) -> None:
    assert redact_card_numbers(text) == text


def test_it_stays_fast_on_long_runs_of_groups_and_words() -> None:
    # Many groups, many number words: each group looks at 19 more at most (linear).
    text = "12 " * 40_000 + "one " * 40_000 + "1-" * 40_000
    assert len(redact_card_numbers(text)) > 0
    assert len(redact_turns([text, text])) == 2


_SHORT_TEXT = st.text(alphabet="0123456789 -./()+abcdefghijklmnopqrstuvwxyzONETW", max_size=60)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_SHORT_TEXT, st.text(max_size=60)))
def test_the_no_card_shortcut_answers_as_the_full_reading_does(text: str) -> None:
    # The shortcut (too few digits, no number word) must never skip a text the full reading
    # would change: compared with the reading of the text as a one-turn conversation.
    assert redact_card_numbers(text) == redact_turns([text])[0]


def test_a_text_with_few_digits_is_left_alone_without_reading_it() -> None:
    assert redact.holds_no_card("Added phone (312) 555-0100")
    assert not redact.holds_no_card("card 4111 1111 1111 1111")
    assert not redact.holds_no_card("four one one one")  # spoken digits take the full path
    assert not redact.holds_no_card("٤١١١")  # other decimal digits too
    assert redact_card_numbers("card 4111 1111 1111 1111") == "card [card ending 1111]"
