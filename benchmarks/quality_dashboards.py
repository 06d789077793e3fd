"""How fast are the quality dashboards over a year of scored touches?

    .venv/bin/python -m benchmarks.quality_dashboards [--scorecards 1000000]
                                                      [--database sqlite|postgres]
                                                      [--requests 20] [--keep]

``--keep`` leaves the PostgreSQL database in place, and a later ``--keep`` run with the same
``--scorecards`` measures it again without loading (loading a million touches takes minutes).

Builds a fresh database (SQLite under the temp dir, or PostgreSQL ``everytouch_bench_quality``,
created and dropped) with 100 reps in 10 teams, one manager, and N scored touches spread over
the last year: interactions, scorecards, check outcomes and the weekly rollup, written in bulk
(executemany on SQLite, COPY on PostgreSQL) because scoring a million touches through the
analyser would take hours and this measures reads. Then it asks for the dashboard, the
conversations behind a figure and the not-scored list as a manager and as a rep, in process
through Django's test client, and prints p50/p95 and the queries per page. Target (issue 10):
p95 under 300 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from everytouch.quality.models import PlaybookVersion

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "everytouch_bench_quality"
REPS, TEAMS = 100, 10
CHANNELS = ("call", "email", "chat", "visit")
CHANNEL_WEIGHTS = (0.6, 0.2, 0.15, 0.05)
NOT_SCORED = 0.02
BUYING = 0.55
BATCH = 50_000
# Rows were inserted with explicit ids, so the sequences must be moved past them.
SETVAL = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
console = Console(stderr=True)


# --- the database ----------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


def _pg_kept(n: int) -> bool:
    """Whether a ``--keep`` run left a database loaded with ``n`` touches."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        found = con.execute(b"SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
    if found is None:
        return False
    with psycopg.connect(f"{PG_SERVER}/{PG_DB}", autocommit=True) as con:
        try:
            row = con.execute(b"SELECT max(id) FROM quality_scorecard").fetchone()
        except psycopg.errors.UndefinedTable:
            return False
    return row is not None and row[0] == n


def configure(database: str, workdir: Path, reuse: bool = False) -> None:
    """Point Django at a new, empty database (or reuse a kept one) and migrate it."""
    if database == "postgres":
        if not reuse:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
        url = f"{PG_SERVER}/{PG_DB}"
    else:
        url = f"sqlite:///{workdir / 'everytouch.sqlite3'}"
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


@dataclass(frozen=True)
class Cast:
    manager: User
    reps: list[User]
    team_of: dict[int, int]
    version_id: int
    checks: list[tuple[str, str, bool]]  # id, title, only on buying calls


def _checks(version: PlaybookVersion) -> list[tuple[str, str, bool]]:
    """The default playbook's checks: id, title, and whether only buying calls get it."""
    from everytouch.quality.actions import compiled

    return [
        (c.id, c.title, any(cond.name == "buying_intent" for cond in c.conditions))
        for c in compiled(version).checks
    ]


def make_cast() -> Cast:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from everytouch.accounts.models import Profile, Role
    from everytouch.quality.actions import ensure_default_playbook
    from everytouch.staff.models import Team

    password = make_password("bench")  # one hash for all: hashing 101 times takes a minute
    teams = Team.objects.bulk_create(Team(name=f"Team {t + 1}") for t in range(TEAMS))
    users = User.objects.bulk_create(
        [User(username="boss", first_name="Boss", password=password)]
        + [User(username=f"rep{i}", first_name=f"Rep {i}", password=password) for i in range(REPS)]
    )
    roles = [Role.MANAGER] + [Role.REP] * REPS
    Profile.objects.bulk_create(Profile(user=u, role=r) for u, r in zip(users, roles, strict=True))
    version = ensure_default_playbook()
    team_of = {u.pk: teams[i % TEAMS].pk for i, u in enumerate(users[1:])}
    return Cast(users[0], users[1:], team_of, version.pk, _checks(version))


def kept_cast() -> Cast:
    """The cast of the database a ``--keep`` run loaded."""
    from django.contrib.auth.models import User

    from everytouch.quality.actions import ensure_default_playbook
    from everytouch.quality.models import Scorecard

    manager = User.objects.get(username="boss")
    reps = list(User.objects.filter(username__startswith="rep").order_by("pk"))
    teams = dict(Scorecard.objects.order_by().values_list("rep_id", "team_id").distinct())
    version = ensure_default_playbook()
    return Cast(manager, reps, teams, version.pk, _checks(version))


# --- generated touches -----------------------------------------------------------------------


class Sink:
    """Rows straight into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw: Any = connection.connection

    def value(self, v: object) -> object:
        if self.vendor != "sqlite":
            return v
        if isinstance(v, datetime):
            # Django keeps SQLite datetimes as naive UTC text.
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        return v

    def write(self, table: str, columns: str, rows: Iterable[tuple[object, ...]]) -> int:
        count = 0
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" * len(columns.split(",")))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our own names
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(tuple(self.value(v) for v in row))
            if len(batch) == BATCH:
                self.raw.executemany(sql, batch)
                count, batch = count + len(batch), []
        self.raw.executemany(sql, batch)
        return count + len(batch)

    def finish(self, tables: Iterable[str]) -> None:
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                for table in tables:
                    cur.execute(SETVAL.format(table=table))


@dataclass
class Touch:
    pk: int
    started_at: datetime
    rep_id: int
    team_id: int
    channel: str
    scored: bool
    buying: bool
    captured: bool
    statuses: list[tuple[str, str, str]]  # check id, title, status


def touches(n: int, cast: Cast, now: datetime, seed: int = 10) -> Iterator[Touch]:
    """``n`` touches in time order over the last year; each rep has their own strengths."""
    rng = random.Random(seed)
    skill = {(r.pk, c[0]): rng.uniform(0.15, 0.95) for r in cast.reps for c in cast.checks}
    capture = {r.pk: rng.uniform(0.1, 0.8) for r in cast.reps}
    start, step = now - timedelta(days=365), timedelta(days=365) / n
    for i in range(n):
        rep = cast.reps[rng.randrange(REPS)].pk
        scored, buying = rng.random() >= NOT_SCORED, rng.random() < BUYING
        statuses = []
        if scored:
            for check_id, title, buying_only in cast.checks:
                if (buying_only and not buying) or rng.random() < 0.08:
                    status = "n/a"
                else:
                    status = "pass" if rng.random() < skill[rep, check_id] else "fail"
                statuses.append((check_id, title, status))
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        captured = scored and buying and rng.random() < capture[rep]
        started = start + step * i
        yield Touch(
            i + 1,
            started,
            rep,
            cast.team_of[rep],
            channel,
            scored,
            scored and buying,
            captured,
            statuses,
        )


def _result(t: Touch) -> str:
    lead = {"buying_intent": t.buying, "phone": "+13125550142" if t.captured else None}
    checks = {c: {"status": s} for c, _, s in t.statuses}
    return json.dumps({"lead": {**lead, "email": None}, "checks": checks})


def _score(t: Touch) -> float | None:
    applicable = [s for _, _, s in t.statuses if s != "n/a"]
    return round(100 * applicable.count("pass") / len(applicable), 1) if applicable else None


Rollup = dict[tuple[date, int, int, str, str], list[int]]


def load(n: int, cast: Cast) -> Rollup:
    from django.db import transaction

    # One transaction: SQLite in autocommit would sync the file after every row.
    with transaction.atomic():
        return _load(n, cast)


def _load(n: int, cast: Cast) -> Rollup:
    from everytouch.quality.rollup import ALL_CHANNELS, CONTACT_CHECK, NOT_SCORED_CHECK, week_of

    sink, now = Sink(), datetime.now(UTC)
    rollup: Rollup = defaultdict(lambda: [0, 0, 0])
    outcome_id = 0
    slot = {"pass": 0, "fail": 1, "n/a": 2}
    interactions: list[tuple[object, ...]] = []
    cards: list[tuple[object, ...]] = []
    outcomes: list[tuple[object, ...]] = []

    def flush() -> None:
        sink.write(
            "interactions_interaction",
            "id, channel, direction, started_at, handled_by_id, summary, need, created_at",
            interactions,
        )
        sink.write(
            "quality_scorecard",
            "id, interaction_id, playbook_version_id, state, reason, score, result, rep_id,"
            " team_id, channel, started_at, is_test, is_current, buying_intent, created_at",
            cards,
        )
        sink.write(
            "quality_checkoutcome",
            "id, scorecard_id, check_id, title, status, confidence, evidence",
            outcomes,
        )
        for rows in (interactions, cards, outcomes):
            rows.clear()

    for t in touches(n, cast, now):
        interactions.append((t.pk, t.channel, "inbound", t.started_at, t.rep_id, "", "", now))
        state, reason = ("scored", "") if t.scored else ("not_scored", "no transcript")
        cards.append(
            (
                t.pk,
                t.pk,
                cast.version_id,
                state,
                reason,
                _score(t),
                _result(t) if t.scored else "{}",
                t.rep_id,
                t.team_id,
                t.channel,
                t.started_at,
                False,
                True,
                t.buying,
                now,
            )
        )
        week = week_of(t.started_at)
        for check_id, title, status in t.statuses:
            outcome_id += 1
            outcomes.append((outcome_id, t.pk, check_id, title, status, 0.9, "[]"))
            for channel in (t.channel, ALL_CHANNELS):
                rollup[week, t.rep_id, t.team_id, channel, check_id][slot[status]] += 1
        for channel in (t.channel, ALL_CHANNELS):
            if t.buying:
                rollup[week, t.rep_id, t.team_id, channel, CONTACT_CHECK][
                    0 if t.captured else 1
                ] += 1
            if not t.scored:
                rollup[week, t.rep_id, t.team_id, channel, NOT_SCORED_CHECK][2] += 1
        if len(cards) == BATCH:
            flush()
    flush()
    sink.write(
        "quality_checkweek",
        "id, week, rep_id, team_id, channel, check_id, passed, failed, not_applicable",
        ((i + 1, *key, *counts) for i, (key, counts) in enumerate(rollup.items())),
    )
    tables = ("interactions_interaction", "quality_scorecard", "quality_checkoutcome")
    sink.finish((*tables, "quality_checkweek"))
    return rollup


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Scenario:
    who: str
    page: str
    urls: Callable[[int], str]


@dataclass
class Measured:
    scenario: Scenario
    p50: float
    p95: float
    queries: int
    status: int


def scenarios(cast: Cast) -> list[Scenario]:
    from django.urls import reverse

    dash, convs = reverse("quality_dashboard"), reverse("quality_conversations")
    not_scored, coaching = reverse("quality_not_scored"), reverse("coaching_queue")
    ids = [c[0] for c in cast.checks]
    teams = sorted(set(cast.team_of.values()))
    return [
        Scenario("manager", "dashboard, last 12 weeks", lambda i: dash),
        Scenario("manager", "dashboard, one team", lambda i: f"{dash}?team={teams[i % TEAMS]}"),
        Scenario(
            "manager",
            "dashboard, a year, calls",
            lambda i: f"{dash}?since={date.today() - timedelta(days=364)}&channel=call",
        ),
        Scenario(
            "manager",
            "dashboard, a year, all channels",
            lambda i: f"{dash}?since={date.today() - timedelta(days=364)}",
        ),
        Scenario(
            "manager",
            "conversations, a check failed",
            lambda i: f"{convs}?check={ids[i % len(ids)]}&status=fail",
        ),
        Scenario(
            "manager",
            "conversations, a team, page 3",
            lambda i: f"{convs}?check={ids[i % len(ids)]}&team={teams[i % TEAMS]}&page=3",
        ),
        Scenario("manager", "not scored", lambda i: not_scored),
        Scenario("manager", "coaching queue, 30 days", lambda i: coaching),
        Scenario("manager", "coaching queue, 90 days", lambda i: f"{coaching}?days=90"),
        Scenario("rep", "dashboard, last 12 weeks", lambda i: dash),
        Scenario(
            "rep",
            "conversations, a check failed",
            lambda i: f"{convs}?check={ids[i % len(ids)]}&status=fail",
        ),
    ]


class Counter:
    """An execute wrapper that counts the queries a request runs."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def measure(cast: Cast, requests: int) -> list[Measured]:
    from django.db import connection
    from django.test import Client

    clients = {"manager": Client(), "rep": Client()}
    clients["manager"].force_login(cast.manager)
    clients["rep"].force_login(cast.reps[7])
    out = []
    for scenario in scenarios(cast):
        client = clients[scenario.who]
        counted = Counter()
        with connection.execute_wrapper(counted):
            status = client.get(scenario.urls(0)).status_code
        times = []
        for i in range(requests):
            started = time.perf_counter()
            client.get(scenario.urls(i))
            times.append(1000 * (time.perf_counter() - started))
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        out.append(Measured(scenario, statistics.median(times), p95, counted.n, status))
    return out


def report(rows: list[Measured], database: str, n: int) -> None:
    table = Table(title=f"quality dashboards, {n:,} scorecards, {database}")
    for column in ("who", "page", "status", "p50 ms", "p95 ms", "queries"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.scenario.who,
            r.scenario.page,
            str(r.status),
            f"{r.p50:.0f}",
            f"{r.p95:.0f}",
            str(r.queries),
        )
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scorecards", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--check", action="store_true", help="also compare the rollup to rebuild")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database, and reuse a kept one"
    )
    args = parser.parse_args(argv)
    keep = args.keep and args.database == "postgres"
    reuse = keep and _pg_kept(args.scorecards)
    workdir = Path(tempfile.mkdtemp(prefix="everytouch-quality-bench-"))
    try:
        configure(args.database, workdir, reuse)
        if reuse:
            cast = kept_cast()
            console.log(f"measuring the kept database of {args.scorecards:,} scorecards")
        else:
            cast = make_cast()
            started = time.monotonic()
            rollup = load(args.scorecards, cast)
            analyse()
            took = time.monotonic() - started
            console.log(f"loaded {args.scorecards:,} scorecards in {took:.0f}s")
            if args.check:
                _check(rollup)
        report(measure(cast, args.requests), args.database, args.scorecards)
    finally:
        from django.db import connections

        connections.close_all()
        if args.database == "postgres" and not keep:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _check(rollup: Rollup) -> None:
    """The generated rollup must be the one the app would keep (rollup.compute)."""
    from everytouch.quality.rollup import compute

    expected = {key: tuple(c) for key, c in rollup.items()}
    assert compute() == expected, "the generated rollup differs from rollup.compute()"
    console.log("rollup matches rollup.compute()")


if __name__ == "__main__":
    raise SystemExit(main())
