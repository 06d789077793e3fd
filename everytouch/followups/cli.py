"""`everytouch promises ...`: record, list and keep promises to customers from a terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from everytouch import bounds, spreadsheet
from everytouch.cli_base import (
    Subcommands,
    UsageError,
    command,
    find_user,
    no_handler,
    record_id,
    require_database,
    whole,
)

if TYPE_CHECKING:
    from everytouch.followups.models import Commitment

COLUMNS = ["id", "customer", "what", "due_at", "status", "owner"]


def parse_due(raw: str, now: datetime) -> datetime:
    """An ISO time or words ("tomorrow 3pm", "Friday 10:00") read in the business time zone."""
    import dateparser

    from everytouch.business_time import business_tz

    tz = business_tz()
    try:
        parsed: datetime | None = datetime.fromisoformat(raw)
    except ValueError:
        settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.astimezone(tz)}
        parsed = dateparser.parse(raw, settings=settings)
    if parsed is None:
        raise UsageError(f"cannot read {raw!r} as a date and time")
    due = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    problem = bounds.calendar_problem(due)
    if problem:
        raise UsageError(f"--due {problem}")
    return due


def _row(c: Commitment) -> list[str]:
    owner = c.owner.get_full_name() or c.owner.username
    due = c.due_at.isoformat(timespec="minutes")
    return [str(c.pk), c.customer.display_name, c.what, due, c.status, owner]


def _write(rows: list[Commitment], fmt: str) -> None:
    writer = spreadsheet.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t")
    writer.writerow(COLUMNS)
    writer.writerows(_row(c) for c in rows)


def cmd_add(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.utils import timezone

    from everytouch.customers.models import Customer
    from everytouch.followups.actions import CommitmentError, record_commitment

    customer = Customer.objects.filter(pk=args.customer).first()
    if customer is None:
        raise UsageError(f"no customer with id {args.customer}")
    owner = find_user(args.owner)
    actor = find_user(args.as_user) if args.as_user else owner
    due = parse_due(args.due, timezone.now())
    try:
        promise = record_commitment(customer, owner, args.what, due, actor)
    except CommitmentError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Recorded promise {promise.pk}, due {promise.due_at.isoformat(timespec='minutes')}")
    return 0


def cmd_list(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.utils import timezone

    from everytouch.customers.actions import log_bulk_access
    from everytouch.followups.models import Commitment, CommitmentStatus

    qs = Commitment.objects.select_related("customer", "owner")
    if args.owner:
        qs = qs.filter(owner=find_user(args.owner))
    if args.status:
        if args.status not in CommitmentStatus.values:
            raise UsageError(f"status must be one of {', '.join(CommitmentStatus.values)}")
        qs = qs.filter(status=args.status)
    if args.overdue:
        qs = qs.exclude(status=CommitmentStatus.DONE).filter(due_at__lte=timezone.now())
    rows = list(qs[: args.limit])
    _write(rows, args.format)
    log_bulk_access(None, "export", len(rows), "promises")
    return 0


def cmd_done(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.core.exceptions import PermissionDenied

    from everytouch.followups.actions import complete_commitment
    from everytouch.followups.models import Commitment

    promise = Commitment.objects.filter(pk=args.promise).first()
    if promise is None:
        raise UsageError(f"no promise with id {args.promise}")
    try:
        promise = complete_commitment(promise, find_user(args.as_user))
    except PermissionDenied as exc:
        raise UsageError(str(exc)) from exc
    print(f"Promise {promise.pk} kept")
    return 0


def cmd_my_day(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.utils import timezone

    from everytouch.followups.actions import my_day

    day = my_day(find_user(args.username), timezone.now())
    _write([*day.overdue, *day.today, *day.upcoming], args.format)
    return 0


def add_commands(sub: Subcommands) -> None:
    promises = command(sub, "promises", no_handler, "record, list and keep promises")
    actions = promises.add_subparsers(dest="promises_command", required=True, metavar="ACTION")
    add = command(actions, "add", cmd_add, "record a promise to a customer")
    add.add_argument("--customer", type=record_id, required=True, help="customer id")
    add.add_argument("--owner", required=True, help="who promised (username)")
    add.add_argument("--what", required=True, help='e.g. "call back with the lease quote"')
    add.add_argument("--due", required=True, help='ISO time or words: "Friday 3pm"')
    add.add_argument("--as", dest="as_user", help="who records it (default: the owner)")
    listing = command(actions, "list", cmd_list, "list promises (tab-separated or CSV)")
    listing.add_argument("--owner")
    listing.add_argument("--status")
    listing.add_argument("--overdue", action="store_true", help="due and not kept")
    listing.add_argument("--format", choices=["table", "csv"], default="table")
    listing.add_argument("--limit", type=whole(), default=1000)
    done = command(actions, "done", cmd_done, "mark a promise kept")
    done.add_argument("promise", type=record_id)
    done.add_argument("--as", dest="as_user", required=True, help="the owner or a manager")
    day = command(actions, "my-day", cmd_my_day, "overdue, today and the week ahead")
    day.add_argument("username")
    day.add_argument("--format", choices=["table", "csv"], default="table")
