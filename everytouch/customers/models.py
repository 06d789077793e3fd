"""Customers, their contact points (E.164 phones, normalised e-mails) and their timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    notes = models.TextField(blank=True)
    # Set when this record was merged into another; it is kept so old links and ids resolve.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        # Indexed below for merged-away rows only: a plain index here made SQLite (which has
        # no statistics) answer "merged_into IS NULL", on every list, from it and then sort
        # every customer, instead of walking the name index.
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The list's order, ties included: with only (name), every page of a list with many
            # equal names sorted the whole group of them (benchmarks/pages.py at 1M customers).
            models.Index(fields=["name", "id"], name="customer_name_id"),
            models.Index(
                fields=["merged_into"],
                name="customer_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
            models.Index(fields=["company"]),
            # Duplicate suggestions compare names and companies case-insensitively.
            models.Index(Upper("name"), name="customer_name_upper"),
            models.Index(Upper("company"), name="customer_company_upper"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.company or f"Customer #{self.pk}"

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class ContactKind(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"


class ContactPoint(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    # Phones in E.164 (+15555550123), e-mails lower-cased: one value, one customer.
    value = models.CharField(max_length=254)
    label = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="uniq_contact_point")]

    def __str__(self) -> str:
        return self.value


class EventKind(models.TextChoices):
    CUSTOMER_CREATED = "customer_created", "Customer created"
    DETAILS_UPDATED = "details_updated", "Details updated"
    CONTACT_ADDED = "contact_added", "Contact point added"
    CONTACT_CORRECTED = "contact_corrected", "Contact point corrected"
    CONTACT_REMOVED = "contact_removed", "Contact point removed"
    INTERACTION_LOGGED = "interaction_logged", "Interaction logged"
    TRANSFERRED = "transferred", "Transferred"
    MERGED = "merged", "Merged"
    OWNER_CHANGED = "owner_changed", "Owner changed"
    MESSAGE_TAKEN = "message_taken", "Message taken"
    MESSAGE_ESCALATED = "message_escalated", "Message escalated"
    LEAD_CREATED = "lead_created", "Lead created"
    LEAD_UPDATED = "lead_updated", "Lead updated"
    LEAD_STAGE_CHANGED = "lead_stage_changed", "Lead stage changed"
    LEAD_HANDED_OFF = "lead_handed_off", "Lead handed off"
    COMMITMENT_MADE = "commitment_made", "Commitment made"
    COMMITMENT_DONE = "commitment_done", "Commitment kept"
    COMMITMENT_MISSED = "commitment_missed", "Commitment missed"
    DATA_EXPORTED = "data_exported", "Data exported"
    ERASED = "erased", "Erased"


class TimelineEvent(models.Model):
    """One row per thing that happened to a customer, made by one constructor per kind."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    happened_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    summary = models.CharField(max_length=500)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["customer", "-happened_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class ErasureRecord(models.Model):
    """The audit entry of one erasure: who erased which customer when, and how many of what.

    It holds no erased value (that is the point of erasing), only counts per kind of data, so
    an auditor can see what was done. It outlives the erasure because the customer row stays
    ("Erased customer #N") for the foreign keys of kept facts (interactions, scores).
    """

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="erasure")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    erased_at = models.DateTimeField()
    # {"contact points": 2, "turns": 14, ...}: how many rows of each kind were anonymised.
    counts: models.JSONField[dict[str, int]] = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Customer #{self.customer_id} erased at {self.erased_at:%Y-%m-%d %H:%M}"
