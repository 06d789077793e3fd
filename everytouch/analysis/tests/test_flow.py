"""Greeting, transfers and redirects, next steps, promotions."""

from __future__ import annotations

from pathlib import Path

import pytest

from everytouch.analysis.analyzer import analyze
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


@pytest.mark.parametrize(
    "text",
    [
        "Please contact our phone support for this one.",
        "You'll need to call the store directly.",
        "Our billing team can help: 1-800-555-0100.",
        "For customer service, please call 1-800-555-0100.",
        "Send us a DM with your order number and we'll take a look.",
        "Please reach out to us via DM with your email.",
        "Please send us an email at https://help.example.com/requests/new and we will assist.",
        "Submit a request here and we'll assist: https://help.example.com/categories",
        "Please create a support ticket so we may assist you one-on-one.",
        "You can appeal here: https://example.com/appeal",
        "If you think this was a mistake, you can check this article for how to appeal.",
        "Please contact your bank about the charge.",
        "Please reach out to the seller first.",
        "Let's get you in touch with our billing team.",
        "We recommend speaking to one of our sales advisors.",
        "You can contact Acme Telecom directly here.",
        "If that doesn't help, please chat by following the prompts at the help page.",
        "We cannot assist with travel inquiries over social media.",
        "To report that kind of account, please review the steps on our abuse page.",
        "Please forward the message to phish@example.com.",
        "There is another assistant that can help you with the weather.",
    ],
)
def test_it_finds_a_redirect_elsewhere(text: str) -> None:
    found = transfers(_conv(("customer", "Help?"), ("agent", text)))
    assert [(t.kind, t.turn) for t in found] == [("redirect", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "Here's how to reset your password: https://example.com/reset",
        "To find the branches near you, please visit https://example.com/locator",
        "We'll look into it and keep you posted.",
        "Could you send us the serial number and the exact error?",
        "Should you have other concerns, please send us a direct message.",
        "Please send us a DM anytime for support.",
        "I can help you file a fraud report.",
        "Would you like me to file a report for you?",
        "I'll call the store for you and get back to you.",
        "Please delete this tweet with your email, it is private.",
        "I found a ride from 'one on one apartment' for 12 credits.",
        "You don't need to call our support team, I can do it here.",
    ],
)
def test_it_does_not_count_an_answer_or_an_open_door_as_a_redirect(text: str) -> None:
    assert transfers(_conv(("customer", "Help?"), ("agent", text))) == []


def test_it_reads_a_typographic_apostrophe_as_a_plain_one() -> None:
    conv = _conv(("agent", "You\u2019ll need to call the store about that."))
    assert [t.kind for t in transfers(conv)] == ["redirect"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Great, I have booked it for Friday at 6 pm.", "appointment"),
        ("Your reservation at the Lotus is confirmed!", "appointment"),
        ("Your meeting with Sam has been successfully scheduled for Monday.", "appointment"),
        ("Can I confirm your reservation with them?", "appointment"),
        ("Your report has been successfully submitted.", "message"),
        ("We've opened a case for the missing parcel.", "message"),
        ("We will contact you with the outcome.", "callback"),
        ("A technician will come by on Tuesday morning.", "visit"),
    ],
)
def test_it_finds_a_next_step_made_in_the_conversation(text: str, kind: str) -> None:
    assert [s.kind for s in next_steps(_conv(("agent", text)))] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but your booking request failed.",
        "Unfortunately the reservation is not confirmed yet.",
        "Your balance is 300 dollars.",
    ],
)
def test_it_finds_no_next_step_in_a_failed_booking(text: str) -> None:
    assert next_steps(_conv(("agent", text))) == []


def test_it_counts_an_offer_to_open_a_case_as_a_next_step() -> None:
    conv = _conv(
        ("agent", "I can help you file a fraud report."),
        ("agent", "Would you like me to open a case?"),
    )
    assert [s.kind for s in next_steps(conv)] == ["message", "message"]


@pytest.mark.parametrize(
    ("text", "redirect"),
    [
        ("Please visit your nearest store.", True),
        ("Please go to our support site and start a chat.", True),
        ("You can visit our website to get assistance with your card.", True),
        ("Please contact customer care about the refund.", True),
        ("Give us a call at 1-800-MY-APPLE.", True),
        ("Send a DM with the details and we'll check.", True),
        ("Visit the settings page and turn on backups.", False),
        ("Go to the app and tap Restore.", False),
    ],
)
def test_it_tells_a_page_to_follow_from_a_place_to_get_help(text: str, redirect: bool) -> None:
    found = transfers(_conv(("agent", text)))
    assert bool(found) == redirect


def test_it_counts_one_redirect_a_turn_for_the_transfers_check() -> None:
    once = _conv(
        ("customer", "My purchase is missing."),
        (
            "agent",
            "Please send us an email at https://help.example.com/requests/new and we'll help.",
        ),
    )
    assert analyze(once).check("transfers_at_most_one").status == "pass"
    bounced = _conv(
        ("customer", "My purchase is missing."),
        ("agent", "That's handled by our billing team, please call them."),
        ("customer", "They sent me back to you."),
        ("agent", "Then please submit a request here: https://help.example.com/requests/new"),
    )
    card = analyze(bounced)
    assert card.check("transfers_at_most_one").status == "fail"
    assert card.transfers == 2


@pytest.mark.parametrize(
    ("text", "redirect"),
    [
        ("Please DM us and we'll call you back.", True),
        ("DM us your order number and I'll check your account.", True),
        ("Our specialists at 1-800-555-0100 can assist further.", True),
        ("Please stop by your nearest store so they can take a look.", True),
        ("You can request a refund here: https://example.com/refund", True),
        ("I'd recommend reaching out to the developer of the app.", True),
        ("I'll connect with our billing team and update you today.", False),
        ("Let me check with my supervisor and get back to you.", False),
        ("Thanks for the feedback, we'll pass it along to the team.", False),
        ("You can update your email address in Settings.", False),
    ],
)
def test_it_tells_who_goes_elsewhere_the_customer_or_the_agent(text: str, redirect: bool) -> None:
    assert bool(transfers(_conv(("agent", text)))) == redirect
