"""What every `everytouch` command shares: errors, exit codes, the parser, Django and users.

App command modules (``leads/cli.py``, ``followups/cli.py``) import this and nothing of the
`everytouch.cli` package, which is the top layer and imports them. It sits outside that
package, in a low layer, so the layer rule holds without exceptions. It imports no app and no
Django at import time, so ``--help`` and ``everytouch analyze`` work without a database.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TypeAlias, TypeVar

from everytouch import bounds

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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


class Parser(argparse.ArgumentParser):
    # argparse would print and sys.exit() itself; raising lets main() return the code, which
    # keeps the CLI callable in-process (tests, other Python code).
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", usage=self.format_usage())


class ValueFirstParser(Parser):
    """A parser whose values may start with "-".

    Token prefixes (and usernames) may start with "-"; argparse would read `-abc` as an option
    and refuse `--prefix -abc` for want of a value. Here an argument that is none of this
    parser's options is a value, and so is whatever follows an option that takes one.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        return super().parse_known_args(None if args is None else self._as_values(args), namespace)

    def _as_values(self, args: Sequence[str]) -> list[str]:
        out: list[str] = []
        rest = iter(args)
        for arg in rest:
            action = self._option_string_actions.get(arg.split("=", 1)[0])
            if arg == "--" or (action is None and arg.startswith("-")):
                # "--" ends the options; everything from here on is a value.
                return [*out, "--", *([] if arg == "--" else [arg]), *rest]
            if action is not None and action.nargs is None and "=" not in arg:
                # An option that takes one value: glued on, the value may start with "-".
                value = next(rest, None)
                out.append(arg if value is None else f"{arg}={value}")
            else:
                out.append(arg)
        return out


P = TypeVar("P", bound=Parser)
# The subcommands of `everytouch`, which each command module adds to.
Subcommands: TypeAlias = "argparse._SubParsersAction[Parser]"


def command(
    sub: argparse._SubParsersAction[P],
    name: str,
    handler: Handler,
    help_: str,
    *,
    passthrough: bool = False,
) -> P:
    """Add subcommand `name`, run by `handler(args, extra)`."""
    # A pass-through command hands every argument, --help included, to the command behind it.
    parser = sub.add_parser(name, help=help_, description=help_, add_help=not passthrough)
    parser.set_defaults(func=handler, passthrough=passthrough)
    return parser


def no_handler(args: argparse.Namespace, extra: list[str]) -> int:
    """The handler of a command group (`token`, `leads`): argparse asks for an action first."""
    raise UsageError("choose a subcommand")


def whole(low: int = 0, high: int = bounds.MAX_SMALL_INT) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (exit 2 otherwise), so a
    30-digit count or id never reaches the database or the date arithmetic."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}")
        return value

    return parse


positive = whole(1)
record_id = whole(1, bounds.MAX_ID)


# --- Django and the database ---------------------------------------------------------------


def setup_django() -> None:
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


def require_database() -> None:
    """Set Django up and refuse to go on against a database that is not migrated."""
    setup_django()
    if pending := _pending_migrations():
        raise CommandFailed(
            f"the database has {pending} unapplied migration(s); run `everytouch migrate` first"
        )


def run_management(name: str, extra: list[str]) -> int:
    """Run Django management command `name` with `extra` arguments; return its exit code."""
    setup_django()
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


def find_user(username: str) -> User:
    from django.contrib.auth.models import User

    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise UsageError(f"no user named {username!r}") from None
