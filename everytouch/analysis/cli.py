"""`everytouch analyze PATH...`: score conversation files against a playbook, no database.

The console script's everytouch/cli/data.py wires ``add_arguments`` and ``run``; ``python -m
everytouch.analysis`` runs the same thing on its own. `everytouch analyze train ...` (learn a
classifier check) is in train_cli.py; both entry points send a first argument "train" there.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from everytouch import spreadsheet
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation
from everytouch.analysis.flow import Promotion, PromotionsError, load_promotions
from everytouch.analysis.playbook import Playbook, PlaybookError, default_playbook, load_playbook
from everytouch.analysis.readers import ReadError, read_paths

FORMATS = ("table", "json", "jsonl", "csv")
EXIT_OK, EXIT_FILE_FAILED, EXIT_USAGE = 0, 1, 2
CHUNK = 32


class UsageError(Exception):
    """A bad option or an unreadable playbook/promotions file: exit code 2."""


@dataclass(frozen=True, slots=True)
class Settings:
    playbook: Playbook
    promotions: tuple[Promotion, ...]
    tz: str
    region: str


@dataclass(slots=True)
class Summary:
    """Counts per check and status, for the closing pass-rate table."""

    check_ids: tuple[str, ...]
    titles: dict[str, str]
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    conversations: int = 0
    failed_files: int = 0
    score_total: float = 0.0
    scored: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.conversations += 1
        if row["score"] is not None:
            self.score_total += row["score"]
            self.scored += 1
        for check_id, result in row["checks"].items():
            self.counts.setdefault(check_id, Counter())[result["status"]] += 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `everytouch analyze`."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to analyze")
    parser.add_argument("--playbook", type=Path, help="playbook YAML (default: the built-in one)")
    parser.add_argument("--promotions", type=Path, help="current promotions (YAML, JSON or text)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes")
    parser.add_argument("--tz", default="UTC", metavar="ZONE", help="business time zone")
    parser.add_argument("--region", default="US", help="default phone region (ISO code)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here, not to stdout")
    parser.epilog = "To learn a check from labelled examples: everytouch analyze train --help"


def run(args: argparse.Namespace) -> int:
    """Analyze every conversation under args.paths; 0 ok, 1 a file failed, 2 bad usage."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        settings = _settings(args)
        with ExitStack() as stack:
            out = _open_output(args.output, stack)
            summary = _write(args, settings, out, err)
    except UsageError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_USAGE
    return EXIT_FILE_FAILED if summary.failed_files else EXIT_OK


def _settings(args: argparse.Namespace) -> Settings:
    if args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    try:
        ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"--tz: unknown time zone {args.tz!r}") from exc
    _check_region(args.region)
    try:
        playbook = load_playbook(args.playbook) if args.playbook else default_playbook()
        promotions = tuple(load_promotions(args.promotions)) if args.promotions else ()
    except (PlaybookError, PromotionsError) as exc:
        raise UsageError(str(exc)) from exc
    return Settings(playbook, promotions, args.tz, args.region.upper())


def _check_region(region: str) -> None:
    import phonenumbers

    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(f"--region: unknown phone region {region!r} (use an ISO code like US)")


def _open_output(path: Path | None, stack: ExitStack) -> IO[str]:
    if path is None:
        return sys.stdout
    try:
        return stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from exc


# ---- analysis, in this process or a pool -------------------------------------------------

_WORKER: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = settings


def _analyze_item(item: Conversation | ReadError) -> dict[str, Any] | ReadError:
    assert _WORKER is not None
    if isinstance(item, ReadError):
        return item
    try:
        card = analyze(item, _WORKER.playbook, _WORKER.promotions, _WORKER.tz, _WORKER.region)
    except Exception as exc:  # one bad conversation must not stop the run
        return ReadError(item.id, f"analysis failed: {type(exc).__name__}: {exc}")
    return card.to_dict()


def results(
    items: Iterable[Conversation | ReadError], settings: Settings, jobs: int
) -> Iterator[dict[str, Any] | ReadError]:
    """Scorecard dicts (or errors) in input order, using ``jobs`` processes."""
    if jobs == 1:
        _init_worker(settings)
        yield from map(_analyze_item, items)
        return
    # "spawn", not the Linux default "fork": forking a process that runs threads (a web server,
    # a database driver) can copy a held lock into the child and hang it forever.
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, _init_worker, (settings,)) as pool:
        yield from pool.imap(_analyze_item, items, chunksize=CHUNK)


# ---- output ------------------------------------------------------------------------------


def _write(args: argparse.Namespace, settings: Settings, out: IO[str], err: Console) -> Summary:
    checks = settings.playbook.checks
    summary = Summary(tuple(c.id for c in checks), {c.id: c.title for c in checks})
    writer = _Writer(args.format, out, summary.check_ids)
    items = read_paths(args.paths)
    with _progress(err) as progress:
        task = progress.add_task("analyzing", total=None)
        for result in results(items, settings, args.jobs):
            if isinstance(result, ReadError):
                summary.failed_files += 1
                err.print(f"error: {result.path}: {result.reason}", markup=False)
            else:
                summary.add(result)
                writer.row(result)
            progress.advance(task)
    writer.close()
    machine = args.format != "table"
    _print_summary(summary, err if machine else Console(file=out, highlight=False))
    return summary


def _progress(err: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


class _Writer:
    """Streams rows in one format; json collects them because it is one document."""

    def __init__(self, fmt: str, out: IO[str], check_ids: tuple[str, ...]) -> None:
        self.fmt, self.out, self.check_ids = fmt, out, check_ids
        self.rows: list[dict[str, Any]] = []
        self.csv: Any = None
        if fmt == "csv":
            # Names and needs come from callers' own words: guard them against formulas.
            self.csv = spreadsheet.writer(out)
            self.csv.writerow(_CSV_HEAD + list(check_ids))
        if fmt == "table":
            self.table = Table("id", "turns", "score", "lead", "missed", title="Scorecards")

    def row(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self.rows.append(row)
        elif self.fmt == "csv":
            self.csv.writerow(_csv_row(row, self.check_ids))
        else:
            self.table.add_row(*_table_row(row))

    def close(self) -> None:
        if self.fmt == "json":
            json.dump(self.rows, self.out, ensure_ascii=False, indent=2)
            self.out.write("\n")
        elif self.fmt == "table" and self.table.row_count:
            Console(file=self.out, highlight=False).print(self.table)
        self.out.flush()


_CSV_HEAD = ["id", "score", "names", "phones", "emails", "need", "commitments", "transfers"]


def _csv_row(row: dict[str, Any], check_ids: tuple[str, ...]) -> list[Any]:
    ex = row["extracted"]
    head = [row["id"], "" if row["score"] is None else row["score"]]
    head += [";".join(ex["names"]), ";".join(ex["phones"]), ";".join(ex["emails"])]
    head += [ex["need"] or "", len(row["commitments"]), row["transfers"]]
    return head + [row["checks"][c]["status"] for c in check_ids]


def _table_row(row: dict[str, Any]) -> tuple[str, ...]:
    score = "-" if row["score"] is None else f"{row['score']:.0f}"
    lead = row["lead"]
    who = " ".join(v for v in (lead["name"], lead["phone"], lead["email"]) if v) or "-"
    missed = ", ".join(m["check"] for m in row["missed_opportunities"]) or "-"
    return row["id"], str(row["turns"]), score, who, missed


def _print_summary(summary: Summary, console: Console) -> None:
    table = Table("check", "pass", "fail", "n/a", "pass rate", title="Pass rate per check")
    for check_id in summary.check_ids:
        counts = summary.counts.get(check_id, Counter())
        decided = counts["pass"] + counts["fail"]
        rate = f"{100 * counts['pass'] / decided:.0f}%" if decided else "-"
        table.add_row(check_id, str(counts["pass"]), str(counts["fail"]), str(counts["n/a"]), rate)
    console.print(table)
    mean = f"{summary.score_total / summary.scored:.1f}" if summary.scored else "-"
    console.print(
        f"{summary.conversations} conversation(s), mean score {mean}, "
        f"{summary.failed_files} unreadable",
        markup=False,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="everytouch analyze", description="Score conversations against a playbook."
    )
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:
        from everytouch.analysis.train_cli import main as train_main

        return train_main(argv[1:])
    return run(build_parser().parse_args(argv))
