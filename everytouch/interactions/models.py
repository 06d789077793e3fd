"""Interactions (call, e-mail, chat, visit), their ordered turns and their transfers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from everytouch.customers.models import Customer
from everytouch.customers.textindex import TextIndex


class Channel(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    VISIT = "visit", "Walk-in"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Speaker(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"


class Interaction(models.Model):
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_interactions",
    )
    summary = models.TextField(blank=True)
    need = models.CharField(max_length=300, blank=True)
    # Set once the background analysis (responses, lead capture) has run, so a lost job is
    # found and redone by the sweep instead of silently never happening.
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-started_at"]),
            models.Index(fields=["handled_by", "-started_at"]),
            # The list page and the API, newest first across everyone: without it each view
            # sorted every touch (seconds at five million; benchmarks/pages.py).
            models.Index(fields=["-started_at", "-id"], name="interaction_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def channel_with_article(self) -> str:
        """ "a call", "an e-mail": the channel as a sentence names it ("from an e-mail")."""
        label = self.get_channel_display().lower()
        return f"{'an' if label[:1] in tuple('aeiou') else 'a'} {label}"


# What the search box finds a touch by besides its customer (interactions migration 0004;
# docs/search.md says why the summary and need, and what the index costs).
SEARCH_INDEX = TextIndex("interactions_search", "interactions_interaction", ("summary", "need"))


class Turn(models.Model):
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    speaker = models.CharField(max_length=8, choices=Speaker.choices)
    text = models.TextField()
    start = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "index"], name="uniq_turn_index")
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:40]}"


class Transfer(models.Model):
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_in"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_user} -> {self.to_user}"


class HandledCount(models.Model):
    """How many touches a user handled in one UTC hour (span 1) or UTC day (span 24).

    Written only by the database triggers of ``rollup.HANDLED``; read by the early warning.
    ``start`` is the bucket's first hour since 1970 (UTC). No foreign key: the triggers write
    it, and a count may outlive its rows (it falls to 0, and stays).
    """

    user_id = models.IntegerField()
    span = models.PositiveSmallIntegerField()
    start = models.BigIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "span", "start"], name="handled_count_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.n} from hour {self.start} for {self.span} h"
