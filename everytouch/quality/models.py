"""Playbooks, scorecards and their reviews, promotions, call-in test campaigns, coaching.

A scorecard is never edited once stored: a re-score adds a new one and retires the old, and a
human verdict is a ``Review`` or ``Dispute`` row beside the automatic result, never over it.
That keeps the agreement figures honest (docs/quality.md).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from everytouch.interactions.models import Interaction
from everytouch.staff.models import Team


class CheckStatus(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NA = "n/a", "Not applicable"


class Playbook(models.Model):
    """A named playbook; its text lives in versions, and at most one version is active.

    ``team`` empty with ``is_default`` set: the playbook for everyone without a team playbook.
    """

    name = models.CharField(max_length=100, unique=True)
    team = models.OneToOneField(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="playbook"
    )
    is_default = models.BooleanField(default=False)
    active_version = models.ForeignKey(
        "PlaybookVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaybookVersion(models.Model):
    """One saved, validated text of a playbook. Versions are only ever added, never edited."""

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="uniq_playbook_version")
        ]

    def __str__(self) -> str:
        return f"{self.playbook.name} v{self.number}"


class ScoreState(models.TextChoices):
    SCORED = "scored", "Scored"
    NOT_SCORED = "not_scored", "Not scored"


class Scorecard(models.Model):
    """One interaction (or one call-in test) scored against one playbook version.

    Who, which team, which channel and when are copied from the interaction at scoring time,
    so dashboards filter one table and a later team move does not rewrite history.
    """

    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="scorecards"
    )
    playbook_version = models.ForeignKey(
        PlaybookVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scorecards",
    )
    state = models.CharField(max_length=12, choices=ScoreState.choices)
    # Why it could not be scored (no turns, a transcript that could not be read, a bad playbook).
    reason = models.CharField(max_length=300, blank=True)
    score = models.FloatField(null=True, blank=True)
    # The analyzer's Scorecard.to_dict(): evidence, extracted details, commitments, missed.
    result: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scorecards",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="scorecards"
    )
    channel = models.CharField(max_length=8)
    started_at = models.DateTimeField()
    # A call-in (mystery shopper) test: kept out of every real figure and never a lead.
    is_test = models.BooleanField(default=False)
    # Exactly one current scorecard per interaction; re-scoring retires the old one.
    is_current = models.BooleanField(default=True)
    buying_intent = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["rep", "is_current", "-started_at"]),
            models.Index(fields=["state", "is_current"]),
            # The dashboards' lists, newest first, across every rep (quality/dashboards.py).
            models.Index(
                fields=["-started_at", "-id"],
                condition=models.Q(is_current=True),
                name="scorecard_current_newest",
            ),
            # The conversations behind a dashboard figure and its worst checks' examples: real,
            # current cards of one state, newest first in a period. Without the state in front,
            # SQLite (planning without statistics) took the state index and sorted every card.
            models.Index(
                fields=["state", "-started_at", "-id"],
                condition=models.Q(is_current=True, is_test=False),
                name="scorecard_real_newest",
            ),
            # The dashboard counts the touches it could not score on every view; without this
            # the count reads every unscored card of the period (50 ms at a million).
            models.Index(
                fields=["-started_at", "-id"],
                condition=models.Q(is_current=True, is_test=False, state=ScoreState.NOT_SCORED),
                name="scorecard_not_scored_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["interaction"],
                condition=models.Q(is_current=True),
                name="one_current_scorecard",
            )
        ]

    def __str__(self) -> str:
        return f"scorecard {self.pk} ({self.state})"


class CheckOutcome(models.Model):
    """One check's automatic result on one scorecard, a row so dashboards can count them."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="outcomes")
    check_id = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=4, choices=CheckStatus.choices)
    confidence = models.FloatField()
    evidence: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list)

    class Meta:
        ordering = ["scorecard", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "check_id"], name="uniq_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.check_id}: {self.status}"


class Review(models.Model):
    """A manager's or trainer's verdict on one check of one scorecard.

    A verdict equal to the automatic status is agreement; a different one is an override and
    needs a comment. Either way it is a labelled example for retraining.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="reviews")
    check_id = models.CharField(max_length=64)
    auto_status = models.CharField(max_length=4, choices=CheckStatus.choices)
    status = models.CharField(max_length=4, choices=CheckStatus.choices)
    comment = models.TextField(blank=True)
    # The turn that shows the check was done, when the reviewer says it passed: a training
    # example needs the turn, not only the verdict (see labelled_examples).
    evidence_turn = models.PositiveIntegerField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["check_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.check_id}: {self.auto_status} -> {self.status}"

    @property
    def agrees(self) -> bool:
        return self.status == self.auto_status


class DisputeState(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


class Dispute(models.Model):
    """A rep saying one check on their own scorecard is wrong, until a manager resolves it."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="disputes")
    check_id = models.CharField(max_length=64)
    auto_status = models.CharField(max_length=4, choices=CheckStatus.choices)
    reason = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_disputes"
    )
    state = models.CharField(max_length=10, choices=DisputeState.choices, default="open")
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "check_id"],
                condition=models.Q(state="open"),
                name="one_open_dispute_per_check",
            )
        ]

    def __str__(self) -> str:
        return f"dispute on {self.check_id} ({self.state})"


class Promotion(models.Model):
    """A current offer or event: the promotion check listens for its keywords while valid."""

    name = models.CharField(max_length=120)
    valid_from = models.DateField()
    valid_to = models.DateField()
    keywords: models.JSONField[list[str]] = models.JSONField(default=list)
    what_to_say = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "name"]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


class Campaign(models.Model):
    """A call-in test campaign: scenarios, who or which lines to test, when, and by whom."""

    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # The lines to call when a rep is not named: "+13125550100 (front desk)" and the like.
    lines: models.JSONField[list[str]] = models.JSONField(default=list, blank=True)
    reps = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    testers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Scenario(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scenarios")
    brief = models.TextField()

    class Meta:
        ordering = ["campaign", "id"]

    def __str__(self) -> str:
        return self.brief[:60]


def hash_link_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TesterLink(models.Model):
    """A private, expiring, single-use link for an outside mystery shopper; only the hash."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(24)

    def usable_at(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


LINK_LIFETIME = timedelta(days=14)


class Answer(models.TextChoices):
    LIVE = "live", "Answered live"
    VOICEMAIL = "voicemail", "Voicemail"
    NO_ANSWER = "no_answer", "No answer"


class CallTest(models.Model):
    """One test call made in a campaign and what happened; scored like any touch."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tests")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="tests")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line = models.CharField(max_length=120, blank=True)
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    link = models.ForeignKey(
        TesterLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="tests"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    seconds_to_answer = models.PositiveIntegerField(null=True, blank=True)
    called_at = models.DateTimeField()
    # The transcript as uploaded, kept even when it cannot be read (the scorecard says why).
    transcript = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    scorecard = models.OneToOneField(
        Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_test"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-called_at", "-id"]

    def __str__(self) -> str:
        return f"test {self.pk} ({self.answer})"


class CoachingSession(models.Model):
    """A manager's coaching of one rep on some checks; the page compares before and after."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_received"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_given"
    )
    check_ids: models.JSONField[list[str]] = models.JSONField(default=list)
    notes = models.TextField()
    held_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"coaching of {self.rep} on {self.held_at:%Y-%m-%d}"


class RescoreRun(models.Model):
    """One "score everything again" after a playbook change, with its progress."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="rescores")
    since = models.DateTimeField()
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Touches are re-scored in interaction id order; the batches resume after this one.
    cursor = models.PositiveBigIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"re-score of {self.playbook} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)


class CheckWeek(models.Model):
    """One week's counts of one check for one rep, team and channel: what dashboards read.

    Kept exact as scorecards come and go (``rollup.apply``), so a page sums a few thousand
    rows instead of millions of outcomes. The reserved check id ``rollup.CONTACT_CHECK`` holds
    the buying calls: passed = contact details captured, failed = not captured.
    """

    week = models.DateField()  # the Monday, in the business time zone
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    check_id = models.CharField(max_length=64)
    passed = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    not_applicable = models.IntegerField(default=0)

    class Meta:
        ordering = ["week", "check_id", "id"]
        # Every read names a channel (or the all-channels row "") and a range of weeks.
        indexes = [
            models.Index(fields=["channel", "week", "check_id"]),
            models.Index(fields=["rep", "week"]),
        ]
        constraints = [
            # Coalesced, so a touch without a rep or team still has one row per key (NULLs
            # would otherwise never clash, and two scorers could each add a row).
            models.UniqueConstraint(
                "week",
                Coalesce("rep", models.Value(0)),
                Coalesce("team", models.Value(0)),
                "channel",
                "check_id",
                name="uniq_check_week",
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.week}: {self.passed}/{self.passed + self.failed}"
