"""Numbers and dates at the edge of what Python can hold cost one file, never the whole run.

Python refuses to read an integer of over 4,300 digits (a ValueError that ``json`` does not
wrap), reads ``NaN`` and ``Infinity`` although JSON has neither, overflows converting a long
integer to a float, and cannot turn ``9999-12-31T23:00:00-12:00`` into UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from everytouch.analysis import cli
from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers import ReadError, paths, read_file, read_paths

EDGE_NUMBERS = [
    "9" * 4301,
    "-" + "9" * 5000,
    "1" + "0" * 400,
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" + "0" * 400 + ".5",
]
EDGE_DATES = ["9999-12-31T23:00:00-12:00", "0001-01-01T00:30:00+01:00", "2201-01-01T00:00:00"]
OK = '{"turns": [{"speaker": "agent", "text": "Acme, Dana speaking."}]}'

# Where a number may sit in each JSON shape the readers know.
SHAPES = [
    '{{"turns": [{{"speaker": "agent", "text": "Hi", "start": {n}}}]}}',
    '{{"id": {n}, "turns": []}}',
    '{{"segments": [{{"start": {n}, "end": 2, "text": "Hi", "speaker": "S1"}}]}}',
    '{{"results": {{"items": [{{"start_time": {n}, "type": "pronunciation", '
    '"alternatives": [{{"content": "Hi"}}]}}]}}}}',
    "[{n}]",
    "{n}",
]


def _files(folder: Path, texts: list[str], suffix: str = ".json") -> list[Path]:
    written = []
    for index, text in enumerate(texts):
        path = folder / f"f{index:03}{suffix}"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _read(folder: Path) -> Iterator[Conversation | ReadError]:
    items = list(read_paths([folder]))
    assert all(isinstance(item, Conversation | ReadError) for item in items)
    return iter(items)


@pytest.mark.parametrize("number", EDGE_NUMBERS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".txt"])
def test_it_reports_a_number_it_cannot_use_as_that_files_problem(
    number: str, shape: str, suffix: str, tmp_path: Path
) -> None:
    _files(tmp_path, [shape.format(n=number), OK], suffix)
    items = list(_read(tmp_path))
    conversations = [item for item in items if isinstance(item, Conversation)]
    assert "Acme, Dana speaking." in [t.text for c in conversations for t in c.turns]
    for item in items:
        if isinstance(item, Conversation):
            assert all(t.start is None or abs(t.start) < float("inf") for t in item.turns)


@pytest.mark.parametrize("number", ["9" * 4301, "NaN", "Infinity", "1e999"])
def test_it_names_the_number_it_refuses(number: str, tmp_path: Path) -> None:
    (path,) = _files(tmp_path, [SHAPES[0].format(n=number)])
    with pytest.raises(ConversationError) as refused:
        read_file(path)
    assert any(word in str(refused.value) for word in ("digits", "too large", "not a JSON number"))


@pytest.mark.parametrize("moment", EDGE_DATES)
def test_it_refuses_a_start_date_outside_the_years(moment: str, tmp_path: Path) -> None:
    (path,) = _files(tmp_path, [json.dumps({"started_at": moment, "turns": []})])
    with pytest.raises(ConversationError, match="started_at must be a date in the years"):
        read_file(path)


def test_it_keeps_analysing_after_a_file_with_a_4301_digit_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _files(tmp_path, [SHAPES[0].format(n="9" * 4301), OK])
    code = cli.main([str(tmp_path), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_FILE_FAILED
    assert "f000.json: a number of 4301 digits is too long" in err
    assert [json.loads(line)["id"] for line in out.splitlines() if line.startswith("{")] == ["f001"]


@pytest.mark.parametrize(
    "error",
    [
        RecursionError("maximum recursion depth exceeded"),
        MemoryError(),
        OverflowError("int too large to convert to float"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
        KeyError("start"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_it_reports_any_reader_failure_as_that_files_problem(
    error: Exception, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes, stem: str, options: object) -> Iterator[Conversation]:
        if stem == "f000":
            raise error
        yield Conversation(id=stem, turns=())

    monkeypatch.setitem(paths._READERS, "json", broken)
    _files(tmp_path, ["{}", "{}"])
    first, second = _read(tmp_path)
    assert isinstance(first, ReadError)
    assert first.reason.startswith(f"cannot parse: {type(error).__name__}")
    assert isinstance(second, Conversation)


NUMBER_TEXT = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.floats().map(lambda f: json.dumps(f)),
    st.integers(min_value=300, max_value=6000).map(lambda n: "9" * n),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.sampled_from(SHAPES),
    number=NUMBER_TEXT,
    nesting=st.integers(min_value=0, max_value=3000),
)
def test_it_never_raises_whatever_number_or_nesting_a_file_holds(
    shape: str, number: str, nesting: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("edge")
    value = "[" * nesting + number + "]" * nesting
    _files(folder, [shape.format(n=value), OK])
    items = list(_read(folder))
    assert len(items) >= 2
    for item in items:
        if isinstance(item, ReadError):
            assert item.reason
        else:
            json.dumps([t.start for t in item.turns], allow_nan=False)


DEFAULT_PLAYBOOK = Path(cli.__file__).parent / "data" / "default_playbook.yaml"


def _usage_files(folder: Path) -> list[tuple[str, Path]]:
    playbook = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    huge_max = playbook.replace(
        "{name: transfers_at_most, max: 1}", "{name: transfers_at_most, max: 1" + "0" * 400 + "}"
    )
    files = {
        "huge.json": "[" + "9" * 5000 + "]",
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "huge.yaml": "- " + "9" * 5000 + "\n",
        "max.yaml": huge_max,
        "deep.yaml": "[" * 5000 + "]" * 5000,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [
        ("--promotions", folder / "huge.json"),
        ("--promotions", folder / "deep.json"),
        ("--promotions", folder / "huge.yaml"),
        ("--playbook", folder / "max.yaml"),
        ("--playbook", folder / "deep.yaml"),
    ]


def test_it_exits_2_on_a_playbook_or_promotions_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _files(tmp_path, [OK])
    for option, path in _usage_files(tmp_path):
        assert cli.main([str(tmp_path / "f000.json"), option, str(path)]) == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}"), err


@pytest.mark.parametrize(
    "line", ['{"text": "Hi", "label": ' + "9" * 5000 + "}", '{"text": ' + "[" * 100_000]
)
def test_it_exits_2_on_a_labels_line_it_cannot_read(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(line + "\n", encoding="utf-8")
    assert cli.main(["train", "--labels", str(labels), "--check", "x"]) == cli.EXIT_USAGE
    assert f"error: {labels}:1: not readable JSON" in capsys.readouterr().err


def test_it_reports_a_path_too_long_for_the_file_system_and_goes_on(tmp_path: Path) -> None:
    (ok,) = _files(tmp_path, [OK])
    too_long = tmp_path / ("a" * 5000)
    first, second = read_paths([too_long, ok])
    assert isinstance(first, ReadError)
    assert first.reason == "cannot read: File name too long"
    assert isinstance(second, Conversation)
