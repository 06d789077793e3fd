"""Leads the analyzer finds in logged transcripts: the job after every touch, and the sweep that
redoes the jobs that were lost.

The analysis runs outside any transaction (it is the slow part); only the capture that follows
takes locks, through ``actions.capture_lead``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.analysis.analyzer import analyze
from everytouch.analysis.scorecard import Lead as AnalysedLead
from everytouch.customers.actions import (
    ContactConflict,
    CustomerData,
    create_customer,
    identify,
    resolve,
)
from everytouch.customers.contacts import InvalidContact, normalise
from everytouch.customers.models import Customer
from everytouch.interactions.conversation import to_conversation
from everytouch.interactions.models import Interaction
from everytouch.leads.actions import LeadData, capture_lead, record_responses_from
from everytouch.leads.errors import LeadError
from everytouch.leads.models import Lead

logger = logging.getLogger("everytouch.leads")

# A job normally runs within seconds; only older unanalysed touches count as lost.
LOST_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500


def _customer_for(interaction: Interaction, found: AnalysedLead) -> Customer | None:
    """The interaction's customer, else whoever the captured phone or e-mail belongs to."""
    if interaction.customer is not None:
        return resolve(interaction.customer)
    for raw in (*found.phones, *found.emails):
        try:
            customer = identify(raw)
        except InvalidContact:
            continue
        if customer is not None:
            return customer
    return None


def _valid(raw: str) -> bool:
    try:
        normalise(raw)
    except InvalidContact:
        return False
    return True


def _new_customer(found: AnalysedLead) -> Customer | None:
    contacts = [c for c in (*found.phones[:1], *found.emails[:1]) if _valid(c)]
    if not contacts:
        return None
    try:
        return create_customer(CustomerData(name=found.name, contacts=contacts), None)
    except (InvalidContact, ContactConflict):
        return None


def lead_from_interaction(interaction: Interaction, actor: User | None) -> Lead | None:
    """Capture a lead when the transcript shows buying intent and contact details; else None."""
    existing = Lead.objects.filter(source_interaction=interaction).first()
    if existing is not None:
        # A retried job or a second click: this interaction already made its lead.
        return existing
    region = str(settings.EVERYTOUCH_PHONE_REGION)
    found = analyze(to_conversation(interaction), region=region).lead
    if not found.buying_intent or not (found.phones or found.emails):
        return None
    with transaction.atomic():
        customer = _customer_for(interaction, found) or _new_customer(found)
        if customer is None:
            return None
        need = found.need or interaction.need or f"Enquiry by {interaction.get_channel_display()}"
        lead, _ = capture_lead(
            customer, LeadData(need=need), owner=None, actor=actor, source_interaction=interaction
        )
    return lead


def analyze_and_capture(interaction: Interaction) -> Lead | None:
    """What runs after every logged interaction: count responses, then look for a lead."""
    record_responses_from(interaction)
    # exists() answers from the turns when the caller prefetched them (the job does).
    lead = lead_from_interaction(interaction, None) if interaction.turns.exists() else None
    Interaction.objects.filter(pk=interaction.pk).update(analysed_at=timezone.now())
    return lead


def analyse_lost(now: datetime | None = None) -> int:
    """Run the analysis for logged touches whose job never ran; returns how many."""
    cutoff = (now or timezone.now()) - LOST_AFTER
    qs = Interaction.objects.filter(analysed_at__isnull=True, created_at__lt=cutoff)
    qs = qs.select_related("customer", "handled_by").prefetch_related("turns")
    batch = list(qs.order_by("pk")[:SWEEP_BATCH])
    done = 0
    for interaction in batch:
        try:
            analyze_and_capture(interaction)
        except LeadError:
            # Nobody can own a lead yet (no manager): keep it unanalysed so a later sweep,
            # after the setup is fixed, still captures it; the other touches go on.
            logger.warning("interaction %s: lead capture refused", interaction.pk, exc_info=True)
        else:
            done += 1
    return done
