"""End-to-end scoring throughput: interactions POSTed through the API until every one is scored.

    .venv/bin/python -m benchmarks.quality [--interactions 300] [--database sqlite|postgres|both]
                                           [--workers 1,2] [--backend db|rq] [--profile FILE]

Per database, per worker count, on a fresh migrated database: start the real server
(``everytouch serve``), POST N generated call transcripts (8-20 turns) to
``/api/v1/interactions`` with no worker running, stop the server, then start that many
``everytouch worker`` processes and time the drain until every interaction has its scorecard.
Prints, per configuration, the POST phase (wall time, server CPU per POST) and the drain
(wall time, scorecards per second, worker CPU per scorecard, measured over the whole process
tree, so the figure carries to a machine with more cores).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import psycopg
from rich.console import Console
from rich.table import Table

from benchmarks._quality_transcripts import payloads
from benchmarks._server import HOST, free_port, running_server, tree_cpu_seconds
from benchmarks.identify import migrate, run_checked, server_env, timed

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Not identify's database: both benchmarks may run on this machine at the same time. Several
# people's runs on one server each name their own (EVERYTOUCH_QBENCH_DB).
PG_DB = os.environ.get("EVERYTOUCH_QBENCH_DB", "everytouch_qbench")
PG_TEMPLATE = f"{PG_DB}_template"
PG_POSTED = f"{PG_DB}_posted"
# A Redis database of its own (tests use 13); it is flushed before every RQ configuration.
REDIS_URL = "redis://127.0.0.1:6379/12"
SERVER_WORKERS = 2
POST_CONNECTIONS = 4
MAX_RESENDS = 3
POLL_S = 0.25
# The drain is abandoned if no scorecard appears for this long (a worker that died, say).
STALL_S = 120.0
LOG_DIR = Path(tempfile.gettempdir()) / "everytouch-bench"
console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Config:
    db: str
    backend: str
    workers: int


@dataclass(slots=True)
class PostPhase:
    posted: int
    errors: dict[str, int]
    conflicts: int  # 409s that succeeded when sent again
    wall_s: float
    server_cpu_s: float


@dataclass(slots=True)
class DrainPhase:
    launched: float  # epoch seconds, when the worker processes were started
    first_card: float  # epoch seconds, from the database
    last_card: float  # epoch seconds, from the database
    cards: int
    not_scored: int
    # Worker CPU over the steady part: from the first poll that saw a scorecard to the end,
    # so the workers' start-up (imports, Django setup) does not dilute per-scorecard cost.
    steady_cpu_s: float
    steady_cards: int
    total_cpu_s: float
    # PostgreSQL's backends for this database over the same window (NaN on SQLite, which runs
    # inside the workers): on one machine they share the workers' cores.
    steady_db_cpu_s: float


@dataclass(frozen=True, slots=True)
class Row:
    config: Config
    interactions: int
    post_errors: int
    post_s: float
    posts_per_s: float
    server_cpu_ms_per_post: float
    startup_s: float
    drain_s: float
    cards_per_s: float
    worker_cpu_ms_per_card: float
    db_cpu_ms_per_card: float
    end_to_end_s: float
    not_scored: int


# --- summary math (pure, tested) -------------------------------------------------------------


def _per(amount: float, over: float) -> float:
    return amount / over if over > 0 else float("nan")


def summarise(config: Config, post: PostPhase, drain: DrainPhase) -> Row:
    drain_s = drain.last_card - drain.launched
    return Row(
        config=config,
        interactions=post.posted,
        post_errors=sum(post.errors.values()),
        post_s=post.wall_s,
        posts_per_s=_per(post.posted, post.wall_s),
        server_cpu_ms_per_post=_per(post.server_cpu_s * 1000, post.posted),
        startup_s=drain.first_card - drain.launched,
        drain_s=drain_s,
        cards_per_s=_per(drain.cards, drain_s),
        worker_cpu_ms_per_card=_per(drain.steady_cpu_s * 1000, drain.steady_cards),
        db_cpu_ms_per_card=_per(drain.steady_db_cpu_s * 1000, drain.steady_cards),
        # The phases run apart (and one POST phase may feed several drains), so this is the
        # batch's time with the phases back to back, not one timestamp minus another.
        end_to_end_s=post.wall_s + drain_s,
        not_scored=drain.not_scored,
    )


def parse_workers(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("give worker counts like 1,2")
    return counts


# --- process CPU -----------------------------------------------------------------------------


def tree_cpu_with_reaped(pid: int) -> float:
    """CPU seconds of a process tree, including children that have already exited.

    RQ's worker forks a work horse per job; once reaped, the horse's CPU moves into its
    parent's ``children_*`` times, which ``tree_cpu_seconds`` (live processes only) misses.
    A live process's ``children_*`` holds only reaped descendants, so nothing counts twice.
    """
    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def workers_cpu(pids: Sequence[int]) -> float:
    return sum(tree_cpu_with_reaped(pid) for pid in pids)


class PostgresCpu:
    """CPU seconds of the PostgreSQL backends serving the database in ``url``, gone ones too.

    A backend's title names its database ("postgres: 15/main: postgres DB 127.0.0.1(...)"), so
    other people's databases on the same server are left out. Workers reconnect every
    CONN_MAX_AGE (60 s) and a backend's CPU leaves with it, so every ``sample`` records each
    live backend's latest figure and the total keeps those that have gone since (losing at
    most what they used after the last sample). NaN on SQLite, which runs inside the workers.
    """

    def __init__(self, url: str) -> None:
        postgres = url.startswith("postgres")
        self.marker = f" {url.rsplit('/', 1)[1]} " if postgres else None
        self.seen: dict[int, float] = {}

    def sample(self) -> float:
        if self.marker is None:
            return float("nan")
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if self.marker in " ".join(proc.info["cmdline"] or ()) + " ":
                    t = proc.cpu_times()
                    self.seen[proc.pid] = t.user + t.system
            except psutil.Error:
                continue
        return sum(self.seen.values())


# --- databases -------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


@contextmanager
def sqlite_template(workdir: Path, backend: str) -> Iterator[str]:
    template = workdir / "template.sqlite3"
    with timed("sqlite: migrated the template database"):
        # With RQ, settings install django_rq, whose migrations `serve` insists on too.
        migrate(config_env(backend, f"sqlite:///{template}", workdir, REDIS_URL))
    yield str(template)


@contextmanager
def postgres_template(workdir: Path, backend: str) -> Iterator[str]:
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_TEMPLATE}")
    try:
        with timed("postgres: migrated the template database"):
            migrate(config_env(backend, f"{PG_SERVER}/{PG_TEMPLATE}", workdir, REDIS_URL))
        yield PG_TEMPLATE
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")


def _sqlite_copy(source: Path, target: Path) -> None:
    # SQLite's backup API, not a file copy: the server's processes exit without a final
    # checkpoint, so rows may still sit in the source's WAL, and a stale -wal or -shm file
    # beside a freshly copied target corrupts it.
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@contextmanager
def database_from(db: str, source: str, name: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """A copy of ``source`` (a file for SQLite, a database name for PostgreSQL) called ``name``.

    Yields its DATABASE_URL and what a later copy is made from. Copying a migrated template
    takes a second where migrating again takes many, and copying the database as it stood after
    the POSTs gives every worker count the very same queue to drain.
    """
    if db == "sqlite":
        target = workdir / f"{name}.sqlite3"
        _sqlite_copy(Path(source), target)
        yield f"sqlite:///{target}", str(target)
        return
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {source}")
    try:
        yield f"{PG_SERVER}/{name}", name
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Read straight from the database: the server is stopped during the drain, and Django's
# settings can only be configured once per process while this one drives two databases.
COUNT_SQL = "SELECT count(*) FROM quality_scorecard"
FINAL_SQL = (
    "SELECT count(*), min(created_at), max(created_at),"
    " sum(CASE WHEN state = 'not_scored' THEN 1 ELSE 0 END) FROM quality_scorecard"
)


def _query(url: str, sql: str) -> tuple[Any, ...]:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as con:
            row = con.execute(sql).fetchone()
        return tuple(row)
    with psycopg.connect(url) as pg:
        got = pg.execute(sql.encode()).fetchone()
    assert got is not None
    return tuple(got)


def _epoch(value: datetime | str) -> float:
    # SQLite stores Django's aware datetimes as UTC text without an offset.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# --- the POST phase --------------------------------------------------------------------------


@dataclass
class _Posting:
    bodies: list[bytes]
    port: int
    token: str
    next_index: int = 0
    conflicts: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bytes | None:
        with self.lock:
            if self.next_index >= len(self.bodies):
                return None
            self.next_index += 1
            return self.bodies[self.next_index - 1]

    def conflict(self) -> None:
        with self.lock:
            self.conflicts += 1

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def _post_loop(job: _Posting) -> None:
    headers = {"Authorization": f"Bearer {job.token}", "Content-Type": "application/json"}
    con = http.client.HTTPConnection(HOST, job.port, timeout=60)
    try:
        while (body := job.take()) is not None:
            status = _send(con, body, headers)
            # Two first calls from the same new number at once: one creates the customer, the
            # other gets 409 (uniq_contact_point); a phone system sends it again, as here.
            for _ in range(MAX_RESENDS):
                if status != 409:
                    break
                job.conflict()
                status = _send(con, body, headers)
            if status != 201:
                job.error(f"http {status}" if isinstance(status, int) else status)
    finally:
        con.close()


def _send(con: http.client.HTTPConnection, body: bytes, headers: dict[str, str]) -> int | str:
    """The answer's status, or the name of the exception that stood in its way."""
    try:
        con.request("POST", "/api/v1/interactions", body=body, headers=headers)
        answer = con.getresponse()
        answer.read()
        return answer.status
    except (OSError, http.client.HTTPException) as exc:
        con.close()  # the next request reconnects
        return type(exc).__name__


def warm_up(port: int, token: str) -> None:
    """A few reads, so imports and first connections are not charged to the POSTs."""
    con = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        for _ in range(2 * SERVER_WORKERS * 2):
            con.request("GET", "/api/v1/scorecards?page_size=1", headers=_auth(token))
            answer = con.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"warm-up got HTTP {answer.status}; is the token valid?")
    finally:
        con.close()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_all(env: dict[str, str], bodies: list[bytes], log: Path) -> PostPhase:
    token = run_checked([sys.executable, "-m", "benchmarks._token"], env).strip()
    port = free_port()
    with running_server(env, port, SERVER_WORKERS, log) as server:
        warm_up(port, token)
        job = _Posting(bodies, port, token)
        threads = [
            threading.Thread(target=_post_loop, args=(job,)) for _ in range(POST_CONNECTIONS)
        ]
        cpu_before = tree_cpu_seconds(server.pid)
        first = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - first
        cpu = tree_cpu_seconds(server.pid) - cpu_before
    return PostPhase(len(bodies), job.errors, job.conflicts, wall, cpu)


# --- the drain -------------------------------------------------------------------------------


def worker_argv(profile: Path | None) -> list[str]:
    script = str(Path(sys.executable).with_name("everytouch"))
    if profile is None:
        return [script, "worker"]
    # db_worker and rqworker leave their loop on SIGTERM, so cProfile gets to write its file.
    return [sys.executable, "-m", "cProfile", "-o", str(profile), script, "worker"]


def _stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def drain(
    env: dict[str, str], expected: int, workers: int, logs: Path, profile: Path | None
) -> DrainPhase:
    url = env["DATABASE_URL"]
    procs: list[subprocess.Popen[bytes]] = []
    launched = time.time()
    try:
        for i in range(workers):
            out = (logs / f"worker-{i}.log").open("wb")
            argv = worker_argv(profile if i == 0 else None)
            procs.append(subprocess.Popen(argv, env=env, stdout=out, stderr=out, cwd=logs))
        postgres = PostgresCpu(url)
        postgres.sample()  # the backends' CPU so far, before the window starts
        steady = _watch(url, expected, procs, postgres)
        total_cpu = workers_cpu([p.pid for p in procs])
        db_cpu = postgres.sample()
    finally:
        _stop_all(procs)
    count, first, last, not_scored = _query(url, FINAL_SQL)
    return DrainPhase(
        launched=launched,
        first_card=_epoch(first),
        last_card=_epoch(last),
        cards=int(count),
        not_scored=int(not_scored or 0),
        steady_cpu_s=total_cpu - steady[1],
        steady_cards=int(count) - steady[0],
        total_cpu_s=total_cpu,
        steady_db_cpu_s=db_cpu - steady[2],
    )


def _watch(
    url: str, expected: int, procs: list[subprocess.Popen[bytes]], postgres: PostgresCpu
) -> tuple[int, float, float]:
    """Poll until every interaction is scored; (scorecards, worker CPU, database CPU) at the
    first poll that saw a scorecard."""
    pids = [p.pid for p in procs]
    steady: tuple[int, float, float] | None = None
    last_count, last_change = 0, time.monotonic()
    while True:
        count = int(_query(url, COUNT_SQL)[0])
        db_cpu = postgres.sample()
        if steady is None and count > 0:
            steady = (count, workers_cpu(pids), db_cpu)
        if count >= expected:
            assert steady is not None
            return steady
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        if dead := [p.args for p in procs if p.poll() is not None]:
            raise RuntimeError(f"a worker exited early: {dead}")
        if time.monotonic() - last_change > STALL_S:
            raise RuntimeError(f"no scorecard for {STALL_S:.0f}s at {count} of {expected}")
        time.sleep(POLL_S)


# --- one database ----------------------------------------------------------------------------


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def config_env(backend: str, database_url: str, workdir: Path, redis_url: str) -> dict[str, str]:
    env = server_env(database_url, workdir)
    if backend == "rq":
        env.update(EVERYTOUCH_TASK_BACKEND="django_tasks_rq.RQBackend", REDIS_URL=redis_url)
    else:
        env.pop("EVERYTOUCH_TASK_BACKEND", None)
    return env


def post_phase(env: dict[str, str], bodies: list[bytes], workdir: Path, name: str) -> PostPhase:
    console.log(f"{name}: POSTing {len(bodies):,} interactions, no worker running")
    try:
        post = post_all(env, bodies, workdir / "server.log")
    finally:
        _keep_logs(workdir, name)
    console.log(f"{name}: posted in {post.wall_s:.1f}s ({post.conflicts} 409s sent again)")
    return post


def drain_phase(
    config: Config, env: dict[str, str], post: PostPhase, workdir: Path, args: argparse.Namespace
) -> Row:
    name = f"{config.db}-{config.backend}-{config.workers}w"
    profile = args.profile if args.profile and config.workers == 1 else None
    try:
        done = drain(env, post.posted - sum(post.errors.values()), config.workers, workdir, profile)
    finally:
        _keep_logs(workdir, name)
    if profile is not None:
        console.log(f"{name}: worker profile written to {profile}")
        args.profile = None  # one profile per run is plenty
    row = summarise(config, post, done)
    console.log(f"{name}: drained in {row.drain_s:.1f}s, {row.cards_per_s:.1f} scorecards/s")
    return row


def bench_database(
    db: str, template: str, bodies: list[bytes], args: argparse.Namespace, workdir: Path
) -> list[Row]:
    if args.backend == "rq":
        return [bench_rq(db, template, bodies, args, workdir, w) for w in args.workers]
    # The database backend's queue is a table: POST once, then drain a copy per worker count.
    with database_from(db, template, PG_POSTED if db == "postgres" else "posted", workdir) as (
        url,
        posted,
    ):
        post = post_phase(config_env("db", url, workdir, ""), bodies, workdir, f"{db}-db")
        rows = []
        for workers in args.workers:
            copy = PG_DB if db == "postgres" else "run"
            with database_from(db, posted, copy, workdir) as (run_url, _):
                env = config_env("db", run_url, workdir, "")
                rows.append(drain_phase(Config(db, "db", workers), env, post, workdir, args))
        return rows


def bench_rq(
    db: str, template: str, bodies: list[bytes], args: argparse.Namespace, workdir: Path, w: int
) -> Row:
    # RQ's queue lives in Redis, not in the database, so each worker count POSTs afresh.
    with database_from(db, template, PG_DB if db == "postgres" else "run", workdir) as (url, _):
        env = config_env("rq", url, workdir, args.redis_url)
        flush_redis(args.redis_url)
        post = post_phase(env, bodies, workdir, f"{db}-rq-{w}w")
        return drain_phase(Config(db, "rq", w), env, post, workdir, args)


def _keep_logs(workdir: Path, name: str) -> None:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copyfile(log, LOG_DIR / f"quality-{name}-{log.name}")


# --- report ----------------------------------------------------------------------------------


COLUMNS = (
    "db",
    "backend",
    "workers",
    "interactions",
    "POST s",
    "POST/s",
    "server CPU ms/POST",
    "worker start s",
    "drain s",
    "scorecards/s",
    "worker CPU ms/scorecard",
    "PostgreSQL CPU ms/scorecard",
    "first POST to last scorecard s",
    "not scored",
)


def table(rows: list[Row]) -> Table:
    out = Table(title="Scoring throughput: POST /api/v1/interactions, then drain with N workers")
    for name in COLUMNS:
        out.add_column(name, justify="left" if name in ("db", "backend") else "right")
    for r in rows:
        figures = [r.post_s, r.posts_per_s, r.server_cpu_ms_per_post, r.startup_s, r.drain_s]
        figures += [r.cards_per_s, r.worker_cpu_ms_per_card, r.db_cpu_ms_per_card]
        figures += [r.end_to_end_s]
        cells = [r.config.db, r.config.backend, str(r.config.workers), f"{r.interactions:,}"]
        out.add_row(*cells, *map(_figure, figures), f"{r.not_scored:,}")
    return out


def _figure(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.quality", description=__doc__.split("\n")[0])
    # Both databases in about four minutes on a busy 2-core machine. Worker start-up is then a
    # visible part of each drain: CPU per scorecard leaves it out, scorecards/s does not.
    parser.add_argument("--interactions", type=int, default=300)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=parse_workers, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--backend", choices=("db", "rq"), default="db")
    parser.add_argument("--redis-url", default=REDIS_URL, help="flushed before each RQ run")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", type=Path, help="cProfile one 1-worker drain into FILE")
    return parser.parse_args(argv)


TEMPLATES = {"sqlite": sqlite_template, "postgres": postgres_template}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bodies = [json.dumps(p).encode() for p in payloads(args.interactions, args.seed)]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.log(f"cpus={os.cpu_count()} load average={load}")
    chosen = list(TEMPLATES) if args.database == "both" else [args.database]
    rows: list[Row] = []
    for db in chosen:
        with (
            tempfile.TemporaryDirectory(prefix=f"everytouch-qbench-{db}-tpl-") as work,
            TEMPLATES[db](Path(work), args.backend) as template,
        ):
            rows += bench_database(db, template, bodies, args, Path(work))
    Console(width=220).print(table(rows))
    console.log(f"load average at the end={', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    failed = [r for r in rows if r.post_errors or r.not_scored]
    for r in failed:
        console.print(f"{r.config}: {r.post_errors} POST errors, {r.not_scored} not scored")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
