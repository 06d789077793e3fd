"""Commitments (promises with due dates), stay-in-touch cadences and private calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"


class Commitment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="commitments")
    # Who promised, and so who must keep the promise (the owner for handovers).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commitments"
    )
    what = models.CharField(max_length=300)
    due_at = models.DateTimeField()
    source_interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    status = models.CharField(
        max_length=8, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments_created",
    )
    # Set when it came from a cadence plan, e.g. "thank-you call 7 days after the sale".
    cadence_key = models.CharField(max_length=120, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"]),
            # The API's list of every promise, soonest due first: a page from the index rather
            # than a sort of every promise ever made per request.
            models.Index(fields=["due_at", "id"], name="commitment_due"),
            # The early warning counts each rep's promises due per week: a range per owner.
            models.Index(fields=["owner", "due_at"], name="commitment_owner_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "cadence_key"],
                condition=~models.Q(cadence_key=""),
                name="uniq_cadence_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.what} (due {self.due_at:%Y-%m-%d %H:%M})"


class CadencePlan(models.Model):
    """Follow-ups created automatically when a lead is won."""

    name = models.CharField(max_length=100, unique=True)
    # [{"after_days": 7, "what": "Thank-you call"}, ...]
    steps = models.JSONField(default=list)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarFeed(models.Model):
    """A private iCalendar URL per user; only the token's hash is stored, so it is revocable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
