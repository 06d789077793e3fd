"""A large, deterministic customer base for the identify benchmark, loaded in bulk.

Rows go straight into the tables (executemany on SQLite, COPY on PostgreSQL): building a
million customers through the ORM and the actions would take an hour, and the benchmark
measures reads, not the write path.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import psycopg

FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kara", "Leo")
LAST = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hughes", "Ito", "Jones")
COMPANIES = ("", "", "Acme Print", "Blue Desk Co", "Copy Corner", "Delta Legal", "Elm Dental")
# Busy real area codes: exchanges under them are valid numbers for phonenumbers' US metadata.
AREA_CODES = (212, 312, 415, 617, 206, 303, 512, 702, 713, 305, 404, 602, 214, 503, 612, 919)
LINES_PER_EXCHANGE = 10_000
BATCH = 20_000
# Rows per INSERT statement on SQLite (see ``insert_many``).
ROWS_PER_INSERT = 500
# Bump when the generated rows change, so a cached database built by older code is not reused.
DATASET_VERSION = 2


@dataclass(frozen=True, slots=True)
class Person:
    pk: int
    name: str
    company: str
    phone: str
    email: str


def _usable_exchange(npa: int, nxx: int) -> bool:
    # N11 codes and 555 are service or fictional exchanges; phonenumbers rejects most of them.
    if nxx % 100 == 11 or nxx == 555:
        return False
    samples = (0, 5_555, 9_999)
    return all(_valid(f"+1{npa}{nxx}{line:04d}") for line in samples)


def _valid(e164: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(e164, None)))


def exchanges(count: int) -> list[tuple[int, int]]:
    """``count`` distinct (area code, exchange) pairs, each holding 10,000 valid numbers."""
    found: list[tuple[int, int]] = []
    for nxx in range(201, 1000):
        for npa in AREA_CODES:
            if _usable_exchange(npa, nxx):
                found.append((npa, nxx))
                if len(found) == count:
                    return found
    raise ValueError(f"only {len(found)} usable exchanges; add area codes")


class Numbers:
    """Number ``i`` is unique per ``i``; numbers past ``known`` are guaranteed not stored."""

    def __init__(self, known: int, unknown: int = LINES_PER_EXCHANGE) -> None:
        self.known = known
        needed = -(-(known + unknown) // LINES_PER_EXCHANGE)
        self._pairs = exchanges(needed)

    def phone(self, i: int) -> str:
        npa, nxx = self._pairs[i // LINES_PER_EXCHANGE]
        return f"+1{npa}{nxx}{i % LINES_PER_EXCHANGE:04d}"

    def unknown_phone(self, j: int) -> str:
        return self.phone(self.known + j % LINES_PER_EXCHANGE)


def email(i: int) -> str:
    return f"{FIRST[i % len(FIRST)].lower()}.{LAST[i % len(LAST)].lower()}{i}@example.com"


def person(numbers: Numbers, i: int) -> Person:
    name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
    company = COMPANIES[i % len(COMPANIES)]
    return Person(i + 1, name, company, numbers.phone(i), email(i))


def check_sample(numbers: Numbers, size: int = 2_000, seed: int = 7) -> int:
    """How many of a random sample of generated numbers phonenumbers rejects (should be 0)."""
    rng = random.Random(seed)
    picks = [rng.randrange(numbers.known) for _ in range(size)]
    picks += [numbers.known + j for j in range(0, LINES_PER_EXCHANGE, 97)]
    return sum(1 for i in picks if not _valid(numbers.phone(i)))


def _people(numbers: Numbers, start: int, stop: int) -> Iterator[Person]:
    return (person(numbers, i) for i in range(start, stop))


def _batches(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BATCH):
        yield start, min(total, start + BATCH)


def load_sqlite(path: Path, numbers: Numbers, now: datetime | None = None) -> None:
    """Fill a migrated SQLite file in one transaction (one fsync, not a million)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        fill_sqlite(con, numbers, now)
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        con.close()


def fill_sqlite(
    con: sqlite3.Connection,
    numbers: Numbers,
    now: datetime | None = None,
    per_insert: int = ROWS_PER_INSERT,
) -> None:
    # Django keeps SQLite datetimes as naive UTC text; match it so ordering and parsing agree.
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None).isoformat(sep=" ")
    for start, stop in _batches(numbers.known):
        _sqlite_batch(con, list(_people(numbers, start, stop)), stamp, per_insert)


def _sqlite_batch(
    con: sqlite3.Connection, people: list[Person], stamp: str, per_insert: int
) -> None:
    insert_many(
        con,
        "customers_customer (id, name, company, notes, created_at, updated_at)",
        [(p.pk, p.name, p.company, "", stamp, stamp) for p in people],
        per_insert,
    )
    insert_many(
        con,
        "customers_contactpoint (id, customer_id, kind, value, label, created_at)",
        [(*row[:4], "", row[4]) for p in people for row in _contact_rows(p, stamp)],
        per_insert,
    )


def insert_many(
    con: sqlite3.Connection,
    into: str,
    rows: Sequence[tuple[object, ...]],
    per_insert: int = ROWS_PER_INSERT,
) -> None:
    """``rows`` into ``into`` ("table (columns)"), ``per_insert`` rows per INSERT statement.

    Many rows per statement, as Django's ``bulk_create`` does, matters once the customer search
    triggers are on: SQLite 3.40's FTS5 writes its pending index data at every statement
    savepoint, so one INSERT per row makes one tiny index segment per row (and the merging that
    follows); a million customers loaded row by row took 878 s against 360 s 500 at a time.
    """
    if not rows:
        return
    marks = "(" + ",".join("?" * len(rows[0])) + ")"
    # SQLite takes at most 32,766 parameters per statement.
    step = max(1, min(per_insert, 32_000 // len(rows[0])))
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        values = ",".join([marks] * len(chunk))
        flat = [v for row in chunk for v in row]
        con.execute(f"INSERT INTO {into} VALUES {values}", flat)  # noqa: S608 - our own names


def _contact_rows(p: Person, stamp: str) -> list[tuple[int, int, str, str, str]]:
    return [
        (2 * p.pk - 1, p.pk, "phone", p.phone, stamp),
        (2 * p.pk, p.pk, "email", p.email, stamp),
    ]


# Rows were inserted with explicit ids, so the sequences must be moved past them.
_SETVAL = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"


def load_postgres(url: str, numbers: Numbers, now: datetime | None = None) -> None:
    """Fill a migrated PostgreSQL database with COPY, then fix the id sequences."""
    stamp = now or datetime.now(UTC)
    with psycopg.connect(url) as con, con.cursor() as cur:
        customers = "customers_customer (id, name, company, notes, created_at, updated_at)"
        with cur.copy(f"COPY {customers} FROM STDIN") as copy:
            for p in _people(numbers, 0, numbers.known):
                copy.write_row((p.pk, p.name, p.company, "", stamp, stamp))
        contacts = "customers_contactpoint (id, customer_id, kind, value, label, created_at)"
        with cur.copy(f"COPY {contacts} FROM STDIN") as copy:
            for p in _people(numbers, 0, numbers.known):
                for row in _contact_rows(p, ""):
                    copy.write_row((*row[:4], "", stamp))
        for table in ("customers_customer", "customers_contactpoint"):
            cur.execute(_SETVAL.format(table=table))
        con.commit()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")
