"""Customers in and out as CSV: every row is checked before anything is written.

An import is all or nothing: ``check_rows`` reports every bad row with its line number and
reasons, and ``import_customers`` creates the good rows through ``create_customer`` in one
transaction. The export writes the same columns, so an export imports again unchanged.

``read_file`` takes the file as a spreadsheet saved it: UTF-8, UTF-16 or an 8-bit encoding,
commas, semicolons or tabs (everytouch/spreadsheet.py), and says which it found.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max

from everytouch import spreadsheet
from everytouch.accounts.access import STAFF_ROLES, role_of
from everytouch.customers.actions import CustomerData, create_customer, resolve
from everytouch.customers.contacts import (
    InvalidContact,
    Normalised,
    normalise_email,
    normalise_phone,
)
from everytouch.customers.models import ContactKind, ContactPoint, Customer

COLUMNS = ("name", "company", "phone", "email", "owner", "notes")
# Extra contact columns: phone2, email3, ... (any number after the kind).
_EXTRA_CONTACT = re.compile(r"^(phone|email)\d+$")
MAX_LENGTHS = {"name": 200, "company": 200}
_CHUNK = 500

Progress = Callable[[int], None]


class BadFile(ValueError):
    """The file as a whole cannot be read (no header, unknown columns, not text)."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the record starts in the file; the header is line 1
    values: dict[str, str]
    too_many_fields: bool = False


@dataclass(frozen=True)
class CsvFile:
    rows: list[CsvRow]
    encoding: str  # as people name it: "UTF-8", "UTF-16", "Windows-1252", ...
    delimiter: str

    @property
    def how_read(self) -> str:
        """What was detected, for the person importing to check."""
        separated = spreadsheet.DELIMITERS[self.delimiter]
        return f"{self.encoding} text, columns separated by {separated}"


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


@dataclass
class _Parsed:
    line: int
    data: CustomerData
    contacts: list[Normalised]
    reasons: list[str]


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


def _records(stream: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
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


def read_rows(stream: IO[str], delimiter: str = ",") -> list[CsvRow]:
    """Parse a CSV with a header row; blank lines are skipped."""
    records = _records(stream, delimiter)
    first = next(records, None)
    if first is None:
        raise BadFile("the file is empty; it needs a header row")
    header = _header(first[1])
    rows: list[CsvRow] = []
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue
        # Our exports put a ' before formula-like cells; drop it so they import back unchanged.
        cells = (spreadsheet.unguard(f.strip()) for f in fields)
        values = dict(zip(header, cells, strict=False))
        rows.append(CsvRow(line, values, too_many_fields=len(fields) > len(header)))
    return rows


# --- checking ------------------------------------------------------------------------------


def _contact_columns(values: dict[str, str]) -> Iterator[tuple[ContactKind, str]]:
    for column, value in values.items():
        if value and column.startswith("phone"):
            yield ContactKind.PHONE, value
        elif value and column.startswith("email"):
            yield ContactKind.EMAIL, value


def _normalise(kind: ContactKind, raw: str) -> Normalised:
    if kind == ContactKind.PHONE:
        return Normalised(ContactKind.PHONE, normalise_phone(raw))
    return Normalised(ContactKind.EMAIL, normalise_email(raw))


def _contacts(values: dict[str, str], reasons: list[str]) -> list[Normalised]:
    contacts: list[Normalised] = []
    for kind, raw in _contact_columns(values):
        try:
            item = _normalise(kind, raw)
        except InvalidContact as exc:
            reasons.append(f"invalid {kind.label.lower()}: {exc}")
            continue
        if item not in contacts:
            contacts.append(item)
    return contacts


def _owner(username: str, owners: dict[str, User], reasons: list[str]) -> User | None:
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


def _parse(row: CsvRow, owners: dict[str, User]) -> _Parsed:
    reasons: list[str] = []
    contacts = _contacts(row.values, reasons)
    owner = _owner(row.values.get("owner", ""), owners, reasons)
    reasons += _field_reasons(row, bool(contacts))
    data = CustomerData(
        name=row.values.get("name", ""),
        company=row.values.get("company", ""),
        notes=row.values.get("notes", ""),
        owner=owner,
        contacts=[c.value for c in contacts],
    )
    return _Parsed(row.line, data, contacts, reasons)


def _load_owners(rows: Sequence[CsvRow]) -> dict[str, User]:
    names = {r.values["owner"] for r in rows if r.values.get("owner")}
    users = User.objects.filter(username__in=names).select_related("profile")
    return {u.username: u for u in users}


def _chunks(items: Sequence[Normalised]) -> Iterator[Sequence[Normalised]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _taken(items: set[Normalised]) -> dict[Normalised, Customer]:
    """Which of these contact points already belong to a customer, in a few queries."""
    taken: dict[Normalised, Customer] = {}
    for kind in ContactKind:
        values = sorted({i for i in items if i.kind == kind}, key=lambda i: i.value)
        for chunk in _chunks(values):
            qs = ContactPoint.objects.filter(kind=kind, value__in=[i.value for i in chunk])
            for point in qs.select_related("customer"):
                taken[Normalised(kind, point.value)] = resolve(point.customer)
    return taken


def _clash_reasons(
    parsed: _Parsed, taken: dict[Normalised, Customer], seen: dict[Normalised, int]
) -> list[str]:
    reasons: list[str] = []
    for item in parsed.contacts:
        if item in taken:
            owner = taken[item]
            reasons.append(f"{item.value} already belongs to {owner.display_name} (#{owner.pk})")
        elif item in seen:
            reasons.append(f"{item.value} is also on line {seen[item]}")
        else:
            seen[item] = parsed.line
    return reasons


def check_rows(rows: Sequence[CsvRow], progress: Progress | None = None) -> CheckResult:
    """Check every row; nothing is written. Bad rows come back with all their reasons."""
    owners = _load_owners(rows)
    parsed: list[_Parsed] = []
    for row in rows:
        parsed.append(_parse(row, owners))
        if progress:
            progress(1)
    taken = _taken({item for p in parsed for item in p.contacts})
    seen: dict[Normalised, int] = {}
    result = CheckResult()
    for p in parsed:
        reasons = p.reasons + _clash_reasons(p, taken, seen)
        if reasons:
            result.problems.append(RowProblem(p.line, tuple(reasons)))
        else:
            result.good.append(GoodRow(p.line, p.data))
    return result


# --- importing -----------------------------------------------------------------------------


@transaction.atomic
def import_customers(
    rows: Sequence[GoodRow], actor: User | None, progress: Progress | None = None
) -> int:
    """Create the checked rows through ``create_customer``, all in one transaction."""
    for row in rows:
        create_customer(row.data, actor)
        if progress:
            progress(1)
    return len(rows)


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
