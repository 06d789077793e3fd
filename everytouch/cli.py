"""The ``everytouch`` console script: run, administer and feed the app from a terminal.

Django is set up only by the commands that touch the database, so ``--help`` and
``everytouch analyze`` work without settings or a database. Mistakes the user can fix (bad
arguments, unknown user, bad CSV rows) end with one clear line on stderr and exit code 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, NoReturn, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User

    from everytouch.customers.importing import RowProblem

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace, list[str]], int]


class UsageError(Exception):
    """Bad input or usage, reported on stderr with exit code 2."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


class CommandFailed(Exception):
    """Something outside the user's input went wrong (database not ready, server died): exit 1."""


class _Parser(argparse.ArgumentParser):
    # argparse would print and sys.exit() itself; raising lets main() return the code, which
    # keeps the CLI callable in-process (tests, other Python code).
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", usage=self.format_usage())


class _ValueFirstParser(_Parser):
    """A parser whose first argument is a value even when it starts with "-".

    Token prefixes (and usernames) may start with "-"; argparse would read `-abc` as an option.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if args and args[0].startswith("-") and args[0] not in ("-h", "--help", "--"):
            args = ["--", *args]
        return super().parse_known_args(args, namespace)


_P = TypeVar("_P", bound=_Parser)


# --- Django and the database ---------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "everytouch.settings")
    import django

    django.setup()


def _pending_migrations() -> int:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as exc:
        raise CommandFailed(f"cannot reach the database: {exc}") from exc


def _require_database() -> None:
    """Set Django up and refuse to go on against a database that is not migrated."""
    _setup_django()
    if pending := _pending_migrations():
        raise CommandFailed(
            f"the database has {pending} unapplied migration(s); run `everytouch migrate` first"
        )


def _run_management(name: str, extra: list[str]) -> int:
    _setup_django()
    from django.core.management import ManagementUtility
    from django.db import DatabaseError

    try:
        ManagementUtility(["everytouch", name, *extra]).execute()
    except DatabaseError as exc:
        raise CommandFailed(f"database error: {exc}") from exc
    except SystemExit as exc:
        # Django's own usage and CommandError exits; keep their code, already reported.
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    return EXIT_OK


def _find_user(username: str) -> User:
    from django.contrib.auth.models import User

    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise UsageError(f"no user named {username!r}") from None


# --- migrate, worker, serve ----------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace, extra: list[str]) -> int:
    return _run_management("migrate", extra)


def cmd_worker(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"] == settings.RQ_TASK_BACKEND:
        # Deferred jobs (escalations, retries) need RQ's scheduler running in the worker.
        rq_args = ["--with-scheduler", "--job-class", "django_tasks_rq.Job"]
        return _run_management("rqworker", [*rq_args, *extra])
    return _run_management("db_worker", extra)


def cmd_sweep(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the safety-net sweeps once, or every N seconds until stopped."""
    _require_database()
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
    argv += ["--log-level", args.log_level]
    if not args.no_access_log:
        argv += ["--access-logfile", "-"]
    return argv


def cmd_serve(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    argv = gunicorn_argv(args)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec, not a child: signals from a process manager go straight to gunicorn's master.
    os.execv(argv[0], argv)  # noqa: S606


# --- demo --------------------------------------------------------------------------------


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


def _child(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "everytouch.cli", *args])  # noqa: S603


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Stop


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _supervise(children: dict[str, subprocess.Popen[bytes]]) -> int:
    """Wait until Ctrl-C (or SIGTERM), or until one child dies; then stop the others."""
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"The {name} stopped (exit {child.returncode}).", file=sys.stderr)
                    return EXIT_FAILED
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        print("\nStopping...", file=sys.stderr)
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_children(list(children.values()))


def cmd_demo(args: argparse.Namespace, extra: list[str]) -> int:
    _check_port_free(args.host, args.port)
    # A demo has no mail server: notices are written to var/mail/ instead (unless configured).
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    _setup_django()
    _prepare_demo(args.reset)
    address = ["--host", args.host, "--port", str(args.port)]
    children = {
        "worker": _child("worker", "--no-reload", "--verbosity", "0"),
        "sweeper": _child("sweep", "--every", "60"),
        "web server": _child("serve", *address, "--log-level", "warning", "--no-access-log"),
    }
    host = f"[{args.host}]" if ":" in args.host else args.host
    _print_banner(f"http://{host}:{args.port}/")
    return _supervise(children)


# --- createuser and tokens -----------------------------------------------------------------


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.password is not None:
        return str(args.password)
    if not sys.stdin.isatty():
        raise UsageError("no password given: use --password, --password-stdin or a terminal")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise UsageError("the two passwords differ")
    return first


def _validate_new_user(
    username: str, password: str, email: str, first_name: str = "", last_name: str = ""
) -> str:
    """Return the normalised e-mail; raise UsageError with every reason the input is refused."""
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError

    from everytouch.customers.contacts import InvalidContact, normalise_email

    try:
        UnicodeUsernameValidator()(username)
        if max(len(username), len(first_name), len(last_name)) > 150:
            raise ValidationError("usernames and names are at most 150 characters")
        if User.objects.filter(username=username).exists():
            raise ValidationError(f"a user named {username!r} already exists")
        validate_password(password, User(username=username, email=email))
        return normalise_email(email) if email else ""
    except ValidationError as exc:
        raise UsageError("; ".join(exc.messages)) from None
    except InvalidContact as exc:
        raise UsageError(str(exc)) from None


def cmd_createuser(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from everytouch.accounts.actions import create_user
    from everytouch.accounts.models import Role

    password = _read_password(args)
    email = _validate_new_user(args.username, password, args.email, args.first_name, args.last_name)
    role = Role(args.role)
    create_user(
        args.username,
        password,
        role,
        email=email,
        first_name=args.first_name,
        last_name=args.last_name,
    )
    print(f"Created {role.label.lower()} {args.username}.")
    return EXIT_OK


def cmd_token_create(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from everytouch.accounts.actions import issue_token

    user = _find_user(args.username)
    if not 0 < len(args.name.strip()) <= 100:
        raise UsageError("give the token a name of 1 to 100 characters, e.g. 'phone system'")
    token, raw = issue_token(user, args.name.strip())
    print(raw)
    print(
        f"Token {token.name!r} (prefix {token.prefix}) for {user.username}: store it now, "
        "it is not shown again.",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from everytouch.accounts.actions import revoke_token
    from everytouch.accounts.models import ApiToken

    prefix = args.prefix.removeprefix("et_")[:8]
    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
    if not tokens:
        raise UsageError(f"no active token with prefix {prefix!r}")
    if len(tokens) > 1:
        raise UsageError(f"{len(tokens)} active tokens share prefix {prefix!r}; revoke in admin")
    revoke_token(tokens[0])
    print(f"Revoked token {tokens[0].name!r} (prefix {prefix}) of {tokens[0].user.username}.")
    return EXIT_OK


# --- import and export ---------------------------------------------------------------------


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def _open_csv(path: str) -> IO[str]:
    try:
        return Path(path).open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def _print_problems(problems: Sequence[RowProblem], rows: int) -> None:
    for problem in problems:
        print(f"line {problem.line}: {'; '.join(problem.reasons)}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} bad row(s) of {rows}.", file=sys.stderr)


def cmd_import_customers(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from everytouch.customers import importing

    with _open_csv(args.file) as stream:
        try:
            rows = importing.read_rows(stream)
        except importing.BadFile as exc:
            raise UsageError(f"{args.file}: {exc}") from None
    with _progress("Checking rows", len(rows)) as advance:
        checked = importing.check_rows(rows, progress=advance)
    _print_problems(checked.problems, len(rows))
    if checked.problems and not args.skip_invalid:
        print("Nothing imported. Fix the rows above or pass --skip-invalid.", file=sys.stderr)
        return EXIT_USAGE
    if args.dry_run:
        print(f"Dry run: {len(checked.good)} customer(s) would be imported.")
        return EXIT_OK
    try:
        with _progress("Importing", len(checked.good)) as advance:
            created = importing.import_customers(checked.good, actor=None, progress=advance)
    except ValueError as exc:
        # Someone added a clashing contact between the check and the import.
        raise CommandFailed(f"nothing imported: {exc}") from exc
    print(f"Imported {created} customer(s).")
    return EXIT_OK


def cmd_export_customers(args: argparse.Namespace, extra: list[str]) -> int:
    _require_database()
    from everytouch.customers import importing

    if args.output in (None, "-"):
        count = importing.export_customers(sys.stdout)
    else:
        try:
            with Path(args.output).open("w", encoding="utf-8", newline="") as stream:
                count = importing.export_customers(stream)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from exc
    print(f"Exported {count} customer(s).", file=sys.stderr)
    return EXIT_OK


# --- analyze -------------------------------------------------------------------------------


def cmd_analyze(args: argparse.Namespace, extra: list[str]) -> int:
    # Imported only here: analysis is pure Python and must run without Django or a database.
    try:
        module = importlib.import_module("everytouch.analysis.cli")
    except ModuleNotFoundError as exc:
        if exc.name != "everytouch.analysis.cli":
            raise
        raise CommandFailed("`everytouch analyze` is not available in this version") from None
    add_arguments = cast(Callable[[argparse.ArgumentParser], None], module.add_arguments)
    run = cast(Callable[[argparse.Namespace], int], module.run)
    parser = _Parser(prog="everytouch analyze", description="Analyse conversations.")
    add_arguments(parser)
    return run(parser.parse_args(extra))


# --- the parser ----------------------------------------------------------------------------


def _port(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 1 and 65535")
    return value


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on")


def _command(
    sub: argparse._SubParsersAction[_P],
    name: str,
    handler: Handler,
    help_: str,
    *,
    passthrough: bool = False,
) -> _P:
    # A pass-through command hands every argument, --help included, to the command behind it.
    parser = sub.add_parser(name, help=help_, description=help_, add_help=not passthrough)
    parser.set_defaults(func=handler, passthrough=passthrough)
    return parser


def _add_run_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    demo = _command(sub, "demo", cmd_demo, "migrate, load demo data once, serve web + worker")
    _add_address(demo)
    demo.add_argument("--reset", action="store_true", help="wipe the database and start over")
    serve = _command(sub, "serve", cmd_serve, "serve the web app with gunicorn")
    _add_address(serve)
    serve.add_argument("--workers", type=_positive, default=2, help="processes (default 2)")
    serve.add_argument("--threads", type=_positive, default=4, help="threads each (default 4)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    worker_help = "run the background task worker (options of Django's db_worker pass through)"
    _command(sub, "worker", cmd_worker, worker_help, passthrough=True)
    sweep = _command(sub, "sweep", cmd_sweep, "re-run what lost background jobs left undone")
    sweep.add_argument(
        "--every", type=_positive, default=0, help="repeat every N seconds (default: run once)"
    )
    sweep.add_argument("--verbose", action="store_true", help="print counts on every round")
    migrate_help = "apply database migrations (options of Django's migrate pass through)"
    _command(sub, "migrate", cmd_migrate, migrate_help, passthrough=True)


def _add_people_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    user = _command(sub, "createuser", cmd_createuser, "create a login with a role")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["owner", "manager", "rep", "trainer"])
    user.add_argument("--email", default="")
    user.add_argument("--first-name", default="")
    user.add_argument("--last-name", default="")
    secret = user.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password (visible in shell history)")
    secret.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    token = _command(sub, "token", _no_handler, "create or revoke API tokens")
    tokens = token.add_subparsers(
        dest="token_command", required=True, metavar="ACTION", parser_class=_ValueFirstParser
    )
    create = _command(tokens, "create", cmd_token_create, "issue a token, printed once")
    create.add_argument("username")
    create.add_argument("name", help="what the token is for, e.g. 'phone system'")
    revoke = _command(tokens, "revoke", cmd_token_revoke, "revoke a token by its prefix")
    revoke.add_argument("prefix", help="the 8 characters after 'et_'")


def _add_data_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    imp = _command(sub, "import", _no_handler, "import data from CSV")
    imports = imp.add_subparsers(dest="what", required=True, metavar="WHAT")
    customers = _command(imports, "customers", cmd_import_customers, "import customers")
    customers.add_argument("file", help="CSV with a header: name,company,phone,email,owner,notes")
    customers.add_argument("--skip-invalid", action="store_true", help="import the good rows")
    customers.add_argument("--dry-run", action="store_true", help="check only, import nothing")
    exp = _command(sub, "export", _no_handler, "export data as CSV")
    exports = exp.add_subparsers(dest="what", required=True, metavar="WHAT")
    out = _command(exports, "customers", cmd_export_customers, "export customers")
    out.add_argument("--output", "-o", help="file to write (default: stdout)")
    _command(sub, "analyze", cmd_analyze, "analyse conversations (no database)", passthrough=True)


def _no_handler(args: argparse.Namespace, extra: list[str]) -> int:
    raise UsageError("choose a subcommand")


def build_parser() -> _Parser:
    parser = _Parser(prog="everytouch", description="Make every customer touch count.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run_commands(sub)
    _add_people_commands(sub)
    _add_data_commands(sub)
    from everytouch.leads.cli import add_commands as add_lead_commands

    add_lead_commands(sub, _command, _no_handler)
    from everytouch.followups.cli import add_commands as add_promise_commands

    add_promise_commands(sub, _command, _no_handler)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"everytouch {version('everytouch')}"
    except PackageNotFoundError:
        return "everytouch (not installed)"


def _report(message: str, usage: str = "") -> None:
    if usage:
        print(usage.rstrip(), file=sys.stderr)
    print(f"error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not args.passthrough:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        handler = cast(Handler, args.func)
        return handler(args, extra)
    except UsageError as exc:
        _report(str(exc), exc.usage)
        return EXIT_USAGE
    except CommandFailed as exc:
        _report(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`everytouch export customers | head`): not an error worth a
        # traceback, and Python must not try to flush into the closed pipe again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
