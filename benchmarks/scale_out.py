"""Scale-out: identify and scoring with 1, 2 and 4 processes, on PostgreSQL with RQ on Redis.

    .venv/bin/python -m benchmarks.scale_out [--customers 1000000] [--processes 1,2,4]
                                             [--seconds 10] [--connections 16]
                                             [--interactions 300] [--redis-url URL]

The deployment of docs/deploy.md ("Scale-out"), measured. On one PostgreSQL database of N
customers (built once and kept between runs as a template, keyed by the dataset version and the
migrations, like identify's SQLite cache), with the RQ task backend on Redis:

- **identify**: for each process count P, ``everytouch serve --workers P`` and the identify
  benchmark's load generator flat out (closed loop) on ``GET /api/v1/identify``: requests per
  second and the CPU per request of the web processes, of PostgreSQL's backends for this
  database and of the load generator.
- **scoring**: for each P, the scoring benchmark's POST phase (N generated calls through
  ``POST /api/v1/interactions``, no worker running), then P ``everytouch worker`` processes (RQ)
  drain the queue: scorecards per second and the CPU per scorecard of the workers, of
  PostgreSQL's backends and of the Redis server.

One table puts the process counts side by side; below it, capacity per core for each tier and
where the next bottleneck is. CPU per request or per scorecard is the figure that carries to a
bigger machine: on a 2-core machine 4 processes cannot run 4 times as fast, and the printed
"cores busy" says how full the machine was. The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import psycopg
from rich.console import Console
from rich.table import Table

from benchmarks._dataset import DATASET_VERSION, Numbers, check_sample, load_postgres
from benchmarks._quality_transcripts import payloads
from benchmarks._server import free_port, running_server, tree_cpu_seconds
from benchmarks.identify import (
    drive,
    make_targets,
    migrate,
    migrations_digest,
    percentile,
    run_checked,
    timed,
    wait_quiet,
)
from benchmarks.quality import (
    Config,
    PostgresCpu,
    config_env,
    database_from,
    drain_phase,
    flush_redis,
    post_phase,
)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Databases of its own (not identify's or quality's), so the three can run side by side; several
# people's runs against one server each name their own prefix.
PG_PREFIX = os.environ.get("EVERYTOUCH_SCALEOUT_DB", "everytouch_scaleout")
# A Redis database of its own (quality uses 12, tests 13); flushed before every scoring run.
REDIS_URL = "redis://127.0.0.1:6379/11"
# The scoring benchmark's web side, as in benchmarks/quality.py: the POSTs are not measured here.
WARM_UP_S = 2.0
# PostgreSQL's backends report their statistics at most once a second.
STATS_LAG_S = 1.5
console = Console(stderr=True)


# --- figures (pure, tested) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdentifyRun:
    processes: int
    answered: int
    errors: int
    wall_s: float
    p50_ms: float
    p99_ms: float
    web_cpu_s: float
    db_cpu_s: float
    loadgen_cpu_s: float
    # PostgreSQL's committed and rolled-back transactions in the window: Django runs each
    # statement outside an atomic block as one, so this is about the statements per request.
    db_transactions: int = 0


@dataclass(frozen=True, slots=True)
class ScoringRun:
    processes: int
    cards: int
    not_scored: int
    post_errors: int
    drain_s: float  # worker launch to the last scorecard
    cards_per_s: float  # over drain_s, worker start-up included (as benchmarks/quality.py)
    steady_per_s: float  # first scorecard to the last: the rate once the workers are up
    worker_ms: float  # per scorecard, steady part of the drain (benchmarks/quality.py)
    db_ms: float  # PostgreSQL's backends, same window
    redis_ms: float  # the whole Redis server over the whole drain, per scorecard
    post_web_ms: float  # web CPU per POST that queued the jobs


def _per_ms(cpu_s: float, count: int) -> float:
    return cpu_s * 1000 / count if count > 0 else float("nan")


def _rate(count: int, wall_s: float) -> float:
    return count / wall_s if wall_s > 0 else float("nan")


@dataclass(frozen=True, slots=True)
class IdentifyFigures:
    processes: int
    per_s: float
    p50_ms: float
    p99_ms: float
    web_ms: float
    db_ms: float
    loadgen_ms: float
    db_transactions: float  # per request
    cores_busy: float  # web + database + load generator CPU over the wall time
    errors: int


def identify_figures(run: IdentifyRun) -> IdentifyFigures:
    cpu = run.web_cpu_s + run.db_cpu_s + run.loadgen_cpu_s
    return IdentifyFigures(
        processes=run.processes,
        per_s=_rate(run.answered, run.wall_s),
        p50_ms=run.p50_ms,
        p99_ms=run.p99_ms,
        web_ms=_per_ms(run.web_cpu_s, run.answered),
        db_ms=_per_ms(run.db_cpu_s, run.answered),
        loadgen_ms=_per_ms(run.loadgen_cpu_s, run.answered),
        db_transactions=_rate(run.db_transactions, run.answered),
        cores_busy=cpu / run.wall_s if run.wall_s > 0 else float("nan"),
        errors=run.errors,
    )


def steady_rate(cards: int, startup_s: float, drain_s: float) -> float:
    """Scorecards per second from the first to the last (start-up is not throughput)."""
    return _rate(cards - 1, drain_s - startup_s)


def scoring_cores_busy(run: ScoringRun) -> float:
    """Cores the workers, PostgreSQL and Redis kept busy while draining at the steady rate."""
    return (run.worker_ms + run.db_ms + run.redis_ms) * run.steady_per_s / 1000


def _median(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return statistics.median(finite) if finite else float("nan")


@dataclass(frozen=True, slots=True)
class Capacity:
    """What one core of each tier carries, from the median CPU per unit over the runs."""

    web_per_core: float  # identify requests/s
    db_per_core_identify: float
    worker_per_core: float  # scorecards/s
    db_per_core_scoring: float
    redis_total: float  # scorecards/s: Redis runs commands on one thread, so this is its ceiling


def capacity(identify: Sequence[IdentifyFigures], scoring: Sequence[ScoringRun]) -> Capacity:
    def per_core(ms: float) -> float:
        return 1000 / ms if ms > 0 else float("nan")

    return Capacity(
        web_per_core=per_core(_median([f.web_ms for f in identify])),
        db_per_core_identify=per_core(_median([f.db_ms for f in identify])),
        worker_per_core=per_core(_median([s.worker_ms for s in scoring])),
        db_per_core_scoring=per_core(_median([s.db_ms for s in scoring])),
        redis_total=per_core(_median([s.redis_ms for s in scoring])),
    )


def bottleneck_lines(cap: Capacity) -> list[str]:
    """Where the next limit is once web processes and workers are added on more machines.

    Web processes and workers keep no state and scale out. PostgreSQL (one primary takes every
    write) grows only by a bigger machine, and Redis runs every command on one thread: whichever
    needs CPU for the fewest web or worker cores runs out first.
    """
    lines: list[str] = []
    pg_identify = _over(cap.db_per_core_identify, cap.web_per_core)
    pg_scoring = _over(cap.db_per_core_scoring, cap.worker_per_core)
    redis_workers = _over(cap.redis_total, cap.worker_per_core)
    if not math.isnan(cap.web_per_core):
        lines.append(
            f"identify: one web core answers {_f(cap.web_per_core, 0)}/s, one PostgreSQL core "
            f"{_f(cap.db_per_core_identify, 0)}/s: a PostgreSQL core per {_f(pg_identify)} "
            "web cores."
        )
    if not math.isnan(cap.worker_per_core):
        lines.append(
            f"scoring: one worker core scores {_f(cap.worker_per_core, 0)}/s, one PostgreSQL "
            f"core {_f(cap.db_per_core_scoring, 0)}/s: a PostgreSQL core per "
            f"{_f(pg_scoring)} worker cores; Redis's one thread {_f(cap.redis_total, 0)}/s in "
            f"all, the work of {_f(redis_workers)} worker cores."
        )
    per_pg_core = _median([v for v in (pg_identify, pg_scoring) if not math.isnan(v)])
    if not math.isnan(per_pg_core):
        verdict = (
            f"next bottleneck: PostgreSQL, which needs a core for every {_f(per_pg_core)} web or "
            "worker cores and grows only by a bigger machine"
        )
        if not math.isnan(redis_workers):
            verdict += (
                f"; Redis's one thread comes next, at {_f(redis_workers, 0)} worker cores (once "
                f"PostgreSQL has more than {_f(redis_workers / per_pg_core)} cores)"
            )
        lines.append(verdict + ".")
    return lines


def _over(a: float, b: float) -> float:
    return a / b if b > 0 and not math.isnan(a) else float("nan")


def parse_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("give process counts like 1,2,4")
    return counts


# --- CPU of the shared servers ---------------------------------------------------------------


def redis_cpu_seconds() -> float:
    """CPU so far of the Redis server(s) on this machine: shared, so an upper bound for ours."""
    total = 0.0
    for proc in psutil.process_iter(["name"]):
        try:
            if proc.info["name"] == "redis-server":
                t = proc.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            continue
    return total


def pg_transactions(url: str) -> int:
    """Transactions PostgreSQL has counted for the database so far (statistics lag a second)."""
    sql = (
        "SELECT xact_commit + xact_rollback FROM pg_stat_database"
        " WHERE datname = current_database()"
    )
    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute(sql.encode()).fetchone()
    return int(row[0]) if row else 0


# --- the database ----------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


def _pg_names(prefix: str) -> list[str]:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        rows = con.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)
        ).fetchall()
    return [str(r[0]) for r in rows]


def template_names(customers: int) -> tuple[str, str]:
    """The migrated empty database (scoring) and the one with the customers (identify)."""
    key = f"v{DATASET_VERSION}_{migrations_digest()}"
    return f"{PG_PREFIX}_empty_{key}", f"{PG_PREFIX}_c{customers}_{key}"


def cached_templates(numbers: Numbers, workdir: Path, redis_url: str) -> tuple[str, str]:
    """Both templates, kept between runs while the dataset version and migrations match."""
    empty, full = template_names(numbers.known)
    kept = set(_pg_names(PG_PREFIX))
    # Stale ones first: a million customers take about half a gigabyte.
    for stale in kept - {empty, full}:
        if stale.startswith((f"{PG_PREFIX}_empty_", f"{PG_PREFIX}_c")):
            pg_admin(f"DROP DATABASE IF EXISTS {stale} WITH (FORCE)")
    if empty in kept:
        console.log(f"postgres: reusing {empty}")
    else:
        with timed("postgres: migrated the empty template"):
            _build(empty, lambda url: migrate(config_env("rq", url, workdir, redis_url)))
    if full in kept:
        console.log(f"postgres: reusing {full}")
    else:
        with timed(f"postgres: built {numbers.known:,} customers"):
            _build(full, lambda url: load_postgres(url, numbers), template=empty)
    return empty, full


def _build(name: str, fill: Callable[[str], None], template: str | None = None) -> None:
    """Create ``name`` under a temporary name and rename it only once it is complete."""
    building = f"{PG_PREFIX}_building"
    pg_admin(f"DROP DATABASE IF EXISTS {building} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {building}" + (f" TEMPLATE {template}" if template else ""))
    fill(f"{PG_SERVER}/{building}")
    pg_admin(f"ALTER DATABASE {building} RENAME TO {name}")


# --- identify --------------------------------------------------------------------------------


@contextmanager
def serving(env: dict[str, str], processes: int, workdir: Path) -> Iterator[tuple[int, int]]:
    port = free_port()
    log = workdir / f"identify-{processes}p.log"
    with running_server(env, port, processes, log) as server:
        yield port, server.pid


def identify_once(
    env: dict[str, str], processes: int, base: dict[str, object], args: argparse.Namespace
) -> IdentifyRun:
    postgres = PostgresCpu(env["DATABASE_URL"])
    with serving(env, processes, Path(env["EVERYTOUCH_VAR_DIR"])) as (port, pid):
        job = {**base, "port": port, "mode": "closed", "connections": args.connections}
        # Warm-up, not measured: every process imports, connects and fills its caches.
        drive({**job, "duration": WARM_UP_S}, env)
        wait_quiet(pid)
        console.log(f"identify: {processes} web process(es) flat out for {args.seconds:g}s")
        url = env["DATABASE_URL"]
        web0, db0, tx0 = tree_cpu_seconds(pid), postgres.sample(), pg_transactions(url)
        result = drive({**job, "duration": args.seconds}, env)
        web1, db1 = tree_cpu_seconds(pid), postgres.sample()
        time.sleep(STATS_LAG_S)
        tx1 = pg_transactions(url)
    errors: dict[str, int] = result["errors"]
    if errors:
        console.log(f"identify: {processes} web process(es): errors {errors}")
    latencies = sorted(result["latencies_ms"])
    return IdentifyRun(
        processes=processes,
        answered=len(latencies),
        errors=sum(errors.values()),
        wall_s=float(result["elapsed_s"]),
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        web_cpu_s=web1 - web0,
        db_cpu_s=db1 - db0,
        loadgen_cpu_s=float(result["loadgen_cpu_s"]),
        db_transactions=tx1 - tx0 - 1,  # less the first sample's own
    )


def bench_identify(
    template: str, numbers: Numbers, args: argparse.Namespace, workdir: Path
) -> list[IdentifyRun]:
    targets = [asdict(t) for t in make_targets(numbers)]
    # A copy: the server writes (the token's user, last-used stamps) and the template stays clean.
    with database_from("postgres", template, f"{PG_PREFIX}_identify", workdir) as (url, _):
        env = config_env("rq", url, workdir, args.redis_url)
        token = run_checked([sys.executable, "-m", "benchmarks._token"], env).strip()
        base: dict[str, object] = {"token": token, "targets": targets}
        return [identify_once(env, p, base, args) for p in args.processes]


# --- scoring ---------------------------------------------------------------------------------


def scoring_once(
    template: str, bodies: list[bytes], processes: int, args: argparse.Namespace, workdir: Path
) -> ScoringRun:
    # RQ's queue lives in Redis, so each worker count POSTs afresh into a fresh copy.
    with database_from("postgres", template, f"{PG_PREFIX}_scoring", workdir) as (url, _):
        env = config_env("rq", url, workdir, args.redis_url)
        flush_redis(args.redis_url)
        post = post_phase(env, bodies, workdir, f"scale-out-rq-{processes}w")
        redis0, started = redis_cpu_seconds(), time.monotonic()
        row = drain_phase(Config("postgres", "rq", processes), env, post, workdir, _no_profile())
        redis_s = redis_cpu_seconds() - redis0
        console.log(f"scoring: Redis used {redis_s:.2f}s CPU in {time.monotonic() - started:.0f}s")
    cards = row.interactions - row.post_errors
    return ScoringRun(
        processes=processes,
        cards=cards - row.not_scored,
        not_scored=row.not_scored,
        post_errors=row.post_errors,
        drain_s=row.drain_s,
        cards_per_s=row.cards_per_s,
        steady_per_s=steady_rate(cards, row.startup_s, row.drain_s),
        worker_ms=row.worker_cpu_ms_per_card,
        db_ms=row.db_cpu_ms_per_card,
        redis_ms=_per_ms(redis_s, cards),
        post_web_ms=row.server_cpu_ms_per_post,
    )


def _no_profile() -> argparse.Namespace:
    return argparse.Namespace(profile=None)


# --- report ----------------------------------------------------------------------------------


def _f(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _times(value: float, base: float) -> str:
    return "-" if math.isnan(value) or math.isnan(base) or base == 0 else f"{value / base:.2f}x"


def table(identify: Sequence[IdentifyFigures], scoring: Sequence[ScoringRun], title: str) -> Table:
    out = Table(title=title)
    columns = ["processes", "identify/s", "vs 1", "p50 ms", "p99 ms", "web CPU ms/req"]
    columns += ["PostgreSQL CPU ms/req", "PostgreSQL xact/req", "loadgen CPU ms/req"]
    columns += ["cores busy"]
    columns += ["drain s", "scorecards/s", "vs 1", "worker CPU ms/card", "PostgreSQL CPU ms/card"]
    columns += ["Redis CPU ms/card", "cores busy"]
    for name in columns:
        out.add_column(name, justify="right")
    by_i = {f.processes: f for f in identify}
    by_s = {s.processes: s for s in scoring}
    first_i = identify[0].per_s if identify else float("nan")
    first_s = scoring[0].steady_per_s if scoring else float("nan")
    for p in sorted(by_i.keys() | by_s.keys()):
        cells = [str(p)]
        if (f := by_i.get(p)) is not None:
            cells += [_f(f.per_s, 0), _times(f.per_s, first_i), _f(f.p50_ms), _f(f.p99_ms)]
            cells += [_f(f.web_ms, 2), _f(f.db_ms, 2), _f(f.db_transactions)]
            cells += [_f(f.loadgen_ms, 2), _f(f.cores_busy, 2)]
        else:
            cells += ["-"] * 9
        if (s := by_s.get(p)) is not None:
            cells += [_f(s.drain_s), _f(s.steady_per_s), _times(s.steady_per_s, first_s)]
            cells += [_f(s.worker_ms)]
            cells += [_f(s.db_ms), _f(s.redis_ms, 2), _f(scoring_cores_busy(s), 2)]
        else:
            cells += ["-"] * 7
        out.add_row(*cells)
    return out


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.scale_out", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--processes", type=parse_counts, default=[1, 2, 4], help="e.g. 1,2,4")
    parser.add_argument("--seconds", type=float, default=10.0, help="identify, flat out, per run")
    parser.add_argument("--connections", type=int, default=16, help="identify load generator")
    parser.add_argument("--interactions", type=int, default=300, help="scoring, per run")
    parser.add_argument("--redis-url", default=REDIS_URL, help="flushed before each scoring run")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip", choices=("identify", "scoring"), help="leave one half out")
    parser.add_argument("--json", type=Path, help="also write the figures to FILE")
    return parser.parse_args(argv)


def _run_halves(
    args: argparse.Namespace, numbers: Numbers, work: Path
) -> tuple[list[IdentifyRun], list[ScoringRun]]:
    empty, full = cached_templates(numbers, work, args.redis_url)
    identify: list[IdentifyRun] = []
    scoring: list[ScoringRun] = []
    if args.skip != "identify":
        identify = bench_identify(full, numbers, args, work)
    if args.skip != "scoring":
        # As benchmarks/quality.py: an empty database, copied in a second. A scoring job reads
        # the call's own rows by key, so a million customers beside them change little.
        bodies = [json.dumps(p).encode() for p in payloads(args.interactions, args.seed)]
        scoring = [scoring_once(empty, bodies, p, args, work) for p in args.processes]
    return identify, scoring


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    numbers = Numbers(args.customers)
    if rejected := check_sample(numbers):
        raise SystemExit(f"{rejected} generated phone numbers are not valid; fix AREA_CODES")
    start_load = load_average()
    console.log(f"cpus={os.cpu_count()} load average={start_load}")
    with tempfile.TemporaryDirectory(prefix="everytouch-scaleout-") as work:
        identify, scoring = _run_halves(args, numbers, Path(work))
    figures = [identify_figures(r) for r in identify]
    title = (
        f"Scale-out on PostgreSQL + RQ, {args.customers:,} customers, {os.cpu_count()} cores, "
        f"load average {start_load} at the start, {load_average()} at the end"
    )
    Console(width=220).print(table(figures, scoring, title))
    for line in bottleneck_lines(capacity(figures, scoring)):
        console.print(line)
    if args.json:
        data = {"identify": [asdict(f) for f in figures], "scoring": [asdict(s) for s in scoring]}
        args.json.write_text(json.dumps(data, indent=2))
    failed = [
        f"identify, {f.processes} process(es): {f.errors} errors" for f in figures if f.errors
    ]
    failed += [
        f"scoring, {s.processes} worker(s): {s.post_errors} POST errors, {s.not_scored} not scored"
        for s in scoring
        if s.not_scored or s.post_errors
    ]
    for line in failed:
        console.print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
