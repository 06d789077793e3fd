"""One customer's complete data as one JSON document (the right of access).

Rows are written field by field from the models, so a field added to a model later appears in
the export without an edit here. Secrets are not the customer's data and never appear: the
document holds the customer's rows, not the business's keys.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import timezone

from everytouch.customers.models import Customer, ErasureRecord
from everytouch.privacy import rows

FORMAT = "everytouch-customer-export"
# Raised when a reader of the document would have to change: a key renamed or removed.
VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row(obj: Model) -> dict[str, Any]:
    """Every stored column of ``obj``; a foreign key as its id under ``<name>_id``."""
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _interactions(customer: Customer) -> list[dict[str, Any]]:
    out = []
    for interaction in rows.interactions(customer).prefetch_related("turns", "transfers"):
        item = row(interaction)
        item["turns"] = [row(t) for t in interaction.turns.all()]
        item["transfers"] = [row(t) for t in interaction.transfers.all()]
        out.append(item)
    return out


def _scorecards(customer: Customer) -> list[dict[str, Any]]:
    out = []
    related = ("outcomes", "reviews", "disputes")
    for card in rows.scorecards(customer).prefetch_related(*related):
        item = row(card)
        item["outcomes"] = [row(o) for o in card.outcomes.all()]
        item["reviews"] = [row(r) for r in card.reviews.all()]
        item["disputes"] = [row(d) for d in card.disputes.all()]
        out.append(item)
    return out


def _leads(customer: Customer) -> list[dict[str, Any]]:
    out = []
    for lead in rows.leads(customer).prefetch_related("activities"):
        item = row(lead)
        item["activities"] = [row(a) for a in lead.activities.order_by("created_at", "id")]
        out.append(item)
    return out


def _customer(customer: Customer) -> dict[str, Any]:
    item = row(customer)
    item["merged_from"] = [c.pk for c in rows.merged_records(customer)[1:]]
    erasure = ErasureRecord.objects.filter(customer=customer).first()
    item["erasure"] = row(erasure) if erasure is not None else None
    return item


def _deliveries(customer: Customer) -> list[dict[str, Any]]:
    return [row(d) for d in rows.webhook_deliveries(customer)]


def document(customer: Customer) -> dict[str, Any]:
    """Everything stored about ``customer`` (and the records merged into it), in every app."""
    values = list(rows.contact_points(customer).values_list("value", flat=True))
    messages = list(rows.taken_messages(customer, values))
    events = list(rows.events(customer))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "customer": _customer(customer),
        "contact_points": [row(p) for p in rows.contact_points(customer)],
        "contact_history": [row(e) for e in events if e.kind in rows.CONTACT_EVENTS],
        "timeline": [row(e) for e in events],
        "interactions": _interactions(customer),
        "scorecards": _scorecards(customer),
        "leads": _leads(customer),
        "commitments": [row(c) for c in rows.commitments(customer)],
        "taken_messages": [row(m) for m in messages],
        "notifications": [row(n) for n in rows.notifications(customer, [m.pk for m in messages])],
        "webhook_deliveries": _deliveries(customer),
    }
