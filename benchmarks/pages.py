"""Does every page stay within budget in a large business? Each role's pages, timed.

    .venv/bin/python -m benchmarks.pages [--db sqlite|postgres|both] [--scale 1.0]
                                         [--requests 20] [--only NAME] [--json PATH]

Builds a large business (at ``--scale 1``: 1,000,000 customers, 5,000,000 touches with their
turns, 100,000 leads, 200,000 promises, 200,000 scorecards, 50,000 messages, 200,000
notifications, 100 staff; benchmarks/_business.py) in bulk. SQLite is cached under the temp
dir, keyed by the dataset version and a digest of the migrations; PostgreSQL is the database
``everytouch_pages_bench``, kept between runs and rebuilt when its key (a comment on the
database) no longer matches. ``--scale 0.01`` builds in about a minute.

Then it logs in as one user of each role (owner, manager, trainer, rep) and asks for every page
and API endpoint the role may GET, as listed in the URL matrix (everytouch/tests/
test_url_matrix.py TABLE), in process through Django's test client (no HTTP server, so the
figures are the application's own time: middleware, views, queries, templates). Each page is
asked once to warm up, once to count its queries, then ``--requests`` times to time it. Prints
p50/p95 in ms and the queries per page per role, and marks what misses the budget: p95 under
100 ms for every page, 50 ms for search and the desk (issue 13).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from benchmarks import _business
from benchmarks._business import BUSINESS_VERSION, Sizes
from benchmarks._dataset import DATASET_VERSION
from benchmarks.identify import CACHE_DIR, migrations_digest, percentile

if TYPE_CHECKING:
    from django.test import Client

    from benchmarks._business import Cast

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Overridable so two people on one server do not rebuild each other's database; it is put into
# SQL as a name, so only a plain identifier is accepted.
PG_DB = os.environ.get("EVERYTOUCH_PAGES_BENCH_DB", "everytouch_pages_bench")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", PG_DB):
    raise SystemExit(f"EVERYTOUCH_PAGES_BENCH_DB must be a lower-case identifier: {PG_DB!r}")
ROLES = ("owner", "manager", "trainer", "rep")
PAGE_BUDGET_MS, QUICK_BUDGET_MS = 100.0, 50.0
# Not pages a person opens, or measured by their own benchmark (identify: benchmarks/identify).
SKIPPED = frozenset(
    {
        "api-v1:identify_caller",
        "api-v1:openapi-view",
        "api-v1:openapi-json",
        "api-v1:api-root",
        "api-v1:no_such_endpoint",
        "login",
        "no_role",
        "tester_link",
    }
)
# Downloads of a whole table (every lead as CSV), not pages: timed with a few requests only,
# since one takes seconds at scale. They stream, so each is two rows: the time to the first
# byte (what the person waits for before the download starts), against the page budget, and
# the time to the last byte, shown with no budget (it grows with the rows asked for).
EXPORTS = frozenset({"lead_export"})
EXPORT_REQUESTS = 3
FIRST_BYTE, WHOLE_FILE = " (first byte)", " (whole file)"
# A rep sees only their own scorecards and coaching; the matrix asks for a colleague's (404).
OWN_ONLY = frozenset({"scorecard", "api-v1:get_scorecard", "coaching_rep"})
# What to search for: the matrix's "Rita" is nobody in the generated business.
QUERIES = {
    "search": "?q=Baker",
    "search_suggest": "?q=Baker",
    "api-v1:search": "?q=Baker",
    "desk_lookup": "?q=Baker",
}
# Further asks of the main lists: a search of the customer list, a filter, a deep page.
EXTRA = (
    ("customer_list", "?q=Baker"),
    ("customer_list", "?page=500"),
    ("interaction_list", "?channel=call"),
    ("interaction_list", "?page=500"),
    ("api-v1:list_customers", "?page=400"),
)
console = Console(stderr=True)


@dataclass
class Measured:
    page: str
    role: str
    status: int
    p50: float
    p95: float
    cpu_p50: float
    queries: int
    budget: float

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.p95 < self.budget


def budget_of(name: str, query: str) -> float:
    quick = name.startswith(("desk", "search", "api-v1:search")) or "q=" in query
    return QUICK_BUDGET_MS if quick else PAGE_BUDGET_MS


# --- the database ----------------------------------------------------------------------------


def dataset_prefix(sizes: Sizes) -> str:
    return f"pages-{sizes.key()}-v{BUSINESS_VERSION}.{DATASET_VERSION}"


def dataset_key(sizes: Sizes) -> str:
    return f"{dataset_prefix(sizes)}-{migrations_digest()}"


def configure(url: str, workdir: Path) -> None:
    os.environ.update(
        DATABASE_URL=url,
        EVERYTOUCH_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="everytouch.settings",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # The app logs a line per list and search; thousands of them would bury the table.
    logging.disable(logging.WARNING)


def build(sizes: Sizes) -> float:
    """Fill the configured, migrated database; the seconds it took."""
    started = time.monotonic()
    cast = _business.make_cast()
    _business.make_extras(cast)
    _business.build(sizes, cast, console.log)
    _business.analyse(console.log)
    took = time.monotonic() - started
    console.log(f"built the business in {took:.0f}s")
    return took


def _sqlite_checkpoint(db: Path) -> None:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _older_sqlite(sizes: Sizes) -> Path | None:
    found = sorted(CACHE_DIR.glob(f"{dataset_prefix(sizes)}-*.sqlite3"))
    return found[-1] if found else None


@contextmanager
def sqlite_database(sizes: Sizes, workdir: Path, migrate_cached: bool) -> Iterator[float | None]:
    """Configure Django on a copy of the cached database, building the cache when missing.

    ``migrate_cached``: a cache of the same rows built before the latest migrations is copied
    and migrated forward (minutes instead of a rebuild; only right for added migrations).
    """

    cached = CACHE_DIR / f"{dataset_key(sizes)}.sqlite3"
    older = None if cached.exists() or not migrate_cached else _older_sqlite(sizes)
    db = workdir / "everytouch.sqlite3"
    took: float | None = None
    if cached.exists() or older is not None:
        source = cached if cached.exists() else older
        assert source is not None
        console.log(f"sqlite: reusing {source}")
        # A copy per run: the run writes (sessions, tokens) and the cache must stay pristine.
        shutil.copyfile(source, db)
        started = time.monotonic()
        configure(f"sqlite:///{db}", workdir)  # migrates the copy forward, if it needs it
        if older is not None:
            console.log(f"sqlite: migrated forward in {time.monotonic() - started:.0f}s")
            _business.analyse(console.log)
            _store(db, cached)
    else:
        configure(f"sqlite:///{db}", workdir)
        took = build(sizes)
        _store(db, cached)
    yield took


def _store(db: Path, cached: Path) -> None:
    from django.db import connections

    connections.close_all()
    _sqlite_checkpoint(db)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # One cached schema per size of business: it is gigabytes at full scale.
    for stale in CACHE_DIR.glob(f"{cached.name.rsplit('-', 1)[0]}-*.sqlite3"):
        stale.unlink()
    shutil.copyfile(db, cached.with_suffix(".part"))
    cached.with_suffix(".part").replace(cached)


def _pg(sql: str, db: str = "postgres") -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{db}", autocommit=True) as con:
        cur = con.execute(sql.encode())
        return cur.fetchall() if cur.description else []


@contextmanager
def postgres_database(sizes: Sizes, workdir: Path, migrate_cached: bool) -> Iterator[float | None]:
    """Configure Django on ``everytouch_pages_bench``, rebuilding it when its key differs."""
    key = dataset_key(sizes)
    found = _pg(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"  # noqa: S608 - constant
        f" WHERE datname = '{PG_DB}'"
    )
    kept = str(found[0][0] or "") if found else ""
    took: float | None = None
    if kept == key or (migrate_cached and kept.startswith(dataset_prefix(sizes) + "-")):
        console.log(f"postgres: reusing {PG_DB} ({kept})")
        started = time.monotonic()
        configure(f"{PG_SERVER}/{PG_DB}", workdir)
        if kept != key:
            console.log(f"postgres: migrated forward in {time.monotonic() - started:.0f}s")
            _business.analyse(console.log)
            _pg(f"COMMENT ON DATABASE {PG_DB} IS '{key}'")
    else:
        _pg(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg(f"CREATE DATABASE {PG_DB}")
        configure(f"{PG_SERVER}/{PG_DB}", workdir)
        took = build(sizes)
        # Marked only once complete, so an interrupted build is never reused.
        _pg(f"COMMENT ON DATABASE {PG_DB} IS '{key}'")
    yield took


# --- what to ask for -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    name: str
    url: str
    budget: float


def measured_rep(cast: Cast) -> int:
    """The rep whose pages are timed: one with a scored touch (a rep sees only their own)."""
    from everytouch.quality.models import Scorecard

    mine = Scorecard.objects.filter(state="scored", rep_id__in=cast.reps).order_by("rep_id")
    return mine.values_list("rep_id", flat=True).first() or cast.reps[0]


def world(cast: Cast) -> dict[str, Any]:
    """Records for the matrix's URLs, all the measured rep's own, so every role may open them."""
    from django.contrib.auth.models import User

    from everytouch.customers.models import ContactPoint, Customer
    from everytouch.leads.models import Lead
    from everytouch.quality.models import Campaign, Playbook, Promotion, Scorecard
    from everytouch.staff.models import Departure, StaffMember

    rep = measured_rep(cast)
    cards = Scorecard.objects.filter(state="scored").order_by("-started_at")
    card = cards.filter(rep_id=rep).first()
    assert card is not None and card.interaction_id is not None
    customer = Customer.objects.filter(owner_id=rep).order_by("pk").first()
    assert customer is not None
    playbook = Playbook.objects.get(is_default=True)
    leads = Lead.objects.order_by("-created_at")
    ids: dict[str, Any] = {
        "customer": customer.pk,
        "contact": ContactPoint.objects.filter(customer=customer).order_by("pk")[0].pk,
        "interaction": card.interaction_id,
        "scored_interaction": card.interaction_id,
        "scorecard": card.pk,
        "lead": (leads.filter(owner_id=rep).first() or leads.first() or card).pk,
        "member": StaffMember.objects.get(user_id=rep).pk,
        "rep2_id": rep,
        "username": User.objects.get(pk=rep).username,
        "playbook": playbook.pk,
        "playbook_version": playbook.active_version_id,
    }
    for key, model in (("campaign", Campaign), ("promotion", Promotion), ("departure", Departure)):
        found = model.objects.order_by("pk").first()
        if found is not None:
            ids[key] = found.pk
    return ids


def asks_for(role_index: int, role: str, ids: dict[str, Any], calendar: str) -> list[Ask]:
    """Every GET the URL matrix lets this role make (status 200), with this business's ids."""
    from django.urls import reverse

    from everytouch.tests.test_url_matrix import TABLE, World

    asks: list[Ask] = []
    column = 2 + role_index  # anonymous, outsider, then the roles in ROLES order
    found = World({**ids, "calendar_token": calendar})
    for name, entry in TABLE.items():
        if entry.get is None or name in SKIPPED:
            continue
        allowed = entry.get[column] == 200 or (role == "rep" and name in OWN_ONLY)
        if not allowed:
            continue
        try:
            url = reverse(name, kwargs=entry.args(found))
        except KeyError:
            continue  # a record this business does not have (a rescore run, a tester link)
        query = QUERIES.get(name, entry.query)
        asks.append(Ask(name + query, url + query, budget_of(name, query)))
        for extra, extra_query in EXTRA:
            if extra == name:
                asks.append(
                    Ask(name + extra_query, url + extra_query, budget_of(name, extra_query))
                )
    return asks


# The matrix's columns are anonymous, outsider, trainer, rep, manager, owner.
COLUMN_OF = {"trainer": 0, "rep": 1, "manager": 2, "owner": 3}


# --- measuring -------------------------------------------------------------------------------


class Counter:
    """An execute wrapper that counts the queries a request runs (savepoints left out)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "SAVEPOINT" not in sql.upper():
            self.n += 1
        return execute(sql, params, many, context)


def clients(cast: Cast) -> dict[str, tuple[Client, Client, int]]:
    """Per role: a logged-in browser, an API client with a token, and the user's id."""
    from django.test import Client

    from benchmarks._business import user
    from everytouch.accounts.actions import issue_token
    from everytouch.accounts.models import Scope

    who = {"owner": cast.owner, "manager": cast.managers[0], "trainer": cast.trainers[0]}
    who["rep"] = measured_rep(cast)
    out = {}
    for role, pk in who.items():
        browser = Client()
        browser.force_login(user(pk))
        _, raw = issue_token(user(pk), "pages benchmark", scopes=tuple(Scope))
        out[role] = (browser, Client(headers={"Authorization": f"Bearer {raw}"}), pk)
    return out


def read(response: Any) -> tuple[int, float]:
    """Reads the whole body: a streamed one chunk by chunk, like a browser saving a download.
    Returns the status and when the first chunk came (``time.perf_counter()``)."""
    if not getattr(response, "streaming", False):
        return response.status_code, time.perf_counter()
    chunks = iter(response.streaming_content)
    next(chunks, b"")
    first = time.perf_counter()
    # Reading to the end closes the response: the test client wraps the stream so that its
    # close (request_finished) runs without closing the database connection. Closing it again
    # here would send request_finished unwrapped and close the connection of a test's
    # transaction (seen on PostgreSQL).
    for _ in chunks:
        pass
    return response.status_code, first


def measure(ask: Ask, role: str, client: Client, requests: int) -> list[Measured]:
    from django.db import connection

    status, _ = read(client.get(ask.url))  # warm up: caches, last-used stamps
    counted = Counter()
    with connection.execute_wrapper(counted):
        read(client.get(ask.url))
    walls, firsts, cpus = [], [], []
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        _, first = read(client.get(ask.url))
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
        firsts.append(1000 * (first - wall))
    cpu_p50 = percentile(sorted(cpus), 0.5)

    def row(name: str, times: list[float], budget: float) -> Measured:
        times = sorted(times)
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        return Measured(name, role, status, p50, p95, cpu_p50, counted.n, budget)

    if ask.name not in EXPORTS:
        return [row(ask.name, walls, ask.budget)]
    return [
        row(ask.name + FIRST_BYTE, firsts, ask.budget),
        row(ask.name + WHOLE_FILE, walls, math.inf),
    ]


def run_all(cast: Cast, requests: int, only: str | None) -> list[Measured]:
    from benchmarks._business import user
    from everytouch.followups.ical import issue_feed

    ids = world(cast)
    out: list[Measured] = []
    for role, (browser, api, pk) in clients(cast).items():
        calendar = issue_feed(user(pk))
        for ask in asks_for(COLUMN_OF[role], role, ids, calendar):
            if only and not any(part in ask.name for part in only.split(",")):
                continue
            client = api if ask.name.startswith("api-v1:") else browser
            times = min(requests, EXPORT_REQUESTS) if ask.name in EXPORTS else requests
            for m in measure(ask, role, client, times):
                out.append(m)
                console.log(f"{role} {m.page}: {m.status} p95 {m.p95:.0f} ms, {m.queries} queries")
    return out


# --- reporting -------------------------------------------------------------------------------


def cell(m: Measured | None) -> str:
    if m is None:
        return ""
    text = f"{m.p50:.0f} / {m.p95:.0f} ({m.queries})"
    if m.status != 200:
        return f"[yellow]{m.status}[/] {text}"
    return text if m.ok else f"[bold red]{text}[/]"


def report(rows: list[Measured], title: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("page")
    table.add_column("budget", justify="right")
    for role in ROLES:
        table.add_column(f"{role}\np50 / p95 ms (queries)", justify="right")
    pages = list(dict.fromkeys(m.page for m in rows))
    by = {(m.page, m.role): m for m in rows}
    for page in pages:
        budget = next(m.budget for m in rows if m.page == page)
        shown = f"{budget:.0f}" if math.isfinite(budget) else "none"
        table.add_row(page, shown, *(cell(by.get((page, r))) for r in ROLES))
    wide = Console(width=max(160, Console().width))
    wide.print(table)
    missed = [m for m in rows if not m.ok]
    wide.print(
        f"{len(rows) - len(missed)} of {len(rows)} page asks within budget; "
        + ("missed: " + ", ".join(f"{m.page} ({m.role})" for m in missed) if missed else "")
    )


def json_row(m: Measured) -> dict[str, Any]:
    """A row for ``--json``: a download's whole-file time has no budget (null, not Infinity)."""
    return {**asdict(m), "budget": m.budget if math.isfinite(m.budget) else None}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- one database per process ----------------------------------------------------------------


def run_one(db: str, sizes: Sizes, args: argparse.Namespace) -> int:
    """Build or reuse, then measure, one database (Django is configured once per process)."""
    from benchmarks._business import cast_of_built

    workdir = Path(tempfile.mkdtemp(prefix="everytouch-pages-bench-"))
    try:
        opener = sqlite_database if db == "sqlite" else postgres_database
        with opener(sizes, workdir, args.migrate_cached) as took:
            cast = cast_of_built()
            load_before = load_average()
            started = time.monotonic()
            rows = run_all(cast, args.requests, args.only)
            spent = time.monotonic() - started
        from django.db import connections

        connections.close_all()
        built = f"built in {took:.0f}s" if took is not None else "reused"
        title = (
            f"pages, {db}, {sizes.customers:,} customers, {sizes.interactions:,} touches "
            f"({built}); {args.requests} requests each, in-process test client; "
            f"load average {load_before} -> {load_average()}; {spent:.0f}s"
        )
        report(rows, title)
        if args.json:
            record = {
                "db": db,
                "sizes": asdict(sizes),
                "build_s": took,
                "load_average": [load_before, load_average()],
                "rows": [json_row(m) for m in rows],
            }
            Path(args.json).write_text(json.dumps(record, indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: a million customers")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--only", help="only the pages whose name contains this (or one of these, comma-separated)"
    )
    parser.add_argument("--json", help="also write the figures here (one file per database)")
    parser.add_argument(
        "--migrate-cached",
        action="store_true",
        help="reuse a business built before the latest migrations, migrating it forward",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10 or math.isnan(args.scale):
        parser.error("--scale must be above 0 and at most 10")
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    sizes = Sizes.at(args.scale)
    if args.db != "both":
        return run_one(args.db, sizes, args)
    # Django is configured once per process, so each database gets a process of its own.
    for db in ("sqlite", "postgres"):
        argv2 = [sys.executable, "-m", "benchmarks.pages", "--db", db, "--scale", str(args.scale)]
        argv2 += ["--requests", str(args.requests)]
        if args.only:
            argv2 += ["--only", args.only]
        if args.migrate_cached:
            argv2.append("--migrate-cached")
        if args.json:
            argv2 += ["--json", str(Path(args.json).with_suffix(f".{db}.json"))]
        done = subprocess.run(argv2, check=False)
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
