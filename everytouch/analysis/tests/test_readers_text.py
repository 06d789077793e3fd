"""Plain-text transcripts with speaker prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from everytouch.analysis.conversation import ConversationError
from everytouch.analysis.readers import parse_text, read_file
from everytouch.analysis.readers._common import make_options

FIXTURES = Path(__file__).parent / "fixtures"


def test_it_reads_role_prefixes_and_keeps_continuation_lines_with_the_speaker() -> None:
    conversation = read_file(FIXTURES / "plumbing_call.txt")[0]
    speakers = [t.speaker for t in conversation.turns]
    assert speakers == ["agent", "customer"] * 4
    assert conversation.turns[1].text.endswith("There's water all over the floor now.")
    assert conversation.turns[5].text == "555-0142.\nNote: the caller sounded stressed."
    assert "Recorded" not in " ".join(t.text for t in conversation.turns)


def test_it_takes_the_first_unknown_name_to_be_the_agent() -> None:
    conversation = read_file(FIXTURES / "salon_chat.txt")[0]
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "agent", "customer"]
    assert conversation.meta["speakers"] == {"Dana": "agent", "Bob": "customer"}
    assert conversation.turns[2].text.endswith("\nWould you like me to book you in?")


def test_it_follows_the_speaker_map_over_the_order_of_appearance() -> None:
    conversation = read_file(FIXTURES / "salon_chat.txt", speaker_map={"bob": "agent"})
    assert [t.speaker for t in conversation[0].turns] == ["customer", "agent"] * 2


def test_it_makes_an_unknown_name_the_customer_when_a_role_word_names_the_agent() -> None:
    text = "Maria: hello?\nAgent: Acme, how can I help?\nMaria: my boiler is broken"
    conversation = parse_text(text, conv_id="x")
    assert [t.speaker for t in conversation.turns] == ["customer", "agent", "customer"]


@pytest.mark.parametrize(
    ("label", "speaker"),
    [
        ("Representative", "agent"),
        ("Client", "customer"),
        ("Customer Service", "agent"),
        ("Agent 2", "agent"),
        ("CALLER", "customer"),
        ("User", "customer"),
        ("Assistant", "agent"),
    ],
)
def test_it_knows_common_role_words(label: str, speaker: str) -> None:
    conversation = parse_text(f"{label}: hello", conv_id="x")
    assert conversation.turns[0].speaker == speaker


def test_it_reads_clock_times_before_or_after_the_speaker() -> None:
    text = "[00:01:02.5] Agent: hi\nCustomer (1:05): hello\n00:01:09 - Agent: how can I help"
    conversation = parse_text(text, conv_id="x")
    assert [t.start for t in conversation.turns] == [62.5, 65.0, 69.0]
    assert [t.text for t in conversation.turns] == ["hi", "hello", "how can I help"]


def test_it_keeps_fact_labels_and_one_off_prefixes_as_text() -> None:
    text = "Date: 2 May\nDana: hi\nTime: 10 am\nBob: ok\nReason for call: leak\nBob: bye"
    options = make_options({"Dana": "agent"})
    conversation = parse_text(text, conv_id="x", options=options)
    assert [t.text for t in conversation.turns] == [
        "hi\nTime: 10 am",
        "ok\nReason for call: leak",
        "bye",
    ]
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "customer"]


def test_it_does_not_take_a_url_for_a_speaker() -> None:
    conversation = parse_text("Agent: see\nhttps://example.com/help", conv_id="x")
    assert conversation.turns[0].text == "see\nhttps://example.com/help"


def test_it_raises_when_no_line_has_a_speaker_prefix() -> None:
    with pytest.raises(ConversationError, match="no speaker-prefixed lines"):
        parse_text("just some notes\nabout a call", conv_id="x")
