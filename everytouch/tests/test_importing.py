"""Reading and checking customer CSVs, without the CLI."""

from __future__ import annotations

import codecs
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


# --- files as spreadsheets save them: encodings and delimiters --------------------------------

ROWS = [["name", "company", "phone"], ["José Núñez", "Café Zoë", "(312) 555-0101"]]


def _saved(encoding: str, delimiter: str = ",", bom: bytes = b"") -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"
    return bom + text.encode(encoding)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (_saved("utf-8"), "UTF-8"),
        (_saved("utf-8", bom=codecs.BOM_UTF8), "UTF-8 (with a byte-order mark)"),
        (_saved("utf-16-le", bom=codecs.BOM_UTF16_LE), "UTF-16"),
        (_saved("utf-16-be", bom=codecs.BOM_UTF16_BE), "UTF-16"),
        (_saved("utf-32"), "UTF-32"),
        (_saved("cp1252"), "Windows-1252"),
    ],
)
def test_it_reads_each_encoding_a_spreadsheet_saves(data: bytes, encoding: str) -> None:
    read = importing.read_file(data)
    assert read.encoding == encoding
    assert [r.values for r in read.rows] == [
        {"name": "José Núñez", "company": "Café Zoë", "phone": "(312) 555-0101"}
    ]


def test_it_falls_back_to_latin1_for_bytes_windows_1252_lacks() -> None:
    # 0x81 is unassigned in Windows-1252; Latin-1 reads every byte.
    read = importing.read_file("name\nZoë\x81\n".encode("latin-1"))
    assert read.encoding == "Latin-1 (ISO-8859-1)"
    assert read.rows[0].values == {"name": "Zoë\x81"}


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "commas"), (";", "semicolons"), ("\t", "tabs")]
)
def test_it_finds_the_delimiter_from_the_header(delimiter: str, name: str) -> None:
    read = importing.read_file(_saved("utf-8", delimiter))
    assert read.delimiter == delimiter
    assert read.rows[0].values["company"] == "Café Zoë"
    assert read.how_read == f"UTF-8 text, columns separated by {name}"


def test_it_keeps_a_semicolon_inside_a_comma_separated_cell() -> None:
    read = importing.read_file(b'name,notes\nAnn,"call; then e-mail"\n')
    assert read.delimiter == ","
    assert read.rows[0].values == {"name": "Ann", "notes": "call; then e-mail"}


def test_it_reads_an_8bit_file_in_the_encoding_it_is_given() -> None:
    read = importing.read_file("name\nZoë\n".encode("mac_roman"), encoding="mac_roman")
    assert read.encoding == "mac-roman"
    assert read.rows[0].values == {"name": "Zoë"}


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        (
            b"PK\x03\x04\x14\x00rest",
            None,
            r'workbook \(.xlsx or .ods\), not CSV; save it .* "CSV UTF-8"',
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", None, r"workbook \(.xls\)"),
        ("name\nAnn\n".encode("utf-16-le"), None, "NUL bytes.*--encoding utf-16-le"),
        (
            b"name\nJos\xc3\xa9\nZo\xe9\n",
            None,
            "UTF-8 except for byte",
        ),
        (_saved("cp1252"), "utf-8", "not utf-8 text .*--encoding"),
        (_saved("utf-8"), "klingon", "unknown encoding 'klingon'"),
        (b"name|phone\nAnn|3125550101\n", None, "read as one column: separate columns with"),
    ],
)
def test_it_names_what_makes_a_file_unreadable_and_how_to_fix_it(
    data: bytes, encoding: str | None, message: str
) -> None:
    with pytest.raises(importing.BadFile, match=message):
        importing.read_file(data, encoding)
