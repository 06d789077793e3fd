"""`everytouch analyze` through run(): output formats, exit codes, bad files among good ones."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from everytouch.analysis.cli import build_parser, run

GOOD = {
    "id": "call-1",
    "channel": "call",
    "started_at": "2026-03-12T15:00:00+00:00",
    "turns": [
        {"speaker": "agent", "text": "Thanks for calling Bright Print. How can I help?"},
        {"speaker": "customer", "text": "I'm looking for 500 business cards. My name is Jane Doe."},
        {"speaker": "agent", "text": "What's the best number to reach you?"},
        {"speaker": "customer", "text": "415 555 0123"},
        {"speaker": "agent", "text": "I'll call you back tomorrow morning with a quote."},
    ],
}
SECOND = {"id": "call-2", "turns": [{"speaker": "customer", "text": "How much is it?"}]}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(build_parser().parse_args(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "calls.jsonl").write_text(json.dumps(GOOD) + "\n" + json.dumps(SECOND) + "\n")
    return tmp_path


def test_it_writes_one_jsonl_object_per_conversation(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run([str(folder), "--format", "jsonl", "--tz", "America/New_York"], capsys)
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert (first["id"], second["id"]) == ("call-1", "call-2")
    assert first["checks"]["asked_phone"]["status"] == "pass"
    assert first["checks"]["asked_phone"]["evidence"][0]["turn"] == 2
    assert first["extracted"]["phones"] == ["+14155550123"]
    assert first["extracted"]["names"] == ["Jane Doe"]
    assert first["identity_asks"] == {"phone": 1}
    assert first["commitments"][0]["due_at"] == "2026-03-13T12:00:00-04:00"
    assert isinstance(first["score"], float)
    assert "Pass rate per check" in err  # the summary goes to stderr for machine formats


def test_it_reports_a_bad_file_and_still_runs_the_others(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "broken.json").write_text("{this is not json")
    code, out, err = _run([str(folder), "--format", "jsonl"], capsys)
    assert code == 1
    assert len(out.splitlines()) == 2
    assert "broken.json" in err
    assert "1 unreadable" in err


def test_it_exits_2_on_an_unreadable_playbook(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = folder / "team.yaml"
    bad.write_text("checks:\n  - id: a\n    rule: telepathy\n")
    code, out, err = _run([str(folder), "--playbook", str(bad)], capsys)
    assert code == 2
    assert out == ""
    assert "team.yaml:3:" in err and "telepathy" in err


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--jobs", "0"], "--jobs"),
        (["--region", "XX"], "unknown phone region"),
        (["--promotions", "/nonexistent/promos.yaml"], "promos.yaml"),
    ],
)
def test_it_exits_2_on_bad_options(
    folder: Path, capsys: pytest.CaptureFixture[str], option: list[str], words: str
) -> None:
    code, _, err = _run([str(folder), *option], capsys)
    assert code == 2
    assert words in err


def test_it_prints_a_table_with_pass_rates(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run([str(folder)], capsys)
    assert code == 0
    assert "call-1" in out
    assert "Pass rate per check" in out
    assert "lead_captured" in out


def test_it_writes_csv_and_json_to_a_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = folder / "out.csv"
    assert (
        _run([str(folder / "calls.jsonl"), "--format", "csv", "--output", str(target)], capsys)[0]
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["id"] for r in rows] == ["call-1", "call-2"]
    assert rows[0]["asked_phone"] == "pass"
    assert rows[0]["phones"] == "+14155550123"
    code, out, _ = _run([str(folder / "calls.jsonl"), "--format", "json"], capsys)
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["call-1", "call-2"]


def test_it_guards_csv_cells_against_spreadsheet_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = {**GOOD, "id": '=HYPERLINK("http://x.example","hi")'}
    (tmp_path / "calls.jsonl").write_text(json.dumps(hostile) + "\n")
    code, out, _ = _run([str(tmp_path / "calls.jsonl"), "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["id"] == '\'=HYPERLINK("http://x.example","hi")'
    assert rows[0]["phones"] == "+14155550123"


def test_it_matches_promotions_from_a_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promos = folder / "promos.txt"
    promos.write_text("Spring Sale 2026\n")
    conv = {"id": "p", "turns": [
        {"speaker": "customer", "text": "Do you have any desks?"},
        {"speaker": "agent", "text": "Yes, and the spring sale takes 10% off."},
    ]}  # fmt: skip
    (folder / "p.json").write_text(json.dumps(conv))
    code, out, _ = _run([str(folder / "p.json"), "--promotions", str(promos), "--format", "jsonl"],
                        capsys)  # fmt: skip
    assert code == 0
    assert json.loads(out)["checks"]["promotion_mentioned"]["status"] == "pass"


def test_it_gives_the_same_rows_with_several_jobs(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps({**GOOD, "id": f"c{i}"}) for i in range(70)]
    (folder / "many.jsonl").write_text("\n".join(lines) + "\n")
    _, single, _ = _run([str(folder), "--format", "jsonl"], capsys)
    code, multi, _ = _run([str(folder), "--format", "jsonl", "--jobs", "2"], capsys)
    assert code == 0
    assert multi == single
    assert len(multi.splitlines()) == 72


def test_it_runs_as_a_module(folder: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "everytouch.analysis", str(folder), "--format", "jsonl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == ["call-1", "call-2"]
