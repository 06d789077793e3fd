"""Where does the screen pop's CPU time go? Django's WSGI application, in one process, profiled.

    .venv/bin/python -m benchmarks.identify_profile [--db sqlite|postgres] [--requests 4000]
                                                    [--top 30] [--customers 1000000]

Uses the same database as ``benchmarks.identify`` (the cached SQLite file, or PostgreSQL
built afresh) and the same request mix, but calls ``everytouch.wsgi.application`` directly:
no gunicorn, no sockets, no load generator, so the figure is the app's own CPU time per
request, and it is CPU time (``time.process_time``), so other work on the machine barely moves
it. Prints the CPU per request without the profiler, then cProfile's top functions by own
time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks._dataset import Numbers
from benchmarks._loadgen import Target, check

WARM_UP = 300
StartResponse = Callable[..., Any]


def environ_for(target: Target, token: str, fields: str = "") -> dict[str, Any]:
    """The WSGI environ gunicorn would hand the app for the load generator's request."""
    query = f"q={quote(target.q)}" + (f"&fields={fields}" if fields else "")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/identify",
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


App = Callable[[dict[str, Any], StartResponse], Any]


def call(app: App, env: dict[str, Any]) -> tuple[int, bytes]:
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        status.append(line)

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        # Closing fires request_finished, as gunicorn does (connection bookkeeping runs there).
        getattr(result, "close", lambda: None)()
    return int(status[0].split(" ", 1)[0]), body


def inside(args: argparse.Namespace) -> None:
    """Run in the server's environment: make a token, warm up, time, then profile."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "everytouch.settings")
    import django

    django.setup()
    from benchmarks.identify import make_targets
    from everytouch.accounts.actions import create_user, issue_token
    from everytouch.accounts.models import Role
    from everytouch.wsgi import application

    user = create_user(f"profile-{os.getpid()}", "not-used-profile-pw", Role.REP)
    _, token = issue_token(user, "identify profile")
    targets = make_targets(Numbers(args.customers))
    envs = [environ_for(t, token, args.fields) for t in targets]
    # The access log goes to stderr in the server; here to /dev/null, still written.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)

    def run(count: int, offset: int) -> None:
        for i in range(offset, offset + count):
            target, env = targets[i % len(targets)], envs[i % len(envs)]
            env["wsgi.input"] = io.BytesIO(b"")
            status, body = call(application, env)
            if (problem := check(target, status, body)) is not None:
                raise SystemExit(f"wrong answer for {target.q!r}: {problem}: {body[:300]!r}")

    run(WARM_UP, 0)
    start = time.process_time()
    run(args.requests, WARM_UP)
    cpu_ms = (time.process_time() - start) * 1000 / args.requests
    profiler = cProfile.Profile()
    profiler.enable()
    run(args.requests, WARM_UP + args.requests)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"app CPU per request, unprofiled: {cpu_ms:.3f} ms ({args.requests} requests)")
    print_areas(stats)
    stats.strip_dirs()
    print(f"profiled requests: {args.requests}; times below are totals over them")
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    print(json.dumps({"cpu_ms": cpu_ms}))


def area(filename: str, function: str) -> str:
    """Which library or part of the app a profiled function belongs to."""
    if filename == "~":  # a C function: the driver's execute, or a builtin
        driver = ("sqlite3", "SQLiteCursorWrapper", "psycopg", "Cursor")
        return "database driver" if any(d in function for d in driver) else "builtins"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].split(".")[0]
    if "everytouch" in path.parts:
        rest = path.parts[path.parts.index("everytouch") + 1 :]
        return "everytouch." + (rest[0].removesuffix(".py") if rest else "")
    return "benchmark" if "benchmarks" in path.parts else "python stdlib"


def print_areas(stats: pstats.Stats) -> None:
    """Own time (cProfile's tottime) summed by area, largest first, as shares of the whole."""
    totals: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, own, *_) in raw.items():
        key = area(filename, function)
        totals[key] = totals.get(key, 0.0) + own
    whole = sum(totals.values()) or 1.0
    print("own time by area (share of the profiled total):")
    for key, own in sorted(totals.items(), key=lambda kv: -kv[1]):
        if own / whole >= 0.005:
            print(f"  {key:<28} {100 * own / whole:5.1f} %")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.identify_profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--fields", default="", help="sent as ?fields= (e.g. last_interactions)")
    parser.add_argument("--pg-db", default="everytouch_bench", help="PostgreSQL database to use")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.inside:
        inside(args)
        return 0
    from benchmarks.identify import postgres_database, sqlite_database

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cpus={os.cpu_count()} load average={load}", file=sys.stderr)
    databases: dict[str, Callable[[Numbers, Path], AbstractContextManager[dict[str, str]]]] = {
        "sqlite": sqlite_database,
        "postgres": partial(postgres_database, name=args.pg_db),
    }
    numbers = Numbers(args.customers)
    with (
        tempfile.TemporaryDirectory(prefix=f"everytouch-profile-{args.db}-") as work,
        databases[args.db](numbers, Path(work)) as env,
    ):
        argv_inside = [sys.executable, "-m", "benchmarks.identify_profile", "--inside"]
        argv_inside += ["--customers", str(args.customers), "--requests", str(args.requests)]
        argv_inside += ["--top", str(args.top), "--fields", args.fields]
        done = subprocess.run(argv_inside, env=env, cwd=Path(__file__).resolve().parent.parent)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
