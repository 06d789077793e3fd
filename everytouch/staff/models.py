"""Who works here now: teams, staff details, availability, absences, departures, messages."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q

from everytouch.accounts.people import display_name
from everytouch.customers.models import Customer


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy"
    AWAY = "away", "Away"


class Employment(models.TextChoices):
    ACTIVE = "active", "Active"
    LEAVING = "leaving", "Leaving"
    DEPARTED = "departed", "Departed"


def _default_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    title = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    extension = models.CharField(max_length=10, blank=True)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    employment = models.CharField(
        max_length=10, choices=Employment.choices, default=Employment.ACTIVE
    )
    leaves_on = models.DateField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    # The status a person sets themselves; scheduled absences are separate rows (Absence).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    status_until = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)
    backup = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="backing_up"
    )
    work_start = models.TimeField(default=time(9, 0))
    work_end = models.TimeField(default=time(17, 0))
    work_days = models.JSONField(default=_default_days, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # When routing last sent someone a caller: round robin picks whoever waited longest.
    last_routed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        user: User = self.user
        return display_name(user)

    @property
    def is_departed(self) -> bool:
        return self.employment == Employment.DEPARTED

    @property
    def tz_name(self) -> str:
        return self.time_zone or str(settings.TIME_ZONE)


class Absence(models.Model):
    """A scheduled out-of-office period, with who covers meanwhile."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    backup = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="covering"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="absence_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} away {self.starts_at:%Y-%m-%d}..{self.ends_at:%Y-%m-%d}"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class MessageStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DONE = "done", "Done"


class TakenMessage(models.Model):
    """A message taken for someone: it always has an active owner until it is done."""

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    caller_name = models.CharField(max_length=200, blank=True)
    callback_number = models.CharField(max_length=40, blank=True)
    callback_email = models.CharField(max_length=254, blank=True)
    about = models.TextField()
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    intended_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_intended"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_owned"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_taken"
    )
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.OPEN
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["escalate_at"]),
            # The API's list of everyone's messages, oldest first: a page read from the index
            # instead of a sort of every message per request.
            models.Index(fields=["created_at", "id"], name="message_oldest"),
        ]

    def __str__(self) -> str:
        return f"Message for {self.owner}: {self.about[:40]}"


class Notification(models.Model):
    """An in-app notice; the e-mail copy is sent once, recorded by ``emailed_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    # One notice per (user, key): a retried job finds it and sends nothing twice.
    key = models.CharField(max_length=200)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_notification_key")
        ]
        indexes = [
            # The top menu's count of unread notices, on every page: a user keeps thousands of
            # read ones, and counting through all of them took milliseconds a page.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class DepartureStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Departure(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="departures")
    effective_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=DepartureStatus.choices, default=DepartureStatus.OPEN
    )
    # Who looks after the departed person's callers from now on (shown at the desk).
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="succeeded",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="departures_opened"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.staff} leaves {self.effective_on}"
