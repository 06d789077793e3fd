"""Data in and out: `import customers`, `export customers` and `analyze`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from everytouch import spreadsheet
from everytouch.cli_base import (
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    Parser,
    Subcommands,
    UsageError,
    command,
    no_handler,
    require_database,
)

if TYPE_CHECKING:
    from everytouch.customers.importing import RowProblem


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def _report_reading(path: str, how: str, guessed: bool) -> None:
    print(f"Reading {path} as {how}.", file=sys.stderr)
    if guessed:
        # The fallback reads any bytes, so a Mac Roman or other 8-bit file needs naming.
        print(
            "It is not UTF-8. If it comes from a Mac or another system, name its encoding "
            "with --encoding (for example mac_roman), or save it as CSV UTF-8.",
            file=sys.stderr,
        )


def _print_problems(problems: Sequence[RowProblem], rows: int) -> None:
    for problem in problems:
        print(f"line {problem.line}: {'; '.join(problem.reasons)}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} bad row(s) of {rows}.", file=sys.stderr)


def cmd_import_customers(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.customers import importing

    try:
        read = importing.read_file(_read_bytes(args.file), args.encoding)
    except importing.BadFile as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    _report_reading(args.file, read.how_read, spreadsheet.is_guess(read.encoding))
    rows = read.rows
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
    require_database()
    from everytouch.customers import importing
    from everytouch.customers.actions import log_bulk_access

    if args.output in (None, "-"):
        count = importing.export_customers(sys.stdout)
    else:
        try:
            with Path(args.output).open("w", encoding="utf-8", newline="") as stream:
                count = importing.export_customers(stream)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from exc
    print(f"Exported {count} customer(s).", file=sys.stderr)
    log_bulk_access(None, "export", count, "customers")
    return EXIT_OK


# (module, prog, description, argument adder, runner): `analyze` and `analyze train`.
_ANALYZE = (
    "everytouch.analysis.cli",
    "everytouch analyze",
    "Analyse conversations.",
    "add_arguments",
    "run",
)
_TRAIN = (
    "everytouch.analysis.train_cli",
    "everytouch analyze train",
    "Train a classifier check from labelled examples.",
    "add_train_arguments",
    "run_train",
)


def cmd_analyze(args: argparse.Namespace, extra: list[str]) -> int:
    # `analyze train ...` learns a check from labelled examples; anything else analyses files.
    train = extra[:1] == ["train"]
    name, prog, description, adder, runner = _TRAIN if train else _ANALYZE
    # Imported only here: analysis is pure Python and must run without Django or a database.
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise CommandFailed(f"`{prog}` is not available in this version") from None
    add_arguments = cast(Callable[[argparse.ArgumentParser], None], getattr(module, adder))
    run = cast(Callable[[argparse.Namespace], int], getattr(module, runner))
    parser = Parser(prog=prog, description=description)
    add_arguments(parser)
    return run(parser.parse_args(extra[1:] if train else extra))


def add_commands(sub: Subcommands) -> None:
    imp = command(sub, "import", no_handler, "import data from CSV")
    imports = imp.add_subparsers(dest="what", required=True, metavar="WHAT")
    customers = command(imports, "customers", cmd_import_customers, "import customers")
    customers.add_argument(
        "file", help="CSV with a header: name,company,phone,email,owner,notes (, ; or tab)"
    )
    customers.add_argument("--skip-invalid", action="store_true", help="import the good rows")
    customers.add_argument("--dry-run", action="store_true", help="check only, import nothing")
    customers.add_argument(
        "--encoding",
        help="the file's encoding, e.g. mac_roman (default: detect UTF-8, UTF-16, Windows-1252)",
    )
    exp = command(sub, "export", no_handler, "export data as CSV")
    exports = exp.add_subparsers(dest="what", required=True, metavar="WHAT")
    out = command(exports, "customers", cmd_export_customers, "export customers")
    out.add_argument("--output", "-o", help="file to write (default: stdout)")
    command(sub, "analyze", cmd_analyze, "analyse conversations (no database)", passthrough=True)
