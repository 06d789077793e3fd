"""Running it in production: `check`, `backup` and `restore`, and tightening file modes on start."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from everytouch.cli_base import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    Subcommands,
    UsageError,
    command,
    setup_django,
)

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

# Django's check levels, by name; `--fail-level` takes one.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def tighten_file_modes() -> None:
    """Make the data directory, database and mail owner-only: an install made before they
    were created private is fixed on its next start."""
    setup_django()
    from everytouch.ops import checks, filemodes

    for item in filemodes.tighten(checks.private_paths()):
        print(f"Tightened {item.describe()}.", file=sys.stderr)


# --- check -----------------------------------------------------------------------------------


def _run_checks() -> list[CheckMessage]:
    from django.core.checks import run_checks

    found = run_checks(include_deployment_checks=True, databases=["default"])
    return [message for message in found if not message.is_silenced()]


# What to set for Django's own deployment warnings, which name a setting but not our variable.
DJANGO_HINTS = {
    "security.W004": "EVERYTOUCH_HTTPS=on (or SECURE_HSTS_SECONDS)",
    "security.W005": "SECURE_HSTS_INCLUDE_SUBDOMAINS=on, if every subdomain serves HTTPS",
    "security.W008": "EVERYTOUCH_HTTPS=on (or SECURE_SSL_REDIRECT)",
    "security.W009": "a long random SECRET_KEY in the environment",
    "security.W012": "EVERYTOUCH_HTTPS=on (or SESSION_COOKIE_SECURE)",
    "security.W016": "EVERYTOUCH_HTTPS=on (or CSRF_COOKIE_SECURE)",
    "security.W018": "DEBUG=off",
    "security.W020": "ALLOWED_HOSTS",
    "security.W021": "SECURE_HSTS_PRELOAD=on, if the domain is to be on browsers' HSTS lists",
}


def _hint(message: CheckMessage) -> str:
    if message.hint:
        return str(message.hint)
    return f"Set {DJANGO_HINTS[message.id]}." if message.id in DJANGO_HINTS else ""


def _print_checks(found: list[CheckMessage]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for message in sorted(found, key=lambda m: -m.level):
        colour = "red" if message.is_serious() else "yellow"
        console.print(f"[bold {colour}]{_level_name(message.level)}[/] [bold]{message.id}[/]")
        console.print(f"  {escape(str(message.msg))}")
        if hint := _hint(message):
            console.print(f"  [cyan]-> {escape(hint)}[/]")
    serious = sum(1 for m in found if m.is_serious())
    if not found:
        console.print(
            "[bold green]All checks passed[/] (Django's deployment checks and the app's)."
        )
    else:
        console.print(f"\n{serious} error(s), {len(found) - serious} warning(s).")


def _level_name(level: int) -> str:
    return logging.getLevelName(level)


def cmd_check(args: argparse.Namespace, extra: list[str]) -> int:
    setup_django()
    found = _run_checks()
    _print_checks(found)
    threshold = logging.getLevelName(args.fail_level)
    return EXIT_FAILED if any(m.level >= threshold for m in found) else EXIT_OK


# --- backup, restore -------------------------------------------------------------------------


def cmd_backup(args: argparse.Namespace, extra: list[str]) -> int:
    setup_django()
    from django.conf import settings

    from everytouch.ops import backup, filemodes

    default = Path(settings.VAR_DIR) / "backups"
    where = Path(args.path) if args.path else filemodes.private_dir(default)
    try:
        target = backup.backup(backup.target_path(where))
    except backup.BackupError as exc:
        raise UsageError(str(exc)) from None
    except backup.ToolMissing as exc:
        raise CommandFailed(str(exc)) from None
    print(f"Backed up the database to {target} ({target.stat().st_size:,} bytes, mode 600).")
    print(
        "The secret key is not in it; keep SECRET_KEY (or var/secret_key) apart.", file=sys.stderr
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, extra: list[str]) -> int:
    setup_django()
    from everytouch.ops import backup

    try:
        backup.restore(Path(args.path), force=args.force)
    except backup.BackupError as exc:
        raise UsageError(str(exc)) from None
    except backup.ToolMissing as exc:
        raise CommandFailed(str(exc)) from None
    print(f"Restored the database from {args.path}.")
    # A backup from an older version has fewer migrations applied than this code expects.
    print("Run `everytouch migrate` if the backup is from an older version.", file=sys.stderr)
    return EXIT_OK


def add_commands(sub: Subcommands) -> None:
    check = command(sub, "check", cmd_check, "check the settings and the install for production")
    check.add_argument(
        "--fail-level",
        default="ERROR",
        choices=LEVELS,
        type=str.upper,
        help="exit 1 on problems of this level or worse (default ERROR)",
    )
    backup_help = "back up the database (safe while the app runs) into a new file, mode 600"
    backup = command(sub, "backup", cmd_backup, backup_help)
    backup.add_argument(
        "path",
        nargs="?",
        help="a new file, or a directory for a timestamped one (default var/backups/)",
    )
    restore = command(sub, "restore", cmd_restore, "replace the database with a backup")
    restore.add_argument("path", help="a file made by `everytouch backup`")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
