"""Data in and out: `import customers`, `export customers` and `analyze`."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Iterator
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
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    if not console.is_terminal:
        # A log or a pipe gets a line now and then instead of a bar it cannot show.
        yield _progress_lines(description, total)
        return
    with Progress(console=console) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


PROGRESS_LINE_EVERY = 100_000


def _progress_lines(description: str, total: int | None) -> Callable[[int], None]:
    done = 0
    of = f" of {total:,}" if total is not None else ""

    def advance(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if done // PROGRESS_LINE_EVERY > before // PROGRESS_LINE_EVERY:
            print(f"{description}: {done:,}{of} rows", file=sys.stderr, flush=True)

    return advance


def _report_reading(path: str, how: str, guessed: bool) -> None:
    print(f"Reading {path} as {how}.", file=sys.stderr)
    if guessed:
        # The fallback reads any bytes, so a Mac Roman or other 8-bit file needs naming.
        print(
            "It is not UTF-8. If it comes from a Mac or another system, name its encoding "
            "with --encoding (for example mac_roman), or save it as CSV UTF-8.",
            file=sys.stderr,
        )


def _print_problem(problem: RowProblem) -> None:
    print(f"line {problem.line}: {'; '.join(problem.reasons)}", file=sys.stderr)


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"a whole number, at least 1, not {value!r}")
    return number


def cmd_import_customers(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.customers import importing

    try:
        source = importing.open_file(Path(args.file), args.encoding)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from exc
    except importing.BadFile as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    _report_reading(args.file, source.how_read, spreadsheet.is_guess(source.encoding))
    # Check everything first (nothing is written), so a bad row stops the import before any
    # batch is stored; the good rows wait in a temporary file, not in memory. The workers are
    # started before the progress bar's thread (they are forked).
    count = importing.worker_count(Path(args.file), args.workers)
    with importing.Spool() as spool:
        started = time.monotonic()
        try:
            with (
                importing.workers(count) as pool,
                _progress("Checking rows", None) as advance,  # length unknown: it counts
            ):
                checked = importing.check_file(
                    source.records(), spool, _print_problem, advance, pool
                )
        except importing.BadFile as exc:
            raise UsageError(f"{args.file}: {exc}") from None
        if checked.bad:
            print(f"{checked.bad} bad row(s) of {checked.rows}.", file=sys.stderr)
        if checked.bad and not args.skip_invalid:
            print("Nothing imported. Fix the rows above or pass --skip-invalid.", file=sys.stderr)
            return EXIT_USAGE
        if args.dry_run:
            print(f"Dry run: {checked.good} customer(s) would be imported.")
            return EXIT_OK
        checked_at = time.monotonic()
        try:
            with _progress("Importing", checked.good) as advance:
                created = importing.write_spool(spool, None, args.batch_size, advance)
        except importing.ImportStopped as exc:
            raise CommandFailed(f"import stopped: {exc}") from exc
    done = time.monotonic()
    print(f"Imported {created} customer(s).")
    print(
        f"Checked {checked.rows} row(s) in {checked_at - started:.1f} s, stored {created} in "
        f"{done - checked_at:.1f} s ({created / max(done - started, 1e-9):,.0f} rows/s overall).",
        file=sys.stderr,
    )
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
        "--batch-size",
        type=_at_least_one,
        default=5_000,  # importing.BATCH; not imported here, so the parser needs no Django
        help="rows stored per transaction (default: 5000)",
    )
    customers.add_argument(
        "--workers",
        type=_at_least_one,
        help="processes that check a file of 2 MB or more (default: one per CPU)",
    )
    customers.add_argument(
        "--encoding",
        help="the file's encoding, e.g. mac_roman (default: detect UTF-8, UTF-16, Windows-1252)",
    )
    exp = command(sub, "export", no_handler, "export data as CSV")
    exports = exp.add_subparsers(dest="what", required=True, metavar="WHAT")
    out = command(exports, "customers", cmd_export_customers, "export customers")
    out.add_argument("--output", "-o", help="file to write (default: stdout)")
    command(sub, "analyze", cmd_analyze, "analyse conversations (no database)", passthrough=True)
