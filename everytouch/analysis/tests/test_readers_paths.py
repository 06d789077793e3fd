"""read_paths / read_file: format choice, folder walking, ids and errors that never escape."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers import ReadError, read_file, read_paths, sniff_format

FIXTURES = Path(__file__).parent / "fixtures"


def _by_id(items: list[Conversation | ReadError]) -> dict[str, Conversation]:
    return {item.id: item for item in items if isinstance(item, Conversation)}


def test_it_reads_every_conversation_in_a_jsonl_file_and_reports_the_bad_line() -> None:
    items = list(read_paths([FIXTURES / "desk_export.jsonl"]))
    conversations = _by_id(items)
    errors = [item for item in items if isinstance(item, ReadError)]
    assert sorted(conversations) == ["desk-1001", "desk-1004", "desk_export#3"]
    assert conversations["desk_export#3"].channel == "email"
    assert conversations["desk-1004"].turns[1].start == 12.5
    assert len(errors) == 1
    assert errors[0].path.endswith("desk_export.jsonl")
    assert errors[0].reason.startswith("line 4: ")
    assert "'bot'" in errors[0].reason


def test_it_names_unnamed_conversations_in_a_json_list_by_stem_and_index() -> None:
    conversations = read_file(FIXTURES / "two_calls.json")
    assert [c.id for c in conversations] == ["call-7", "two_calls#2"]
    assert conversations[0].turns[1].start == 3.1


def test_it_names_a_single_conversation_by_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "front-desk-0503.json"
    path.write_text('{"turns": [{"speaker": "agent", "text": "Hello"}]}')
    assert read_file(path)[0].id == "front-desk-0503"


def test_it_reads_the_same_call_from_json_and_from_a_plain_transcript() -> None:
    from_json = read_file(FIXTURES / "harper_valley_call.json")[0]
    from_text = read_file(FIXTURES / "harper_valley_call.txt")[0]
    assert from_text.turns == from_json.turns
    assert from_text.id == "harper_valley_call"
    assert from_json.id == "hvb-0002f70f7386445b"


def test_it_records_the_source_file_and_format_in_meta() -> None:
    conversation = read_file(FIXTURES / "plumbing_call.txt")[0]
    assert conversation.meta["source"] == str(FIXTURES / "plumbing_call.txt")
    assert conversation.meta["format"] == "text"


def test_it_walks_folders_in_sorted_order_skipping_hidden_and_unknown_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".cache").mkdir()
    shutil.copy(FIXTURES / "salon_chat.txt", tmp_path / "b" / "z.txt")
    shutil.copy(FIXTURES / "plumbing_call.txt", tmp_path / "a.txt")
    shutil.copy(FIXTURES / "plumbing_call.txt", tmp_path / ".cache" / "hidden.txt")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "c.txt").write_text("")
    items = list(read_paths([tmp_path]))
    names = [i.id if isinstance(i, Conversation) else Path(i.path).name for i in items]
    assert names == ["a", "z", "c.txt"]
    assert items[2] == ReadError(str(tmp_path / "c.txt"), "empty file")


def test_it_does_not_descend_into_subfolders_when_not_recursive(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(FIXTURES / "salon_chat.txt", tmp_path / "sub" / "chat.txt")
    shutil.copy(FIXTURES / "plumbing_call.txt", tmp_path / "call.txt")
    ids = [c.id for c in read_paths([tmp_path], recursive=False) if isinstance(c, Conversation)]
    assert ids == ["call"]


def test_it_reports_a_missing_path_and_carries_on(tmp_path: Path) -> None:
    items = list(read_paths([tmp_path / "missing.txt", FIXTURES / "salon_chat.txt"]))
    assert items[0] == ReadError(str(tmp_path / "missing.txt"), "no such file or directory")
    assert isinstance(items[1], Conversation)


def test_it_tries_a_file_named_directly_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.log"
    path.write_text("Agent: Hello\nCustomer: Hi\n")
    assert [t.speaker for t in read_file(path)[0].turns] == ["agent", "customer"]


def test_it_refuses_binary_files_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "calls.json"
    path.write_bytes(b"\x00\x01\x02junk")
    (error,) = read_paths([path])
    assert isinstance(error, ReadError)
    assert "binary" in error.reason


def test_it_raises_a_conversation_error_naming_the_file_from_read_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"turns": "nope"}')
    with pytest.raises(ConversationError, match=r"broken\.json: turns must be a list"):
        read_file(path)


def test_it_reports_an_unrecognised_json_object(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    (error,) = read_paths([path])
    assert isinstance(error, ReadError)
    assert "unrecognised JSON object" in error.reason


def test_it_reports_deeply_nested_json_instead_of_crashing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    (error,) = read_paths([path])
    assert isinstance(error, ReadError)


def test_it_rejects_a_speaker_map_with_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="must be 'agent' or 'customer'"):
        list(read_paths([FIXTURES / "salon_chat.txt"], speaker_map={"Dana": "boss"}))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi", "vtt"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nAgent: hi", "srt"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'{\n  "turns": []\n}', "json"),
        (b"From someone@example.com Thu May  2 09:14:00 2024\n", "mbox"),
        (b"From: a@example.com\nSubject: hi\n\nbody", "eml"),
        (b"Agent: hello\nCustomer: hi", "text"),
    ],
)
def test_it_sniffs_the_format_from_content(head: bytes, expected: str) -> None:
    assert sniff_format(head) == expected


def test_it_reads_jsonl_saved_with_a_json_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text((FIXTURES / "desk_export.jsonl").read_text())
    items = list(read_paths([path]))
    assert [i.id for i in items if isinstance(i, Conversation)] == [
        "desk-1001",
        "export#3",
        "desk-1004",
    ]


def test_it_imports_no_django() -> None:
    code = (
        "import sys, everytouch.analysis.readers; "
        "sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
