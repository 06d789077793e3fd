"""Background work for messages: notice e-mails, scheduled escalations and the safety sweeps.

Each task may run twice (a retry, a sweep, a worker killed after the work but before the queue
heard about it), so each one re-reads the row under a lock and does nothing when the work is
already done. docs/staff.md ("Messages") explains the exactly-once reasoning.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from everytouch.redaction import redact_value
from everytouch.staff.models import Notification

logger = logging.getLogger("everytouch.staff")

# A notice whose e-mail has not gone out this long after it was made lost its job.
EMAIL_GRACE = timedelta(minutes=10)


def message_id_for(notice: Notification) -> str:
    """The same Message-ID for every attempt, so a duplicate is recognisable as one."""
    digest = hashlib.sha256(f"{notice.user_id}:{notice.key}".encode()).hexdigest()[:32]
    host = urlsplit(str(settings.SITE_URL)).hostname or "everytouch.invalid"
    return f"<notice-{digest}@{host}>"


def _email_for(notice: Notification) -> EmailMessage:
    link = str(settings.SITE_URL).rstrip("/") + notice.url if notice.url else ""
    body = notice.text + (f"\n\n{link}" if link else "") + "\n"
    subject = "Everytouch: " + notice.text.splitlines()[0][:120]
    subject, body = redact_value(subject), redact_value(body)  # the one pass, at the edge
    return EmailMessage(
        subject,
        body,
        to=[notice.user.email],
        headers={"Message-ID": message_id_for(notice)},
    )


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notice unless it has been e-mailed already; True when this run sent it."""
    with transaction.atomic():
        notice = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notice is None or notice.emailed_at is not None or not notice.user.email:
            return False
        # The row stays locked while the SMTP server accepts the mail, so a second worker
        # waits here and then sees emailed_at set.
        _email_for(notice).send()
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])
    return True


@task()
def escalate_message_task(message_id: int, expected_level: int) -> bool:
    """Run one scheduled escalation step; the action schedules the next one itself."""
    from everytouch.staff.messages.actions import escalate_message

    return escalate_message(message_id, expected_level, timezone.now()) is not None


def unsent_notices() -> list[int]:
    cutoff = timezone.now() - EMAIL_GRACE
    qs = Notification.objects.filter(emailed_at=None, created_at__lte=cutoff).exclude(
        user__email=""
    )
    return list(qs.order_by("pk").values_list("pk", flat=True))


def sweep_unsent_emails() -> int:
    """Send every notice e-mail whose job was lost; returns how many went out."""
    sent = 0
    for pk in unsent_notices():
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
