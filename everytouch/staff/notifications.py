"""In-app notices, each copied once by e-mail from a background task.

A notice is identified by ``(user, key)``: the code that raises it names the event ("message 12
was taken", "message 12 escalated to level 1"), so running that code twice (a retried job, a
sweep after a lost job) finds the first notice instead of making a second one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from everytouch.staff.models import MessageStatus, Notification, TakenMessage


@transaction.atomic
def notify(user: User, text: str, url: str, key: str) -> Notification:
    """One notice per (user, key); its e-mail is queued once the transaction commits."""
    notice, created = Notification.objects.get_or_create(
        user=user, key=key[:200], defaults={"text": text[:500], "url": url[:300]}
    )
    if created and user.email:
        notice_id = notice.pk
        # After commit, so a rolled-back action sends nothing; a crash between the commit and
        # this call leaves emailed_at empty, which sweep_unsent_emails picks up.
        transaction.on_commit(lambda: _queue_email(notice_id))
    return notice


def _queue_email(notification_id: int) -> None:
    from everytouch.staff.tasks import send_notification_email

    send_notification_email.enqueue(notification_id)


@transaction.atomic
def mark_read(notice: Notification) -> Notification:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


@dataclass(frozen=True)
class Unread:
    """What the top menu counts: messages not yet acknowledged and notifications not yet read."""

    messages: int = 0
    notifications: int = 0


def _counted(qs: QuerySet[TakenMessage] | QuerySet[Notification], by: str) -> Coalesce:
    grouped = qs.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def unread_for(user: User) -> Unread:
    """Both counts in one query: the menu is on every page, so it must stay cheap."""
    messages = TakenMessage.objects.filter(owner=OuterRef("pk"), status=MessageStatus.OPEN)
    notices = Notification.objects.filter(user=OuterRef("pk"), read_at=None)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(m=_counted(messages, "owner"), n=_counted(notices, "user"))
        .values_list("m", "n")
        .first()
    )
    return Unread(*row) if row else Unread()
