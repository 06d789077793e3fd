"""What identity details the agent asked for, and which asks were repeats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch.analysis import _asked
from everytouch.analysis.asks import Ask, asked_details, identity_asks
from everytouch.analysis.contacts import ContactFinding
from everytouch.analysis.conversation import Conversation, Turn

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(id="t", turns=tuple(Turn(s, t) for s, t in turns))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("May I have your name, please?", {"name"}),
        ("Who am I speaking with?", {"name"}),
        ("What's the best number to reach you on?", {"phone"}),
        ("And an e-mail address for the confirmation?", {"email"}),
        ("Full name, account number and PIN", {"name", "account", "pin"}),
        ("Could you provide your date of birth, please?", {"dob"}),
        ("What's your billing address and zip code?", {"address"}),
        ("What was your mother's maiden name?", {"security"}),
        ("And what was the name of the pet you had as a child?", {"security"}),
        ("Could you provide me with the name of the host, please?", set()),
        ("May I have your name and your doctor's name please?", {"name"}),
        ("What Hotel would you like to stay at?", set()),
        ("To verify, your name is Ben.", set()),
        ("Your account number is on the back of the letter.", set()),
        ("Thank you, I have all the information I need.", set()),
        ("Is that your PIN?", set()),  # checking a detail given, not asking for it
        ("Is Katarina Miller your full name?", set()),
        ("Happy Birthday!", set()),
        ("Name, location, cost, rating?", set()),  # search filters for a restaurant
        ("I cannot find your ride. Please check your name and booking ID.", set()),
        ("Could you check your account number for me?", {"account"}),
        ("Your balance is 6278 in credit and your PIN is safe with me.", set()),
        ("Your name and PIN number should be sufficient.", set()),
        ("Could you provide your date of birth to access your account?", {"dob"}),
        ("Is there any way you can locate your account number?", {"account"}),
        # a channel or a warning, not an ask for the detail
        ("Please send us an email at https://help.example.com/requests/new and we'll help.", set()),
        ("Without revealing your email address, mind sharing a screenshot?", set()),
        ("If not, reach out to us via phone/chat support here: https://example.com/contact", set()),
        ("You can change the phone number on your account, please follow these steps.", set()),
        ("Please delete the tweet with your email, it is private.", set()),
        ("Try these steps: https://support.example.com/join-a-meeting-by-phone", set()),
        ("Please DM us your email address.", {"email"}),
        # a promise to send something by e-mail, not an ask for the address
        ("I'll e-mail you the quote by 3pm tomorrow.", set()),
        ("We've emailed you the form.", set()),
        # read-backs are confirmations, not asks
        ("So your number is 555-0123, right?", set()),
        ("Just to confirm, your name is Jane Doe, correct?", set()),
        ("Let me read that back: your account number, 84318931431?", set()),
        ("Thank you for providing your date of birth.", set()),
        ("Please check your email for the confirmation link.", set()),
        ("Thanks for sharing your account number. What's your PIN?", {"pin"}),
        ("Thank you for the information you provided, your name and date of birth match.", set()),
    ],
)
def test_it_tells_which_details_an_agent_turn_asks_for(text: str, details: set[str]) -> None:
    assert asked_details(text) == details


def test_it_flags_the_account_number_asked_three_times() -> None:
    c = conv(
        ("agent", "Can I get your account number?"),
        ("customer", "It's 84318931431."),
        ("agent", "Thanks. Let me transfer you."),
        ("agent", "Hi, billing here. What's your account number?"),
        ("customer", "I just gave it: 84318931431"),
        ("agent", "And your account number, please?"),
    )
    asks = identity_asks(c)
    assert [(a.detail, a.turn, a.repeat) for a in asks] == [
        ("account", 0, False),
        ("account", 3, True),
        ("account", 5, True),
    ]


def test_it_flags_asking_for_a_name_the_customer_already_gave() -> None:
    c = conv(
        ("customer", "Hi, my name is Angela and I need a ride."),
        ("agent", "May I have your name, please?"),
    )
    assert identity_asks(c) == [Ask("name", 1, "May I have your name, please?", True)]


def test_it_does_not_take_a_promise_to_e_mail_for_a_second_ask() -> None:
    c = conv(
        ("agent", "What's your e-mail address?"),
        ("customer", "jane.doe@example.com"),
        ("agent", "Thanks, Jane. I'll e-mail you the quote by 3pm tomorrow."),
    )
    assert [(a.detail, a.turn, a.repeat) for a in identity_asks(c)] == [("email", 0, False)]


def test_it_still_reads_which_address_to_e_mail_you_at_as_an_e_mail_ask() -> None:
    assert "email" in asked_details("Which address should I e-mail you at?")


def test_it_does_not_flag_a_first_ask() -> None:
    c = conv(("agent", "Could I get your full name, please?"), ("customer", "Jane Doe"))
    assert [a.repeat for a in identity_asks(c)] == [False]


def test_it_does_not_flag_the_first_name_question_after_im_supposed_to() -> None:
    # STAR dialogue 1 (RasaHQ/STAR, MIT): "I'm supposed to" once gave the name "Supposed".
    c = conv(
        ("customer", "Hello, I'm really worried. I forgot what I'm supposed to do."),
        ("agent", "Could I get your name, please?"),
        ("customer", "My name is Alexis and my doctor is Dr. Johnson."),
        ("agent", "Your instructions are: take your medicine before you go to sleep."),
        ("customer", "Are you sure I'm supposed to take it before bed?"),
    )
    assert [(a.detail, a.repeat) for a in identity_asks(c)] == [("name", False)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_it_never_flags_the_first_ask_of_a_detail_before_the_customer_has_spoken(
    agent_texts: list[str],
) -> None:
    turns = [("agent", t) for t in agent_texts] + [("customer", "Jane Doe, PIN 1234")]
    first: dict[str, Ask] = {}
    for ask in identity_asks(conv(*turns)):
        first.setdefault(ask.detail, ask)
    assert not any(a.repeat for a in first.values())


def test_it_flags_asking_again_after_the_customer_did_not_answer() -> None:
    # docs/analysis-labels.md: asked again after it was asked is a repeat, answered or not.
    c = conv(
        ("agent", "Can you tell me your account number, please?"),
        ("customer", "Huh? What were we talking about again?"),
        ("agent", "I can help you file a fraud report. May I have your account number?"),
        ("customer", "I don't have it with me."),
        ("agent", "May I have your name, please?"),
        ("customer", "My friend really likes the Hilton. I change my mind."),
        ("agent", "No problem, can I have your name please?"),
        ("agent", "Could you provide your date of birth, please?"),
        ("customer", "I don't recall it."),
        ("agent", "Could you provide your date of birth, please?"),
    )
    assert [(a.detail, a.repeat) for a in identity_asks(c)] == [
        ("account", False),
        ("account", True),
        ("name", False),
        ("name", True),
        ("dob", False),
        ("dob", True),
    ]


def test_it_flags_the_full_name_asked_after_the_name_went_unanswered() -> None:
    c = conv(
        ("agent", "May I have your name, please?"),
        ("customer", "Sure it"),
        ("agent", "Could I get your full name, please?"),
    )
    assert [a.repeat for a in identity_asks(c)] == [False, True]


def test_it_flags_each_detail_asked_again_whether_or_not_it_was_given() -> None:
    c = conv(
        ("agent", "Can I get your full name, account number and PIN please?"),
        ("customer", "John Smith"),
        ("agent", "Can I get your account number and PIN please?"),
        ("customer", "84318931431, and my PIN is 9503"),
        ("agent", "Right, and your PIN as well please."),
        ("agent", "And your full name again?"),
    )
    assert [(a.detail, a.turn, a.repeat) for a in identity_asks(c)] == [
        ("account", 0, False),
        ("name", 0, False),
        ("pin", 0, False),
        ("account", 2, True),
        ("pin", 2, True),
        ("pin", 4, True),
        ("name", 5, True),
    ]


def test_it_flags_a_date_of_birth_or_pin_asked_again_after_the_answer() -> None:
    c = conv(
        ("agent", "Could you provide your date of birth, please?"),
        ("customer", "06/08/1985"),
        ("agent", "What's your date of birth?"),
        ("customer", "Hi, I'm Sam, my PIN is 7402"),
        ("agent", "And your PIN?"),
    )
    assert [a.repeat for a in identity_asks(c)] == [False, True, True]


def test_it_does_not_flag_the_full_name_after_a_first_name() -> None:
    c = conv(
        ("customer", "Hi, I'm Sarah"),
        ("agent", "Could I get your full name, please?"),
        ("customer", "Sarah Brown"),
        ("agent", "May I have your name again?"),
    )
    assert [a.repeat for a in identity_asks(c)] == [False, True]


def test_it_flags_a_security_question_asked_again_by_its_topic() -> None:
    c = conv(
        ("agent", "May I have your mother's maiden name and the name of your childhood pet?"),
        ("customer", "Pet's name is Poppy."),
        ("agent", "What was your mother's maiden name?"),
        ("customer", "I don't know."),
        ("agent", "And what was the name of the pet you had as a child?"),
    )
    assert [(a.turn, a.repeat) for a in identity_asks(c)] == [(0, False), (2, True), (4, True)]


def test_it_tells_numbered_security_questions_apart() -> None:
    c = conv(
        ("agent", "What is the answer to your first security question?"),
        ("customer", "Rover"),
        ("agent", "And the answer to your second security question?"),
        ("customer", "Paris"),
        ("agent", "Sorry, what was the answer to your second security question?"),
    )
    assert [a.repeat for a in identity_asks(c)] == [False, False, True]


def test_it_treats_a_second_security_question_as_new() -> None:
    c = conv(
        ("agent", "What was your mother's maiden name?"),
        ("customer", "Smith"),
        ("agent", "And what was the name of the pet you had as a child?"),
    )
    assert [(a.detail, a.repeat) for a in identity_asks(c)] == [
        ("security", False),
        ("security", False),
    ]


def test_it_uses_the_contacts_it_is_given() -> None:
    c = conv(("customer", "hello"), ("agent", "What's your phone number?"))
    given_phone = [ContactFinding("phone", "+12125550199", 0, "hello")]
    assert [a.repeat for a in identity_asks(c, given_phone)] == [True]
    assert [a.repeat for a in identity_asks(c, [])] == [False]


def test_it_reads_each_agent_turn_once_for_contacts_and_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    original = _asked._asked_in_lower

    def counting(lower: str) -> frozenset[_asked.IdentityDetail]:
        read.append(lower)
        return original(lower)

    monkeypatch.setattr(_asked, "_asked_in_lower", counting)
    agent = [f"Ticket {n}: may I have your name and phone number?" for n in range(3)]
    c = conv(
        *[(speaker, text) for a in agent for speaker, text in (("agent", a), ("customer", "x"))]
    )
    asks = identity_asks(c)
    assert len(asks) == 6
    assert sorted(read) == sorted(text.lower() for text in agent)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_it_never_crashes_on_any_text(text: str) -> None:
    details = asked_details(text)
    asks = identity_asks(conv(("agent", text), ("customer", text), ("agent", text)))
    assert {a.detail for a in asks} == details
    assert all(a.quote == text.strip()[:200] for a in asks)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["name ", "your ", "account number ", "?", "a" * 50, "maiden "]))
def test_it_finishes_on_very_long_turns(piece: str) -> None:
    asked_details(piece * (200_000 // len(piece)))


def test_it_handles_a_ten_thousand_turn_conversation() -> None:
    turns = [("agent", "What's your account number?"), ("customer", "123456")] * 5_000
    asks = identity_asks(conv(*turns))
    assert len(asks) == 5_000
    assert sum(a.repeat for a in asks) == 4_999


def test_it_matches_stars_flowchart_labels_for_name_asks() -> None:
    path = DATA / "star" / "star_dev.jsonl"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not present")
    wrong = total = 0
    with path.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(800), strict=False):
            for turn in json.loads(line)["turns"]:
                if turn["speaker"] == "agent" and turn["action_label"] is not None:
                    total += 1
                    truth = turn["action_label"] == "ask_name"
                    wrong += truth != ("name" in asked_details(turn["text"]))
    assert total > 1000 and wrong / total < 0.01


def test_it_tells_one_identifier_from_another() -> None:
    c = conv(
        ("agent", "May I have your username, please?"),
        ("customer", "jdoe77"),
        ("agent", "Thanks. And the order ID?"),
        ("customer", "I can't find it."),
        ("agent", "Could you check your email for the order number?"),
    )
    assert [(a.detail, a.repeat) for a in identity_asks(c)] == [
        ("account", False),
        ("account", False),
        ("account", True),
    ]
