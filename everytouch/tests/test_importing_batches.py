"""The batched import: checked in chunks (and worker processes), stored a batch at a time."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

from everytouch.cli import main
from everytouch.customers import importing
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.contacts import (
    InvalidContact,
    format_phone,
    normalise_email,
    normalise_phone,
)
from everytouch.customers.models import ContactPoint, Customer, EventKind, TimelineEvent
from everytouch.customers.search import search_customers

HEADER = "name,company,phone,email,owner,notes\n"
CARD = "4111 1111 1111 1111"


def _rows(n: int, start: int = 0, owner: str = "") -> str:
    return "".join(
        f"Person {i},Firm {i % 3},(312) 555-{i:04d},p{i}@x.example,{owner},note {i}\n"
        for i in range(start, start + n)
    )


def _records(text: str) -> list[importing.Record]:
    return list(importing.read_records(io.StringIO(text)))


def _check(text: str, pool: Any = None) -> tuple[importing.CheckReport, list[Any], Any]:
    problems: list[importing.RowProblem] = []
    spool = importing.Spool()
    report = importing.check_file(_records(text), spool, problems.append, pool=pool)
    return report, problems, spool


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several check chunks and batches out of a handful of rows.
    monkeypatch.setattr(importing, "CHECK_CHUNK", 2)


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_it_stores_a_file_larger_than_a_batch(rep: User) -> None:
    report, problems, spool = _check(HEADER + _rows(7, owner="ron"))
    assert (report.rows, report.good, report.bad, problems) == (7, 7, 0, [])
    with spool:
        assert importing.write_spool(spool, None, batch_size=3) == 7
    assert Customer.objects.filter(owner=rep).count() == 7
    assert ContactPoint.objects.count() == 14
    assert TimelineEvent.objects.filter(kind=EventKind.CUSTOMER_CREATED).count() == 7
    assert TimelineEvent.objects.filter(kind=EventKind.CONTACT_ADDED).count() == 14
    six = Customer.objects.get(name="Person 6")
    assert set(six.contacts.values_list("value", flat=True)) == {"+13125550006", "p6@x.example"}


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_it_finds_repeats_across_chunks_and_stored_contacts() -> None:
    stored = create_customer(CustomerData(name="Stored", contacts=["3125550005"]), None)
    text = HEADER + _rows(6) + "Again,,312-555-0001,,,\nMail again,,,P3@X.example,,\n"
    report, problems, spool = _check(text)
    spool.close()
    reasons = {p.line: p.reasons for p in problems}
    assert reasons == {
        7: (f"+13125550005 already belongs to Stored (#{stored.pk})",),
        8: ("+13125550001 is also on line 3",),
        9: ("p3@x.example is also on line 5",),
    }
    assert (report.rows, report.good, report.bad) == (8, 5, 3)


@pytest.mark.django_db
def test_a_failed_batch_keeps_the_batches_before_it_and_says_from_which_line() -> None:
    checked = importing.check_rows(importing.read_rows(io.StringIO(HEADER + _rows(5))))
    # Someone stores the phone of line 5 (the second batch of two) after the check.
    taker = create_customer(CustomerData(name="Quick", contacts=["3125550003"]), None)
    with pytest.raises(importing.ImportStopped) as stopped:
        importing.import_customers(checked.good, None, batch_size=2)
    assert (stopped.value.stored, stopped.value.last_stored_line) == (2, 3)
    assert stopped.value.first_line == 4
    message = str(stopped.value)
    assert f"line 5: +13125550003 was stored for Quick (#{taker.pk}) after the check" in message
    assert "2 customer(s) from the rows up to line 3 are stored" in message
    names = set(Customer.objects.values_list("name", flat=True))
    assert names == {"Person 0", "Person 1", "Quick"}  # no half of the second batch
    assert not ContactPoint.objects.filter(value="+13125550002").exists()
    assert not TimelineEvent.objects.filter(customer__name="Person 2").exists()


@pytest.mark.django_db
def test_the_command_reports_a_failed_batch_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importing._write_batch
    calls: list[int] = []

    def racing(batch: Any, actor: Any) -> None:
        calls.append(1)
        if len(calls) == 2:  # another writer takes a phone of this batch first
            create_customer(CustomerData(name="Quick", contacts=["3125550002"]), None)
        real(batch, actor)

    monkeypatch.setattr(importing, "_write_batch", racing)
    path = tmp_path / "c.csv"
    path.write_text(HEADER + _rows(5))
    assert main(["import", "customers", str(path), "--batch-size", "2"]) == 1
    err = capsys.readouterr().err
    assert "the batch starting on line 4 could not be written" in err
    assert "line 4: +13125550002 was stored for Quick" in err
    assert "2 customer(s) from the rows up to line 3 are stored, nothing from line 4 on" in err
    assert Customer.objects.count() == 3
    # Importing again with --skip-invalid adds the rest; the stored rows are reported taken.
    monkeypatch.setattr(importing, "_write_batch", real)
    assert main(["import", "customers", str(path), "--skip-invalid"]) == 0
    out, err = capsys.readouterr()
    assert "Imported 2 customer(s)" in out
    assert "line 2: +13125550000 already belongs to Person 0" in err
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Person 0",
        "Person 1",
        "Person 3",
        "Person 4",
        "Quick",
    ]


def _snapshot() -> list[tuple[Any, ...]]:
    """Everything the customer page shows of each customer, without ids or times."""
    out = []
    for c in Customer.objects.order_by("name").select_related("owner"):
        contacts = list(c.contacts.order_by("id").values_list("kind", "value", "label"))
        events = list(
            c.events.order_by("-happened_at", "-id").values_list("kind", "summary", "data", "actor")
        )
        owner = c.owner.username if c.owner else None
        out.append((c.name, c.company, c.notes, owner, contacts, events))
    return out


@pytest.mark.django_db
def test_it_stores_what_create_customer_stores(rep: User) -> None:
    text = HEADER + (
        "  Ann Lee ,Lee Dental,(312) 555-0101,Ann@LeeDental.example,ron,Office manager\n"
        f",Acme,+44 20 7946 0958,,,Paid with {CARD}\n"
        f"Card {CARD} Holder,,,solo@x.example,ron,\n"
        "Bo,,312.555.0102,,,\n"
    )
    checked = importing.check_rows(importing.read_rows(io.StringIO(text)))
    assert checked.problems == []
    for row in checked.good:
        create_customer(row.data, rep)
    old = _snapshot()
    Customer.objects.all().delete()
    assert importing.import_customers(checked.good, rep, batch_size=3) == 4
    assert _snapshot() == old
    assert CARD not in str(old)
    assert "[card ending 1111]" in str(old)


@pytest.mark.django_db
def test_no_card_number_is_stored_through_the_command(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"name,company,notes,phone\n{CARD},Firm {CARD},Card {CARD},3125550101\n")
    assert main(["import", "customers", str(path)]) == 0
    customer = Customer.objects.get()
    stored = (customer.name, customer.company, customer.notes)
    assert stored == ("[card ending 1111]", "Firm [card ending 1111]", "Card [card ending 1111]")
    assert not TimelineEvent.objects.filter(summary__contains="4111").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("small_chunks")
def test_worker_processes_check_the_same_as_this_one(rep: User) -> None:
    text = HEADER + _rows(9, owner="ron") + "Bad,,12345,,ghost,\nTwice,,3125550004,,,\n"
    alone, alone_problems, alone_spool = _check(text)
    with importing.workers(2) as pool:
        assert pool is not None
        shared, shared_problems, shared_spool = _check(text, pool)
    assert (alone, alone_problems) == (shared, shared_problems)
    assert [p.line for p in shared_problems] == [11, 12]
    with alone_spool, shared_spool:
        assert list(alone_spool.batches(4)) == list(shared_spool.batches(4))


def test_it_checks_small_files_in_this_process(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(HEADER + _rows(3))
    assert importing.worker_count(path, 4) == 1
    path.write_bytes(b"x" * importing.PARALLEL_FROM_BYTES)
    assert importing.worker_count(path, 4) == 4


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("name;phone\r\nJosé;3125550101\r\n".encode(), None),
        (b"\xef\xbb\xbfname,phone\nJos\xc3\xa9,3125550101\n", None),
        ("name\tphone\nJosé\t3125550101\n".encode("utf-16"), None),
        ("name,phone\nJosé,3125550101\n".encode("cp1252"), None),
        ("name,phone\nJosé,3125550101\n".encode("mac_roman"), "mac_roman"),
        (b"\xef\xbb\xbfname,phone\nAnn,3125550101\n", "utf-8"),
    ],
)
def test_streaming_reads_a_file_as_reading_it_whole_does(
    tmp_path: Path, data: bytes, encoding: str | None
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    whole = importing.read_file(data, encoding)
    streamed = importing.open_file(path, encoding)
    assert (streamed.encoding, streamed.delimiter) == (whole.encoding, whole.delimiter)
    assert list(streamed.rows()) == whole.rows


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04rest", "name\nAnn\n".encode("utf-16-le"), b"name\nJos\xc3\xa9\nZo\xe9\n"],
)
def test_streaming_refuses_what_reading_whole_refuses(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(importing.BadFile) as whole:
        importing.read_file(data)
    with pytest.raises(importing.BadFile) as streamed:
        importing.open_file(path)
    assert str(streamed.value) == str(whole.value)


def test_the_bulk_insert_refuses_to_leave_a_column_out() -> None:
    with pytest.raises(TypeError, match="has columns"):
        importing._columns(ContactPoint, ["customer_id", "kind", "value"])


@pytest.mark.django_db
def test_the_command_prints_progress_lines_when_stderr_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from everytouch.cli import data

    monkeypatch.setattr(data, "PROGRESS_LINE_EVERY", 2)
    monkeypatch.setattr(importing, "CHECK_CHUNK", 2)
    path = tmp_path / "c.csv"
    path.write_text(HEADER + _rows(5))
    assert main(["import", "customers", str(path), "--batch-size", "2"]) == 0
    err = capsys.readouterr().err
    assert "Checking rows: 4 rows" in err
    assert "Importing: 4 of 5 rows" in err
    assert "Checked 5 row(s) in" in err


@pytest.mark.django_db
def test_imported_customers_are_found_by_name_phone_and_email_right_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several multi-row statements per batch, the last one short, and several batches: the
    # search index (triggers on SQLite, trigram indexes on PostgreSQL) must see every row.
    monkeypatch.setattr(importing, "ROWS_PER_INSERT", 3)
    names = ["Abbott", "Barlow", "Castillo", "Dunmore", "Ellery", "Fairweather", "Gallagher"]
    rows = [f"Jo {n},Firm,(312) 555-01{i:02d},{n}@Mail.example,,\n" for i, n in enumerate(names)]
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "".join(rows) + "Zelda Quartermaine,Quarry Ltd,+44 20 7946 0958,,,\n")
    assert main(["import", "customers", str(path), "--batch-size", "5"]) == 0
    for i, name in enumerate(names):
        person = Customer.objects.get(name=f"Jo {name}")
        for query in (
            name.lower(),
            f"(312) 555-01{i:02d}",
            f"555-01{i:02d}",
            f"{name}@mail.example",
        ):
            assert list(search_customers(query)) == [person], query
    zelda = Customer.objects.get(name="Zelda Quartermaine")
    for query in ("quarterm", "Zelda", "Quarry", "+44 20 7946 0958", "7946"):
        assert list(search_customers(query)) == [zelda], query


@pytest.mark.django_db
def test_it_stores_many_rows_per_insert_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "ROWS_PER_INSERT", 3)
    checked = importing.check_rows(importing.read_rows(io.StringIO(HEADER + _rows(7))))
    with CaptureQueriesContext(connection) as queries:
        assert importing.import_customers(checked.good, None) == 7
    inserts = Counter(
        re.sub(r'^INSERT INTO "?(\w+)"?.*', r"\1", q["sql"], flags=re.S)
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT")
    )
    # 7 customers, 14 contact points, 21 events (a "created" and two "added" each), 3 a statement.
    assert inserts == {
        "customers_customer": 3,
        "customers_contactpoint": 5,
        "customers_timelineevent": 7,
    }
    assert ContactPoint.objects.count() == 14 and TimelineEvent.objects.count() == 21


def _outcome(check: Callable[[str], object], raw: str) -> tuple[str, object]:
    try:
        return "ok", check(raw)
    except InvalidContact as exc:
        return "invalid", str(exc)


_DOMAINS = st.sampled_from(
    [
        "Example.com",
        "x.example",
        "GMAIL.COM",
        "mail.co.uk",
        "xn--bcher-kva.example",
        "localhost",
        "example.test",
        "a..b.com",
        "-a.com",
        "a-.com",
        "com",
        "123.45.67.89",
        f"{'a' * 64}.com",
        f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 60}.com",
    ]
) | st.from_regex(r"[A-Za-z0-9.-]{0,20}", fullmatch=True)
_LOCALS = st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{0,70}", fullmatch=True) | st.text(
    max_size=12
)


@given(local=_LOCALS, domain=_DOMAINS, pad=st.sampled_from(["", " ", "\t"]))
@hypothesis_settings(max_examples=400, deadline=None)
def test_the_import_checks_an_email_as_normalise_email_does(
    local: str, domain: str, pad: str
) -> None:
    raw = f"{pad}{local}@{domain}{pad}"
    assert _outcome(importing._email, raw) == _outcome(normalise_email, raw)


def _slow_phone(raw: str) -> tuple[str, str]:
    value = normalise_phone(raw)
    return value, format_phone(value)


_REGIONS = ["US", "GB", "IT", "DE", "FR", "AU", "BR", "IN", "JP", "CI", "AR", "MX", "SG"]


@st.composite
def _typed_phones(draw: st.DrawFn) -> str:
    """A valid number of some region, typed one of the ways people type them, or digits."""
    if draw(st.booleans()):
        return draw(
            st.from_regex(r"\+?[0-9 ()./-]{0,18}( ?(ext|x|#) ?[0-9]{1,5})?", fullmatch=True)
        )
    region = draw(st.sampled_from(_REGIONS))
    kind = draw(st.sampled_from([PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE]))
    number = phonenumbers.example_number_for_type(region, kind)
    assume(number is not None)  # every region here has examples of both kinds
    assert number is not None
    style = draw(st.sampled_from(list(range(4))))  # E164, INTERNATIONAL, NATIONAL, RFC3966
    typed = phonenumbers.format_number(number, style)
    return typed + draw(st.sampled_from(["", " ext. 12", " x7"]))


@pytest.mark.parametrize("home", ["US", "IT", "GB"])
def test_the_import_checks_a_phone_as_normalise_phone_and_format_phone_do(home: str) -> None:
    @given(raw=_typed_phones())
    @hypothesis_settings(max_examples=300, deadline=None)
    def agrees(raw: str) -> None:
        assert _outcome(importing._phone, raw) == _outcome(_slow_phone, raw)

    with override_settings(EVERYTOUCH_PHONE_REGION=home):
        agrees()
