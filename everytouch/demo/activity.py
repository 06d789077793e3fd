"""The demo's open work: leads in the pipeline, promises due, someone away, messages waiting.

Made through the real actions (not bulk inserts) after the demo's history is loaded, so the
board, "My day", the away message and "my messages" have something true to show. Deterministic:
the same interactions are picked every time, only dates follow the load day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from everytouch.business_time import add_business_hours, business_tz
from everytouch.customers.models import Customer, EventKind, TimelineEvent
from everytouch.demo.data import EXPO, MESSAGE_ABOUT, PROMISES, SALES_WORDS
from everytouch.followups.actions import record_commitment
from everytouch.interactions.models import Interaction
from everytouch.leads.actions import LeadData, capture_lead, move_stage, record_response
from everytouch.leads.formatting import duration
from everytouch.leads.models import Lead, LeadActivity, Stage
from everytouch.redaction import redacted
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.messages.actions import take_message
from everytouch.staff.models import Notification

# How far along the pipeline each picked lead is walked, in order (a believable funnel).
PATHS: tuple[tuple[Stage, ...], ...] = (
    (),
    (),
    (Stage.CONTACTED,),
    (Stage.CONTACTED, Stage.QUALIFIED),
    (Stage.CONTACTED, Stage.QUALIFIED, Stage.MEETING_SET),
    (Stage.CONTACTED, Stage.QUALIFIED, Stage.WON),
)

# How long the owner took to answer a new lead, in minutes: fast and slow, for the speed page.
ANSWER_MINUTES = (6, 11, 18, 26, 45, 70, 130)


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
    if not path:
        # Still new, but answered: a demo lead from a settled call is not waiting for anyone.
        record_response(lead, owner, "called back")


def _moments(
    activities: list[LeadActivity], captured: datetime, answer: timedelta
) -> list[datetime]:
    """When each of a lead's activities happened: captured, answered, then a step a day."""
    moments: list[datetime] = []
    for activity in activities:
        if not moments:
            at = captured
        elif activity.kind == LeadActivity.Kind.RESPONDED and moments[-1] != captured:
            at = moments[-1]  # the stage change that was the first response
        elif moments[-1] == captured:
            at = captured + answer
        else:
            at = moments[-1] + timedelta(days=1)
        moments.append(at)
    return moments


def _settle(lead: Lead, captured: datetime, answer: timedelta, now: datetime) -> None:
    """Move a lead's stamps from the load's "now" back to when its story happened.

    The actions stamp "now" (as the loader's do); left there, a settled call would read as a
    lead captured a minute ago, with a fresh notice and a waiting time that keeps growing.
    """
    activities = list(lead.activities.order_by("pk"))
    moments = _moments(activities, captured, answer)
    latest = now - timedelta(minutes=5)
    if moments[-1] > latest and moments[-1] > captured:
        # A recent call: the same story, told faster, so nothing happens in the future.
        span = max(latest - captured, timedelta(0)) / (moments[-1] - captured)
        moments = [captured + (m - captured) * span for m in moments]
    for activity, at in zip(activities, moments, strict=True):
        activity.created_at = at
        if activity.kind == LeadActivity.Kind.RESPONDED:
            how = activity.data.get("how", "responded")
            activity.summary = f"First response ({how}) after {duration(at - captured)}"
            lead.first_response_at = at
    LeadActivity.objects.bulk_update(redacted(activities), ["created_at", "summary"])
    lead.created_at, lead.last_activity_at = captured, moments[-1]
    lead.closed_at = moments[-1] if not lead.is_open else None
    lead.save(update_fields=["created_at", "first_response_at", "last_activity_at", "closed_at"])
    stages = [m for a, m in zip(activities, moments, strict=True) if a.kind == "stage"]
    events = TimelineEvent.objects.filter(customer=lead.customer, data__lead_id=lead.pk)
    for event in events.order_by("pk"):
        first = event.kind == EventKind.LEAD_CREATED or not stages
        event.happened_at = event.created_at = captured if first else stages.pop(0)
        event.save(update_fields=["happened_at", "created_at"])
    # The owner was told when the call was captured and read it before answering; nothing
    # about it is news today, nor an e-mail to send.
    Notification.objects.filter(key__startswith=f"lead-{lead.pk}-").update(
        created_at=captured, emailed_at=captured, read_at=lead.first_response_at or captured
    )


def _leads(users: dict[str, User], now: datetime, rng: random.Random) -> int:
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
            # Captured by the analysis when the call ended, as the job after logging does.
            captured = touch.ended_at or touch.started_at
            answer = timedelta(minutes=rng.choice(ANSWER_MINUTES))
            _settle(Lead.objects.select_related("customer").get(pk=lead.pk), captured, answer, now)
    return made


def _quarter_hour(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _promises(users: dict[str, User], now: datetime, rng: random.Random) -> int:
    reps = [users[name] for name in ("priya", "jake", "luis", "kim")]
    customers = list(Customer.objects.order_by("pk")[:300:15])
    for index, customer in enumerate(customers):
        # Counted in business hours in the business's zone, so nothing is due at 03:07; on
        # the quarter hour, as people promise.
        due = _quarter_hour(add_business_hours(now, 2 + 3 * index))
        owner = reps[index % len(reps)]
        record_commitment(customer, owner, rng.choice(PROMISES), due, owner)
    return len(customers)


def _away_and_messages(users: dict[str, User], now: datetime) -> int:
    jake, priya = ensure_staff(users["jake"]), ensure_staff(users["priya"])
    # Back at midnight in the business's zone: away through the whole of the day before.
    back = (now + timedelta(days=3)).astimezone(business_tz()).date()
    ends = datetime.combine(back, time(0), tzinfo=business_tz())
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
        leads=_leads(users, now, rng),
        promises=_promises(users, now, rng),
        messages=_away_and_messages(users, now),
    )
