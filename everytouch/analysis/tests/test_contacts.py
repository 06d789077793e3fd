"""Contact details the customer gave: phones, e-mails, names, account numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from everytouch.analysis.contacts import QUOTE_LIMIT, ContactFinding, extract_contacts
from everytouch.analysis.conversation import Conversation, Turn

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(id="t", turns=tuple(Turn(s, t) for s, t in turns))  # type: ignore[arg-type]


def found(conversation: Conversation, kind: str) -> list[str]:
    return [f.value for f in extract_contacts(conversation) if f.kind == kind]


def test_it_normalises_a_written_phone_to_e164() -> None:
    c = conv(("customer", "You can reach me at (602) 272-9781 any time."))
    assert found(c, "phone") == ["+16022729781"]


def test_it_reads_a_spoken_phone_number() -> None:
    c = conv(("customer", "my number is six oh two, five five five, oh one two three"))
    assert found(c, "phone") == ["+16025550123"]


def test_it_reads_double_and_triple_digits() -> None:
    c = conv(("customer", "call me on two one two, triple five, double seven eight nine"))
    assert found(c, "phone") == ["+12125557789"]


def test_it_uses_the_default_region_parameter() -> None:
    c = conv(("customer", "my mobile is 020 7946 0958"))
    assert [f.value for f in extract_contacts(c, region="GB") if f.kind == "phone"] == [
        "+442079460958"
    ]


def test_it_takes_the_phone_from_an_address_line() -> None:
    c = conv(("customer", "7356 e canal lane endicott ny 13760 3158007478"))
    assert found(c, "phone") == ["+13158007478"]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("my phone number is 897451269", "897451269"),
        ("sorry my number is 888 555 666", "888555666"),
        ("contact no 64578988", "64578988"),
        ("my no is 897451269", "897451269"),
        ("2125550199 and my account is 1234", "+12125550199"),
    ],
)
def test_it_reads_a_number_the_customer_calls_their_number(text: str, phone: str) -> None:
    assert found(conv(("customer", text)), "phone") == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "transfer 3000 to 7788998877 this account",  # the account it goes to
        "policy jhv 5612894564",  # letters make it an identifier
        "i was charged on 15052018 125",  # a date and an amount
        "16 digit no 45564556568990",  # too long for a number with no phone cue
        "the card number is 4111 1111 1111 1111",
    ],
)
def test_it_does_not_take_other_numbers_for_phones(text: str) -> None:
    assert found(conv(("customer", text)), "phone") == []


@pytest.mark.parametrize(
    "turns",
    [
        # The customer's own words stand in for the question the transcript does not show.
        ("i would like to check my account balance", "melissa smith", "2322 5411521832"),
        ("my ssn is 4587963258", "7846958654"),
        ("i gave the wrong card number", "12457465647"),
        ("i want to report a stolen credit card", "riley", "3345", "8459601745"),
        ("i need to file a claim", "uik 3562564574"),
    ],
)
def test_it_reads_a_bare_number_by_what_the_customer_talked_about(turns: tuple[str, ...]) -> None:
    assert found(conv(*(("customer", t) for t in turns)), "phone") == []


def test_it_reads_a_bare_account_number_after_the_customer_names_the_account() -> None:
    c = conv(("customer", "i want to check my account balance"), ("customer", "6489724075"))
    assert found(c, "account") == ["6489724075"]


def test_it_reads_a_bare_number_as_a_phone_after_the_customer_talks_of_phones() -> None:
    c = conv(("customer", "send the boarding pass to my phone"), ("customer", "97456356489"))
    assert found(c, "phone") == ["97456356489"]


def test_it_lets_the_customers_topic_lapse_and_change() -> None:
    later = [("customer", "ok")] * 6
    c = conv(("customer", "my account is locked"), *later, ("customer", "4155550123"))
    assert found(c, "phone") == ["+14155550123"]
    c = conv(("customer", "my credit card was stolen"), ("customer", "call me on 4155550123"))
    assert found(c, "phone") == ["+14155550123"]


def test_it_keeps_the_agents_question_over_the_customers_topic() -> None:
    c = conv(
        ("customer", "my account is locked"),
        ("agent", "What is the best phone number to reach you?"),
        ("customer", "4155550123"),
    )
    assert found(c, "phone") == ["+14155550123"]


@pytest.mark.parametrize(
    "text",
    [
        "this is the number of the police report 45678734",
        "report no 3982883",
        "no correct that 6666986868 is my account",
    ],
)
def test_it_does_not_read_report_numbers_or_a_no_that_says_no_as_phones(text: str) -> None:
    assert found(conv(("customer", text)), "phone") == []


def test_it_reads_a_written_email_in_lower_case() -> None:
    c = conv(("customer", "It's Jane.Doe@Example.com thanks"))
    assert found(c, "email") == ["jane.doe@example.com"]


def test_it_reads_a_spoken_email() -> None:
    c = conv(("customer", "sure, it's jane dot doe at gmail dot com"))
    assert found(c, "email") == ["jane.doe@gmail.com"]


def test_it_reads_an_email_whose_punctuation_the_recogniser_dropped() -> None:
    c = conv(("customer", "kavigmailcom and five passengers"), ("customer", "robin 45 gmailcom"))
    assert found(c, "email") == ["kavi@gmail.com", "robin45@gmail.com"]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("sumiyahoocoin", "sumi@yahoo.co.in"),  # no "com" in it at all
        ("vasuki gmail com", "vasuki@gmail.com"),
        ("kumargaimlcom", "kumar@gmail.com"),  # a slip on the keyboard
        ("ramgmail", "ram@gmail.com"),  # the ".com" left unsaid
        ("miltchevverizonnet", "miltchev@verizon.net"),
    ],
)
def test_it_reads_more_addresses_the_recogniser_glued(text: str, email: str) -> None:
    assert found(conv(("customer", text)), "email") == [email]


@pytest.mark.parametrize("text", ["i use gmail for everything", "i live in chennai", "my email"])
def test_it_does_not_make_addresses_of_provider_names_alone(text: str) -> None:
    assert found(conv(("customer", text)), "email") == []


def test_it_reads_my_name_is() -> None:
    c = conv(("customer", "My name is Alexis and my last doctor was Dr. Morgan."))
    assert found(c, "name") == ["Alexis"]


def test_it_reads_this_is_and_its_from() -> None:
    c = conv(("customer", "Hi, this is Jane Doe."), ("customer", "it's Sam from Acme"))
    assert found(c, "name") == ["Jane Doe", "Sam"]


def test_it_reads_the_bare_answer_to_a_name_question() -> None:
    c = conv(("agent", "May I have your name, please?"), ("customer", "jane doe"))
    assert found(c, "name") == ["Jane Doe"]


def test_it_does_not_take_a_bare_answer_to_another_question_as_a_name() -> None:
    c = conv(("agent", "Which city are you flying to?"), ("customer", "Boston"))
    assert found(c, "name") == []


def test_it_does_not_take_feelings_for_names() -> None:
    c = conv(("customer", "I'm worried, I'm looking for help and I am sorry to bother you"))
    assert found(c, "name") == []


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I'm really worried. I forgot what I'm supposed to do and forgot to write it down.",
        "Are you sure I'm supposed to take it before bed?",
        "I'm interested in the blue one, I'm excited and I'm tired of waiting",
    ],
)
def test_it_does_not_take_everyday_words_after_im_for_names(text: str) -> None:
    assert found(conv(("customer", text)), "name") == []


@pytest.mark.parametrize(
    "text",
    [
        "my city name is phoenix 85001",
        "my company name is kavin musicals and password is 8796",
        "My mother's maiden name was Wong.",
    ],
)
def test_it_does_not_take_someone_elses_name_for_the_customers(text: str) -> None:
    assert found(conv(("agent", "How can I help?"), ("customer", text)), "name") == []


@pytest.mark.parametrize(
    "text",
    [
        "hi jesse",  # the customer greets the agent
        "sure casey",
        "madurai 625005",  # a place and its postcode
        "fargo nd 58102",
        "kiu 542",  # a booking code
        "james ltd",  # a business
        "okthank you",  # everyday words typed together
        "selvagmailcom",  # an e-mail address with its punctuation lost
        "texas",
    ],
)
def test_it_does_not_read_unprompted_short_turns_as_names(text: str) -> None:
    assert found(conv(("customer", text)), "name") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("kavisri", "Kavisri"),
        ("anand ssn 4526", "Anand"),
        ("ganesh ghj 678", "Ganesh"),
        ("fanny khan", "Fanny Khan"),
        ("edward 7842", "Edward"),
    ],
)
def test_it_reads_unprompted_short_turns_shaped_like_names(text: str, name: str) -> None:
    assert found(conv(("customer", text)), "name") == [name]


def test_it_keeps_a_surname_with_no_vowel() -> None:
    c = conv(("agent", "May I have your full name?"), ("customer", "John Ng"))
    assert found(c, "name") == ["John Ng"]


def test_it_stops_a_name_at_the_everyday_words_after_it() -> None:
    c = conv(("customer", "my name is raja confirmation number zxg 596"))
    assert found(c, "name") == ["Raja"]


def test_it_reads_an_account_number_after_the_agent_asks_for_it() -> None:
    c = conv(("agent", "Can you tell me your account number, please?"), ("customer", "84318931431"))
    assert found(c, "account") == ["84318931431"]
    assert found(c, "phone") == []


def test_it_tells_the_account_number_from_the_pin_asked_with_it() -> None:
    c = conv(("agent", "Account number and PIN, please?"), ("customer", "84318931431 and 9503"))
    assert found(c, "account") == ["84318931431"]


def test_it_reads_a_cue_only_in_its_own_sentence() -> None:
    c = conv(("customer", "Please check my bank account. I was due 1200 credits from taxes."))
    assert found(c, "account") == []


def test_it_reads_an_order_number_named_by_the_customer() -> None:
    c = conv(("customer", "my order number is AB-12345 and it never came"))
    assert found(c, "account") == ["AB12345"]


def test_it_ignores_what_the_agent_says() -> None:
    c = conv(("agent", "My name is Bob, call me at 212 555 0199 or bob@acme.com"))
    assert extract_contacts(c) == []


def test_it_points_at_the_turn_and_quotes_the_customer() -> None:
    long_text = "blah " * 100 + "my email is jane@acme.com " + "blah " * 100
    c = conv(("agent", "Hello"), ("customer", long_text))
    (finding,) = extract_contacts(c)
    assert finding == ContactFinding("email", "jane@acme.com", 1, finding.quote)
    assert len(finding.quote) <= QUOTE_LIMIT and "jane@acme.com" in finding.quote


# --- robustness ---------------------------------------------------------------------------

ROBUST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROBUST
@given(st.text(max_size=400))
def test_it_never_crashes_on_any_unicode_text(text: str) -> None:
    for finding in extract_contacts(conv(("agent", text), ("customer", text))):
        assert finding.turn == 1 and len(finding.quote) <= QUOTE_LIMIT


@ROBUST
@given(st.binary(max_size=600))
def test_it_never_crashes_on_decoded_binary_junk(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace") + data.decode("latin-1")
    assert all(f.turn == 0 for f in extract_contacts(conv(("customer", text))))


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["5", "a", " ", "five ", "5-", "x@", "gmail", "my name is ", "dot at "]))
def test_it_finishes_on_very_long_repetitive_turns(piece: str) -> None:
    text = piece * (200_000 // len(piece))
    extract_contacts(conv(("agent", "What's your name and number?"), ("customer", text)))


def test_it_handles_a_ten_thousand_turn_conversation() -> None:
    turns = [("agent", "May I have your name?"), ("customer", "jane doe, 212 555 0199")] * 5_000
    findings = extract_contacts(conv(*turns))
    assert len(findings) == 10_000
    assert {f.value for f in findings} == {"Jane Doe", "+12125550199"}


# --- real data ----------------------------------------------------------------------------


def _data(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not present")
    return path


def test_it_finds_most_emails_and_phones_on_multidogo() -> None:
    path = _data("multidogo/multidogo_dev.jsonl")
    hits = {"email": [0, 0], "phone": [0, 0]}
    with path.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(1500), strict=False):
            record = json.loads(line)
            turns = [("customer", t["utterance"]) for t in record["customer_turns"]]
            kinds = {f.kind for f in extract_contacts(conv(*turns))}
            for kind, counts in hits.items():
                if record["labels_from_dataset"][f"customer_gave_{kind}"]:
                    counts[0] += 1
                    counts[1] += kind in kinds
    for kind, (truth, caught) in hits.items():
        assert truth > 20 and caught / truth > 0.85, kind
