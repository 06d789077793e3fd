"""Background work for promises: the reminder before the due time, the escalation at it, a sweep.

``record_commitment`` queues both jobs on commit with ``run_after``. Each job may run twice (a
retry, the sweep, a worker killed after the work but before the queue heard about it), so each
re-reads the row under a lock and does nothing when ``reminded_at`` / ``escalated_at`` say the
work is done. The notice and the row change share one transaction: a job that dies half-way
leaves neither, and the next run (or the sweep) does both. E-mail copies go through
``staff.notifications``, which sends each notice's e-mail once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from django_tasks import task

from everytouch.followups import actions

logger = logging.getLogger("everytouch.followups")


@task()
def remind_commitment_task(commitment_id: int) -> bool:
    """Remind the owner unless that happened already or the promise is done; True if sent."""
    return actions.send_reminder(commitment_id, timezone.now()) is not None


@task()
def escalate_commitment_task(commitment_id: int) -> bool:
    """At the due time: if still open, mark missed and tell the manager; True if it did."""
    return actions.mark_missed(commitment_id, timezone.now()) is not None


def sweep_reminders(now: datetime | None = None) -> int:
    """Send every reminder whose time has come and whose job was lost; returns how many."""
    moment = now or timezone.now()
    due = actions.reminders_due(moment).values_list("pk", flat=True)
    return sum(actions.send_reminder(pk, moment) is not None for pk in due)


def sweep_missed(now: datetime | None = None) -> int:
    """Escalate every overdue promise whose job was lost; returns how many."""
    moment = now or timezone.now()
    overdue = actions.overdue(moment).values_list("pk", flat=True)
    return sum(actions.mark_missed(pk, moment) is not None for pk in overdue)


def sweep_commitments(now: datetime | None = None) -> dict[str, int]:
    """The safety net for lost jobs: every reminder due now and every overdue promise, once."""
    moment = now or timezone.now()
    done = {"reminded": sweep_reminders(moment), "missed": sweep_missed(moment)}
    if any(done.values()):
        logger.info("sweep: %(reminded)s reminders, %(missed)s missed promises", done)
    return done


@task()
def sweep_task() -> dict[str, int]:
    """For a scheduler (cron, `everytouch` periodic job) to enqueue every few minutes."""
    return sweep_commitments()
