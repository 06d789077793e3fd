"""Background work for leads: capture from a logged transcript, webhook deliveries, the sweep.

Every task may run twice (a retry, the sweep, a worker killed after the work), so each one
re-checks under a lock, through a unique row or a claim before doing anything; see webhooks.py.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from everytouch.interactions.models import Interaction
from everytouch.leads import webhooks
from everytouch.leads.capture import analyze_and_capture


@task()
def capture_lead_from_interaction(interaction_id: int) -> int | None:
    """Count the owner's response and capture a lead from the transcript; the lead's id."""
    interaction = (
        Interaction.objects.select_related("customer", "handled_by")
        # Read once here for both "is there a transcript?" and the analysis.
        .prefetch_related("turns")
        .filter(pk=interaction_id)
        .first()
    )
    if interaction is None:
        return None
    lead = analyze_and_capture(interaction)
    return lead.pk if lead is not None else None


def capture_later(interaction: Interaction) -> None:
    """Connected to ``interaction_logged``: analyse the transcript once the touch is saved."""
    transaction.on_commit(lambda: capture_lead_from_interaction.enqueue(interaction.pk))


@task()
def deliver_webhook(delivery_id: int, expected_attempts: int) -> bool:
    """One attempt at one webhook delivery; it schedules its own retry on failure."""
    return webhooks.deliver(delivery_id, expected_attempts)


def sweep_lost_deliveries() -> int:
    """Hand on deliveries a dead worker left mid-attempt; re-queue those whose job was lost."""
    return webhooks.requeue_lost()


@task()
def sweep_webhooks_task() -> int:
    return sweep_lost_deliveries()
