"""How fast is customer search? ``search_customers`` and ``/customers/?q=`` at a million customers.

    .venv/bin/python -m benchmarks.search [--customers N] [--db sqlite|postgres|both]
                                          [--reps 15] [--old-reps 2] [--trigger-cost N]

For each database: build it (SQLite is cached under the temp dir, keyed by dataset version and
migrations digest; PostgreSQL is ``everytouch_search_bench``, created and dropped), then, in a
child process with Django set up on it, time a fixed mix of queries (surname, first name,
company, partial numbers of 3/4/7 digits, a full number, e-mails, one or two letters, no match,
very broad). Each query is timed as the list page does it (the COUNT for the pager, then the
first page of 25) with the new search and, with fewer repetitions, the old full-scan search it
replaced; then the real ``/customers/?q=`` page through the Django test client, as a manager.
Prints p50/p95 per kind of query, in milliseconds, wall clock and this process's CPU.

``--trigger-cost N`` (default 100,000; 0 skips it) loads N customers with two contact points
each into a fresh SQLite database twice, with and without the search index's triggers, and
prints both times: what the index costs a bulk import.

Budget (issue 13): p95 under 50 ms for name and partial-number searches at 1,000,000 customers.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from benchmarks._dataset import (
    COMPANIES,
    DATASET_VERSION,
    LAST,
    Numbers,
    email,
    fill_sqlite,
    load_postgres,
    person,
)
from benchmarks.identify import (
    CACHE_DIR,
    PG_SERVER,
    migrate,
    migrations_digest,
    run_checked,
    server_env,
)

PG_DB = "everytouch_search_bench"
MIGRATION = "everytouch.customers.migrations.0008_search_index"
console = Console(stderr=True)


# --- what to ask for -------------------------------------------------------------------------


def query_mix(numbers: Numbers) -> dict[str, list[str]]:
    """Kinds of query, each a few concrete ones drawn from the dataset (spread over it)."""
    picks = [numbers.known // 7, numbers.known // 3, numbers.known // 2, numbers.known - 5]
    people = [person(numbers, i) for i in picks]
    phones = [p.phone for p in people]
    return {
        "surname": [LAST[3], LAST[7], LAST[9]],
        "first name": ["Cleo", "Hugo", "Kara"],
        "full name": [people[0].name, people[1].name],
        "company": [COMPANIES[5], COMPANIES[3]],
        "number, 3 digits": [ph[-3:] for ph in phones[:3]],
        "number, 4 digits": [ph[-4:] for ph in phones[:3]],
        "number, 7 digits": [f"{ph[5:8]}-{ph[8:]}" for ph in phones[:3]],
        "number, full": [f"({ph[2:5]}) {ph[5:8]}-{ph[8:]}" for ph in phones[:3]],
        "e-mail, exact": [email(i) for i in picks[:3]],
        "e-mail, part": [email(i).split("@")[0][-9:] for i in picks[:3]],
        "1-2 letters": ["a", "Ki", "Ev"],
        "no match": ["Zyxwvut", "Qq Xx", "999999999"],
        "very broad": ["example", "e.com", "an"],
    }


# --- databases -------------------------------------------------------------------------------


def django_env(database_url: str, var_dir: Path) -> dict[str, str]:
    # The page timing goes through Django's test client, whose host is "testserver".
    return {**server_env(database_url, var_dir), "ALLOWED_HOSTS": "testserver"}


@contextmanager
def timed(what: str) -> Iterator[None]:
    start = time.monotonic()
    yield
    console.log(f"{what} in {time.monotonic() - start:.1f}s")


def migrated_sqlite(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "everytouch.sqlite3"
    migrate(django_env(f"sqlite:///{db}", directory))
    return db


def sqlite_database(numbers: Numbers, workdir: Path) -> Path:
    name = f"search-{numbers.known}-v{DATASET_VERSION}-{migrations_digest()}.sqlite3"
    cached = CACHE_DIR / name
    if cached.exists():
        console.log(f"sqlite: reusing {cached}")
        return cached
    with timed(f"sqlite: built {numbers.known:,} customers (search triggers on)"):
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        # One cached file at a time: each is about 600 MB for a million customers.
        for stale in CACHE_DIR.glob("search-*.sqlite3"):
            stale.unlink()
        building = workdir / "building"
        db = migrated_sqlite(building)
        with closing(sqlite3.connect(db, isolation_level=None)) as con:
            con.execute("PRAGMA synchronous=OFF")
            con.execute("BEGIN")
            fill_sqlite(con, numbers)
            con.execute("COMMIT")
            con.execute("ANALYZE")
        shutil.move(db, cached)
    return cached


def _postgres_index_sql() -> tuple[list[str], list[str]]:
    migration = importlib.import_module(MIGRATION)
    return list(migration.POSTGRES_CREATE), list(migration.POSTGRES_DROP)


def _pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


@contextmanager
def postgres_database(numbers: Numbers, workdir: Path) -> Iterator[str]:
    url = f"{PG_SERVER}/{PG_DB}"
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_DB}")
    try:
        with timed(f"postgres: built {numbers.known:,} customers"):
            migrate(django_env(url, workdir))
            create, drop = _postgres_index_sql()
            # Building a GIN index once is much faster than growing it row by row during COPY.
            with psycopg.connect(url, autocommit=True) as con:
                for statement in drop:
                    con.execute(statement.encode())
            load_postgres(url, numbers)
            with psycopg.connect(url, autocommit=True) as con:
                for statement in create:
                    con.execute(statement.encode())
                con.execute(b"ANALYZE")
        yield url
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def trigger_cost(count: int, workdir: Path) -> dict[str, float]:
    """CPU seconds to load ``count`` customers (+2 contact points each) with and without the
    search triggers, in one transaction, one row per statement and many rows per statement."""
    template = migrated_sqlite(workdir / "template")
    numbers = Numbers(count)
    out: dict[str, float] = {}
    styles = (
        ("one row per INSERT", partial(fill_sqlite, per_insert=1)),
        ("500 rows per INSERT", fill_sqlite),
    )
    for style, fill in styles:
        for label, keep in (("without triggers", False), ("with triggers", True)):
            db = workdir / f"cost-{keep}.sqlite3"
            shutil.copyfile(template, db)
            with closing(sqlite3.connect(db, isolation_level=None)) as con:
                if not keep:
                    for (trigger,) in con.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                        " AND name LIKE 'customers_search_%'"
                    ).fetchall():
                        con.execute(f"DROP TRIGGER {trigger}")
                con.execute("PRAGMA synchronous=OFF")
                start = time.process_time()
                con.execute("BEGIN")
                fill(con, numbers)
                con.execute("COMMIT")
                out[f"{style}, {label}"] = time.process_time() - start
            db.unlink()
    return out


# --- measuring (in a child process, with Django set up on one database) ----------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(mix: dict[str, list[str]], reps: int, old_reps: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from benchmarks._old_search import old_search_customers
    from everytouch.accounts.actions import create_user
    from everytouch.accounts.models import Role
    from everytouch.customers.search import search_customers

    def as_list_page(search: Callable[[str], Any], q: str) -> Callable[[], object]:
        def run() -> object:
            qs = search(q)
            return qs.count(), list(qs[:25])

        return run

    manager = User.objects.filter(username="bench-manager").first() or create_user(
        "bench-manager", "bench-manager-password", Role.MANAGER
    )
    client = Client()
    client.force_login(manager)
    url = reverse("customer_list")
    results: dict[str, Any] = {}
    for kind, queries in mix.items():
        row: dict[str, Any] = {"queries": queries}
        for label, search, n in (
            ("new", search_customers, reps),
            ("old", old_search_customers, old_reps),
        ):
            if n:
                as_list_page(search, queries[0])()  # warm the cache for this kind
            samples = [_time(as_list_page(search, q)) for _ in range(n) for q in queries]
            row[label] = [s[0] for s in samples]
            row[f"{label}_cpu"] = [s[1] for s in samples]
        row["rows"] = search_customers(queries[0]).count()
        pages = []
        for _ in range(max(1, reps // 2)):
            for q in queries:
                start = time.perf_counter()
                _get_ok(client, url, q)
                pages.append((time.perf_counter() - start) * 1000)
        row["page"] = pages
        results[kind] = row
        console.log(f"  {kind}: new p95 {percentile(row['new'], 0.95):.1f} ms")
    return results


def _get_ok(client: Any, url: str, q: str) -> None:
    response = client.get(url, {"q": q})
    if response.status_code != 200:
        raise RuntimeError(f"{url}?q={q} answered {response.status_code}")


def run_child(database_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.search", "--measure", "--customers"]
    argv += [str(args.customers), "--reps", str(args.reps), "--old-reps", str(args.old_reps)]
    return dict(json.loads(run_checked(argv, django_env(database_url, workdir))))


# --- report ----------------------------------------------------------------------------------


def report(db: str, results: dict[str, Any]) -> None:
    table = Table(title=f"search on {db}: ms per list-page query (COUNT + first 25)")
    for column in ("kind", "rows", "new p50", "new p95", "new cpu p50", "page p95", "old p50"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    table.add_column("old/new")
    for kind, row in results.items():
        new50 = statistics.median(row["new"])
        old50 = statistics.median(row["old"]) if row["old"] else math.nan
        table.add_row(
            kind,
            f"{row['rows']:,}",
            f"{new50:.1f}",
            f"{percentile(row['new'], 0.95):.1f}",
            f"{statistics.median(row['new_cpu']):.1f}",
            f"{percentile(row['page'], 0.95):.1f}",
            f"{old50:.0f}",
            f"{old50 / max(new50, 0.001):.0f}x",
        )
    Console(width=150).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--reps", type=int, default=15, help="repetitions per query, new search")
    parser.add_argument("--old-reps", type=int, default=1, help="the same for the old search")
    parser.add_argument("--trigger-cost", type=int, default=100_000, metavar="N")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    numbers = Numbers(args.customers)
    if args.measure:
        print(json.dumps(measure(query_mix(numbers), args.reps, args.old_reps)))
        return 0
    console.log(f"load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="everytouch-search-") as tmp:
        workdir = Path(tmp)
        if args.trigger_cost:
            n = args.trigger_cost
            cost = trigger_cost(n, workdir / "cost")
            for style in ("one row per INSERT", "500 rows per INSERT"):
                without, with_ = cost[f"{style}, without triggers"], cost[f"{style}, with triggers"]
                print(
                    f"SQLite bulk load of {n:,} customers + {2 * n:,} contact points, {style}:"
                    f" CPU {without:.1f}s without the search triggers, {with_:.1f}s with them"
                    f" ({n / with_:,.0f} customers/s of CPU, x{with_ / without:.2f})"
                )
        if args.db in ("sqlite", "both"):
            cached = sqlite_database(numbers, workdir)
            # A copy per run: the page view writes (sessions, the access log).
            db = workdir / "everytouch.sqlite3"
            shutil.copyfile(cached, db)
            report("SQLite", run_child(f"sqlite:///{db}", workdir, args))
        if args.db in ("postgres", "both"):
            with postgres_database(numbers, workdir) as url:
                report("PostgreSQL", run_child(url, workdir, args))
    console.log(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
