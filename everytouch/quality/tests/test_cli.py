"""`everytouch quality report`: N of M per rep and check, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User

from everytouch.cli import main
from everytouch.quality.rollup import CONTACT_CHECK
from everytouch.quality.tests.helpers import CAPTURED, PRICE_ONLY, scored_touch
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(rep: User, rep2: User) -> Team:
    team = Team.objects.create(name="Counter")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    scored_touch(rep, CAPTURED)
    scored_touch(rep, PRICE_ONLY)
    scored_touch(rep2, PRICE_ONLY)
    return team


def test_it_prints_n_of_m_per_rep_and_check_as_a_table(
    scored: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quality", "report"]) == 0
    out = capsys.readouterr().out
    ron = [line for line in out.splitlines() if line.startswith("Ron Rep")]
    assert any(
        "Contact details captured on buying calls" in line and "1 of 2 (50%)" in line
        for line in ron
    )
    assert any("Asked for a phone number" in line and "1 of 2" in line for line in ron)
    assert any(line.startswith("Rita Rep") and "0 of 1" in line for line in out.splitlines())


def test_it_prints_json_for_one_team(scored: Team, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "report", "--team", "counter", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["rep"] for row in rows} == {"Ron Rep"}
    contact = next(row for row in rows if row["check"] == CONTACT_CHECK)
    assert (contact["passed"], contact["applicable"], contact["pass_rate"]) == (1, 2, "50%")


def test_it_writes_csv_with_a_header(scored: Team, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "report", "--since", "2020-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    phone = [r for r in rows if r["check"] == "asked_phone"]
    assert {(r["rep"], r["passed"], r["applicable"]) for r in phone} == {
        ("Ron Rep", "1", "2"),
        ("Rita Rep", "0", "1"),
    }


def test_it_says_so_when_nothing_was_scored(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "report"]) == 0
    assert "No scored conversations" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["quality", "report", "--team", "Nobody"],
        ["quality", "report", "--since", "last week"],
        ["quality", "report", "--since", "2199-01-01"],
        ["quality", "report", "--format", "xml"],
    ],
)
def test_it_refuses_bad_input_with_exit_2(
    scored: Team, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.strip()
