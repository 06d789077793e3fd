"""`everytouch quality report`: per-check pass rates (N of M) per rep, from the weekly rollup.

Listed in everytouch/cli/registry.py. It reads the same rollup as the dashboard, so the two
always agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

from everytouch import bounds, spreadsheet
from everytouch.cli_base import Subcommands, UsageError, command, no_handler, require_database

if TYPE_CHECKING:
    from everytouch.quality.dashboards import ReportRow
    from everytouch.staff.models import Team

COLUMNS = ["rep", "check", "title", "passed", "applicable", "pass_rate"]


def iso_date(raw: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
    problem = bounds.calendar_problem(day)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return day


def _team(raw: str) -> Team:
    from everytouch.staff.models import Team

    found = Team.objects.filter(name__iexact=raw).first()
    pk = bounds.parse_id(raw)
    if found is None and pk is not None:
        found = Team.objects.filter(pk=pk).first()
    if found is None:
        names = ", ".join(Team.objects.order_by("name").values_list("name", flat=True))
        raise UsageError(f"no team named {raw!r} (teams: {names or 'none yet'})")
    return found


def _percent(row: ReportRow) -> str:
    return f"{row.rate.percent:.0f}%" if row.rate.percent is not None else ""


def _cells(row: ReportRow) -> list[object]:
    return [row.rep, row.check_id, row.title, row.rate.passed, row.rate.applicable, _percent(row)]


def _table(rows: list[ReportRow]) -> None:
    width = max([len(r.rep) for r in rows] + [3])
    title = max([len(r.title) for r in rows] + [5])
    print(f"{'rep':<{width}}  {'check':<{title}}  passed")
    for r in rows:
        figure = f"{r.rate.passed} of {r.rate.applicable}"
        print(f"{r.rep:<{width}}  {r.title:<{title}}  {figure} ({_percent(r)})")


def _json(rows: list[ReportRow]) -> None:
    out = [dict(zip(COLUMNS, _cells(r), strict=True)) for r in rows]
    print(json.dumps(out, indent=2))


def _csv(rows: list[ReportRow]) -> None:
    writer = spreadsheet.writer(sys.stdout)
    writer.writerow(COLUMNS)
    writer.writerows(_cells(r) for r in rows)


def cmd_quality_report(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.utils import timezone

    from everytouch.quality.dashboards import Filters, default_period, report

    since, until = default_period(timezone.localdate())
    since = args.since or since
    if since > until:
        raise UsageError(f"--since {since} is in the future")
    team = _team(args.team) if args.team else None
    rows = report(Filters(since, until, team.pk if team else None))
    if not rows and args.format == "table":
        print("No scored conversations in these weeks.")
        return 0
    {"table": _table, "json": _json, "csv": _csv}[args.format](rows)
    return 0


def add_commands(sub: Subcommands) -> None:
    quality = command(sub, "quality", no_handler, "conversation quality figures")
    actions = quality.add_subparsers(dest="quality_command", required=True, metavar="ACTION")
    rep = command(actions, "report", cmd_quality_report, "per-check pass rates (N of M) per rep")
    rep.add_argument("--since", type=iso_date, help="first day, YYYY-MM-DD (default: 12 weeks ago)")
    rep.add_argument("--team", help="team name (or id)")
    rep.add_argument("--format", choices=["table", "json", "csv"], default="table")
