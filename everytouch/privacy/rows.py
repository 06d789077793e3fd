"""Which rows in every app are about one customer: the one list export and erasure share.

Both verbs must agree on what "everything about the customer" is, so they read it here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from everytouch.customers.models import ContactPoint, Customer, EventKind, TimelineEvent
from everytouch.followups.models import Commitment
from everytouch.interactions.models import Interaction, Transfer, Turn
from everytouch.leads.models import Lead, LeadActivity, WebhookDelivery
from everytouch.quality.models import CheckOutcome, Dispute, Review, Scorecard
from everytouch.staff.models import Notification, TakenMessage

CONTACT_EVENTS = (EventKind.CONTACT_ADDED, EventKind.CONTACT_CORRECTED, EventKind.CONTACT_REMOVED)


def merged_records(customer: Customer) -> list[Customer]:
    """The customer and every record merged into it (directly or through another): one person."""
    found = [customer]
    frontier = [customer.pk]
    while frontier:
        more = list(Customer.objects.filter(merged_into__in=frontier).exclude(pk__in=frontier))
        found += more
        frontier = [c.pk for c in more]
    return found


def ids(customer: Customer) -> list[int]:
    return [c.pk for c in merged_records(customer)]


def contact_points(customer: Customer) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(customer__in=ids(customer))


def events(customer: Customer) -> QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(customer__in=ids(customer)).order_by("happened_at", "id")


def interactions(customer: Customer) -> QuerySet[Interaction]:
    return Interaction.objects.filter(customer__in=ids(customer)).order_by("started_at", "id")


def turns(customer: Customer) -> QuerySet[Turn]:
    return Turn.objects.filter(interaction__in=interactions(customer))


def transfers(customer: Customer) -> QuerySet[Transfer]:
    return Transfer.objects.filter(interaction__in=interactions(customer))


def scorecards(customer: Customer) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(interaction__in=interactions(customer)).order_by("id")


def outcomes(customer: Customer) -> QuerySet[CheckOutcome]:
    return CheckOutcome.objects.filter(scorecard__in=scorecards(customer))


def reviews(customer: Customer) -> QuerySet[Review]:
    return Review.objects.filter(scorecard__in=scorecards(customer))


def disputes(customer: Customer) -> QuerySet[Dispute]:
    return Dispute.objects.filter(scorecard__in=scorecards(customer))


def leads(customer: Customer) -> QuerySet[Lead]:
    return Lead.objects.filter(customer__in=ids(customer)).order_by("created_at", "id")


def lead_activities(customer: Customer) -> QuerySet[LeadActivity]:
    return LeadActivity.objects.filter(lead__in=leads(customer))


def commitments(customer: Customer) -> QuerySet[Commitment]:
    return Commitment.objects.filter(customer__in=ids(customer)).order_by("due_at", "id")


def taken_messages(customer: Customer, contact_values: list[str]) -> QuerySet[TakenMessage]:
    """Messages linked to the customer, and those left by an unlinked caller on their number."""
    linked = Q(customer__in=ids(customer))
    by_contact = Q(callback_number__in=contact_values) | Q(callback_email__in=contact_values)
    unlinked = Q(customer=None) & by_contact if contact_values else Q(pk__in=[])
    return TakenMessage.objects.filter(linked | unlinked).order_by("created_at", "id")


def notifications(customer: Customer, message_ids: list[int]) -> QuerySet[Notification]:
    """Notices about the customer's leads, promises and messages, found by their keys.

    The keys are the ones ``notify`` is called with (leads: ``lead-<id>-...``, promises:
    ``commitment:<id>:...``, messages: ``message:<id>`` and ``message:<id>:...``).
    """
    about = Q(pk__in=[])
    for lead_id in leads(customer).values_list("pk", flat=True):
        about |= Q(key__startswith=f"lead-{lead_id}-")
    for commitment_id in commitments(customer).values_list("pk", flat=True):
        about |= Q(key__startswith=f"commitment:{commitment_id}:")
    for message_id in message_ids:
        about |= Q(key=f"message:{message_id}") | Q(key__startswith=f"message:{message_id}:")
    return Notification.objects.filter(about).order_by("created_at", "id")


def webhook_deliveries(customer: Customer) -> QuerySet[WebhookDelivery]:
    """Queued and sent webhook bodies that carry the customer (every lead event does)."""
    customer_ids = ids(customer)
    lead_ids = list(leads(customer).values_list("pk", flat=True))
    about = Q(payload__lead__customer__id__in=customer_ids) | Q(payload__lead__id__in=lead_ids)
    return WebhookDelivery.objects.filter(about).order_by("created_at", "id")
