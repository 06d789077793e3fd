"""Web forms, query strings and the CLI refuse values at the edge of their range with a reason.

A date whose UTC conversion overflows, a page or id beyond 64 bits, "²" (a digit to
``str.isdigit``, not to ``int``): a form error (400), the nearest page, or exit 2; never a 500.
"""

from __future__ import annotations

import importlib
import inspect
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from everytouch import bounds
from everytouch.accounts.web_kit import DayField, MomentField
from everytouch.cli import main
from everytouch.followups.models import Commitment
from everytouch.leads import views as lead_views
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[1]
HUGE = "9" * 30


def _form_classes() -> list[type[forms.Form | forms.ModelForm[Any]]]:
    found: list[type[forms.Form | forms.ModelForm[Any]]] = []
    # Forms live in forms*.py, and a few small ones beside their view.
    modules = [*PACKAGE.rglob("forms*.py"), *PACKAGE.rglob("views*.py")]
    for path in sorted(modules):
        module = importlib.import_module(
            ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        )
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.Form | forms.ModelForm) and cls.__module__ == module.__name__
        ]
    return found


def _fields() -> list[tuple[str, forms.Field]]:
    return [
        (f"{cls.__module__}.{cls.__name__}.{name}", field)
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
    ]


def test_it_finds_the_forms_it_checks() -> None:
    names = {name for name, _ in _fields()}
    assert "everytouch.followups.forms.CommitmentForm.due_at" in names
    assert "everytouch.quality.forms_campaigns.CampaignForm.starts_on" in names
    assert "everytouch.quality.views_dashboards.FilterForm.since" in names


@pytest.mark.parametrize(
    ("name", "field"), _fields(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_it_checks_the_range_of_every_date_and_number_field(name: str, field: forms.Field) -> None:
    if isinstance(field, forms.DateTimeField):
        assert isinstance(field, MomentField), f"{name}: use web_kit.MomentField"
    elif isinstance(field, forms.DateField):
        assert isinstance(field, DayField), f"{name}: use web_kit.DayField"
    elif isinstance(field, forms.IntegerField):
        assert field.max_value is not None, f"{name}: use web_kit.CountField or IdField"
        assert field.max_value <= bounds.MAX_ID


@pytest.mark.parametrize(
    "value", [date(9999, 12, 31), date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1)]
)
def test_it_refuses_a_day_outside_the_years(value: date) -> None:
    field = DayField()
    with pytest.raises(forms.ValidationError, match="1900 to 2200"):
        field.clean(value.isoformat())


@pytest.mark.parametrize("value", ["9999-12-31 23:00", "0001-01-01 00:30", "2201-01-01 00:00"])
def test_it_refuses_a_moment_outside_the_years(value: str) -> None:
    with pytest.raises(forms.ValidationError, match="1900 to 2200"):
        MomentField().clean(value)


def test_it_keeps_a_moment_inside_the_years() -> None:
    assert MomentField().clean("2200-12-31 12:00").year == 2200


def test_it_answers_a_promise_due_in_year_9999_with_a_form_error(rep: User) -> None:
    customer = make_customer(owner=rep)
    body = {"what": "Call back", "due_at": "9999-12-31T23:00", "owner": rep.pk}
    url = reverse("commitment_new") + f"?customer={customer.pk}"
    response = client_for(rep).post(url, {**body, "customer": customer.pk})
    assert response.status_code == 400
    assert b"1900 to 2200" in response.content
    assert not Commitment.objects.exists()


@pytest.fixture
def board(rep: User) -> Client:
    customer = make_customer(owner=rep)
    capture_lead(customer, LeadData(need="Desks"), owner=rep, actor=None)
    return client_for(rep)


@pytest.mark.parametrize("page", [HUGE, str(2**63), str(2**63 - 1), "²", "-1", "1e9"])
def test_it_serves_a_lead_board_column_for_any_page_number(board: Client, page: str) -> None:
    url = reverse("lead_board_column", args=["new"])
    assert board.get(url, {"page": page}).status_code == 200


def test_it_offers_no_column_page_past_the_last_it_serves(
    rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "MAX_PAGE", 2)
    monkeypatch.setattr(lead_views, "BOARD_PAGE", 1)
    for need in ("Desks", "Chairs", "Lamps"):
        capture_lead(make_customer(need, ()), LeadData(need=need), owner=rep, actor=None)
    client = client_for(rep)
    url = reverse("lead_board_column", args=["new"])
    assert b'rel="next"' in client.get(url, {"page": 1}).content
    assert b'rel="next"' not in client.get(url, {"page": 2}).content


@pytest.mark.parametrize("value", [HUGE, "²", "٣"])
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("lead_board", "owner"),
        ("lead_board", "untouched"),
        ("customer_list", "owner"),
        ("customer_list", "page"),
        ("desk", "customer"),
        ("desk", "logged"),
        ("lead_new", "customer"),
        ("message_new", "customer"),
        ("desk_ask", "person"),
        ("desk_ask", "customer_id"),
        ("desk_missing", "customer_id"),
    ],
)
def test_it_ignores_a_number_no_record_can_have(
    board: Client, url: str, param: str, value: str
) -> None:
    assert board.get(reverse(url), {param: value}).status_code == 200


@pytest.mark.parametrize("value", [HUGE, "²"])
def test_it_finds_no_customer_for_a_promise_beyond_64_bits(board: Client, value: str) -> None:
    assert board.get(reverse("commitment_new"), {"customer": value}).status_code == 404


@pytest.mark.parametrize(
    "argv",
    [
        ["leads", "list", "--untouched", HUGE],
        ["leads", "list", "--limit", "-1"],
        ["leads", "list", "--limit", HUGE],
        ["leads", "stage", HUGE, "won"],
        ["promises", "list", "--limit", HUGE],
        ["promises", "done", HUGE],
        ["quality", "report", "--since", "0001-01-01"],
    ],
)
def test_it_exits_2_on_a_number_or_date_past_the_edge(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        code = main(argv)
        raise SystemExit(code)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "must be" in err, err


@pytest.mark.parametrize("due", ["9999-12-31T23:00-12:00", "0001-01-01T00:30+01:00", "2201-01-01"])
def test_it_exits_2_on_a_promise_due_past_the_edge(
    due: str, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer(owner=rep)
    argv = ["promises", "add", "--customer", str(customer.pk), "--owner", rep.username]
    assert main([*argv, "--what", "Call back", "--due", due]) == 2
    assert "--due must be a date in the years 1900 to 2200" in capsys.readouterr().err
    assert not Commitment.objects.exists()


def test_it_reads_ids_as_ascii_digits_only() -> None:
    assert bounds.parse_id("42") == 42
    assert bounds.parse_id(str(bounds.MAX_ID)) == bounds.MAX_ID
    for raw in ["", "0", "-1", "²", "٣", "1e3", str(bounds.MAX_ID + 1), HUGE]:
        assert bounds.parse_id(raw) is None


def test_it_names_the_year_in_utc_when_the_offset_moves_it() -> None:
    moment = datetime.fromisoformat("2200-12-31T23:00:00-12:00")
    assert bounds.calendar_problem(moment) == (
        "must be a date in the years 1900 to 2200 (in UTC it is year 2201)"
    )
