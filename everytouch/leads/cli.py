"""`everytouch leads ...`: capture, hand off and track leads from a terminal or a script.

Listed in everytouch/cli/registry.py; every command calls the same actions as the web and
the API.
"""

from __future__ import annotations

import argparse
import sys
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
    from collections.abc import Callable

    from django.contrib.auth.models import User

    from everytouch.customers.models import Customer
    from everytouch.leads.models import Lead

COLUMNS = ["id", "customer", "need", "stage", "owner", "created_at", "speed_to_lead"]


def _actor(username: str | None) -> User | None:
    return find_user(username) if username else None


def _lead(lead_id: int) -> Lead:
    from everytouch.leads.models import Lead

    lead = Lead.objects.select_related("customer", "owner").filter(pk=lead_id).first()
    if lead is None:
        raise UsageError(f"no lead with id {lead_id}")
    return lead


def _row(lead: Lead) -> list[str]:
    from everytouch.accounts.people import display_name
    from everytouch.leads.formatting import duration

    return [
        str(lead.pk),
        lead.customer.display_name,
        lead.need,
        lead.stage,
        display_name(lead.owner),
        lead.created_at.isoformat(timespec="minutes"),
        duration(lead.speed_to_lead),
    ]


def cmd_leads_list(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.customers.actions import log_bulk_access
    from everytouch.leads.models import Lead, Stage
    from everytouch.leads.queries import untouched_leads

    qs = untouched_leads(args.untouched) if args.untouched else Lead.objects.all()
    if args.stage:
        if args.stage not in Stage.values:
            raise UsageError(f"stage must be one of {', '.join(Stage.values)}")
        qs = qs.filter(stage=args.stage)
    if args.owner:
        qs = qs.filter(owner=find_user(args.owner))
    writer = spreadsheet.writer(sys.stdout, delimiter="," if args.format == "csv" else "\t")
    writer.writerow(COLUMNS)
    for lead in qs.select_related("customer", "owner")[: args.limit]:
        writer.writerow(_row(lead))
    log_bulk_access(None, "export", min(qs.count(), args.limit), "leads")
    return 0


def _contact(option: str, raw: str | None, normalise: Callable[[str], str]) -> str:
    """`raw` normalised as the kind its option names, '' when not given."""
    from everytouch.customers.contacts import InvalidContact

    if not raw or not raw.strip():
        return ""
    try:
        return normalise(raw.strip())
    except InvalidContact as exc:
        raise UsageError(f"{option}: {exc}") from exc


def _customer(args: argparse.Namespace) -> Customer:
    from everytouch.customers.actions import CustomerData, create_customer, identify, resolve
    from everytouch.customers.contacts import normalise_email, normalise_phone
    from everytouch.customers.models import Customer

    if args.customer:
        found = Customer.objects.filter(pk=args.customer).first()
        if found is None:
            raise UsageError(f"no customer with id {args.customer}")
        return resolve(found)
    # Each option is read as its own kind: an address given to --phone is refused, not stored
    # as an e-mail. Normalised values keep their kind when identify() reads them again.
    phone = _contact("--phone", args.phone, normalise_phone)
    email = _contact("--email", args.email, normalise_email)
    if not (phone or email):
        raise UsageError("name the customer: --customer ID, --phone or --email")
    known = identify(phone or email)
    if known is not None:
        return known
    contacts = [c for c in (phone, email) if c]
    return create_customer(CustomerData(name=args.name, contacts=contacts), None)


def cmd_leads_capture(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.db import transaction

    from everytouch.customers.actions import ContactConflict
    from everytouch.leads.actions import LeadData, capture_lead
    from everytouch.leads.errors import LeadError

    data = LeadData(args.need, args.product, args.budget, args.timeline)
    owner, actor = _actor(args.owner), _actor(args.as_user)
    try:
        with transaction.atomic():
            lead, created = capture_lead(_customer(args), data, owner=owner, actor=actor)
    except (LeadError, ContactConflict) as exc:
        raise UsageError(str(exc)) from exc
    verb = "Created" if created else "Updated (same need within 30 days)"
    print(f"{verb} lead {lead.pk} for {lead.customer.display_name}, owner {lead.owner.username}")
    return 0


def cmd_leads_handoff(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.leads.actions import hand_off
    from everytouch.leads.errors import LeadError

    lead = _lead(args.lead)
    try:
        lead = hand_off(lead, find_user(args.to), _actor(args.as_user))
    except LeadError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Lead {lead.pk} is now owned by {lead.owner.username}")
    return 0


def cmd_leads_stage(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.access import may_act_for
    from everytouch.leads.actions import move_stage
    from everytouch.leads.errors import LeadError

    lead, actor = _lead(args.lead), find_user(args.as_user)
    if not may_act_for(actor, lead.owner_id):
        raise UsageError(f"{actor.username} may not change lead {lead.pk}: not its owner")
    try:
        lead = move_stage(lead, args.stage, actor, args.reason)
    except LeadError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Lead {lead.pk} is now {lead.get_stage_display().lower()}")
    return 0


def cmd_leads_speed(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.accounts.people import display_name
    from everytouch.leads.formatting import duration
    from everytouch.leads.queries import speed_to_lead_by_owner

    print("owner\tresponded\twaiting\tmedian\tmean")
    for row in speed_to_lead_by_owner():
        owner = str(spreadsheet.safe_cell(display_name(row.owner)))
        cells = [owner, str(row.responded), str(row.waiting)]
        print("\t".join([*cells, duration(row.median), duration(row.mean)]))
    return 0


def add_commands(sub: Subcommands) -> None:
    leads = command(sub, "leads", no_handler, "capture, hand off and track leads")
    actions = leads.add_subparsers(dest="leads_command", required=True, metavar="ACTION")
    listing = command(actions, "list", cmd_leads_list, "list leads (tab-separated or CSV)")
    listing.add_argument("--owner", help="username")
    listing.add_argument("--stage")
    listing.add_argument(
        "--untouched",
        type=whole(0, bounds.MAX_LOOKBACK_DAYS),
        metavar="DAYS",
        help="open and idle this long",
    )
    listing.add_argument("--format", choices=["table", "csv"], default="table")
    listing.add_argument("--limit", type=whole(), default=1000)
    capture = command(actions, "capture", cmd_leads_capture, "create (or update) a lead")
    capture.add_argument("--need", required=True, help="what the customer wants")
    who = capture.add_mutually_exclusive_group()
    who.add_argument("--customer", type=record_id, help="customer id")
    who.add_argument("--phone", help="identify or create the customer by phone")
    capture.add_argument("--email", default="", help="identify or create by e-mail")
    capture.add_argument("--name", default="", help="name for a new customer")
    for field in ("product", "budget", "timeline"):
        capture.add_argument(f"--{field}", default="")
    capture.add_argument("--owner", help="sales owner (default: the customer's owner)")
    capture.add_argument("--as", dest="as_user", help="who is doing this (for the timeline)")
    handoff = command(actions, "handoff", cmd_leads_handoff, "give a lead to another owner")
    handoff.add_argument("lead", type=record_id)
    handoff.add_argument("to", help="username of the new owner")
    handoff.add_argument("--as", dest="as_user")
    stage = command(actions, "stage", cmd_leads_stage, "move a lead along the pipeline")
    stage.add_argument("lead", type=record_id)
    stage.add_argument("stage")
    stage.add_argument("--as", dest="as_user", required=True, help="the owner or a manager")
    stage.add_argument("--reason", default="", help="why it was lost")
    command(actions, "speed", cmd_leads_speed, "speed to lead per owner")
