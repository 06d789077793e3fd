"""Read-only questions about leads: who gets a new one, who may change one, what needs attention
and how fast owners answer (speed to lead, as ``actions`` records it). Nothing here writes.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from everytouch.accounts.models import Role
from everytouch.customers.models import Customer
from everytouch.leads.errors import LeadError
from everytouch.leads.models import OPEN_STAGES, Lead
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


def _mean(values: list[timedelta]) -> timedelta | None:
    return sum(values, timedelta()) / len(values) if values else None


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def speed_to_lead_by_owner(since: datetime | None = None) -> list[OwnerSpeed]:
    """Median and mean creation-to-first-response per owner, slowest median first."""
    qs = Lead.objects.order_by()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    # Plain tuples, not model instances: a year of leads is tens of thousands of rows.
    rows = qs.values_list("owner_id", "created_at", "first_response_at", "stage")
    speeds: dict[int, list[timedelta]] = defaultdict(list)
    waiting: dict[int, int] = defaultdict(int)
    for owner_id, created_at, first_response_at, stage in rows:
        speeds[owner_id]  # every owner gets a row, answered or not
        if first_response_at is not None:
            speeds[owner_id].append(first_response_at - created_at)
        elif stage in OPEN_STAGES:
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
