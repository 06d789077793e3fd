"""Every change to leads goes through these functions (views, API, tasks and CLI call them).

Speed to lead is the time from a lead's creation to its owner's first response. A response is
the first of: a stage change made by the owner, an explicit "responded" by the owner, or a
call/e-mail/chat/visit logged with the lead's customer and handled by the owner after the lead
was created (found by the task that runs after every logged interaction). A response by
somebody else does not count: the figure measures the owner, and a lead handed off before its
owner answered keeps waiting for its new owner. ``queries`` reads the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.access import MANAGER_ROLES, has_role
from everytouch.accounts.people import display_name
from everytouch.customers import timeline
from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction
from everytouch.leads import stages, webhooks
from everytouch.leads.errors import LeadError
from everytouch.leads.formatting import duration
from everytouch.leads.hooks import lead_won
from everytouch.leads.models import CLOSED_STAGES, OPEN_STAGES, Lead, LeadActivity, Stage
from everytouch.leads.queries import default_owner
from everytouch.ownership import can_own
from everytouch.redaction import redact_value
from everytouch.staff.notifications import notify

DEDUP_WINDOW = timedelta(days=30)
UPDATABLE = ("product_interest", "budget", "timeline")


@dataclass(frozen=True)
class LeadData:
    need: str
    product_interest: str = ""
    budget: str = ""
    timeline: str = ""


def _need_key(need: str) -> str:
    """ "Wants 40 CHAIRS!" and "wants 40 chairs" are the same need."""
    # Keyed on the need as stored (redacted), so a repeat with a card number in it still matches.
    words = re.sub(r"[^\w]+", " ", redact_value(need).casefold()).split()
    return " ".join(words)[:300]


def _lead_url(lead: Lead) -> str:
    return reverse("lead_detail", args=[lead.pk])


def _check_owner(owner: User) -> User:
    if not can_own(owner):
        raise LeadError(f"{owner.username} is not an active staff member and cannot own leads")
    return owner


# --- capture -------------------------------------------------------------------------------------


def _recent_same_need(customer: Customer, key: str, now: datetime) -> Lead | None:
    qs = Lead.objects.filter(customer=customer, need_key=key, created_at__gt=now - DEDUP_WINDOW)
    return qs.order_by("-created_at", "-pk").first()


def _activity(
    lead: Lead, kind: str, actor: User | None, summary: str, **data: object
) -> LeadActivity:
    return LeadActivity.objects.create(
        lead=lead, kind=kind, actor=actor, summary=summary[:300], data=data
    )


@transaction.atomic
def capture_lead(
    customer: Customer,
    data: LeadData,
    *,
    owner: User | None,
    actor: User | None,
    source_interaction: Interaction | None = None,
) -> tuple[Lead, bool]:
    """A new lead, or the same customer's lead for the same need from the last 30 days updated.

    ``owner=None`` picks the default sales owner. Returns ``(lead, created)``.
    """
    need = data.need.strip()
    key = _need_key(need)
    if not key:
        raise LeadError("say what the customer needs")
    # Serialises captures for one customer, so a click at the desk and the background
    # analysis of the same call cannot both create a lead.
    # of=("self",): PostgreSQL cannot lock the nullable side of the owner join.
    customer = (
        Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)
    )
    now = timezone.now()
    existing = _recent_same_need(customer, key, now)
    if existing is not None:
        return _update_lead(existing, data, actor, source_interaction, now), False
    owner = _check_owner(owner) if owner is not None else default_owner(customer)
    return _create_lead(customer, need, key, data, owner, actor, source_interaction, now), True


def _create_lead(
    customer: Customer,
    need: str,
    key: str,
    data: LeadData,
    owner: User,
    actor: User | None,
    source_interaction: Interaction | None,
    now: datetime,
) -> Lead:
    lead = Lead.objects.create(
        customer=customer,
        source_interaction=source_interaction,
        need=need[:300],
        need_key=key,
        product_interest=data.product_interest.strip()[:200],
        budget=data.budget.strip()[:100],
        timeline=data.timeline.strip()[:100],
        owner=owner,
        created_by=actor,
        created_at=now,
        last_activity_at=now,
    )
    _activity(lead, LeadActivity.Kind.CREATED, actor, f"Created for {display_name(owner)}")
    timeline.lead_created(customer, actor, lead.pk, lead.need, display_name(owner))
    if actor is None or actor.pk != owner.pk:
        text = f"New lead for you: {customer.display_name}: {lead.need}"
        notify(owner, text, _lead_url(lead), f"lead-{lead.pk}-owner-{owner.pk}")
    webhooks.emit(webhooks.LEAD_CREATED, lead, f"lead.created.{lead.pk}")
    return lead


def _update_lead(
    lead: Lead,
    data: LeadData,
    actor: User | None,
    source_interaction: Interaction | None,
    now: datetime,
) -> Lead:
    changed = [
        name
        for name in UPDATABLE
        if (value := str(getattr(data, name)).strip()) and value != getattr(lead, name)
    ]
    for name in changed:
        setattr(lead, name, str(getattr(data, name)).strip())
    if source_interaction is not None and lead.source_interaction_id is None:
        lead.source_interaction = source_interaction
        changed.append("source_interaction")
    lead.last_activity_at = now
    lead.save(update_fields=[*changed, "last_activity_at"])
    what = ", ".join(changed) if changed else "asked again"
    _activity(lead, LeadActivity.Kind.UPDATED, actor, f"Same need again: {what}", fields=changed)
    timeline.lead_updated(lead.customer, actor, lead.pk, changed or ["asked again"])
    return lead


# --- hand-off, response, stage -------------------------------------------------------------------


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().select_related("customer", "owner").get(pk=lead.pk)


@transaction.atomic
def hand_off(lead: Lead, to: User, actor: User | None) -> Lead:
    """Give the lead to another sales owner, who is told about it."""
    lead = _locked(lead)
    _check_owner(to)
    if not lead.is_open:
        raise LeadError(f"the lead is {lead.get_stage_display().lower()}; reopen it first")
    if lead.owner_id == to.pk:
        raise LeadError(f"the lead is already with {display_name(to)}")
    previous = lead.owner
    lead.owner = to
    lead.last_activity_at = timezone.now()
    lead.save(update_fields=["owner", "last_activity_at"])
    summary = f"Handed off from {display_name(previous)} to {display_name(to)}"
    act = _activity(lead, LeadActivity.Kind.HANDED_OFF, actor, summary, **{"from": previous.pk})
    timeline.lead_handed_off(lead.customer, actor, lead.pk, display_name(to), to.pk)
    by = f" by {display_name(actor)}" if actor is not None else ""
    text = f"Lead handed to you{by}: {lead.customer.display_name}: {lead.need}"
    notify(to, text, _lead_url(lead), f"lead-{lead.pk}-handoff-{act.pk}")
    extra = {"previous_owner": webhooks.person(previous)}
    webhooks.emit(webhooks.LEAD_HANDED_OFF, lead, f"lead.handed_off.{act.pk}", extra)
    return lead


def _respond(lead: Lead, actor: User, at: datetime, how: str) -> bool:
    """Set first_response_at on a locked lead if this is its owner's first response."""
    if lead.first_response_at is not None or lead.owner_id != actor.pk or at < lead.created_at:
        return False
    lead.first_response_at = at
    lead.last_activity_at = max(lead.last_activity_at, at)
    lead.save(update_fields=["first_response_at", "last_activity_at"])
    summary = f"First response ({how}) after {duration(at - lead.created_at)}"
    _activity(lead, LeadActivity.Kind.RESPONDED, actor, summary, how=how)
    return True


@transaction.atomic
def record_response(lead: Lead, actor: User, how: str = "marked responded") -> Lead:
    """The owner answered the lead; only the first response is kept (speed to lead)."""
    lead = _locked(lead)
    _respond(lead, actor, timezone.now(), how)
    return lead


@transaction.atomic
def move_stage(lead: Lead, stage: str, actor: User, lost_reason: str = "") -> Lead:
    """Move a lead along the pipeline under the rules in ``stages``; won and lost close it."""
    lead = _locked(lead)
    reason = stages.refusal(lead.stage, stage, may_reopen=has_role(actor, MANAGER_ROLES))
    if reason is None and stage == Stage.LOST and not lost_reason.strip():
        reason = "say why the lead was lost"
    if reason is not None:
        raise LeadError(reason)
    old, now = lead.stage, timezone.now()
    _apply_stage(lead, Stage(stage), lost_reason.strip()[:300], now)
    label = f"{Stage(old).label} → {Stage(stage).label}"
    summary = label + (f": {lead.lost_reason}" if stage == Stage.LOST else "")
    _activity(lead, LeadActivity.Kind.STAGE, actor, summary, **{"from": old, "to": stage})
    timeline.lead_stage_changed(
        lead.customer, actor, lead.pk, Stage(old).label, Stage(stage).label, lead.lost_reason
    )
    _respond(lead, actor, now, "stage change")
    if stage == Stage.WON:
        lead_won.fire(lead, actor)
    return lead


def _apply_stage(lead: Lead, stage: Stage, lost_reason: str, now: datetime) -> None:
    lead.stage = stage
    lead.last_activity_at = now
    lead.lost_reason = lost_reason if stage == Stage.LOST else ""
    lead.closed_at = now if stage in CLOSED_STAGES else None
    lead.save(update_fields=["stage", "last_activity_at", "lost_reason", "closed_at"])


# --- from a logged interaction -------------------------------------------------------------------


@transaction.atomic
def record_responses_from(interaction: Interaction) -> list[Lead]:
    """The owner's call or e-mail to a customer answers that customer's waiting leads."""
    if interaction.customer_id is None or interaction.handled_by_id is None:
        return []
    waiting = Lead.objects.select_for_update().filter(
        customer_id=interaction.customer_id,
        owner_id=interaction.handled_by_id,
        first_response_at=None,
        stage__in=OPEN_STAGES,
        created_at__lte=interaction.started_at,
    )
    assert interaction.handled_by is not None
    how = f"{interaction.get_channel_display().lower()} logged"
    return [
        lead
        for lead in waiting
        if _respond(lead, interaction.handled_by, interaction.started_at, how)
    ]
