"""Reading and checking customer CSVs, without the CLI."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User

from everytouch.customers import importing
from everytouch.customers.actions import CustomerData, create_customer


def _rows(text: str) -> list[importing.CsvRow]:
    return importing.read_rows(io.StringIO(text))


def _problems(text: str) -> dict[int, tuple[str, ...]]:
    return {p.line: p.reasons for p in importing.check_rows(_rows(text)).problems}


def test_it_numbers_rows_by_the_line_they_start_on() -> None:
    rows = _rows('name,notes\nAnn,"two\nlines"\n\nBo,\n')
    assert [(r.line, r.values["name"]) for r in rows] == [(2, "Ann"), (5, "Bo")]
    assert rows[0].values["notes"] == "two\nlines"


def test_it_reads_headers_in_any_case_and_spacing() -> None:
    rows = _rows(" Name , EMAIL \nAnn,a@x.example\n")
    assert rows[0].values == {"name": "Ann", "email": "a@x.example"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,name\n", "appear twice"),
        ("owner,notes\n", "at least one of"),
        ("name,fax\n", "unknown column(s) 'fax'"),
        ('name\n"unclosed\n', "line"),
    ],
)
def test_it_refuses_files_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(importing.BadFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        _rows(text)


def test_it_refuses_text_that_is_not_utf8() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"name\n\xff\xfe\n"), encoding="utf-8")
    with pytest.raises(importing.BadFile, match="UTF-8"):
        importing.read_rows(stream)


@pytest.mark.django_db
def test_it_gives_every_reason_a_row_is_bad(outsider: User) -> None:
    problems = _problems(
        "name,company,phone,email,owner\n"
        f"{'x' * 201},,555,bad@,{outsider.username}\n"
        ",,,,\n"  # blank: skipped, not a problem
        ",,,,ron\n"
        "Ann,,3125550101,,,extra\n"
    )
    phone, email, *others = problems[2]
    assert phone == "invalid phone: '555' is not a valid phone number for region US"
    assert email.startswith("invalid e-mail: 'bad@' is not a valid e-mail address")
    assert others == ["owner 'oscar' is not active staff", "name is longer than 200 characters"]
    assert problems[4] == ("unknown owner 'ron'", "no name, company, phone or e-mail")
    assert problems[5] == ("more fields than the header has columns",)


@pytest.mark.django_db
def test_it_names_the_customer_a_contact_already_belongs_to() -> None:
    taken = create_customer(CustomerData(name="Ann Lee", contacts=["ann@x.example"]), None)
    problems = _problems("name,email\nImpostor,ANN@x.example\n")
    assert problems[2] == (f"ann@x.example already belongs to Ann Lee (#{taken.pk})",)


@pytest.mark.django_db
def test_it_passes_normalised_contacts_to_the_action(rep: User) -> None:
    result = importing.check_rows(
        _rows("name,phone,email,owner\nAnn,(312) 555-0101,A@X.example,ron\n")
    )
    assert result.problems == []
    data = result.good[0].data
    assert (data.name, data.owner, data.contacts) == ("Ann", rep, ["+13125550101", "a@x.example"])
    assert importing.import_customers(result.good, actor=rep) == 1
