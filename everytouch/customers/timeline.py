"""One small constructor per kind of timeline event, so every app records touches the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from everytouch.accounts.people import display_name
from everytouch.business_time import written_moment
from everytouch.customers.contacts import format_phone
from everytouch.customers.models import ContactKind, Customer, EventKind, TimelineEvent


def _record(
    customer: Customer,
    kind: EventKind,
    summary: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer=customer,
        kind=kind,
        summary=summary[:500],
        actor=actor,
        data=data or {},
        happened_at=at or timezone.now(),
    )


def customer_created(customer: Customer, actor: User | None) -> TimelineEvent:
    return _record(customer, EventKind.CUSTOMER_CREATED, "Customer created", actor=actor)


def details_updated(customer: Customer, actor: User | None, fields: list[str]) -> TimelineEvent:
    summary = "Updated " + ", ".join(fields)
    data = {"fields": fields}
    return _record(customer, EventKind.DETAILS_UPDATED, summary, actor=actor, data=data)


def _shown(kind: str, value: str) -> str:
    """'phone (331) 555-0119' or 'e-mail rosa@example.com', as people read them."""
    if kind == ContactKind.PHONE:
        return f"phone {format_phone(value)}"
    return f"e-mail {value}"


def contact_added(customer: Customer, actor: User | None, kind: str, value: str) -> TimelineEvent:
    data = {"kind": kind, "value": value}
    summary = f"Added {_shown(kind, value)}"
    return _record(customer, EventKind.CONTACT_ADDED, summary, actor=actor, data=data)


def contact_corrected(
    customer: Customer, actor: User | None, kind: str, old: str, new: str
) -> TimelineEvent:
    shown_new = format_phone(new) if kind == ContactKind.PHONE else new
    summary = f"{_shown(kind, old).capitalize()} corrected to {shown_new}"
    data = {"kind": kind, "old": old, "new": new}
    return _record(customer, EventKind.CONTACT_CORRECTED, summary, actor=actor, data=data)


def contact_removed(customer: Customer, actor: User | None, kind: str, value: str) -> TimelineEvent:
    summary = f"{_shown(kind, value).capitalize()} removed"
    data = {"kind": kind, "value": value}
    return _record(customer, EventKind.CONTACT_REMOVED, summary, actor=actor, data=data)


def interaction_logged(
    customer: Customer, actor: User | None, interaction_id: int, summary: str, at: datetime
) -> TimelineEvent:
    data = {"interaction_id": interaction_id}
    return _record(customer, EventKind.INTERACTION_LOGGED, summary, actor=actor, data=data, at=at)


def transferred(
    customer: Customer, actor: User | None, interaction_id: int, to_name: str, reason: str
) -> TimelineEvent:
    summary = f"Transferred to {to_name}" + (f": {reason}" if reason else "")
    data = {"interaction_id": interaction_id, "reason": reason}
    return _record(customer, EventKind.TRANSFERRED, summary, actor=actor, data=data)


def merged(
    customer: Customer, actor: User | None, other: Customer, picked: dict[str, int]
) -> TimelineEvent:
    """The merge's audit entry: which record was folded in and where each differing field came
    from, so a merge can be checked (and undone by hand) long after."""
    summary = f"Merged {other.display_name} (#{other.pk}) into this customer"
    if picked:
        summary += "; kept " + ", ".join(f"{name} from #{pk}" for name, pk in picked.items())
    data = {"merged_id": other.pk, "merged_name": other.display_name, "fields": picked}
    return _record(customer, EventKind.MERGED, summary, actor=actor, data=data)


def owner_changed(
    customer: Customer, actor: User | None, new_owner: User | None, reason: str = ""
) -> TimelineEvent:
    name = display_name(new_owner)
    summary = f"Owner is now {name}" + (f" ({reason})" if reason else "")
    data = {"owner_id": new_owner.pk if new_owner else None, "reason": reason}
    return _record(customer, EventKind.OWNER_CHANGED, summary, actor=actor, data=data)


def item_handed_over(
    customer: Customer, actor: User | None, item: str, item_id: int, owner: User, reason: str
) -> TimelineEvent:
    """A customer's message, lead, promise, ... changed hands (the customer's own owner did not)."""
    summary = f"{item.capitalize()} #{item_id} now with {display_name(owner)} ({reason})"
    data = {"item": item, "item_id": item_id, "owner_id": owner.pk, "reason": reason}
    return _record(customer, EventKind.OWNER_CHANGED, summary, actor=actor, data=data)


def message_taken(
    customer: Customer, actor: User | None, message_id: int, for_name: str, about: str
) -> TimelineEvent:
    summary = f"Message taken for {for_name}: {about}"
    data = {"message_id": message_id, "for": for_name}
    return _record(customer, EventKind.MESSAGE_TAKEN, summary, actor=actor, data=data)


def message_escalated(
    customer: Customer, message_id: int, from_name: str, to_name: str, hours: float
) -> TimelineEvent:
    summary = (
        f"Message unanswered for {hours:g} business hours: moved from {from_name} to {to_name}"
    )
    data = {"message_id": message_id, "from": from_name, "to": to_name}
    return _record(customer, EventKind.MESSAGE_ESCALATED, summary, actor=None, data=data)


def lead_created(
    customer: Customer, actor: User | None, lead_id: int, need: str, owner_name: str
) -> TimelineEvent:
    summary = f"Lead: {need} (owner {owner_name})"
    data = {"lead_id": lead_id}
    return _record(customer, EventKind.LEAD_CREATED, summary, actor=actor, data=data)


def lead_updated(
    customer: Customer, actor: User | None, lead_id: int, fields: list[str]
) -> TimelineEvent:
    summary = "Lead updated: " + ", ".join(fields)
    data = {"lead_id": lead_id, "fields": fields}
    return _record(customer, EventKind.LEAD_UPDATED, summary, actor=actor, data=data)


def lead_stage_changed(
    customer: Customer, actor: User | None, lead_id: int, old: str, new: str, reason: str = ""
) -> TimelineEvent:
    summary = f"Lead moved from {old} to {new}" + (f": {reason}" if reason else "")
    data = {"lead_id": lead_id, "from": old, "to": new, "reason": reason}
    return _record(customer, EventKind.LEAD_STAGE_CHANGED, summary, actor=actor, data=data)


def lead_handed_off(
    customer: Customer, actor: User | None, lead_id: int, to_name: str, to_id: int
) -> TimelineEvent:
    summary = f"Lead handed off to {to_name}"
    data = {"lead_id": lead_id, "owner_id": to_id}
    return _record(customer, EventKind.LEAD_HANDED_OFF, summary, actor=actor, data=data)


def commitment_made(
    customer: Customer,
    actor: User | None,
    commitment_id: int,
    what: str,
    due_at: datetime,
    owner_name: str,
) -> TimelineEvent:
    # Written once and shown for years: in the one style every screen uses, business time.
    due = written_moment(due_at)
    summary = f"Promise by {owner_name}, due {due}: {what}"
    data = {"commitment_id": commitment_id, "due_at": due_at.isoformat()}
    return _record(customer, EventKind.COMMITMENT_MADE, summary, actor=actor, data=data)


def commitment_done(
    customer: Customer, actor: User | None, commitment_id: int, what: str, on_time: bool
) -> TimelineEvent:
    summary = ("Promise kept: " if on_time else "Promise kept late: ") + what
    data = {"commitment_id": commitment_id, "on_time": on_time}
    return _record(customer, EventKind.COMMITMENT_DONE, summary, actor=actor, data=data)


def commitment_missed(
    customer: Customer, commitment_id: int, what: str, owner_name: str, manager_name: str
) -> TimelineEvent:
    summary = f"Promise missed by {owner_name}, escalated to {manager_name}: {what}"
    data = {"commitment_id": commitment_id}
    return _record(customer, EventKind.COMMITMENT_MISSED, summary, actor=None, data=data)


def data_exported(customer: Customer, actor: User | None) -> TimelineEvent:
    return _record(customer, EventKind.DATA_EXPORTED, "Data exported", actor=actor)


def erased(customer: Customer, actor: User | None) -> TimelineEvent:
    # Says only that it happened: what was erased is counted in the ErasureRecord.
    return _record(customer, EventKind.ERASED, "Personal data erased", actor=actor)
