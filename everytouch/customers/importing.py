"""Customers in and out as CSV: every row is checked before anything is written.

An import is checked, then written. ``check_file`` streams the file and reports every bad row
with its line number and reasons (nothing is written while checking); for a big file, worker
processes do the part of the check that needs no database (normalising phones and e-mails,
redacting card numbers). The good rows wait in a ``Spool`` (a temporary file, so a million rows
are not held in memory), and ``write_spool`` then writes them in batches of ``BATCH`` rows,
one transaction per batch, with bulk INSERTs of the rows ``create_customer`` would write (see
``_write_batch``). A batch is all or nothing; if one fails (a contact taken by someone else
since the check, or a database error), the batches before it stay stored, it and the rest are
not written, and ``ImportStopped`` says from which line on nothing was stored. ``check_rows``
and ``import_customers`` are the same two steps over rows in memory, for small files and
tests. The export writes the same columns, so an export imports again unchanged.

``open_file`` and ``read_file`` take the file as a spreadsheet saved it: UTF-8, UTF-16 or an
8-bit encoding, commas, semicolons or tabs (everytouch/spreadsheet.py), and say which they found.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import multiprocessing
import os
import pickle
import re
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.pool import AsyncResult
from multiprocessing.pool import Pool as PoolType
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple, TypeVar

import phonenumbers
from django.contrib.auth.models import User
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Count,
    Field,
    Max,
    Model,
)
from django.utils import timezone

from everytouch import spreadsheet
from everytouch.accounts.access import STAFF_ROLES, role_of
from everytouch.customers.actions import CustomerData, resolve
from everytouch.customers.contacts import (
    InvalidContact,
    Normalised,
    default_region,
    format_phone,
    normalise_email,
    normalise_phone,
)
from everytouch.customers.models import (
    ContactKind,
    ContactPoint,
    Customer,
    EventKind,
    TimelineEvent,
)
from everytouch.redaction import redacted

COLUMNS = ("name", "company", "phone", "email", "owner", "notes")
# Extra contact columns: phone2, email3, ... (any number after the kind).
_EXTRA_CONTACT = re.compile(r"^(phone|email)\d+$")
MAX_LENGTHS = {"name": 200, "company": 200}
# Rows checked together: one query per contact kind asks which of their contacts are taken.
CHECK_CHUNK = 1_000
# Values per `IN (...)` query, well under SQLite's limit on query parameters.
_QUERY_CHUNK = 1_000
# Rows written per transaction. Bigger batches gain little (bulk_create splits its INSERTs
# anyway) and make a failed batch, which is written again by hand, bigger.
BATCH = 5_000
# Rows per INSERT statement when storing (fewer if the database limits parameters): one
# statement per row made SQLite's search index write a segment per contact point (_insert).
ROWS_PER_INSERT = 500
_PSYCOPG_MAX_PARAMS = 65_535  # parameters per statement in PostgreSQL's wire protocol
# Smaller files are checked in this process: starting workers would cost more than they save.
PARALLEL_FROM_BYTES = 2_000_000
_BLOCK = 1 << 20  # bytes read at a time when checking that a file is UTF-8
_WORKBOOK_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # as spreadsheet._refuse_binary knows
# The codec to stream a file in, by the name ``spreadsheet.decode`` gives its encoding.
_STREAM_CODECS = {
    "UTF-8": "utf-8",
    "UTF-8 (with a byte-order mark)": "utf-8-sig",
    "UTF-16": "utf-16",
    "UTF-32": "utf-32",
    "Windows-1252": "cp1252",
    "Latin-1 (ISO-8859-1)": "latin-1",
}

Progress = Callable[[int], None]
T = TypeVar("T")
# A contact point as the checks pass it around: (kind, normalised value), plain strings,
# which cross to and from worker processes far cheaper than objects.
Contact = tuple[str, str]
Record = tuple[int, list[str]]  # (line where the record starts, its fields), as parsed


class BadFile(ValueError):
    """The file as a whole cannot be read (no header, unknown columns, not text)."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the record starts in the file; the header is line 1
    values: dict[str, str]
    too_many_fields: bool = False


def _how_read(encoding: str, delimiter: str) -> str:
    return f"{encoding} text, columns separated by {spreadsheet.DELIMITERS[delimiter]}"


@dataclass(frozen=True)
class CsvFile:
    rows: list[CsvRow]
    encoding: str  # as people name it: "UTF-8", "UTF-16", "Windows-1252", ...
    delimiter: str

    @property
    def how_read(self) -> str:
        """What was detected, for the person importing to check."""
        return _how_read(self.encoding, self.delimiter)


@dataclass(frozen=True)
class CsvSource:
    """A CSV file on disk, read afresh from its start by each call of ``rows``."""

    path: Path
    codec: str  # the Python codec it is streamed in
    encoding: str  # as people name it, as in CsvFile
    delimiter: str

    @property
    def how_read(self) -> str:
        return _how_read(self.encoding, self.delimiter)

    def rows(self) -> Iterator[CsvRow]:
        with self.path.open(encoding=self.codec, newline="") as stream:
            yield from iter_rows(stream, self.delimiter)

    def records(self) -> Iterator[Record]:
        """The records as parsed, the header first (what ``check_file`` takes)."""
        with self.path.open(encoding=self.codec, newline="") as stream:
            yield from read_records(stream, self.delimiter)


@dataclass(frozen=True)
class RowProblem:
    line: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GoodRow:
    line: int
    data: CustomerData


@dataclass
class CheckResult:
    good: list[GoodRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------------


def _known_column(column: str) -> bool:
    return column in COLUMNS or bool(_EXTRA_CONTACT.match(column))


def _header(raw: list[str]) -> list[str]:
    header = [column.strip().lower() for column in raw]
    unknown = [c for c in header if not _known_column(c)]
    if unknown:
        known = ", ".join(COLUMNS)
        hint = ""
        if len(header) == 1 and re.search(r"[^\w ]", header[0]):
            hint = "; the header was read as one column: separate columns with commas, "
            hint += "semicolons or tabs"
        raise BadFile(f"unknown column(s) {', '.join(map(repr, unknown))}; known: {known}{hint}")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise BadFile(f"column(s) appear twice: {', '.join(duplicated)}")
    if not {"name", "company", "phone", "email"} & set(header):
        raise BadFile("the header needs at least one of: name, company, phone, email")
    return header


def read_records(stream: Iterable[str], delimiter: str = ",") -> Iterator[Record]:
    """(line where the record starts, fields); quoted fields may span lines."""
    reader = csv.reader(stream, strict=True, delimiter=delimiter)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadFile(f"line {reader.line_num}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise BadFile("the file is not UTF-8 text") from exc


def read_file(data: bytes, encoding: str | None = None) -> CsvFile:
    """Decode and parse a CSV file's bytes, finding its encoding and delimiter.

    ``encoding`` (a Python codec name, such as ``mac_roman``) overrides the detection.
    """
    try:
        text, found = spreadsheet.decode(data, encoding)
    except spreadsheet.UnreadableText as exc:
        raise BadFile(str(exc)) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark left by an --encoding given
    delimiter = spreadsheet.sniff_delimiter(text.partition("\n")[0], _known_column)
    rows = read_rows(io.StringIO(text, newline=""), delimiter)
    return CsvFile(rows, found, delimiter)


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is UTF-8 text, read a block at a time (no text is kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        first = stream.read(_BLOCK)
        if first.startswith(_WORKBOOK_STARTS):
            return False
        block = first
        while block:
            if b"\x00" in block:
                return False
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return False
            block = stream.read(_BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_of(path: Path, encoding: str | None) -> tuple[str, str]:
    """(codec to stream the file in, the encoding's name), as ``spreadsheet.decode`` finds them.

    A UTF-8 file, the usual case, is checked block by block and never held whole. Anything else
    (an encoding named, UTF-16, a guess at Windows-1252, a file that cannot be read) is decoded
    whole once by ``spreadsheet.decode``, for the same guess and the same messages; the text is
    then dropped and the file streamed like any other.
    """
    if encoding is None and _is_utf8(path):
        with path.open("rb") as stream:
            bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        return ("utf-8-sig", "UTF-8 (with a byte-order mark)") if bom else ("utf-8", "UTF-8")
    try:
        _, found = spreadsheet.decode(path.read_bytes(), encoding)
    except spreadsheet.UnreadableText as exc:
        raise BadFile(str(exc)) from None
    return encoding or _STREAM_CODECS[found], found


def open_file(path: Path, encoding: str | None = None) -> CsvSource:
    """A CSV file to stream: its encoding and delimiter found as ``read_file`` finds them.

    Raises ``OSError`` if the file cannot be read, ``BadFile`` if it is not text.
    """
    codec, found = _encoding_of(path, encoding)
    with path.open(encoding=codec, newline="") as stream:
        first = stream.readline().removeprefix("\ufeff")
    delimiter = spreadsheet.sniff_delimiter(first.partition("\n")[0], _known_column)
    return CsvSource(path, codec, found, delimiter)


def _split_header(records: Iterable[Record]) -> tuple[list[str], Iterator[Record]]:
    """The checked header, and the records after it."""
    rest = iter(records)
    first = next(rest, None)
    if first is None:
        raise BadFile("the file is empty; it needs a header row")
    fields = first[1]
    if fields:
        fields[0] = fields[0].removeprefix("\ufeff")  # a byte-order mark left by --encoding
    return _header(fields), rest


def _row(header: list[str], line: int, fields: list[str]) -> CsvRow | None:
    """The row of one record; None for a blank line, which is skipped."""
    if not any(f.strip() for f in fields):
        return None
    # Our exports put a ' before formula-like cells; drop it so they import back unchanged.
    cells = (spreadsheet.unguard(f.strip()) for f in fields)
    values = dict(zip(header, cells, strict=False))
    return CsvRow(line, values, too_many_fields=len(fields) > len(header))


def iter_rows(stream: Iterable[str], delimiter: str = ",") -> Iterator[CsvRow]:
    """Parse a CSV with a header row, one row at a time; blank lines are skipped."""
    header, records = _split_header(read_records(stream, delimiter))
    for line, fields in records:
        row = _row(header, line, fields)
        if row is not None:
            yield row


def read_rows(stream: IO[str], delimiter: str = ",") -> list[CsvRow]:
    """Parse a CSV with a header row; blank lines are skipped."""
    return list(iter_rows(stream, delimiter))


def chunked(rows: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    size = size or CHECK_CHUNK
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- checking ------------------------------------------------------------------------------


def _contact_columns(values: dict[str, str]) -> Iterator[tuple[ContactKind, str]]:
    for column, value in values.items():
        if value and column.startswith("phone"):
            yield ContactKind.PHONE, value
        elif value and column.startswith("email"):
            yield ContactKind.EMAIL, value


# An address the fast path may take: an ASCII dot-atom before the @ (RFC 5322's atext) and
# letters, digits, hyphens and dots after it. Anything else goes through normalise_email whole.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SIMPLE_EMAIL = re.compile(rf"({_ATEXT}(?:\.{_ATEXT})*)@([A-Za-z0-9.-]+)")
# Well under the 64 characters a local part and the 254 an address may have, so no length
# check of email-validator's can refuse what the fast path accepts.
_SIMPLE_LOCAL_MAX, _SIMPLE_EMAIL_MAX = 64, 200


@lru_cache(maxsize=4096)
def _email_domain(domain: str) -> str | None:
    """The domain as ``normalise_email`` gives it, or None if it refuses the domain.

    A file of customers has a few domains for many addresses, and checking a domain (IDNA,
    reserved names) is most of what email-validator does for an address; the local part of a
    dot-atom address it returns unchanged, so the two can be checked apart.
    """
    try:
        return normalise_email(f"a@{domain}").partition("@")[2]
    except InvalidContact:
        return None


def _email(raw: str) -> str:
    """``normalise_email(raw)``, the same value or the same error, with the domain's check
    remembered (``_email_domain``). A test compares the two on generated addresses."""
    text = raw.strip()
    simple = _SIMPLE_EMAIL.fullmatch(text)
    if simple is not None and len(text) <= _SIMPLE_EMAIL_MAX:
        local, domain = simple.groups()
        normal = _email_domain(domain)
        if len(local) <= _SIMPLE_LOCAL_MAX and normal is not None and normal.isascii():
            return f"{local.lower()}@{normal}"
    return normalise_email(raw)


_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL


def _phone(raw: str) -> tuple[str, str]:
    """(``normalise_phone(raw)``, ``format_phone`` of it): the same values from one parse, not
    two (a phone's parse is the dearest part of checking a row). The E.164 form keeps only the
    country code and the national number (with its leading zeros), so a number built from
    those is what ``format_phone`` would parse back. Errors come from ``normalise_phone``
    itself, word for word. A test compares the two on generated numbers."""
    region = default_region()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    # is_valid_number(n) is is_valid_number_for_region(n, region_code_for_number(n)); the
    # region is needed again below (home numbers are shown in national format).
    found = None if number is None else phonenumbers.region_code_for_number(number)
    # (found may be None, as inside is_valid_number: the stubs say str.)
    if number is None or not phonenumbers.is_valid_number_for_region(number, found):  # type: ignore[arg-type]
        normalise_phone(raw, region)  # raises InvalidContact with its message
        raise AssertionError(f"normalise_phone took {raw!r}, which does not parse as valid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # The region and the formats depend only on what E.164 keeps (region_code_for_number reads
    # the country code and the national significant number).
    bare = phonenumbers.PhoneNumber(
        country_code=number.country_code,
        national_number=number.national_number,
        italian_leading_zero=number.italian_leading_zero,
        number_of_leading_zeros=number.number_of_leading_zeros,
    )
    style = phonenumbers.PhoneNumberFormat.NATIONAL if found == region else _INTERNATIONAL
    return e164, phonenumbers.format_number(bare, style)


def _normalise(kind: ContactKind, raw: str) -> tuple[Normalised, str]:
    """The contact point, and how its "Added ..." event shows it (``_contact_summary``)."""
    if kind == ContactKind.PHONE:
        value, shown = _phone(raw)
        return Normalised(ContactKind.PHONE, value), shown
    value = _email(raw)
    return Normalised(ContactKind.EMAIL, value), value


def _contacts(values: dict[str, str], reasons: list[str]) -> dict[Normalised, str]:
    """The row's contact points, each once, in column order, with how each is shown."""
    contacts: dict[Normalised, str] = {}
    for kind, raw in _contact_columns(values):
        try:
            item, shown = _normalise(kind, raw)
        except InvalidContact as exc:
            reasons.append(f"invalid {kind.label.lower()}: {exc}")
            continue
        contacts.setdefault(item, shown)
    return contacts


def _owner(username: str, owners: dict[str, User | None], reasons: list[str]) -> User | None:
    if not username:
        return None
    user = owners.get(username)
    if user is None:
        reasons.append(f"unknown owner {username!r}")
    elif not user.is_active or role_of(user) not in STAFF_ROLES:
        reasons.append(f"owner {username!r} is not active staff")
    return user


def _field_reasons(row: CsvRow, has_contacts: bool) -> list[str]:
    values = row.values
    reasons = [
        f"{column} is longer than {limit} characters"
        for column, limit in MAX_LENGTHS.items()
        if len(values.get(column, "")) > limit
    ]
    if row.too_many_fields:
        reasons.append("more fields than the header has columns")
    if not (values.get("name") or values.get("company") or has_contacts):
        reasons.append("no name, company, phone or e-mail")
    return reasons


def _contact_summary(kind: str, value: str, shown: str | None = None) -> str:
    """What timeline.contact_added writes; a test compares the two paths' timelines.

    ``shown`` is the phone as ``format_phone`` shows it, when the caller has it already."""
    if kind == ContactKind.PHONE:
        return f"Added phone {format_phone(value) if shown is None else shown}"[:500]
    return f"Added e-mail {value}"[:500]


class _Values(NamedTuple):
    """What is stored for one customer, as ``create_customer`` stores it: name and company
    stripped, every text through ``redacted()`` (which the bulk writes do not call)."""

    name: str
    company: str
    notes: str
    points: tuple[tuple[str, str, str], ...]  # (kind, value, label) of each contact point
    events: tuple[tuple[str, Any], ...]  # (summary, data) of each "Added ..." event


class _Redactor:
    """``redacted()`` over one reused row of each model: the values are what the bulk writes
    store, and building three model instances per contact (Django's ``__init__``) would cost
    more than redacting them."""

    def __init__(self) -> None:
        self.customer = Customer()
        self.point = ContactPoint()
        self.event = TimelineEvent(kind=EventKind.CONTACT_ADDED)

    def values(
        self,
        name: str,
        company: str,
        notes: str,
        contacts: Sequence[Contact],
        shown: Sequence[str] | None = None,
    ) -> _Values:
        customer, point, event = self.customer, self.point, self.event
        customer.name, customer.company, customer.notes = name.strip(), company.strip(), notes
        redacted([customer])
        points: list[tuple[str, str, str]] = []
        events: list[tuple[str, Any]] = []
        for i, (kind, value) in enumerate(contacts):
            point.kind, point.value, point.label = kind, value, ""
            event.summary = _contact_summary(kind, value, None if shown is None else shown[i])
            event.data = {"kind": kind, "value": value}
            redacted([point, event])
            points.append((point.kind, point.value, point.label))
            events.append((event.summary, event.data))
        return _Values(
            customer.name, customer.company, customer.notes, tuple(points), tuple(events)
        )


_redactor: _Redactor | None = None


def _values(
    name: str,
    company: str,
    notes: str,
    contacts: Sequence[Contact],
    shown: Sequence[str] | None = None,
) -> _Values:
    global _redactor  # one per process (a worker's own after the fork)
    if _redactor is None:
        _redactor = _Redactor()
    return _redactor.values(name, company, notes, contacts, shown)


class _Prepared(NamedTuple):
    """A row after the checks and the work that need no database (normalising, redacting):
    the part worker processes do for a big file."""

    line: int
    reasons: tuple[str, ...]  # invalid contacts
    later_reasons: tuple[str, ...]  # lengths, fields, emptiness: reported after the owner's
    owner: str  # the username as written, "" for none
    contacts: tuple[Contact, ...]
    values: _Values | None  # None when the row is already bad


def _prepare(row: CsvRow) -> _Prepared:
    reasons: list[str] = []
    found = _contacts(row.values, reasons)
    contacts = tuple((c.kind.value, c.value) for c in found)
    later = _field_reasons(row, bool(contacts))
    values = None
    if not (reasons or later):
        get = row.values.get
        name, company, notes = get("name", ""), get("company", ""), get("notes", "")
        values = _values(name, company, notes, contacts, tuple(found.values()))
    owner = row.values.get("owner", "")
    return _Prepared(row.line, tuple(reasons), tuple(later), owner, contacts, values)


def _prepare_chunk(rows: list[CsvRow]) -> list[_Prepared]:
    return [_prepare(row) for row in rows]


def _prepare_records(header: list[str], records: list[Record]) -> list[_Prepared]:
    # What a worker runs: records (a list of strings each) cross processes cheaply, rows not.
    rows = (_row(header, line, fields) for line, fields in records)
    return [_prepare(row) for row in rows if row is not None]


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _QUERY_CHUNK):
        yield items[start : start + _QUERY_CHUNK]


def _taken(items: Iterable[Contact]) -> dict[Contact, Customer]:
    """Which of these contact points already belong to a customer, in a few queries."""
    taken: dict[Contact, Customer] = {}
    for kind in ContactKind:
        values = sorted({value for k, value in items if k == kind})
        for chunk in _chunks(values):
            qs = ContactPoint.objects.filter(kind=kind, value__in=chunk)
            for point in qs.select_related("customer"):
                taken[(kind.value, point.value)] = resolve(point.customer)
    return taken


def _clash_reasons(
    row: _Prepared, taken: dict[Contact, Customer], seen: dict[str, int]
) -> list[str]:
    reasons: list[str] = []
    for item in row.contacts:
        value = item[1]
        if item in taken:
            owner = taken[item]
            reasons.append(f"{value} already belongs to {owner.display_name} (#{owner.pk})")
        elif value in seen:
            reasons.append(f"{value} is also on line {seen[value]}")
        else:
            seen[value] = row.line
    return reasons


class Checker:
    """The checks that need the database or earlier rows, a chunk of rows at a time.

    Per chunk: one query for the owners not met before, one per contact kind for the contacts
    already stored. What it keeps between chunks is one entry per distinct contact value (the
    line it was first on, for "is also on line N") and one per owner name; rows are not kept.
    """

    def __init__(self) -> None:
        self._owners: dict[str, User | None] = {}  # None: no such user
        # Keyed by the normalised value alone: an E.164 phone never equals an e-mail, and a
        # plain string is the smallest key for a million of them.
        self._seen: dict[str, int] = {}

    def _load_owners(self, rows: Sequence[_Prepared]) -> None:
        names = {r.owner for r in rows if r.owner} - self._owners.keys()
        if not names:
            return
        users = User.objects.filter(username__in=names).select_related("profile")
        found = {u.username: u for u in users}
        self._owners.update({name: found.get(name) for name in names})

    def check(
        self, rows: Sequence[_Prepared]
    ) -> tuple[list[tuple[_Prepared, User | None]], list[RowProblem]]:
        """The good rows (with their owner) and the bad ones (with every reason), in order."""
        self._load_owners(rows)
        # A value already seen was free when first seen; it is reported as a repeat.
        fresh = {c for r in rows for c in r.contacts if c[1] not in self._seen}
        taken = _taken(fresh)
        good: list[tuple[_Prepared, User | None]] = []
        problems: list[RowProblem] = []
        for row in rows:
            reasons = list(row.reasons)
            owner = _owner(row.owner, self._owners, reasons)
            reasons += row.later_reasons
            reasons += _clash_reasons(row, taken, self._seen)
            if reasons:
                problems.append(RowProblem(row.line, tuple(reasons)))
            else:
                good.append((row, owner))
        return good, problems


def check_rows(rows: Sequence[CsvRow], progress: Progress | None = None) -> CheckResult:
    """Check every row; nothing is written. Bad rows come back with all their reasons."""
    checker = Checker()
    result = CheckResult()
    for chunk in chunked(rows):
        by_line = {row.line: row.values for row in chunk}
        good, problems = checker.check(_prepare_chunk(chunk))
        for row, owner in good:
            values = by_line[row.line]
            data = CustomerData(
                name=values.get("name", ""),
                company=values.get("company", ""),
                notes=values.get("notes", ""),
                owner=owner,
                contacts=[value for _, value in row.contacts],
            )
            result.good.append(GoodRow(row.line, data))
        result.problems += problems
        if progress:
            progress(len(chunk))
    return result


class Checked(NamedTuple):
    """A good row as the writer needs it: plain values, so a spooled batch pickles small."""

    line: int
    owner_id: int | None
    values: _Values


def _from_data(line: int, data: CustomerData) -> Checked:
    contacts = [
        (ContactKind.EMAIL.value if "@" in v else ContactKind.PHONE.value, v) for v in data.contacts
    ]
    owner_id = data.owner.pk if data.owner is not None else None
    return Checked(line, owner_id, _values(data.name, data.company, data.notes, contacts))


class Spool:
    """Checked rows parked between the check and the import, in an anonymous temporary file,
    so memory holds one chunk of them at a time whatever the size of the file.

    Pickle is safe here: this process writes the file and reads it back, and nobody else can
    open it (it has no name).
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close() / __exit__)
        self.rows = 0

    def add(self, rows: Sequence[Checked]) -> None:
        if rows:
            pickle.dump(list(rows), self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self.rows += len(rows)

    def batches(self, size: int = BATCH) -> Iterator[list[Checked]]:
        """The spooled rows in file order, ``size`` at a time."""
        return chunked(itertools.chain.from_iterable(self._chunks()), size)

    def _chunks(self) -> Iterator[list[Checked]]:
        """The chunks as they were spooled, from the start of the file."""
        self._file.seek(0)
        while True:
            try:
                chunk: list[Checked] = pickle.load(self._file)  # noqa: S301 (our own file)
            except EOFError:
                return
            yield chunk

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def worker_count(path: Path, requested: int | None = None) -> int:
    """How many worker processes to check ``path`` with: none for a small file (starting them
    costs more than they save), else as asked, else one per CPU this process may use."""
    if path.stat().st_size < PARALLEL_FROM_BYTES:
        return 1
    if requested is not None:
        return requested
    return max(1, len(os.sched_getaffinity(0)))


@contextmanager
def workers(count: int) -> Iterator[PoolType | None]:
    """Worker processes for ``check_file``, or None for ``count`` <= 1.

    Call it before starting any thread (a progress bar's): the workers are forked, so they
    start with Django set up, and a fork copies no other thread, only the locks it held.
    """
    if count <= 1:
        yield None
        return
    # Children must not share the parent's database connections. Closing them is safe
    # outside a transaction (the parent reconnects on its next query); inside one (a test),
    # they stay open, and the children never touch them (they exit with os._exit).
    if not any(c.in_atomic_block for c in connections.all()):
        connections.close_all()
    with multiprocessing.get_context("fork").Pool(count) as pool:
        yield pool


def _prepared(records: Iterable[Record], pool: PoolType | None) -> Iterator[list[_Prepared]]:
    """The rows, a chunk at a time, prepared here or by the pool's workers, in file order."""
    header, rest = _split_header(records)
    chunks = chunked(rest)
    if pool is None:
        yield from (_prepare_records(header, chunk) for chunk in chunks)
        return
    # A few chunks in flight per worker, not the whole file: memory stays bounded.
    pending: deque[AsyncResult[list[_Prepared]]] = deque()
    ahead = 2 * pool._processes  # type: ignore[attr-defined]
    for chunk in chunks:
        pending.append(pool.apply_async(_prepare_records, (header, chunk)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


@dataclass
class CheckReport:
    rows: int = 0
    good: int = 0
    bad: int = 0


def check_file(
    records: Iterable[Record],
    spool: Spool,
    on_problem: Callable[[RowProblem], None],
    progress: Progress | None = None,
    pool: PoolType | None = None,
) -> CheckReport:
    """Check every row of a file's records (``CsvSource.records``) as they stream by; nothing
    is written to the database.

    Each bad row goes to ``on_problem`` as it is found; good rows go to ``spool``. Raises
    ``BadFile`` if the file turns out unreadable part way (nothing has been written then).
    With a ``pool`` (``workers``), its processes normalise and redact while this one reads the
    file and asks the database.
    """
    checker = Checker()
    report = CheckReport()
    for chunk in _prepared(records, pool):
        good, problems = checker.check(chunk)
        spool.add([_checked(row, owner) for row, owner in good])
        for problem in problems:
            on_problem(problem)
        report.rows += len(chunk)
        report.good += len(good)
        report.bad += len(problems)
        if progress:
            progress(len(chunk))
    return report


def _checked(row: _Prepared, owner: User | None) -> Checked:
    assert row.values is not None  # a good row was prepared in full
    return Checked(row.line, owner.pk if owner is not None else None, row.values)


# --- importing -----------------------------------------------------------------------------


class ImportStopped(Exception):
    """A batch could not be written. The batches before it are stored; it and the rest are not.

    Rows were checked before the first batch, so this is a race (someone stored one of the
    file's phones or e-mails since the check) or a database error.
    """

    def __init__(self, stored: int, last_stored_line: int | None, first_line: int, why: str):
        self.stored = stored
        self.last_stored_line = last_stored_line
        self.first_line = first_line
        self.why = why
        kept = (
            f"{stored} customer(s) from the rows up to line {last_stored_line} are stored"
            if last_stored_line is not None
            else "nothing is stored"
        )
        super().__init__(
            f"the batch starting on line {first_line} could not be written ({why}); {kept}, "
            f"nothing from line {first_line} on. Importing the same file again with "
            "--skip-invalid adds the rest: the stored rows are then reported as taken."
        )


def _columns(model: type[Model], names: Sequence[str], only: bool = False) -> list[Field[Any, Any]]:
    """The fields of these columns; all of the model's (but its id), unless ``only``."""
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    if not only and set(names) != set(fields):  # a column added to the model must be written
        raise TypeError(f"{model.__name__} has columns {sorted(fields)}, not {sorted(names)}")
    return [fields[name] for name in names]


def _prep(model: type[Model], name: str) -> Callable[[Any], Any]:
    """A column's value as the database adapter takes it: what ``bulk_create`` would send."""
    connection = connections[router.db_for_write(model)]
    (field,) = _columns(model, [name], only=True)
    return lambda value: field.get_db_prep_save(value, connection)


def _rows_per_statement(connection: BaseDatabaseWrapper, columns: int) -> int:
    """How many rows one INSERT carries: ``ROWS_PER_INSERT``, or fewer if the database takes
    fewer parameters per statement than that needs."""
    limit: int = connection.features.max_query_params or _PSYCOPG_MAX_PARAMS
    if connection.vendor == "sqlite":
        # Django assumes SQLite's old default of 999 parameters; ask the library its limit.
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(ROWS_PER_INSERT, limit // columns))


def _insert_sql(model: type[Model], names: Sequence[str], count: int, returning: bool) -> str:
    connection = connections[router.db_for_write(model)]
    fields = _columns(model, names)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    marks = ", ".join([row_marks] * count)
    sql = f"INSERT INTO {table} ({columns}) VALUES {marks}"  # noqa: S608 (our own names)
    return f"{sql} RETURNING {quote(model._meta.pk.column)}" if returning else sql


def _inserts(
    model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]], returning: bool
) -> Iterator[tuple[str, list[Any]]]:
    """(SQL, parameters) of each multi-row INSERT that stores ``rows``."""
    connection = connections[router.db_for_write(model)]
    size = _rows_per_statement(connection, len(names))
    full = _insert_sql(model, names, size, returning)  # built once: most statements are full
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        sql = full if len(part) == size else _insert_sql(model, names, len(part), returning)
        yield sql, [value for row in part for value in row]


def _insert(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows of values ready for the database (``_prep``), many rows per statement.

    Why not ``bulk_create``: it prepares every value of every row through its field and
    compiles the SQL per batch of rows, about 35 us a row for a timeline event, more than all
    the rest of the import. These rows hold ints and strings, stored as they are, JSON
    (prepared per row by the caller) and the batch's one timestamp (prepared once). Like
    ``bulk_create`` it sends no signals and fires database triggers, and the values must have
    been through ``redacted()``.

    Why many rows per statement (not ``executemany``, one statement per row): on SQLite the
    search index's triggers (customers migration 0008) make FTS5 write its pending index data
    at every statement's savepoint, so one statement per contact point wrote one tiny index
    segment per row, and merged them later; docs/benchmarks.md (Import) has the figures.
    """
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        for sql, params in _inserts(model, names, rows, returning=False):
            cursor.execute(sql, params)


def _insert_returning_ids(
    model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[int]:
    """INSERT rows as ``_insert`` does, returning their ids in order.

    Like ``bulk_create``, this relies on the rows of a multi-row INSERT ... RETURNING coming
    back in the order of the VALUES.
    """
    connection = connections[router.db_for_write(model)]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in _inserts(model, names, rows, returning=True):
            cursor.execute(sql, params)
            ids += [row[0] for row in cursor.fetchall()]
    if len(ids) != len(rows):
        raise DatabaseError(f"{len(rows)} rows inserted, {len(ids)} ids returned")
    return ids


_CUSTOMER_COLUMNS = ("name", "company", "owner_id", "notes", "merged_into_id")
_CUSTOMER_STAMPS = ("created_at", "updated_at")
_POINT_COLUMNS = ("customer_id", "kind", "value", "label", "created_at")
_EVENT_COLUMNS = ("customer_id", "kind", "happened_at", "actor_id", "summary", "data", "created_at")


@transaction.atomic
def _write_batch(batch: Sequence[Checked], actor: User | None) -> None:
    """Store one batch as ``create_customer`` would store each of its rows, all or nothing.

    Per customer, ``create_customer`` writes the Customer row, a "Customer created" timeline
    event, then for each contact point the ContactPoint row and an "Added phone ..." event, in
    that order; the rows here are the same, the events' ids in the same order, so the customer
    page reads the same. The only signal those saves send that anything receives is
    ``pre_save``, whose one receiver is the card-number redaction: the bulk writes send no
    signals, so every row's values went through ``redacted()`` (docs/security.md) when the
    row was checked (``_values``). Database triggers (a search index kept by triggers) still
    fire. No hook announces a created customer (customers/hooks.py has only
    ``customer_erased``), so there is none to fire.
    """
    now = timezone.now()
    stamp = _prep(Customer, "created_at")(now)  # one timestamp, prepared once, for all rows
    actor_id = actor.pk if actor is not None else None
    ids = _insert_returning_ids(
        Customer,
        _CUSTOMER_COLUMNS + _CUSTOMER_STAMPS,
        [
            (r.values.name, r.values.company, r.owner_id, r.values.notes, None, stamp, stamp)
            for r in batch
        ],
    )
    (created,) = redacted([TimelineEvent(summary="Customer created", data={})])
    json = _prep(TimelineEvent, "data")
    created_data = json(created.data)
    points: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    created_kind, added_kind = EventKind.CUSTOMER_CREATED.value, EventKind.CONTACT_ADDED.value
    for pk, row in zip(ids, batch, strict=True):
        events.append((pk, created_kind, stamp, actor_id, created.summary, created_data, stamp))
        for kind, value, label in row.values.points:
            points.append((pk, kind, value, label, stamp))
        for summary, data in row.values.events:
            events.append((pk, added_kind, stamp, actor_id, summary, json(data), stamp))
    _insert(ContactPoint, _POINT_COLUMNS, points)
    _insert(TimelineEvent, _EVENT_COLUMNS, events)


def _why_failed(batch: Sequence[Checked], exc: DatabaseError) -> str:
    """Name the contact taken since the check, if that is what stopped the batch."""
    items = {(kind, value): row.line for row in batch for kind, value, _ in row.values.points}
    try:
        taken = _taken(set(items))
    except DatabaseError:
        taken = {}
    for item, customer in sorted(taken.items(), key=lambda pair: items[pair[0]]):
        return (
            f"line {items[item]}: {item[1]} was stored for {customer.display_name} "
            f"(#{customer.pk}) after the check"
        )
    return f"database error: {exc}"


def write_batches(
    batches: Iterable[Sequence[Checked]], actor: User | None, progress: Progress | None = None
) -> int:
    """Write checked rows, one transaction per batch; return how many customers were stored.

    Raises ``ImportStopped`` at the first batch that fails, after rolling that batch back.
    """
    stored = 0
    last_line: int | None = None
    for batch in batches:
        if not batch:
            continue
        try:
            _write_batch(batch, actor)
        except DatabaseError as exc:
            raise ImportStopped(stored, last_line, batch[0].line, _why_failed(batch, exc)) from exc
        stored += len(batch)
        last_line = batch[-1].line
        if progress:
            progress(len(batch))
    return stored


def write_spool(
    spool: Spool, actor: User | None, batch_size: int = BATCH, progress: Progress | None = None
) -> int:
    return write_batches(spool.batches(batch_size), actor, progress)


def import_customers(
    rows: Sequence[GoodRow],
    actor: User | None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> int:
    """Store checked rows as ``create_customer`` would, ``batch_size`` per transaction."""
    checked = [_from_data(row.line, row.data) for row in rows]
    batches = (checked[i : i + batch_size] for i in range(0, len(checked), batch_size))
    return write_batches(batches, actor, progress)


# --- exporting -----------------------------------------------------------------------------


def _most_contacts(kind: ContactKind) -> int:
    per_customer = (
        ContactPoint.objects.filter(kind=kind, customer__merged_into__isnull=True)
        .values("customer")
        .annotate(n=Count("id"))
    )
    return int(per_customer.aggregate(most=Max("n"))["most"] or 0)


def export_header() -> list[str]:
    phones, emails = _most_contacts(ContactKind.PHONE), _most_contacts(ContactKind.EMAIL)
    extra = [f"phone{i}" for i in range(2, phones + 1)] + [
        f"email{i}" for i in range(2, emails + 1)
    ]
    return [*COLUMNS, *extra]


def _export_row(customer: Customer) -> dict[str, str]:
    row = {
        "name": customer.name,
        "company": customer.company,
        "owner": customer.owner.username if customer.owner else "",
        "notes": customer.notes,
    }
    counts = {ContactKind.PHONE.value: 0, ContactKind.EMAIL.value: 0}
    for point in customer.contacts.all():
        counts[point.kind] += 1
        n = counts[point.kind]
        row[point.kind if n == 1 else f"{point.kind}{n}"] = point.value
    return row


def export_customers(stream: IO[str]) -> int:
    """Write every current (not merged-away) customer as CSV; return how many."""
    header = export_header()
    writer = spreadsheet.writer(stream)
    writer.writerow(header)
    customers = (
        Customer.objects.filter(merged_into__isnull=True)
        .select_related("owner")
        .prefetch_related("contacts")
        .order_by("id")
    )
    count = 0
    for customer in customers.iterator(chunk_size=1000):
        row = _export_row(customer)
        writer.writerow([row.get(column, "") for column in header])
        count += 1
    return count
