"""Whatever a file holds, a reader gives a Conversation or a reason, never a crash or a hang."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers import (
    SUFFIX_FORMATS,
    ReadError,
    parse_eml,
    parse_json,
    parse_jsonl,
    parse_mbox,
    parse_srt,
    parse_text,
    parse_vtt,
    read_file,
    read_paths,
)
from everytouch.analysis.readers.mailtext import strip_quotes_and_signature

ROBUST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SUFFIXES = [*sorted(SUFFIX_FORMATS), ".log", ""]

# Fragments of every supported syntax, so generated text reaches past the first check.
TOKENS = [
    "Agent: ",
    "Customer: ",
    "Dana: ",
    "[Agent] ",
    "<v Bob>",
    "</v>",
    "WEBVTT\n\n",
    "1\n",
    "00:00:01.000 --> 00:00:02.000\n",
    "00:00:01,000 --> 00:00:02,000\n",
    "[00:01:02] ",
    "\n",
    "\n\n",
    "> ",
    "-- \n",
    "On Mon, 6 May 2024, Ann <a@b.c> wrote:\n",
    "-----Original Message-----\n",
    "From: a@b.example\n",
    "Sent: Monday\n",
    "Subject: Re: hi\n",
    "Date: Mon, 06 May 2024 09:00:00 +0000\n",
    "Message-ID: <1@b>\n",
    "References: <1@b>\n",
    "Content-Type: text/html; charset=utf-8\n",
    "Content-Transfer-Encoding: base64\n",
    "From a@b Mon May  6 09:00:00 2024\n",
    "<blockquote>",
    "<p>",
    "Best regards,\n",
    '{"turns": [',
    '{"speaker": "agent", "text": "hi"}',
    '{"segments": [{"start": 1, "text": "x", "speaker": "S1"}]}',
    '{"results": {"items": []}}',
    "]}",
    "hello",
]
structured_text = st.lists(
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=20)), max_size=40
).map("".join)
any_text = st.one_of(st.text(max_size=400), structured_text)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(["id", "turns", "speaker", "text", "start", "segments", "results",
                         "items", "audio_segments", "speaker_labels", "alternatives", "content",
                         "type", "speaker_label", "start_time", "transcript", "channel",
                         "started_at", "words"]),
        inner,
        max_size=5,
    ),
    max_leaves=25,
)  # fmt: skip

TEXT_PARSERS: list[Callable[[str], Any]] = [
    lambda t: parse_text(t, conv_id="x"),
    lambda t: parse_vtt(t, conv_id="x"),
    lambda t: parse_srt(t, conv_id="x"),
    lambda t: parse_json(t, conv_id="x"),
    lambda t: parse_jsonl(t, conv_id="x"),
    lambda t: parse_eml(t.encode("utf-8", "surrogatepass"), conv_id="x"),
    lambda t: parse_mbox(t.encode("utf-8", "surrogatepass"), conv_id="x"),
]


def _outcome(parse: Callable[[str], Any], text: str) -> str:
    try:
        result = parse(text)
    except ConversationError as exc:
        assert str(exc), "a ConversationError must say why"
        return "error"
    items = result if isinstance(result, list) else [result]
    assert all(isinstance(item, Conversation) for item in items)
    assert all(turn.text.strip() for item in items for turn in item.turns)
    return "ok"


@ROBUST
@given(text=any_text)
def test_it_gives_every_text_reader_any_unicode_without_crashing(text: str) -> None:
    for parse in TEXT_PARSERS:
        _outcome(parse, text)


@ROBUST
@given(value=json_values)
def test_it_reads_any_json_value_as_a_conversation_or_a_reason(value: object) -> None:
    _outcome(lambda t: parse_json(t, conv_id="x"), json.dumps(value))
    _outcome(lambda t: parse_jsonl(t, conv_id="x"), json.dumps(value))


@ROBUST
@given(data=st.one_of(st.binary(max_size=600), structured_text.map(str.encode)))
def test_it_never_raises_from_read_paths_whatever_the_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for index, suffix in enumerate(SUFFIXES):
            (Path(folder) / f"f{index}{suffix}").write_bytes(data)
        items = list(read_paths([folder, *(Path(folder) / f"f{i}" for i in range(2))]))
        for path in sorted(Path(folder).iterdir()):
            _read_file_outcome(path)
    assert items
    for item in items:
        assert isinstance(item, Conversation | ReadError)
        if isinstance(item, ReadError):
            assert item.reason and item.path


def _read_file_outcome(path: Path) -> None:
    try:
        read_file(path)
    except ConversationError as exc:
        assert str(path) in str(exc)


@ROBUST
@given(body=any_text)
def test_it_strips_mail_text_to_a_part_of_the_original(body: str) -> None:
    stripped = strip_quotes_and_signature(body)
    assert len(stripped) <= len(body.replace("\r\n", "\n")) or not stripped


HOSTILE_LINES = [
    "On " + "x " * 200_000,
    "On " + "wrote " * 100_000,
    "Agent" + " a" * 200_000 + "!",
    "a" * 400_000 + ":" + "b" * 400_000,
    "[" * 300_000,
    "<v " * 200_000,
    "<" * 300_000,
    "0:" * 200_000 + " --> ",
    "From: " + "x" * 100_000 + "\nSent: " * 1,
    "> " * 300_000,
    "Best " * 200_000,
    "{" * 200_000,
]


@pytest.mark.parametrize("line", HOSTILE_LINES, ids=lambda line: repr(line[:12]))
def test_it_gets_through_huge_hostile_single_lines(line: str, tmp_path: Path) -> None:
    for parse in TEXT_PARSERS:
        _outcome(parse, line)
    path = tmp_path / "huge.txt"
    path.write_text(line)
    assert len(list(read_paths([path]))) == 1


HOSTILE_MAILS = [
    b"From: a@b\nContent-Type: text/html\n\n" + b"<a b='" * 50_000,
    b"From: a@b\nContent-Type: text/html\n\n" + b"<!--" * 50_000,
    b"From: a@b\nContent-Type: text/html\n\n<" + b"a" * 300_000,
    b"From: a@b\nContent-Type: text/plain; " + b"a=b; " * 40_000 + b"\n\nhi",
    b"From: a@b\n" + b"Content-Type: multipart/mixed; boundary=X\n\n--X\n" * 3_000,
    b"From: " + b"(" * 1_500 + b"a@b.example\n\nhi",
    b"From: a@b\nSubject: " + b"=?utf-8?q?a?= " * 20_000 + b"\n\nhi",
    b"From: a@b\n\n" + b"Thanks,\n" * 50_000,
    b"From: a@b\n\n" + b"On x\nFrom: y\n" * 50_000,
]


@pytest.mark.parametrize("data", HOSTILE_MAILS, ids=lambda data: repr(data[:30]))
def test_it_gets_through_hostile_mail(data: bytes) -> None:
    _outcome(lambda _: parse_eml(data, conv_id="x"), "")
    _outcome(lambda _: parse_mbox(b"From x\n" + data, conv_id="x"), "")


def test_it_merges_many_segments_of_one_speaker_into_one_turn() -> None:
    segments = [{"start": i, "text": "hello there", "speaker": "S"} for i in range(50_000)]
    (conversation,) = parse_json(json.dumps({"segments": segments}), conv_id="x")
    (turn,) = conversation.turns
    assert len(turn.text) == len("hello there") * 50_000 + 49_999


def test_it_reports_empty_and_blank_files(tmp_path: Path) -> None:
    for name in ["a.json", "b.txt", "c.vtt", "d.eml"]:
        (tmp_path / name).write_text(" \n\t\n")
    reasons = {
        Path(i.path).name: i.reason for i in read_paths([tmp_path]) if isinstance(i, ReadError)
    }
    assert reasons == dict.fromkeys(["a.json", "b.txt", "c.vtt", "d.eml"], "empty file")
