"""Read-only questions about leads: who gets a new one, who may change one, what needs attention
and how fast owners answer (speed to lead, as ``actions`` records it). Nothing here writes.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import CharField, Count, F, FloatField, Func, Q, QuerySet, Value
from django.utils import timezone

from everytouch.accounts.models import Role
from everytouch.customers.models import ContactKind, ContactPoint, Customer
from everytouch.leads.errors import LeadError
from everytouch.leads.models import OPEN_STAGES, Lead, Stage
from everytouch.ownership import can_own

# --- who owns a lead -----------------------------------------------------------------------------


def _configured_owner() -> User | None:
    username = settings.EVERYTOUCH_DEFAULT_SALES_OWNER
    if not username:
        return None
    user = User.objects.select_related("profile").filter(username=username).first()
    return user if can_own(user) else None


def _first_manager() -> User | None:
    for role in (Role.MANAGER, Role.OWNER):
        qs = User.objects.filter(is_active=True, profile__role=role).select_related("profile")
        user = qs.order_by("pk").first()
        if user is not None:
            return user
    return None


def default_owner(customer: Customer) -> User:
    """The customer's owner if they still work here, else the configured one, else a manager."""
    if customer.owner is not None and can_own(customer.owner):
        return customer.owner
    owner = _configured_owner() or _first_manager()
    if owner is None:
        raise LeadError("no sales owner: set EVERYTOUCH_DEFAULT_SALES_OWNER or add a manager")
    return owner


# --- what needs attention, how fast we answer ----------------------------------------------------


def untouched_leads(days: int, now: datetime | None = None) -> QuerySet[Lead]:
    """Open leads nobody has done anything with for ``days`` days, oldest silence first."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    qs = Lead.objects.filter(stage__in=OPEN_STAGES, last_activity_at__lt=cutoff)
    return qs.select_related("customer", "owner").order_by("last_activity_at", "pk")


@dataclass(frozen=True)
class OwnerSpeed:
    owner: User
    responded: int
    waiting: int
    median: timedelta | None
    mean: timedelta | None


def _mean(seconds: list[float]) -> timedelta | None:
    return _to_the_millisecond(math.fsum(seconds) / len(seconds)) if seconds else None


def _median(seconds: list[float]) -> timedelta | None:
    return _to_the_millisecond(statistics.median(seconds)) if seconds else None


def _to_the_millisecond(seconds: float) -> timedelta:
    # julianday() is exact to tens of microseconds only: a millisecond is what both databases
    # agree on.
    return timedelta(seconds=round(seconds, 3))


class _SecondsBetween(Func):
    """Seconds from the second datetime to the first, worked out by the database: reading ten
    thousand pairs of datetimes back into Python cost more than the rest of the page."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Stored as UTC text; julianday() reads it in C (to within tens of microseconds).
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return self.as_sql(
            compiler, connection, template=template, arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


def speed_to_lead_by_owner(since: datetime | None = None) -> list[OwnerSpeed]:
    """Median and mean creation-to-first-response per owner, slowest median first."""
    qs = Lead.objects.order_by()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    waited = _SecondsBetween(F("first_response_at"), F("created_at"))
    rows = qs.annotate(waited=waited).values_list("owner_id", "waited", "stage")
    # Read with the cursor, not through the queryset: a quarter of leads is ten thousand rows
    # and more, and the numbers, ids and stage names need no conversion, which cost more than
    # the query. The seconds stay floats until each owner's median and mean are known.
    with connection.cursor() as cursor:
        cursor.execute(*rows.query.sql_with_params())
        fetched = cursor.fetchall()
    speeds: dict[int, list[float]] = defaultdict(list)
    waiting: dict[int, int] = defaultdict(int)
    open_stages = frozenset(OPEN_STAGES)
    for owner_id, seconds, stage in fetched:
        answered = speeds[owner_id]  # every owner gets a row, answered or not
        if seconds is not None:
            answered.append(seconds)
        elif stage in open_stages:
            waiting[owner_id] += 1
    owners = User.objects.in_bulk(list(speeds))
    out = [
        OwnerSpeed(owners[pk], len(v), waiting[pk], _median(v), _mean(v))
        for pk, v in speeds.items()
    ]
    return sorted(out, key=lambda r: (r.median is None, -(r.median or timedelta()), r.owner.pk))


# --- the board's and the API's list --------------------------------------------------------------


@dataclass(frozen=True)
class LeadFilter:
    owner_id: int | None = None
    stage: str = ""
    untouched_days: int | None = None
    q: str = ""


def filter_leads(f: LeadFilter, now: datetime | None = None) -> QuerySet[Lead]:
    """The board's and the API's filters: owner, stage, untouched for N days, free text."""
    qs = Lead.objects.select_related("customer", "owner")
    if f.owner_id is not None:
        qs = qs.filter(owner_id=f.owner_id)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.untouched_days is not None:
        qs = qs.filter(pk__in=untouched_leads(f.untouched_days, now).values("pk"))
    if f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(need__icontains=text)
            | Q(product_interest__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__company__icontains=text)
        )
    return qs


def stage_totals(f: LeadFilter, qs: QuerySet[Lead]) -> dict[str, int]:
    """How many leads of ``qs`` (``filter_leads(f)``) are in each stage: the board's columns.

    Without a text search or the untouched filter, one count per stage, each read from an index
    that starts with the stage, sent together as one query: grouping every lead by stage hashed
    100,000 stage names, two to three times slower on PostgreSQL. A search is scanned once and
    grouped, not scanned once per stage.
    """
    base = qs.order_by()
    # COUNT(*), not COUNT(id): PostgreSQL then counts from the narrowest index with the stage.
    if f.q.strip() or f.untouched_days is not None:
        return dict(base.values_list("stage").annotate(n=Count("*")))
    stages = [f.stage] if f.stage else list(Stage.values)
    # Each count names its stage as a constant, so nothing is grouped (grouping compared every
    # lead's stage name again).
    parts = [
        base.filter(stage=s).values(s=Value(s, output_field=CharField())).annotate(n=Count("*"))
        for s in stages
    ]
    rows = parts[0].union(*parts[1:], all=True).values_list("s", "n")
    return {stage: n for stage, n in rows if n}


# --- the CSV export ------------------------------------------------------------------------------

# Leads read per query while the export streams: memory holds one chunk, not the whole file.
EXPORT_CHUNK = 500
EXPORT_COLUMNS = [
    "id",
    "created_at",
    "stage",
    "customer",
    "company",
    "phones",
    "emails",
    "need",
    "product_interest",
    "budget",
    "timeline",
    "owner",
    "first_response_at",
    "speed_to_lead_minutes",
    "lost_reason",
]
_EXPORT_FIELDS = (
    "pk",
    "created_at",
    "stage",
    "customer_id",
    "customer__name",
    "customer__company",
    "need",
    "product_interest",
    "budget",
    "timeline",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "first_response_at",
    "lost_reason",
)
Row = dict[str, Any]


def export_rows(
    qs: QuerySet[Lead], limit: int, chunk: int = EXPORT_CHUNK
) -> Iterator[list[list[object]]]:
    """The leads of ``qs``, newest first, at most ``limit``, as plain rows ``chunk`` at a time.

    Each chunk is two queries (its leads with customer and owner, then their contact points),
    and the next chunk starts after the last lead seen (by ``(created_at, id)``, not an OFFSET),
    so a lead made while the file streams shifts nothing: no lead twice, none skipped.
    """
    ordered = qs.select_related(None).order_by("-created_at", "-pk").values(*_EXPORT_FIELDS)
    after: tuple[datetime, int] | None = None
    left = limit
    while left > 0:
        page = ordered
        if after is not None:
            page = page.filter(Q(created_at__lt=after[0]) | Q(created_at=after[0], pk__lt=after[1]))
        size = min(chunk, left)
        rows = list(page[:size])
        if not rows:
            return
        points = _contact_points({row["customer_id"] for row in rows})
        yield [export_row(row, points.get(row["customer_id"], [])) for row in rows]
        if len(rows) < size:
            return  # a short chunk is the last: no query to find nothing
        left -= size
        after = (rows[-1]["created_at"], rows[-1]["pk"])


def _contact_points(customer_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
    """(kind, value) per customer, in the order a customer's page lists them (kind, then id)."""
    qs = ContactPoint.objects.filter(customer_id__in=customer_ids).order_by("kind", "pk")
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, kind, value in qs.values_list("customer_id", "kind", "value"):
        out[customer_id].append((kind, value))
    return out


def export_row(row: Row, points: list[tuple[str, str]]) -> list[object]:
    created, answered = row["created_at"], row["first_response_at"]
    full_name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return [
        row["pk"],
        created.isoformat(),
        row["stage"],
        row["customer__name"],
        row["customer__company"],
        " ".join(value for kind, value in points if kind == ContactKind.PHONE),
        " ".join(value for kind, value in points if kind == ContactKind.EMAIL),
        row["need"],
        row["product_interest"],
        row["budget"],
        row["timeline"],
        # display_name's rule, from the joined columns instead of a User per row.
        full_name or row["owner__username"],
        answered.isoformat() if answered else "",
        round((answered - created).total_seconds() / 60, 1) if answered else "",
        row["lost_reason"],
    ]
