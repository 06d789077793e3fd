"""Speech-to-text JSON: Whisper / whisperX and AWS Transcribe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from everytouch.analysis.conversation import ConversationError
from everytouch.analysis.readers import parse_json, read_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_it_merges_whisperx_segments_by_speaker_and_takes_the_first_voice_as_agent() -> None:
    conversation = read_file(FIXTURES / "whisperx_call.json")[0]
    assert [(t.speaker, t.start) for t in conversation.turns] == [
        ("agent", 0.52),
        ("customer", 5.02),
        ("agent", 9.9),
        ("customer", 13.1),
    ]
    assert conversation.turns[0].text == (
        "Good morning, Riverside Dental, this is Kim. How can I help you today?"
    )
    # the second customer segment is labelled only on its words
    assert conversation.turns[1].text.endswith("for next week. Please.")
    assert conversation.meta["speakers"] == {"SPEAKER_01": "agent", "SPEAKER_00": "customer"}
    assert conversation.meta["format"] == "whisper"
    assert conversation.id == "whisperx_call"


def test_it_maps_diarised_labels_through_the_speaker_map() -> None:
    (conversation,) = read_file(
        FIXTURES / "whisperx_call.json", speaker_map={"SPEAKER_00": "agent"}
    )
    assert [t.speaker for t in conversation.turns] == ["customer", "agent", "customer", "agent"]


def test_it_reports_whisper_output_without_diarisation() -> None:
    data = {"segments": [{"start": 0.0, "end": 1.0, "text": " Hello."}]}
    with pytest.raises(ConversationError, match="no speaker labels"):
        parse_json(json.dumps(data), conv_id="x")


def test_it_reads_transcribe_items_with_speaker_segments_and_glues_punctuation() -> None:
    conversation = read_file(FIXTURES / "transcribe_items.json")[0]
    assert [(t.speaker, t.text, t.start) for t in conversation.turns] == [
        ("agent", "Hello, Green Leaf Florists.", 0.44),
        ("customer", "Hi, do you deliver on Sunday?", 2.6),
        ("agent", "We do.", 4.9),
    ]
    assert conversation.meta["format"] == "aws-transcribe"


def test_it_reads_transcribe_items_labelled_one_by_one() -> None:
    items = [
        {"start_time": "0.1", "type": "pronunciation", "speaker_label": "spk_1",
         "alternatives": [{"content": "Hello"}]},
        {"type": "punctuation", "alternatives": [{"content": "."}]},
        {"start_time": "0.9", "type": "pronunciation", "speaker_label": "spk_0",
         "alternatives": [{"content": "Hi"}]},
    ]  # fmt: skip
    (conversation,) = parse_json(json.dumps({"results": {"items": items}}), conv_id="x")
    assert [(t.speaker, t.text) for t in conversation.turns] == [
        ("agent", "Hello."),
        ("customer", "Hi"),
    ]


def test_it_prefers_transcribe_audio_segments_when_present() -> None:
    conversation = read_file(FIXTURES / "transcribe_audio_segments.json")[0]
    assert [(t.speaker, t.start) for t in conversation.turns] == [
        ("agent", 0.31),
        ("customer", 4.0),
        ("agent", 7.2),
    ]
    assert conversation.turns[0].text == "Thank you for calling Harbor Insurance. This is Lee."


def test_it_reports_a_malformed_transcribe_item() -> None:
    data = {"results": {"items": [{"type": "pronunciation", "alternatives": []}]}}
    with pytest.raises(ConversationError, match=r"items\[0\]: no alternatives"):
        parse_json(json.dumps(data), conv_id="x")
