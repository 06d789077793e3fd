"""Background scoring: after every logged touch, for a re-score, and the sweep for lost jobs.

A job may run twice (a retry, the sweep); ``actions.unscored`` makes the second run a no-op.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from everytouch.interactions.models import Interaction
from everytouch.quality import actions
from everytouch.quality.models import RescoreRun, Scorecard

logger = logging.getLogger("everytouch.quality")

# A job normally runs within seconds; only older unscored touches count as lost.
LOST_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500


@task()
def score_interaction_task(interaction_id: int) -> int | None:
    """Score one touch unless it already has a current scorecard; the scorecard's id."""
    interaction = (
        actions.unscored(Interaction.objects.filter(pk=interaction_id))
        .select_related("handled_by")
        .prefetch_related("turns")
        .first()
    )
    if interaction is None or not interaction.turns.all():
        return None  # a desk log without a transcript has nothing to score
    return actions.score_interaction(interaction).pk


def score_later(interaction: Interaction) -> None:
    """Connected to ``interaction_logged``: score the touch once it is saved."""
    transaction.on_commit(lambda: score_interaction_task.enqueue(interaction.pk))


@task()
def rescore_task(run_id: int) -> bool:
    """One batch of a re-score; it queues the next batch until the run is finished."""
    run = RescoreRun.objects.filter(pk=run_id).first()
    if run is None or not actions.rescore_batch(run):
        return False
    rescore_task.enqueue(run_id)
    return True


def start_rescore_later(run: RescoreRun) -> None:
    transaction.on_commit(lambda: rescore_task.enqueue(run.pk))


def sweep_unscored(now: datetime | None = None) -> int:
    """Score the touches whose job was lost; returns how many were scored."""
    cutoff = (now or timezone.now()) - LOST_AFTER
    scored = Scorecard.objects.filter(interaction_id__isnull=False).values("interaction_id")
    batch = (
        # Only touches with a transcript are scored; the first turn's row says there is one.
        Interaction.objects.filter(created_at__lt=cutoff, turns__index=0)
        .exclude(pk__in=scored)
        .select_related("handled_by")
        .prefetch_related("turns")
        .order_by("pk")[:SWEEP_BATCH]
    )
    done = 0
    for interaction in batch:
        actions.score_interaction(interaction)
        done += 1
    return done
