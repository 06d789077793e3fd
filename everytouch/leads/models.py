"""Leads: every touch with buying intent, owned by a named sales person, timed to first response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models

from everytouch.customers.models import Customer
from everytouch.customers.textindex import TextIndex
from everytouch.interactions.models import Interaction


class Stage(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    MEETING_SET = "meeting_set", "Meeting set"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.NEW, Stage.CONTACTED, Stage.QUALIFIED, Stage.MEETING_SET)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class Lead(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="leads")
    source_interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    need = models.CharField(max_length=300)
    # Lower-cased, whitespace-collapsed need: "the same need" for the 30-day de-duplication.
    need_key = models.CharField(max_length=300, db_index=True)
    product_interest = models.CharField(max_length=200, blank=True)
    budget = models.CharField(max_length=100, blank=True)
    timeline = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NEW)
    lost_reason = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leads_owned"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads_created",
    )
    created_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["customer", "need_key"]),
            # The board's columns (a stage, latest activity first) and the API's list (newest
            # first): read a page from an index instead of sorting every lead per view.
            models.Index(fields=["stage", "-last_activity_at", "-id"], name="lead_stage_activity"),
            models.Index(fields=["-created_at", "-id"], name="lead_newest"),
            # The early warning counts the leads each rep made per week: a range per rep.
            models.Index(fields=["created_by", "created_at"], name="lead_creator_created"),
            # Speed to lead's waiting list (oldest first): only open leads with no answer yet,
            # so the oldest unanswered leads, long closed, are not read past on every view.
            models.Index(
                fields=["created_at"],
                condition=models.Q(first_response_at=None) & ~models.Q(stage__in=CLOSED_STAGES),
                name="lead_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} — {self.need}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def speed_to_lead(self) -> timedelta | None:
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at


# What the search box finds a lead by besides its customer (leads migration 0003).
SEARCH_INDEX = TextIndex("leads_search", "leads_lead", ("need", "product_interest"))


class LeadActivity(models.Model):
    """Stage changes, hand-offs and responses: the lead's own history (also on the timeline)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        STAGE = "stage", "Stage changed"
        HANDED_OFF = "handed_off", "Handed off"
        RESPONDED = "responded", "Responded"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    summary = models.CharField(max_length=300)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The early warning counts the meetings each rep set per week: stage changes only.
            models.Index(
                fields=["actor", "created_at"],
                condition=models.Q(kind="stage"),
                name="leadactivity_stage_actor",
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    # The shared secret signs every payload (HMAC-SHA256); it is shown to managers once.
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    # Stable per event and endpoint: receivers de-duplicate on it, we never create it twice.
    event_id = models.CharField(max_length=80)
    payload: models.JSONField[Any] = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="uniq_delivery_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"
