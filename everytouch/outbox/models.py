"""Heartbeats of running workers and claims on outbound work being sent right now."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker process, touched every few seconds while it runs."""

    # Also the process's worker id in the database task backend (its limit is 64 characters).
    worker_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return self.worker_id


class Claim(models.Model):
    """A piece of outbound work (``kind``, ``key``) that one worker is sending right now.

    The row exists only while the network call runs: it is made in the short transaction before
    the call and deleted in the one after it. A claim whose worker stopped beating is stale and
    may be taken over.
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    # New on every claim: the sender proves it still holds the claim when it records the result.
    token = models.CharField(max_length=32)
    worker_id = models.CharField(max_length=64)
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="uniq_claim")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} by {self.worker_id}"
