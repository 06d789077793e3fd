"""Promises with due dates: recording, keeping, missing (and escalating), and cadences after a sale.

Every change goes through these functions, each in one transaction and each landing on the
customer's timeline. Reminders and escalations are scheduled here, on commit, and run by
``followups.tasks``; each of those re-reads its row under a lock, so a job that runs twice
does its work once (docs/followups.md, "Reliability").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.access import MANAGER_ROLES, has_role, may_act_for
from everytouch.accounts.paging import capped_count
from everytouch.accounts.people import display_name
from everytouch.analysis.commitments import find_commitments
from everytouch.business_time import business_days, business_tz, opening_hours, written_moment
from everytouch.customers import timeline
from everytouch.customers.actions import resolve
from everytouch.customers.models import Customer
from everytouch.followups.models import CadencePlan, Commitment, CommitmentStatus
from everytouch.interactions.conversation import to_conversation
from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead
from everytouch.ownership import can_own
from everytouch.staff.messages.actions import manager_for
from everytouch.staff.notifications import notify

logger = logging.getLogger("everytouch.followups")

MAX_WHAT = 300
DEFAULT_PLAN_NAME = "After a sale"
# The plan a business gets until a manager edits it: the example, kept short.
DEFAULT_STEPS: list[dict[str, Any]] = [
    {"after_days": 7, "what": "Thank-you call"},
    {"after_days": 30, "what": "Check-in call"},
    {"after_days": 90, "what": "Review: how is it going, what else do they need?"},
    {"after_days": 365, "what": "Anniversary call"},
]
MAX_STEPS = 20
MAX_AFTER_DAYS = 3650
# Open promises whose due time passed: kept ones still count, missed ones still need doing.
STILL_TO_DO = (CommitmentStatus.OPEN, CommitmentStatus.MISSED)


class CommitmentError(ValueError):
    """A commitment that cannot be recorded or changed; the message says why."""


def reminder_lead() -> timedelta:
    """How long before the due time the owner is reminded (EVERYTOUCH_REMINDER_MINUTES)."""
    minutes = float(settings.EVERYTOUCH_REMINDER_MINUTES)
    return timedelta(minutes=max(minutes, 0))


def commitment_url(commitment: Commitment) -> str:
    return f"{reverse('my_day')}#commitment-{commitment.pk}"


# --- recording -----------------------------------------------------------------------------------


def _clean_what(what: str) -> str:
    cleaned = " ".join(what.split())
    if not cleaned:
        raise CommitmentError("say what was promised")
    if len(cleaned) > MAX_WHAT:
        raise CommitmentError(f"what was promised is longer than {MAX_WHAT} characters")
    return cleaned


def _check_due(due_at: datetime, now: datetime) -> None:
    if timezone.is_naive(due_at):
        raise CommitmentError("the due time needs a time zone")
    if due_at <= now:
        raise CommitmentError("the due time is in the past; a promise must be due later")


def _check_owner(owner: User | None) -> User:
    if owner is None or not can_own(owner):
        who = display_name(owner) if owner is not None else "nobody"
        raise CommitmentError(f"{who} cannot own a promise: not an active member of staff")
    return owner


def _check_source(source: Interaction | None, customer: Customer) -> None:
    if source is None or source.customer is None:
        return
    if resolve(source.customer).pk != customer.pk:
        raise CommitmentError("that interaction belongs to another customer")


@transaction.atomic
def record_commitment(
    customer: Customer,
    owner: User | None,
    what: str,
    due_at: datetime,
    actor: User | None,
    source_interaction: Interaction | None = None,
    *,
    cadence_key: str = "",
) -> Commitment:
    """Record a promise to a customer, put it on their timeline and schedule its reminder."""
    customer = resolve(customer)
    cleaned = _clean_what(what)
    _check_due(due_at, timezone.now())
    owner = _check_owner(owner)
    _check_source(source_interaction, customer)
    commitment = Commitment.objects.create(
        customer=customer,
        owner=owner,
        what=cleaned,
        due_at=due_at,
        source_interaction=source_interaction,
        created_by=actor,
        cadence_key=cadence_key,
    )
    timeline.commitment_made(customer, actor, commitment.pk, cleaned, due_at, display_name(owner))
    _schedule(commitment)
    return commitment


def _schedule(commitment: Commitment) -> None:
    """Queue the reminder and the due-time check once the commitment is really stored."""
    pk, due_at = commitment.pk, commitment.due_at
    remind_at = due_at - reminder_lead()

    def enqueue() -> None:
        from everytouch.followups.tasks import escalate_commitment_task, remind_commitment_task

        remind_commitment_task.using(run_after=remind_at).enqueue(pk)
        escalate_commitment_task.using(run_after=due_at).enqueue(pk)

    transaction.on_commit(enqueue)


# --- keeping -------------------------------------------------------------------------------------


@transaction.atomic
def complete_commitment(commitment: Commitment, actor: User) -> Commitment:
    """The promise is kept (late if it was missed). Completing twice changes nothing."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if not may_act_for(actor, locked.owner_id):
        raise PermissionDenied("only the person who promised, or a manager, may mark it done")
    if locked.status == CommitmentStatus.DONE:
        return locked
    locked.status = CommitmentStatus.DONE
    locked.done_at = timezone.now()
    locked.save(update_fields=["status", "done_at"])
    on_time = locked.done_at <= locked.due_at
    timeline.commitment_done(locked.customer, actor, locked.pk, locked.what, on_time)
    return locked


# --- reminding and escalating (called by the tasks) ---------------------------------------------


def _locked_open(commitment_id: int) -> Commitment | None:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("owner", "customer")
        .filter(pk=commitment_id, status=CommitmentStatus.OPEN)
        .first()
    )


def _reminder_text(commitment: Commitment) -> str:
    due = written_moment(commitment.due_at)
    return f"Due {due}: {commitment.what} ({commitment.customer.display_name})"


def reminder_is_due(commitment: Commitment, now: datetime) -> bool:
    """Open, not reminded yet, inside the reminder window; after the due time, escalation speaks."""
    return (
        commitment.status == CommitmentStatus.OPEN
        and commitment.reminded_at is None
        and commitment.due_at - reminder_lead() <= now < commitment.due_at
    )


@transaction.atomic
def send_reminder(commitment_id: int, now: datetime) -> Commitment | None:
    """Remind the current owner once; None when there is nothing to do (done, reminded, early)."""
    commitment = _locked_open(commitment_id)
    if commitment is None or not reminder_is_due(commitment, now):
        return None
    key = f"commitment:{commitment.pk}:reminder"
    notify(commitment.owner, _reminder_text(commitment), commitment_url(commitment), key)
    commitment.reminded_at = now
    commitment.save(update_fields=["reminded_at"])
    return commitment


def _missed_texts(commitment: Commitment) -> tuple[str, str]:
    due = written_moment(commitment.due_at)
    customer = commitment.customer.display_name
    to_manager = (
        f"Missed promise: {display_name(commitment.owner)} promised {customer} "
        f"by {due}: {commitment.what}"
    )
    to_owner = f"You missed a promise due {due} to {customer}: {commitment.what}"
    return to_manager, to_owner


def _escalate(commitment: Commitment) -> User:
    owner = commitment.owner
    manager = manager_for(owner, exclude=owner) or manager_for(owner) or owner
    to_manager, to_owner = _missed_texts(commitment)
    url = commitment_url(commitment)
    key = f"commitment:{commitment.pk}:missed"
    notify(manager, to_manager, url, key)
    if manager.pk != owner.pk:
        notify(owner, to_owner, url, key)
    return manager


@transaction.atomic
def mark_missed(commitment_id: int, now: datetime) -> Commitment | None:
    """Past due and not done: missed, escalated to the owner's manager once.

    The row is locked and ``escalated_at`` checked, so a retried job, a sweep racing the
    scheduled job, or a job that died half-way and ran again escalates once and notifies once.
    """
    commitment = _locked_open(commitment_id)
    if commitment is None or commitment.escalated_at is not None or commitment.due_at > now:
        return None
    commitment.status = CommitmentStatus.MISSED
    commitment.escalated_at = now
    commitment.save(update_fields=["status", "escalated_at"])
    manager = _escalate(commitment)
    owner_name = display_name(commitment.owner)
    what, customer = commitment.what, commitment.customer
    timeline.commitment_missed(customer, commitment.pk, what, owner_name, display_name(manager))
    logger.info("commitment %s missed; escalated to %s", commitment.pk, manager)
    return commitment


def reminders_due(now: datetime) -> QuerySet[Commitment]:
    window_opens = now + reminder_lead()
    qs = Commitment.objects.filter(status=CommitmentStatus.OPEN, reminded_at=None)
    return qs.filter(due_at__lte=window_opens, due_at__gt=now).order_by("due_at", "pk")


def overdue(now: datetime) -> QuerySet[Commitment]:
    qs = Commitment.objects.filter(status=CommitmentStatus.OPEN, escalated_at=None)
    return qs.filter(due_at__lte=now).order_by("due_at", "pk")


# --- suggestions from a transcript ---------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A promise the analyzer heard; recorded only once the rep confirms it."""

    turn: int
    quote: str
    what: str
    due_text: str
    due_at: datetime | None
    recorded: bool


def commitments_from_interaction(interaction: Interaction) -> list[Suggestion]:
    """Our side's promises in the transcript, with due times resolved from when it started."""
    found = find_commitments(to_conversation(interaction), tz=str(settings.TIME_ZONE))
    recorded = set(interaction.commitments.values_list("what", flat=True))
    out = []
    for item in found:
        if item.speaker != "agent":
            continue
        what = " ".join(item.text.split())[:MAX_WHAT]
        due_at = item.due_at if item.due_at is not None and not item.vague else None
        out.append(Suggestion(item.turn, item.quote, what, item.due_text, due_at, what in recorded))
    return out


# --- cadences ------------------------------------------------------------------------------------


def default_plan() -> CadencePlan:
    """The plan used when a lead is won; made with the built-in steps the first time."""
    plan = CadencePlan.objects.filter(is_default=True).order_by("pk").first()
    if plan is not None:
        return plan
    plan, _ = CadencePlan.objects.get_or_create(
        name=DEFAULT_PLAN_NAME, defaults={"steps": DEFAULT_STEPS, "is_default": True}
    )
    if not plan.is_default:
        plan.is_default = True
        plan.save(update_fields=["is_default"])
    return plan


def clean_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validated steps, in order of days; a bad step is refused with its number."""
    if len(steps) > MAX_STEPS:
        raise CommitmentError(f"a plan has at most {MAX_STEPS} steps")
    out = []
    for number, step in enumerate(steps, start=1):
        days = step.get("after_days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_AFTER_DAYS:
            raise CommitmentError(
                f"step {number}: days after the sale must be 1 to {MAX_AFTER_DAYS}"
            )
        try:
            what = _clean_what(str(step.get("what", "")))
        except CommitmentError as exc:
            raise CommitmentError(f"step {number}: {exc}") from exc
        out.append({"after_days": days, "what": what})
    return sorted(out, key=lambda s: int(s["after_days"]))


@transaction.atomic
def set_plan_steps(plan: CadencePlan, steps: list[dict[str, Any]], actor: User) -> CadencePlan:
    """Managers change what happens after a sale; commitments already made stay as they are."""
    if not has_role(actor, MANAGER_ROLES):
        raise PermissionDenied("only managers change the cadence plan")
    plan.steps = clean_steps(steps)
    plan.save(update_fields=["steps"])
    logger.info("cadence plan %s changed by %s: %s", plan.pk, actor, plan.steps)
    return plan


def _business_day_on_or_after(day: date) -> date:
    days = business_days()
    for _ in range(7):
        if not days or day.weekday() in days:
            return day
        day += timedelta(days=1)
    return day


def cadence_due(start: datetime, after_days: int) -> datetime:
    """Close of business on the first business day ``after_days`` after ``start``."""
    local = start.astimezone(business_tz())
    day = _business_day_on_or_after(local.date() + timedelta(days=after_days))
    _, closes = opening_hours()
    return datetime.combine(day, closes if closes > time(0) else time(17), tzinfo=business_tz())


def cadence_key(lead_id: int, plan: CadencePlan, step: int) -> str:
    # Per lead, not just per customer: a customer who buys again next year is courted again.
    return f"lead:{lead_id}:plan:{plan.pk}:step:{step}"


def _cadence_owner(lead: Lead) -> User:
    owner: User = lead.owner
    if can_own(owner):
        return owner
    fallback = manager_for(owner)
    if fallback is None:
        raise CommitmentError("nobody can own the follow-ups: there is no active manager")
    return fallback


def _create_step(
    lead: Lead, owner: User, key: str, what: str, due_at: datetime, actor: User | None
) -> Commitment | None:
    customer = resolve(lead.customer)
    if Commitment.objects.filter(customer=customer, cadence_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return record_commitment(
                customer, owner, what, due_at, actor, lead.source_interaction, cadence_key=key
            )
    except IntegrityError:
        # A simultaneous start_cadence for the same lead made this step first.
        return None


@transaction.atomic
def start_cadence(lead: Lead, actor: User | None) -> list[Commitment]:
    """The stay-in-touch follow-ups for a won lead; running it again creates nothing twice.

    Connected to ``leads.hooks.lead_won`` (sales people must not vanish after the deal, so the
    stay-in-touch plan starts when a lead is won). Returns the commitments this call
    created (empty when they already exist).
    """
    plan = default_plan()
    owner = _cadence_owner(lead)
    start = timezone.now()
    created = []
    for index, step in enumerate(clean_steps(list(plan.steps))):
        due_at = cadence_due(start, int(step["after_days"]))
        key = cadence_key(lead.pk, plan, index)
        made = _create_step(lead, owner, key, f"{step['what']} (after the sale)", due_at, actor)
        if made is not None:
            created.append(made)
    return created


# --- my day --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyDay:
    overdue: list[Commitment]
    today: list[Commitment]
    upcoming: list[Commitment]
    # Overdue promises left off the list (only the most recently due are listed), and whether
    # that count stopped at the cap instead of counting them all.
    overdue_not_shown: int = 0
    overdue_capped: bool = False


UPCOMING_DAYS = 7
# Missed promises stay overdue until kept, so after a year or two a rep has hundreds: the page
# lists the most recently due (still oldest first) and says how many more there are.
OVERDUE_SHOWN = 50


def end_of_day(now: datetime) -> datetime:
    local = now.astimezone(business_tz())
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=business_tz())


def my_day(user: User, now: datetime) -> MyDay:
    """What this person promised: overdue (missed included), due today, and the week ahead."""
    mine = Commitment.objects.filter(owner=user)
    mine = mine.select_related("customer", "owner", "source_interaction")
    tonight = end_of_day(now)
    overdue_qs = mine.filter(status__in=STILL_TO_DO, due_at__lte=now)
    overdue = list(overdue_qs.order_by("-due_at", "-pk")[: OVERDUE_SHOWN + 1])
    more, capped = 0, False
    if len(overdue) > OVERDUE_SHOWN:
        total, capped = capped_count(overdue_qs, OVERDUE_SHOWN)
        overdue, more = overdue[:OVERDUE_SHOWN], total - OVERDUE_SHOWN
    return MyDay(
        overdue=overdue[::-1],
        today=list(mine.filter(status=CommitmentStatus.OPEN, due_at__gt=now, due_at__lt=tonight)),
        upcoming=list(
            mine.filter(
                status=CommitmentStatus.OPEN,
                due_at__gte=tonight,
                due_at__lt=tonight + timedelta(days=UPCOMING_DAYS),
            )
        ),
        overdue_not_shown=more,
        overdue_capped=capped,
    )
