"""The demo's open work: leads in the pipeline, promises due, someone away, messages waiting.

Made through the real actions (not bulk inserts) after the demo's history is loaded, so the
board, "My day", the away message and "my messages" have something true to show. Deterministic:
the same interactions are picked every time, only dates follow the load day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from everytouch.customers.models import Customer
from everytouch.demo.data import EXPO, MESSAGE_ABOUT, PROMISES, SALES_WORDS
from everytouch.followups.actions import record_commitment
from everytouch.interactions.models import Interaction
from everytouch.leads.actions import LeadData, capture_lead, move_stage
from everytouch.leads.models import Lead, Stage
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.messages.actions import take_message

# How far along the pipeline each picked lead is walked, in order (a believable funnel).
PATHS: tuple[tuple[Stage, ...], ...] = (
    (),
    (),
    (Stage.CONTACTED,),
    (Stage.CONTACTED, Stage.QUALIFIED),
    (Stage.CONTACTED, Stage.QUALIFIED, Stage.MEETING_SET),
    (Stage.CONTACTED, Stage.QUALIFIED, Stage.WON),
)


@dataclass(frozen=True)
class ActivityCounts:
    leads: int
    promises: int
    messages: int


def _sales_touches(limit: int) -> list[Interaction]:
    qs = Interaction.objects.filter(customer__isnull=False).exclude(need="")
    qs = qs.select_related("customer", "handled_by").order_by("-started_at", "pk")
    picked: dict[int | None, Interaction] = {}
    for touch in qs[:1200]:
        # One lead per customer, so the board shows the breadth of the business.
        if touch.customer_id not in picked and any(w in touch.need.lower() for w in SALES_WORDS):
            picked[touch.customer_id] = touch
    return list(picked.values())[:limit]


def _walk(path: tuple[Stage, ...], lead: Lead, owner: User) -> None:
    for stage in path:
        lead = move_stage(lead, stage, owner)


def _leads(users: dict[str, User], rng: random.Random) -> int:
    sellers = [users["priya"], users["jake"], users["marcus"]]
    made = 0
    for index, touch in enumerate(_sales_touches(36)):
        owner = sellers[index % len(sellers)]
        assert touch.customer is not None  # filtered in _sales_touches
        data = LeadData(touch.need, timeline=rng.choice(["this month", "next quarter", ""]))
        lead, created = capture_lead(
            touch.customer, data, owner=owner, actor=touch.handled_by, source_interaction=touch
        )
        if created:
            made += 1
            _walk(PATHS[index % len(PATHS)] if index % 7 else (Stage.CONTACTED,), lead, owner)
    return made


def _promises(users: dict[str, User], now: datetime, rng: random.Random) -> int:
    reps = [users[name] for name in ("priya", "jake", "luis", "kim")]
    customers = list(Customer.objects.order_by("pk")[:300:15])
    for index, customer in enumerate(customers):
        due = now + timedelta(hours=2 + 9 * index)
        owner = reps[index % len(reps)]
        record_commitment(customer, owner, rng.choice(PROMISES), due, owner)
    return len(customers)


def _away_and_messages(users: dict[str, User], now: datetime) -> int:
    jake, priya = ensure_staff(users["jake"]), ensure_staff(users["priya"])
    ends = (now + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
    schedule_absence(jake, now - timedelta(hours=2), ends, EXPO, priya)
    customers = list(Customer.objects.filter(owner=users["jake"]).order_by("pk")[:2])
    for customer in customers:
        take_message(
            intended_for=users["jake"],
            about=MESSAGE_ABOUT,
            taken_by=users["kim"],
            # The customer's own contact points are the way to call back.
            customer=customer,
        )
    return len(customers)


@transaction.atomic
def load_activity(users: dict[str, User], now: datetime, seed: int = 7) -> ActivityCounts:
    rng = random.Random(seed)
    return ActivityCounts(
        leads=_leads(users, rng),
        promises=_promises(users, now, rng),
        messages=_away_and_messages(users, now),
    )
