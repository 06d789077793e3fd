"""How fast does ``everytouch import customers`` store a million rows?

    .venv/bin/python -m benchmarks.import_customers [--rows 1000000] [--baseline-rows 5000]
                                                    [--db sqlite|postgres|both]

Generates a deterministic CSV of ``--rows`` customers (cached under the temp dir), imports it
into a fresh database with the real command (``python -m everytouch.cli import customers``, in a
child process), and prints rows/s, the command's CPU time per row and its peak RSS. In the same
run it times the old per-row path (``check_rows`` then ``create_customer`` per row in one
transaction, as the command did before issue 13) and the new command on the first
``--baseline-rows`` rows, each into its own fresh database, and prints the ratio. Target
(issue 13): at least 5,000 rows/s on SQLite.

SQLite databases are copies of an empty migrated file cached under the temp dir (keyed by the
migrations digest); PostgreSQL is ``everytouch_import_bench`` (or ``$EVERYTOUCH_IMPORT_BENCH_DB``,
so two runs on one server keep apart), created and dropped per import.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from benchmarks._dataset import COMPANIES, FIRST, LAST, Numbers
from benchmarks.identify import CACHE_DIR, PG_SERVER, migrate, migrations_digest, server_env

REPO = Path(__file__).resolve().parent.parent
PG_DB = os.environ.get("EVERYTOUCH_IMPORT_BENCH_DB", "everytouch_import_bench")
# Bump when the generated rows change, so a cached CSV written by older code is not reused.
CSV_VERSION = 1
OWNERS = ("bench-rep1", "bench-rep2", "bench-rep3")
CARD = "4111 1111 1111 1111"
console = Console(stderr=True)
# The command's last line on stderr: "Checked N row(s) in X s, stored N in Y s (...)".
PHASES = re.compile(
    r"Checked \S+ row\(s\) in (?P<check>[\d.]+) s, stored \S+ in (?P<store>[\d.]+) s"
)


# --- the file --------------------------------------------------------------------------------


def _row(numbers: Numbers, i: int) -> list[str]:
    """One customer as a person types them: phones with punctuation, e-mails in mixed case."""
    e164 = numbers.phone(i)
    phone = f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    email = f"{first}.{last}{i}@Example.com"
    owner = OWNERS[i % 4] if i % 4 < len(OWNERS) else ""
    notes = ""
    if i % 10 == 0:
        notes = "Prefers mornings"
    if i % 1000 == 0:
        notes = f"Paid with card {CARD}, call back"  # must be stored redacted
    return [f"{first} {last}", COMPANIES[i % len(COMPANIES)], phone, email, owner, notes]


def write_csv(path: Path, rows: int) -> None:
    import csv

    numbers = Numbers(rows)
    building = path.with_suffix(".building")
    with building.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["name", "company", "phone", "email", "owner", "notes"])
        for i in range(rows):
            out.writerow(_row(numbers, i))
    building.replace(path)


def csv_file(rows: int) -> Path:
    path = CACHE_DIR / f"import-customers-{rows}-v{CSV_VERSION}.csv"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        write_csv(path, rows)
        console.log(f"wrote {rows:,} rows to {path} in {time.monotonic() - start:.1f}s")
    return path


def head(path: Path, rows: int, target: Path) -> Path:
    """The header and the first ``rows`` rows (one line each: the generated notes have no
    line breaks)."""
    with path.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            if n > rows:
                break
            out.write(line)
    return target


# --- databases -------------------------------------------------------------------------------


def empty_sqlite() -> Path:
    cached = CACHE_DIR / f"import-empty-{migrations_digest()}.sqlite3"
    if not cached.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stale in CACHE_DIR.glob("import-empty-*.sqlite3"):
            stale.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "everytouch.sqlite3"
            migrate(server_env(f"sqlite:///{db}", Path(tmp)))
            shutil.copyfile(db, cached)
    return cached


def _pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(sql.encode())


@contextmanager
def fresh_database(db: str, workdir: Path) -> Iterator[dict[str, str]]:
    """A migrated, empty database with the owners the file names, for one import."""
    if db == "sqlite":
        path = workdir / "everytouch.sqlite3"
        path.unlink(missing_ok=True)
        shutil.copyfile(empty_sqlite(), path)
        env = server_env(f"sqlite:///{path}", workdir)
        _inner(env, "--inner-setup")
        yield env
        return
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_DB}")
    try:
        env = server_env(f"{PG_SERVER}/{PG_DB}", workdir)
        migrate(env)
        _inner(env, "--inner-setup")
        yield env
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _inner(env: dict[str, str], *argv: str) -> str:
    argv_full = [sys.executable, "-m", "benchmarks.import_customers", *argv]
    done = subprocess.run(argv_full, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-4000:]}")
    return done.stdout


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Run:
    db: str
    path: str  # "new" (the command) or "old" (create_customer per row)
    rows: int
    wall_s: float
    cpu_s: float
    rss_mib: float
    stored: dict[str, int]
    phases: str  # the command's own "checked in / stored in" seconds; "" for the old path

    @property
    def rate(self) -> float:
        return self.rows / self.wall_s

    @property
    def cpu_ms_per_row(self) -> float:
        return self.cpu_s * 1000 / self.rows


def timed_child(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process, and its stderr."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {child.returncode}:\n{stderr[-4000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr


def measure(db: str, path: str, csv: Path, rows: int, workdir: Path) -> Run:
    with fresh_database(db, workdir) as env:
        if path == "new":
            argv = [sys.executable, "-m", "everytouch.cli", "import", "customers", str(csv)]
        else:
            argv = [sys.executable, "-m", "benchmarks.import_customers", "--inner-old", str(csv)]
        wall, cpu, rss, err = timed_child(argv, env)
        stored = json.loads(_inner(env, "--inner-count"))
    if stored["customers"] != rows or stored["unredacted cards"]:
        raise RuntimeError(f"{db} {path}: expected {rows} customers, none unredacted: {stored}")
    found = PHASES.search(err)
    phases = f"{found['check']} / {found['store']}" if found else ""
    run = Run(db, path, rows, wall, cpu, rss, stored, phases)
    console.log(f"{db} {path}: {rows:,} rows in {wall:.1f}s ({run.rate:,.0f} rows/s), {stored}")
    return run


# --- inside the child processes (Django set up there) ----------------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "everytouch.settings")
    django.setup()


def inner_setup() -> None:
    _django()
    from everytouch.accounts.actions import create_user
    from everytouch.accounts.models import Role

    for name in OWNERS:
        create_user(name, "bench-password-not-used", Role.REP)


def inner_old(path: str) -> None:
    """The command before issue 13: check everything, then create_customer per row."""
    _django()
    from django.db import transaction

    from everytouch.customers import importing
    from everytouch.customers.actions import create_customer

    read = importing.read_file(Path(path).read_bytes())
    checked = importing.check_rows(read.rows)
    if checked.problems:
        raise SystemExit(f"{len(checked.problems)} bad rows")
    with transaction.atomic():
        for row in checked.good:
            create_customer(row.data, None)


def inner_count() -> None:
    _django()
    from everytouch.customers.models import ContactPoint, Customer, TimelineEvent

    counts = {
        "customers": Customer.objects.count(),
        "contact points": ContactPoint.objects.count(),
        "timeline events": TimelineEvent.objects.count(),
        "owned": Customer.objects.filter(owner__isnull=False).count(),
        "unredacted cards": Customer.objects.filter(notes__contains=CARD).count(),
    }
    print(json.dumps(counts))


# --- main ------------------------------------------------------------------------------------


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def report(runs: list[Run], target: float) -> None:
    table = Table(title=f"import customers (load average at the end: {load_average()})")
    columns = ("db", "path", "rows", "wall s", "check / store s", "rows/s", "CPU ms/row", "RSS MiB")
    for column in columns:
        table.add_column(column, justify="right")
    for r in runs:
        table.add_row(
            r.db,
            r.path,
            f"{r.rows:,}",
            f"{r.wall_s:.1f}",
            r.phases,
            f"{r.rate:,.0f}",
            f"{r.cpu_ms_per_row:.3f}",
            f"{r.rss_mib:.0f}",
        )
    Console().print(table)
    for db in sorted({r.db for r in runs}):
        by = {(r.path, r.rows): r for r in runs if r.db == db}
        old = next(r for (p, _), r in by.items() if p == "old")
        same = by[("new", old.rows)]
        full = max((r for (p, _), r in by.items() if p == "new"), key=lambda r: r.rows)
        verdict = "met" if db != "sqlite" or full.rate >= target else "NOT met"
        print(
            f"{db}: new path {same.rate / old.rate:.1f}x the old one on the same "
            f"{old.rows:,} rows ({same.rate:,.0f} vs {old.rate:,.0f} rows/s); "
            f"{full.rows:,} rows at {full.rate:,.0f} rows/s"
            + (f" (target {target:,.0f} rows/s: {verdict})" if db == "sqlite" else "")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--target", type=float, default=5_000, help="rows/s on SQLite")
    parser.add_argument("--inner-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inner-old", help=argparse.SUPPRESS)
    parser.add_argument("--inner-count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_setup:
        inner_setup()
        return 0
    if args.inner_old:
        inner_old(args.inner_old)
        return 0
    if args.inner_count:
        inner_count()
        return 0
    console.log(f"load average: {load_average()}")
    full = csv_file(args.rows)
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="everytouch-import-") as tmp:
        workdir = Path(tmp)
        sample = head(full, min(args.baseline_rows, args.rows), workdir / "sample.csv")
        sample_rows = min(args.baseline_rows, args.rows)
        for db in dbs:
            runs.append(measure(db, "old", sample, sample_rows, workdir))
            runs.append(measure(db, "new", sample, sample_rows, workdir))
            if args.rows > sample_rows:
                runs.append(measure(db, "new", full, args.rows, workdir))
    report(runs, args.target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
