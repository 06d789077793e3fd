"""Greeting, transfers and redirects, next steps, promotions."""

from __future__ import annotations

from pathlib import Path

import pytest

from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.flow import (
    Promotion,
    PromotionsError,
    greeting,
    load_promotions,
    next_steps,
    promotions_mentioned,
    transfers,
)


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation("c", tuple(Turn(s, t) for s, t in turns))  # type: ignore[arg-type]


def test_it_finds_the_greeting_in_the_first_agent_turns() -> None:
    conv = _conv(("customer", "Hello?"), ("agent", "Thank you for calling Acme, this is Dana."))
    found = greeting(conv)
    assert found is not None
    assert found.turn == 1


def test_it_misses_a_greeting_that_comes_too_late() -> None:
    conv = _conv(
        ("agent", "Account number?"),
        ("customer", "12345"),
        ("agent", "Date of birth?"),
        ("customer", "May 1st"),
        ("agent", "Hello, thanks."),
    )
    assert greeting(conv) is None


def test_it_counts_transfers_and_redirects() -> None:
    conv = _conv(
        ("agent", "Let me transfer you to sales."),
        ("agent", "Sorry, you'll need to call billing for that."),
        ("agent", "That's handled by our returns desk. I can't transfer you, though."),
        ("agent", "I'm putting you through to a manager now."),
    )
    found = transfers(conv)
    assert [(t.kind, t.turn) for t in found] == [
        ("transfer", 0),
        ("redirect", 1),
        ("redirect", 2),
        ("transfer", 3),
    ]


def test_it_finds_next_steps_of_each_kind() -> None:
    conv = _conv(
        ("agent", "Can I book you in for Tuesday at 10?"),
        ("agent", "I'll send you a written quote today."),
        ("agent", "I'll call you back after lunch."),
        ("agent", "Please see https://example.com/help for the steps."),
        ("agent", "Please DM us your order number."),
    )
    kinds = [s.kind for s in next_steps(conv)]
    assert kinds == ["appointment", "quote", "callback", "link", "message"]


def test_it_finds_no_next_step_in_a_plain_answer() -> None:
    conv = _conv(("customer", "Price?"), ("agent", "It is 20 dollars."))
    assert next_steps(conv) == []


def test_it_matches_promotions_fuzzily() -> None:
    promos = [Promotion("Spring Sale 2026"), Promotion("Loyalty Bonus", ("double points",))]
    conv = _conv(
        ("customer", "Is the spring sale still on?"),
        ("agent", "Yes! Our spring sales run until Sunday."),
        ("agent", "And you'd get double points on it."),
    )
    found = promotions_mentioned(conv, promos)
    assert [(m.promotion, m.turn) for m in found] == [("Spring Sale 2026", 1), ("Loyalty Bonus", 2)]


def test_it_does_not_match_a_promotion_on_one_shared_word() -> None:
    conv = _conv(("agent", "The sale of that model has ended."))
    assert promotions_mentioned(conv, [Promotion("Spring Sale 2026")]) == []


def test_it_loads_promotions_from_yaml_json_and_text(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("- Spring Sale\n- name: Bonus\n  keywords: [double points]\n")
    (tmp_path / "p.json").write_text('{"promotions": ["Spring Sale"]}')
    (tmp_path / "p.txt").write_text("# current\nSpring Sale\n\nFree Delivery\n")
    assert load_promotions(tmp_path / "p.yaml")[1] == Promotion("Bonus", ("double points",))
    assert [p.name for p in load_promotions(tmp_path / "p.json")] == ["Spring Sale"]
    assert [p.name for p in load_promotions(tmp_path / "p.txt")] == ["Spring Sale", "Free Delivery"]


def test_it_names_the_file_and_reason_for_bad_promotions(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PromotionsError, match=r"bad\.json: line 1"):
        load_promotions(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- {keywords: [x]}\n")
    with pytest.raises(PromotionsError, match="promotion 1"):
        load_promotions(wrong)
