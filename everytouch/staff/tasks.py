"""Background work for messages: notice e-mails, scheduled escalations and the safety sweeps.

Each task may run twice (a retry, a sweep, a worker killed after the work but before the queue
heard about it), so each one re-reads the row under a lock and does nothing when the work is
already done. No SMTP conversation happens inside a transaction: the notice is the outbox row,
claimed in one short transaction and marked e-mailed in another, with the sending in between.
docs/staff.md ("Messages") explains the exactly-once reasoning.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from everytouch.outbox import claims
from everytouch.redaction import redact_value
from everytouch.staff.models import Notification

logger = logging.getLogger("everytouch.staff")

# A notice nobody is sending whose e-mail has not gone out this long after it was made lost its
# job (or its send failed). One whose sender died mid-send is found sooner: its claim goes stale
# half a minute after the worker's heartbeat stops.
EMAIL_GRACE = timedelta(minutes=10)
# Django's SMTP backend waits forever by default; a claim must not outlive its sender.
SMTP_TIMEOUT_S = 30
CLAIM_KIND = "notice-email"


def message_id_for(notice: Notification) -> str:
    """The same Message-ID for every attempt, so a duplicate is recognisable as one."""
    digest = hashlib.sha256(f"{notice.user_id}:{notice.key}".encode()).hexdigest()[:32]
    host = urlsplit(str(settings.SITE_URL)).hostname or "everytouch.invalid"
    return f"<notice-{digest}@{host}>"


def _email_for(notice: Notification) -> EmailMessage:
    link = str(settings.SITE_URL).rstrip("/") + notice.url if notice.url else ""
    body = notice.text + (f"\n\n{link}" if link else "") + "\n"
    subject = "Everytouch: " + notice.text.splitlines()[0][:120]
    timeout = settings.EMAIL_TIMEOUT or SMTP_TIMEOUT_S
    subject, body = redact_value(subject), redact_value(body)  # the one pass, at the edge
    return EmailMessage(
        subject,
        body,
        to=[notice.user.email],
        headers={"Message-ID": message_id_for(notice)},
        connection=get_connection(timeout=timeout),
    )


@dataclass(frozen=True)
class Claimed:
    notice: Notification
    token: str


@transaction.atomic
def claim_notice(notification_id: int) -> Claimed | None:
    """First short transaction: the notice to e-mail, claimed, or None when there is nothing to do.

    The notice row is locked only while its claim is taken, so a second job waits a moment here
    and then finds the live claim (or ``emailed_at`` set) and stops.
    """
    notice = (
        Notification.objects.select_for_update()
        .select_related("user")
        .filter(pk=notification_id)
        .first()
    )
    if notice is None or notice.emailed_at is not None or not notice.user.email:
        return None
    token = claims.take(CLAIM_KIND, notice.pk)
    return None if token is None else Claimed(notice, token)


@transaction.atomic
def record_sent(claimed: Claimed) -> None:
    """Second short transaction: the notice is e-mailed; the claim goes."""
    notice = Notification.objects.select_for_update().get(pk=claimed.notice.pk)
    claims.release(CLAIM_KIND, notice.pk, claimed.token)
    if notice.emailed_at is None:
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])


@transaction.atomic
def release_unsent(claimed: Claimed) -> None:
    """The send failed: drop the claim so the sweep tries again after ``EMAIL_GRACE``."""
    # Lock the notice row first, as claim_notice does, so the claim changes under the same lock.
    Notification.objects.select_for_update().filter(pk=claimed.notice.pk).first()
    claims.release(CLAIM_KIND, claimed.notice.pk, claimed.token)


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notice unless it has been e-mailed already; True when this run sent it."""
    claimed = claim_notice(notification_id)
    if claimed is None:
        return False
    try:
        # No transaction is open here: a slow or dead mail server holds no database lock.
        _email_for(claimed.notice).send()
    except Exception:
        release_unsent(claimed)
        raise
    record_sent(claimed)
    return True


@task()
def escalate_message_task(message_id: int, expected_level: int) -> bool:
    """Run one scheduled escalation step; the action schedules the next one itself."""
    from everytouch.staff.messages.actions import escalate_message

    return escalate_message(message_id, expected_level, timezone.now()) is not None


def unsent_notices() -> list[int]:
    """Notices to e-mail now: abandoned by a dead sender, or unclaimed and past the grace."""
    unsent = Notification.objects.filter(emailed_at=None).exclude(user__email="")
    abandoned = [int(key) for key in claims.stale(CLAIM_KIND)]
    in_flight = [int(key) for key in claims.held(CLAIM_KIND)]
    lost = unsent.filter(created_at__lte=timezone.now() - EMAIL_GRACE).exclude(pk__in=in_flight)
    found = set(lost.values_list("pk", flat=True))
    found |= set(unsent.filter(pk__in=abandoned).values_list("pk", flat=True))
    return sorted(found)


def forget_abandoned(keys: set[str]) -> None:
    """Drop stale claims on notices that need no e-mail any more (deleted, or no address)."""
    for key in keys:
        with transaction.atomic():
            claims.drop_if_stale(CLAIM_KIND, key)


def sweep_unsent_emails() -> int:
    """Send every notice e-mail whose job was lost or whose sender died; how many went out."""
    pending = unsent_notices()
    forget_abandoned(set(claims.stale(CLAIM_KIND)) - {str(pk) for pk in pending})
    sent = 0
    for pk in pending:
        try:
            sent += send_notification_email.call(pk)
        except (OSError, smtplib.SMTPException):
            # One unreachable mailbox must not hold up the rest; the next sweep retries it.
            logger.exception("notice %s: e-mail failed, will retry", pk)
    return sent


def sweep_due_messages() -> int:
    """Escalate every overdue message now; returns how many moved."""
    from everytouch.staff.messages.actions import escalate_overdue

    return escalate_overdue(timezone.now())


@task()
def sweep_task() -> dict[str, int]:
    """Both safety nets in one job, for a scheduler or `everytouch` to enqueue periodically."""
    return {"escalated": sweep_due_messages(), "emailed": sweep_unsent_emails()}
