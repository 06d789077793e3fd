"""How fast is the screen pop? ``GET /api/v1/identify`` against a million customers.

    .venv/bin/python -m benchmarks.identify [--customers N] [--rate 200] [--duration 20]
                                            [--db sqlite|postgres|both] [--workers 2]
                                            [--threads 4] [--fields last_interactions]

For each database: build it (SQLite is cached between runs under the temp dir; PostgreSQL is
``everytouch_bench``, created and dropped), start the real server (``everytouch serve``, 2
workers of 4 threads unless told otherwise) on 127.0.0.1, and drive it from a load generator in
another process at a fixed open-loop rate, then briefly flat out. Prints latency percentiles
measured from each request's intended send time, throughput, the server's CPU time per request
(and the ceiling it implies: the machine's cores divided by it), and the server's peak memory.
Targets (issues 2 and 13, on a 2-core machine): p99 under 20 ms at 200 requests/s, server CPU
at most 1.5 ms per request (a ceiling of 1,000 requests/s), server memory under 300 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from benchmarks._dataset import (
    DATASET_VERSION,
    Numbers,
    check_sample,
    email,
    load_postgres,
    load_sqlite,
)
from benchmarks._loadgen import Target
from benchmarks._server import MemorySampler, free_port, running_server, tree_cpu_seconds

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(tempfile.gettempdir()) / "everytouch-bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "everytouch_bench"
TARGETS = 5_000
WORKERS = 2
THREADS = 4
console = Console(stderr=True)


@dataclass
class Row:
    db: str
    mode: str
    requests: int
    errors: int
    p50: float
    p90: float
    p99: float
    max: float
    throughput: float
    rss_mib: float
    pss_mib: float
    cpu_ms: float
    loadgen_cpu_ms: float
    error_kinds: dict[str, int]

    @property
    def ceiling(self) -> float:
        """Requests/s the machine's cores could answer at this server CPU per request."""
        return (os.cpu_count() or 1) * 1000 / self.cpu_ms if self.cpu_ms else math.nan


# --- what to ask for -------------------------------------------------------------------------


def phone_formats(e164: str) -> list[str]:
    """The ways a person or a phone system writes the same US number."""
    npa, nxx, line = e164[2:5], e164[5:8], e164[8:]
    return [e164, f"({npa}) {nxx}-{line}", f"{npa}.{nxx}.{line}", f"1-{npa}-{nxx}-{line}", e164[2:]]


def make_targets(numbers: Numbers, count: int = TARGETS, seed: int = 2) -> list[Target]:
    """Half known phones, three in ten known e-mails, one in five numbers nobody has."""
    rng = random.Random(seed)
    targets: list[Target] = []
    for _ in range(count):
        i, roll = rng.randrange(numbers.known), rng.random()
        if roll < 0.5:
            q = rng.choice(phone_formats(numbers.phone(i)))
            targets.append(Target(q, True, i + 1))
        elif roll < 0.8:
            q = email(i).title() if rng.random() < 0.5 else email(i)
            targets.append(Target(q, True, i + 1))
        else:
            q = rng.choice(phone_formats(numbers.unknown_phone(i)))
            targets.append(Target(q, False))
    return targets


# --- databases -------------------------------------------------------------------------------


def migrations_digest() -> str:
    # The cached SQLite file is only reusable while the schema it was built with is current.
    digest = hashlib.sha256()
    for path in sorted(REPO.glob("everytouch/*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        EVERYTOUCH_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="everytouch.settings",
        DEBUG="false",
    )
    return env


def run_checked(argv: list[str], env: dict[str, str], **kwargs: Any) -> str:
    done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-4000:]}")
    return str(done.stdout)


def migrate(env: dict[str, str]) -> None:
    run_checked([sys.executable, str(REPO / "manage.py"), "migrate", "-v", "0"], env)


def build_sqlite(target: Path, numbers: Numbers) -> None:
    building = target.with_suffix(".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    db = building / "everytouch.sqlite3"
    migrate(server_env(f"sqlite:///{db}", building))
    load_sqlite(db, numbers)
    db.replace(target)
    shutil.rmtree(building)


@contextmanager
def sqlite_database(numbers: Numbers, workdir: Path) -> Iterator[dict[str, str]]:
    name = f"identify-{numbers.known}-v{DATASET_VERSION}-{migrations_digest()}.sqlite3"
    cached = CACHE_DIR / name
    if cached.exists():
        console.log(f"sqlite: reusing {cached}")
    else:
        with timed(f"sqlite: built {numbers.known:,} customers"):
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            # One cached file at a time: each is about 400 MB for a million customers.
            for stale in CACHE_DIR.glob("identify-*.sqlite3"):
                stale.unlink()
            build_sqlite(cached, numbers)
    # A copy per run: the server writes (tokens, users) and the cache must stay pristine.
    db = workdir / "everytouch.sqlite3"
    shutil.copyfile(cached, db)
    yield server_env(f"sqlite:///{db}", workdir)


def _pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


@contextmanager
def postgres_database(
    numbers: Numbers, workdir: Path, name: str = PG_DB
) -> Iterator[dict[str, str]]:
    if not name.isidentifier():
        raise SystemExit(f"--pg-db {name!r}: letters, digits and underscores only")
    url = f"{PG_SERVER}/{name}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    try:
        env = server_env(url, workdir)
        with timed(f"postgres: built {numbers.known:,} customers"):
            migrate(env)
            load_postgres(url, numbers)
        yield env
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def timed(what: str) -> Iterator[None]:
    start = time.monotonic()
    yield
    console.log(f"{what} in {time.monotonic() - start:.1f}s")


# --- load ------------------------------------------------------------------------------------


def drive(job: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    limit = float(job["duration"]) + float(job.get("timeout", 5)) + 60
    before = _children_cpu_seconds()
    out = run_checked(
        [sys.executable, "-m", "benchmarks._loadgen"], env, input=json.dumps(job), timeout=limit
    )
    result: dict[str, Any] = json.loads(out)
    # The load generator shares the machine's cores with the server; its cost is context.
    result["loadgen_cpu_s"] = _children_cpu_seconds() - before
    return result


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    # Nearest rank: the smallest value with at least q of the samples at or below it.
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered) - 1e-9) - 1))
    return ordered[rank]


def summarise(
    db: str, mode: str, result: dict[str, Any], sampler: MemorySampler, cpu_s: float
) -> Row:
    errors: dict[str, int] = result["errors"]
    answered = len(result["latencies_ms"])
    # A request that timed out took at least the timeout: leaving it out would flatter the
    # percentiles exactly when the server is drowning.
    lat = sorted(result["latencies_ms"] + [math.inf] * errors.get("timeout", 0))
    return Row(
        db=db,
        mode=mode,
        requests=int(result["sent"]),
        errors=sum(errors.values()),
        p50=percentile(lat, 0.50),
        p90=percentile(lat, 0.90),
        p99=percentile(lat, 0.99),
        max=lat[-1] if lat else float("nan"),
        throughput=answered / float(result["elapsed_s"]),
        rss_mib=sampler.peak.rss_mib,
        pss_mib=sampler.peak.pss_mib,
        cpu_ms=cpu_s * 1000 / answered if answered else math.nan,
        loadgen_cpu_ms=result["loadgen_cpu_s"] * 1000 / answered if answered else math.nan,
        error_kinds=errors,
    )


def wait_quiet(pid: int, limit_s: float = 60.0) -> None:
    """Let an overloaded server finish its backlog, so one run does not bleed into the next."""
    deadline = time.monotonic() + limit_s
    before = tree_cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = tree_cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now


def measure(
    db: str, mode: str, job: dict[str, Any], env: dict[str, str], sampler: MemorySampler
) -> Row:
    before = tree_cpu_seconds(sampler.pid)
    result = drive(job, env)
    return summarise(db, mode, result, sampler, tree_cpu_seconds(sampler.pid) - before)


def bench_one(
    db: str, env: dict[str, str], args: argparse.Namespace, targets: list[Target]
) -> list[Row]:
    token = run_checked([sys.executable, "-m", "benchmarks._token"], env).strip()
    port = free_port()
    base = {"port": port, "token": token, "targets": [asdict(t) for t in targets]}
    base["fields"] = args.fields
    log = Path(env["EVERYTOUCH_VAR_DIR"]) / "server.log"
    rows: list[Row] = []
    serve = ["--threads", str(args.threads)]
    try:
        with running_server(env, port, args.workers, log, serve) as server:
            # Warm-up, not measured: imports, first queries and connections happen here.
            drive({**base, "mode": "closed", "duration": 2, "connections": 2}, env)
            with MemorySampler(server.pid) as sampler:
                console.log(f"{db}: {args.rate:g} req/s for {args.duration:g}s, open loop")
                job = {**base, "mode": "open", "rate": args.rate, "duration": args.duration}
                rows.append(measure(db, f"open {args.rate:g}/s", job, env, sampler))
                if args.max_seconds > 0:
                    wait_quiet(server.pid)
                    console.log(f"{db}: flat out for {args.max_seconds:g}s")
                    job = {**base, "mode": "closed", "duration": args.max_seconds}
                    job["connections"] = args.max_connections
                    rows.append(measure(db, "closed (max)", job, env, sampler))
    finally:
        # The run's directory is temporary; keep the server's log where the cache lives.
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        if log.exists():
            shutil.copyfile(log, CACHE_DIR / f"server-{db}.log")
    return rows


# --- report ----------------------------------------------------------------------------------


def table(rows: list[Row], args: argparse.Namespace) -> Table:
    fields = f", fields={args.fields}" if args.fields else ""
    title = (
        f"GET /api/v1/identify{fields}, {args.customers:,} customers, "
        f"{args.workers} workers x {args.threads} threads"
    )
    out = Table(title=title)
    for name in ("db", "mode", "requests", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        out.add_column(name, justify="left" if name in ("db", "mode") else "right")
    for name in ("req/s", "server CPU ms/req", f"{os.cpu_count()} cores / CPU req/s"):
        out.add_column(name, justify="right")
    for name in ("loadgen CPU ms/req", "RSS MiB", "PSS MiB"):
        out.add_column(name, justify="right")
    for r in rows:
        figures = [r.p50, r.p90, r.p99, r.max, r.throughput, r.cpu_ms, r.ceiling]
        figures += [r.loadgen_cpu_ms, r.rss_mib, r.pss_mib]
        out.add_row(r.db, r.mode, f"{r.requests:,}", str(r.errors), *map(_figure, figures))
    return out


def _figure(value: float) -> str:
    if math.isinf(value):
        return "timeout"
    return "-" if math.isnan(value) else f"{value:.1f}"


def set_niceness(nice: int) -> None:
    """Run this process and its children (server, load generator) at ``nice``.

    On a machine shared with other work this approximates a dedicated server. Linux's
    autogroup scheduling weighs sessions against each other and applies a process's nice value
    only inside its own session, so the session's autogroup is given the same value. The
    database server (PostgreSQL) is not a child and keeps its priority.
    """
    os.nice(nice - os.nice(0))
    autogroup = Path("/proc/self/autogroup")
    if autogroup.exists():
        autogroup.write_text(str(nice))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.identify", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of open-loop load")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--max-seconds", type=float, default=5.0, help="closed loop; 0 skips")
    parser.add_argument("--max-connections", type=int, default=4)
    parser.add_argument(
        "--pg-db", default=PG_DB, help="PostgreSQL database to create and drop (one per runner)"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="server processes")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per process")
    parser.add_argument("--fields", default="", help="sent as ?fields= (e.g. last_interactions)")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness for this run, the server and the load generator (negative needs root)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.nice:
        set_niceness(args.nice)
    numbers = Numbers(args.customers)
    if rejected := check_sample(numbers):
        raise SystemExit(f"{rejected} generated phone numbers are not valid; fix AREA_CODES")
    targets = make_targets(numbers)
    # Other work on the machine shows up as latency; the load average puts figures in context.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.log(f"cpus={os.cpu_count()} load average={load} niceness={os.nice(0)}")
    databases: dict[str, Callable[[Numbers, Path], AbstractContextManager[dict[str, str]]]] = {
        "sqlite": sqlite_database,
        "postgres": partial(postgres_database, name=args.pg_db),
    }
    chosen = list(databases) if args.db == "both" else [args.db]
    rows: list[Row] = []
    for db in chosen:
        with (
            tempfile.TemporaryDirectory(prefix=f"everytouch-bench-{db}-") as work,
            databases[db](numbers, Path(work)) as env,
        ):
            rows += bench_one(db, env, args, targets)
    Console(width=180).print(table(rows, args))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.log(f"load average at the end={load}")
    for r in rows:
        if r.error_kinds:
            console.print(f"{r.db} {r.mode} errors: {r.error_kinds}")
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
