"""Run it: `demo`, `serve`, `worker`, `sweep` and `migrate`, and the demo's process supervisor."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, MutableMapping
from types import FrameType
from typing import NoReturn

from everytouch.cli.ops import tighten_file_modes
from everytouch.cli_base import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    Subcommands,
    UsageError,
    command,
    positive,
    require_database,
    run_management,
    setup_django,
)

# --- migrate, worker, sweep, serve ---------------------------------------------------------


def cmd_migrate(args: argparse.Namespace, extra: list[str]) -> int:
    tighten_file_modes()
    return run_management("migrate", extra)


def cmd_worker(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    tighten_file_modes()
    from django.conf import settings

    from everytouch.outbox import workers

    # While this process lives it beats every few seconds; if it is killed mid-job, the sweep
    # knows within half a minute that the outbound work it claimed is orphaned.
    stop = workers.start_heartbeat()
    try:
        if settings.TASKS["default"]["BACKEND"] == settings.RQ_TASK_BACKEND:
            return run_management("rqworker", [*rq_worker_args(), *extra])
        return run_management("db_worker", [*db_worker_args(extra), *extra])
    finally:
        stop.set()


def db_worker_args(extra: list[str]) -> list[str]:
    """The heartbeat's worker id as the task backend's, so a dead worker's tasks can be failed."""
    from everytouch.outbox import workers

    if any(arg.startswith("--worker-id") for arg in extra):
        return []
    return ["--worker-id", workers.identity()]


def rq_worker_args() -> list[str]:
    """What `rqworker` is told before the user's own options (a later one wins)."""
    from everytouch.cli import rq_worker

    # Deferred jobs (escalations, retries) need RQ's scheduler running in the worker; jobs run
    # in the worker process rather than a fork each (why it is safe: cli/rq_worker.py).
    return [
        "--with-scheduler",
        "--job-class",
        "django_tasks_rq.Job",
        "--worker-class",
        rq_worker.PATH,
    ]


def cmd_sweep(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the safety-net sweeps once, or every N seconds until stopped."""
    require_database()
    from everytouch import sweeps

    while True:
        done = sweeps.run_all()
        if args.verbose or not args.every:
            for name, count in done.items():
                print(f"{name}: {'failed (see log)' if count < 0 else count}")
        if not args.every:
            return EXIT_FAILED if any(c < 0 for c in done.values()) else EXIT_OK
        time.sleep(args.every)


def _bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "everytouch.wsgi:application"]
    argv += ["--bind", _bind_address(args.host, args.port)]
    argv += ["--workers", str(args.workers), "--threads", str(args.threads)]
    argv += ["--worker-class", "gthread", "--graceful-timeout", "10"]
    argv += ["--keep-alive", str(args.keep_alive)]
    argv += ["--log-level", args.log_level]
    if not args.no_access_log:
        argv += ["--access-logfile", "-"]
    return argv


def cmd_serve(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    tighten_file_modes()
    argv = gunicorn_argv(args)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec, not a child: signals from a process manager go straight to gunicorn's master.
    os.execv(argv[0], argv)  # noqa: S606


# --- demo ----------------------------------------------------------------------------------

# Kept here rather than imported from everytouch.demo, which needs Django set up first.
DEMO_TIME_ZONE = "America/Chicago"


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port} ({exc.strerror}); try --port"
            ) from exc


def _migrate_quietly() -> None:
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise CommandFailed(f"cannot prepare the database: {exc}") from exc


def _prepare_demo(reset: bool) -> None:
    from django.core.management import call_command

    from everytouch import demo

    print("Preparing the database...", flush=True)
    _migrate_quietly()
    if reset:
        print("Wiping the database (--reset)...", flush=True)
        call_command("flush", interactive=False, verbosity=0)
    if demo.is_loaded():
        print("Demo data already loaded (pass --reset to start over).")
        return
    print("Creating demo data for Brightline Office Systems...", flush=True)
    started = time.monotonic()
    try:
        counts = demo.load_demo()
    except demo.DemoError as exc:
        raise UsageError(f"{exc}; use another database or pass --reset") from exc
    elapsed = time.monotonic() - started
    print(f"Created {counts.summary()} in {elapsed:.1f} s.")


def _print_banner(url: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from everytouch import demo

    table = Table(title="Demo logins", title_justify="left")
    for column in ("username", "password", "role", "who"):
        table.add_column(column)
    for person in demo.STAFF:
        table.add_row(person.username, demo.DEMO_PASSWORD, person.role.value, person.title)
    console = Console()
    console.print()
    console.print(f"[bold green]Everytouch demo is running at {url}[/]")
    console.print(table)
    console.print("Press Ctrl-C to stop the web server and the worker.\n")


def child(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `everytouch ARGS...` as a child process of this Python, with `env` added."""
    command = [sys.executable, "-m", "everytouch.cli", *args]
    return subprocess.Popen(command, env={**os.environ, **(env or {})})  # noqa: S603


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Stop


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for process in children:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def supervise(children: dict[str, subprocess.Popen[bytes]]) -> int:
    """Wait until Ctrl-C (or SIGTERM), or until one child dies; then stop the others."""
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        while True:
            for name, process in children.items():
                if process.poll() is not None:
                    print(f"The {name} stopped (exit {process.returncode}).", file=sys.stderr)
                    return EXIT_FAILED
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        print("\nStopping...", file=sys.stderr)
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_children(list(children.values()))


def demo_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the demo (all addresses: via the loopback)."""
    wildcards = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 (read, not bound)
    host = wildcards.get(host, host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def demo_environment(environ: MutableMapping[str, str]) -> None:
    """What the demo sets unless the user set it; its worker, sweeper and server inherit it."""
    # A demo has no mail server: notices are written to var/mail/ instead (unless configured).
    # (Everytouch's file backend: Django's own would leave the files readable by everyone.)
    environ.setdefault("EMAIL_BACKEND", "everytouch.ops.mailfiles.EmailBackend")
    # Brightline is in Chicago: served in UTC, its office hours would read as the night.
    environ.setdefault("TIME_ZONE", DEMO_TIME_ZONE)


def cmd_demo(args: argparse.Namespace, extra: list[str]) -> int:
    _check_port_free(args.host, args.port)
    # Before Django reads its settings, so this process plans the history in the same zone.
    demo_environment(os.environ)
    url = demo_url(args.host, args.port)
    # Links in notices point where the demo runs, unless SITE_URL says otherwise.
    env = {} if os.environ.get("SITE_URL", "").strip() else {"SITE_URL": url.rstrip("/")}
    setup_django()
    tighten_file_modes()
    _prepare_demo(args.reset)
    address = ["--host", args.host, "--port", str(args.port)]
    children = {
        "worker": child("worker", "--no-reload", "--verbosity", "0", env=env),
        "sweeper": child("sweep", "--every", "60", env=env),
        "web server": child(
            "serve", *address, "--log-level", "warning", "--no-access-log", env=env
        ),
    }
    _print_banner(url)
    return supervise(children)


# --- arguments -----------------------------------------------------------------------------


def _port(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 1 and 65535")
    return value


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on")


def add_commands(sub: Subcommands) -> None:
    demo = command(sub, "demo", cmd_demo, "migrate, load demo data once, serve web + worker")
    _add_address(demo)
    demo.add_argument("--reset", action="store_true", help="wipe the database and start over")
    serve = command(sub, "serve", cmd_serve, "serve the web app with gunicorn")
    _add_address(serve)
    serve.add_argument("--workers", type=positive, default=2, help="processes (default 2)")
    serve.add_argument("--threads", type=positive, default=4, help="threads each (default 4)")
    # A phone system (or a proxy in front) that asks every few seconds keeps its connection;
    # gthread parks an idle keep-alive connection in its poller, so it holds no thread.
    serve.add_argument(
        "--keep-alive",
        type=positive,
        default=5,
        help="seconds an idle connection stays open (default 5)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    worker_help = "run the background task worker (options of Django's db_worker pass through)"
    command(sub, "worker", cmd_worker, worker_help, passthrough=True)
    sweep = command(sub, "sweep", cmd_sweep, "re-run what lost background jobs left undone")
    sweep.add_argument(
        "--every", type=positive, default=0, help="repeat every N seconds (default: run once)"
    )
    sweep.add_argument("--verbose", action="store_true", help="print counts on every round")
    migrate_help = "apply database migrations (options of Django's migrate pass through)"
    command(sub, "migrate", cmd_migrate, migrate_help, passthrough=True)
