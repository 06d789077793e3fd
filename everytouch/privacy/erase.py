"""Anonymise one customer everywhere (the right to erasure), keeping the facts reports count.

What stays: every row and its numbers, dates, states, scores and who handled it, so counts,
speed-to-lead and quality figures do not change. What goes: every value that says who the
customer is or what they said. Text written about the customer (a summary, a need, a promise, a
turn) is replaced whole; text mostly about something else (a notice, a stored API answer, a
webhook body) loses only the customer's identifying words (``scrub.Scrubber``).

Each step below returns how many rows it changed; the counts are the audit entry's "what".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from everytouch.accounts.models import IdempotencyKey
from everytouch.customers.models import Customer, EventKind, TimelineEvent
from everytouch.leads.models import LeadActivity
from everytouch.privacy import rows
from everytouch.privacy.scrub import ERASED, Scrubber, codes_only, words_for
from everytouch.staff.models import Notification, TakenMessage

ERASED_NOTICE = "A notice about an erased customer."


@dataclass(frozen=True)
class Subject:
    """The customer being erased and what identifies them, gathered before anything changes."""

    customer: Customer
    records: list[Customer]
    scrubber: Scrubber
    message_ids: list[int]


def _contact_history(customer: Customer) -> list[str]:
    values: list[str] = []
    for data in rows.events(customer).filter(kind__in=rows.CONTACT_EVENTS).values_list("data"):
        values += [str(data[0].get(k, "")) for k in ("value", "old", "new")]
    return values


def subject(customer: Customer) -> Subject:
    records = rows.merged_records(customer)
    values = list(rows.contact_points(customer).values_list("value", flat=True))
    values += _contact_history(customer)
    messages = list(rows.taken_messages(customer, values))
    texts = [t for c in records for t in (c.name, c.company)] + values
    for m in messages:
        texts += [m.caller_name, m.callback_number, m.callback_email]
    return Subject(customer, records, Scrubber(words_for(texts)), [m.pk for m in messages])


def _save_all(objs: list[Any], fields: list[str]) -> int:
    # One statement per batch rather than per row: a long-standing customer has thousands.
    if objs:
        type(objs[0])._default_manager.bulk_update(objs, fields, batch_size=BATCH)
    return len(objs)


BATCH = 500


def customers(s: Subject) -> int:
    for record in s.records:
        record.name = f"Erased customer #{record.pk}"
        record.company = ""
        record.notes = ""
        record.save(update_fields=["name", "company", "notes", "updated_at"])
    return len(s.records)


def contact_points(s: Subject) -> int:
    # Deleted, not blanked: a phone or e-mail must stop identifying anyone at the desk.
    deleted, _ = rows.contact_points(s.customer).delete()
    return deleted


def _event_summary(event: TimelineEvent) -> str:
    return str(EventKind(event.kind).label) if event.kind in EventKind.values else ERASED


def timeline(s: Subject) -> int:
    events = list(rows.events(s.customer))
    for event in events:
        event.summary = _event_summary(event)
        event.data = s.scrubber.json(codes_only(event.data))
    return _save_all(events, ["summary", "data"])


def interactions(s: Subject) -> int:
    return rows.interactions(s.customer).update(summary="", need="")


def turns(s: Subject) -> int:
    return rows.turns(s.customer).update(text=ERASED)


def transfers(s: Subject) -> int:
    changed = list(rows.transfers(s.customer).exclude(reason=""))
    for transfer in changed:
        transfer.reason = s.scrubber.text(transfer.reason)
    return _save_all(changed, ["reason"])


def scorecards(s: Subject) -> int:
    # The analyser's result quotes the turns (evidence) and the details it found (name,
    # phone, need): quotes are dropped, the checks, statuses and score stay.
    cards = list(rows.scorecards(s.customer))
    for card in cards:
        card.result = s.scrubber.json(_unquoted(card.result))
        card.reason = s.scrubber.text(card.reason)
    return _save_all(cards, ["result", "reason"])


# Keys under which the analyser's result and evidence hold what the customer said or gave.
QUOTE_KEYS = frozenset(
    {"text", "quote", "due_text", "need", "name", "names", "phone", "phones", "email", "emails"}
    | {"accounts", "value", "values", "summary"}
)


def _unquoted(data: Any) -> Any:
    """``data`` with every string under a quoting key replaced; lists of quotes emptied."""
    if isinstance(data, dict):
        return {k: _erase_value(v) if k in QUOTE_KEYS else _unquoted(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_unquoted(item) for item in data]
    return data


def _erase_value(value: Any) -> Any:
    if isinstance(value, str):
        return ERASED
    if isinstance(value, list | dict):
        return codes_only(value)
    return value


def outcomes(s: Subject) -> int:
    changed = list(rows.outcomes(s.customer))
    for outcome in changed:
        outcome.evidence = s.scrubber.json(_unquoted(outcome.evidence))
    return _save_all(changed, ["evidence"])


def reviews_and_disputes(s: Subject) -> int:
    reviews = list(rows.reviews(s.customer))
    for review in reviews:
        review.comment = s.scrubber.text(review.comment)
    disputes = list(rows.disputes(s.customer))
    for dispute in disputes:
        dispute.reason = s.scrubber.text(dispute.reason)
        dispute.resolution = s.scrubber.text(dispute.resolution)
    return _save_all(reviews, ["comment"]) + _save_all(disputes, ["reason", "resolution"])


def leads(s: Subject) -> int:
    return rows.leads(s.customer).update(
        need=ERASED, need_key=ERASED, product_interest="", budget="", timeline="", lost_reason=""
    )


def lead_activities(s: Subject) -> int:
    activities = list(rows.lead_activities(s.customer))
    labels = dict(LeadActivity.Kind.choices)
    for activity in activities:
        activity.summary = str(labels.get(activity.kind, ERASED))
        activity.data = s.scrubber.json(codes_only(activity.data))
    return _save_all(activities, ["summary", "data"])


def commitments(s: Subject) -> int:
    return rows.commitments(s.customer).update(what=ERASED)


def taken_messages(s: Subject) -> int:
    return TakenMessage.objects.filter(pk__in=s.message_ids).update(
        caller_name="", callback_number="", callback_email="", about=ERASED
    )


def notifications(s: Subject) -> int:
    """Notices about their leads, promises and messages, and any other that names them."""
    keyed = rows.notifications(s.customer, s.message_ids)
    count = keyed.update(text=ERASED_NOTICE)
    naming = Q(pk__in=[])
    for word in s.scrubber.searchable():
        naming |= Q(text__icontains=word)
    others = list(Notification.objects.filter(naming).exclude(pk__in=keyed.values("pk")))
    for notice in others:
        notice.text = s.scrubber.text(notice.text)
    return count + _save_all(others, ["text"])


def _erased_customer_ref(data: Any, ids: set[int]) -> Any:
    """A stored body's customer object (``{"id": N, "name": ...}``) reduced to its id."""
    if isinstance(data, dict):
        if data.get("id") in ids and {"name", "company"} <= data.keys():
            return {**{k: _blank(v) for k, v in data.items()}, "id": data["id"]}
        return {k: _erased_customer_ref(v, ids) for k, v in data.items()}
    if isinstance(data, list):
        return [_erased_customer_ref(item, ids) for item in data]
    return data


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return ERASED if value else ""
    if isinstance(value, list):
        return []
    return value


def idempotency_answers(s: Subject) -> int:
    """Stored API answers that name the customer, so a replay never brings the data back.

    The rows are kept (a retry still finds its answer, now anonymised, and creates nothing);
    they expire with the TTL anyway. All are read: the table holds one TTL's worth.
    """
    ids = {c.pk for c in s.records}
    changed = []
    for row in IdempotencyKey.objects.iterator():
        body = s.scrubber.json(_erased_customer_ref(row.response, ids))
        if body != row.response:
            row.response = body
            changed.append(row)
    return _save_all(changed, ["response"])


LEAD_TEXTS = ("need", "product_interest", "budget", "timeline")


def _erased_payload(payload: Any, s: Subject) -> Any:
    body = _erased_customer_ref(payload, {c.pk for c in s.records})
    lead = body.get("lead") if isinstance(body, dict) else None
    if isinstance(lead, dict):
        body["lead"] = {**lead, **{k: ERASED for k in LEAD_TEXTS if lead.get(k)}}
    return s.scrubber.json(body)


def webhook_deliveries(s: Subject) -> int:
    """Queued and sent bodies: one still waiting is sent anonymised, never with the old data."""
    deliveries = list(rows.webhook_deliveries(s.customer))
    for delivery in deliveries:
        delivery.payload = _erased_payload(delivery.payload, s)
    return _save_all(deliveries, ["payload"])


def admin_history(s: Subject) -> int:
    """The admin's change log names the record it changed ("Rosa Delgado") and what changed."""
    kind = ContentType.objects.get_for_model(Customer)
    ids = [str(c.pk) for c in s.records]
    entries = list(LogEntry.objects.filter(content_type=kind, object_id__in=ids))
    for entry in entries:
        entry.object_repr = f"Erased customer #{entry.object_id}"
        entry.change_message = s.scrubber.text(entry.change_message)
    return _save_all(entries, ["object_repr", "change_message"])


# In order: rows found through others (turns through interactions, notices through messages)
# are erased before what finds them changes; the customer row last.
STEPS: dict[str, Callable[[Subject], int]] = {
    "timeline events": timeline,
    "turns": turns,
    "transfers": transfers,
    "scorecards": scorecards,
    "check outcomes": outcomes,
    "reviews and disputes": reviews_and_disputes,
    "interactions": interactions,
    "notifications": notifications,
    "webhook deliveries": webhook_deliveries,
    "lead activities": lead_activities,
    "leads": leads,
    "commitments": commitments,
    "taken messages": taken_messages,
    "stored API answers": idempotency_answers,
    "admin history": admin_history,
    "contact points": contact_points,
    "customer records": customers,
}


def run(s: Subject) -> dict[str, int]:
    return {what: step(s) for what, step in STEPS.items()}
