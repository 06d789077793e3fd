"""WebVTT and SRT captions with speaker tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from everytouch.analysis.conversation import ConversationError
from everytouch.analysis.readers import parse_srt, parse_vtt, read_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_it_reads_voice_tags_and_merges_consecutive_cues_of_one_speaker() -> None:
    conversation = read_file(FIXTURES / "teams_meeting.vtt")[0]
    assert [(t.speaker, t.start) for t in conversation.turns] == [
        ("agent", 1.2),
        ("customer", 7.5),
        ("agent", 12.8),
        ("customer", 62.0),
    ]
    assert conversation.turns[0].text == (
        "Thanks for calling Acme Heating, this is Dana. Who am I speaking with?"
    )
    assert conversation.turns[1].text.endswith("this morning. and the radiators are all cold.")
    assert "&" in conversation.turns[2].text
    assert "&amp;" not in conversation.turns[2].text
    assert conversation.turns[3].text == "Sure, it's 555-0199."
    assert conversation.meta["speakers"] == {"Dana Whitfield": "agent", "Priya Shah": "customer"}


def test_it_reads_name_prefixes_in_zoom_captions() -> None:
    conversation = read_file(FIXTURES / "zoom_call.vtt")[0]
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "agent", "customer"]
    assert conversation.turns[1].text == (
        "Hi Marco, I'm calling about the used Civic on your website."
    )
    assert conversation.turns[3].start == 10.0


def test_it_maps_caption_names_through_the_speaker_map() -> None:
    (conversation,) = read_file(FIXTURES / "zoom_call.vtt", speaker_map={"helen park": "agent"})
    assert [t.speaker for t in conversation.turns] == ["customer", "agent", "customer", "agent"]


def test_it_reads_bracket_tags_in_srt_and_drops_sound_captions() -> None:
    conversation = read_file(FIXTURES / "support_call.srt")[0]
    assert [t.speaker for t in conversation.turns] == ["agent", "customer", "agent", "customer"]
    assert conversation.turns[1].text == (
        "Hi Sam, my connection keeps dropping every evening around seven."
    )
    assert conversation.turns[2].start == 8.2
    assert conversation.turns[3].text == "It's Olu Adeyemi."
    assert "music" not in " ".join(t.text for t in conversation.turns)


def test_it_gives_untagged_leading_cues_to_the_first_speaker() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nhello?\n\n00:02.000 --> 00:03.000\n<v Ana>hi"
    conversation = parse_vtt(text, conv_id="x")
    assert [(t.speaker, t.text, t.start) for t in conversation.turns] == [
        ("agent", "hello? hi", 1.0)
    ]


def test_it_refuses_captions_without_any_speaker() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n00:00:02,000 --> 00:00:03,000\nhi\n"
    with pytest.raises(ConversationError, match="no speaker tags"):
        parse_srt(text, conv_id="x")


def test_it_refuses_a_vtt_without_its_header() -> None:
    with pytest.raises(ConversationError, match="must start with 'WEBVTT'"):
        parse_vtt("00:01.000 --> 00:02.000\n<v A>hi", conv_id="x")


def test_it_refuses_captions_without_cues() -> None:
    with pytest.raises(ConversationError, match="no cues"):
        parse_srt("Agent: hello\n", conv_id="x")
