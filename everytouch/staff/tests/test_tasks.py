"""Background work on both backends: nothing sent twice, nothing lost, even when a job dies.

Each test runs on the database backend (the real db_worker loop, batch mode) and on RQ with a
real Redis (a SimpleWorker in burst mode with its scheduler), with mail going to a real SMTP
server on loopback. Transactions really commit here, so on_commit hooks run as in production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.mail import EmailMessage

from everytouch.outbox import claims, workers
from everytouch.staff import tasks
from everytouch.staff.messages import actions as message_actions
from everytouch.staff.messages.actions import LEVEL_BACKUP, LEVEL_MANAGER, LEVEL_OWNER
from everytouch.staff.models import MessageStatus, Notification, TakenMessage, Team
from everytouch.staff.tests.messages_fixtures import MONDAY_14, TUESDAY_11, a_message
from everytouch.testing.mail import Inbox
from everytouch.testing.workers import Worker

pytestmark = pytest.mark.django_db(transaction=True)

AFTER_GRACE = tasks.EMAIL_GRACE + timedelta(minutes=1)


def owner_and_level(message: TakenMessage) -> tuple[str, int]:
    message.refresh_from_db()
    return message.owner.username, message.escalation_level


def test_it_emails_the_owner_once_however_often_the_job_runs(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
) -> None:
    message = a_message(rep, manager)
    worker.run()
    assert smtp_inbox.recipients() == ["ron@example.com"]
    notice = Notification.objects.get(user=rep)
    # A retried job and a sweep both find the notice already e-mailed.
    tasks.send_notification_email.enqueue(notice.pk)
    worker.run()
    monday.shift(AFTER_GRACE)
    assert tasks.sweep_unsent_emails() == 0
    assert smtp_inbox.recipients() == ["ron@example.com"]
    mail = smtp_inbox.received[0]
    assert mail["Message-ID"] == tasks.message_id_for(notice)
    body = mail.get_content()
    assert "Wants a quote for 40 chairs" in body
    assert f"/messages/#message-{message.pk}" in body


def test_it_escalates_on_schedule_to_the_backup_then_the_manager_once_each(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
) -> None:
    message = a_message(rep, manager)
    worker.run()
    assert owner_and_level(message) == ("ron", LEVEL_OWNER)

    monday.move_to(MONDAY_14 + timedelta(minutes=1))
    worker.run()
    assert owner_and_level(message) == ("rita", LEVEL_BACKUP)
    # The same step delivered again (a retry) finds the level moved on and does nothing.
    tasks.escalate_message_task.enqueue(message.pk, LEVEL_OWNER)
    worker.run()
    assert owner_and_level(message) == ("rita", LEVEL_BACKUP)

    monday.move_to(TUESDAY_11)
    worker.run()
    assert owner_and_level(message) == ("maria", LEVEL_MANAGER)
    assert smtp_inbox.recipients() == [
        "ron@example.com",
        "rita@example.com",
        "maria@example.com",
    ]
    assert len(set(smtp_inbox.message_ids())) == 3


def test_it_stops_escalating_once_the_message_is_acknowledged(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
) -> None:
    message = a_message(rep, manager)
    worker.run()
    message_actions.acknowledge_message(message, rep)
    monday.move_to(TUESDAY_11)
    worker.run()
    message.refresh_from_db()
    assert (message.owner, message.status) == (rep, MessageStatus.ACKNOWLEDGED)
    assert smtp_inbox.recipients() == ["ron@example.com"]


def test_it_loses_nothing_when_a_worker_dies_mid_escalation(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = a_message(rep, manager)
    worker.run()

    def dies(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed after reassigning, before notifying")

    monday.move_to(MONDAY_14 + timedelta(minutes=1))
    with monkeypatch.context() as patch:
        patch.setattr(message_actions, "notify", dies)
        worker.run()
    # The step's transaction rolled back: still with Ron, nobody notified of an escalation.
    assert owner_and_level(message) == ("ron", LEVEL_OWNER)
    assert not Notification.objects.filter(key__contains="escalated").exists()

    # The job is gone (failed); the sweep is what a periodic job or the CLI runs.
    assert tasks.sweep_due_messages() == 1
    assert tasks.sweep_due_messages() == 0
    worker.run()
    assert owner_and_level(message) == ("rita", LEVEL_BACKUP)
    assert smtp_inbox.recipients() == ["ron@example.com", "rita@example.com"]


def test_it_sends_a_lost_email_exactly_once_from_the_sweep(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def smtp_down(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("SMTP server unreachable")

    a_message(rep, manager)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", smtp_down)
        worker.run()
    assert smtp_inbox.recipients() == []
    assert Notification.objects.get().emailed_at is None

    assert tasks.sweep_unsent_emails() == 0  # too fresh: its own job may still be running
    monday.shift(AFTER_GRACE)
    assert tasks.sweep_unsent_emails() == 1
    assert tasks.sweep_unsent_emails() == 0
    worker.run()
    assert smtp_inbox.recipients() == ["ron@example.com"]


_real_send = EmailMessage.send


def send_then_die(self: EmailMessage, fail_silently: bool = False) -> int:
    """Stands in for EmailMessage.send: the mail is sent, then the worker dies before commit."""
    _real_send(self, fail_silently)
    raise SystemExit("worker killed after the SMTP server accepted the mail")


def test_it_repeats_the_same_message_id_if_killed_between_smtp_and_commit(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The one window exactly-once cannot close: the server has the mail, our row does not."""
    a_message(rep, manager)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", send_then_die)
        worker.run()
    assert Notification.objects.get().emailed_at is None
    monday.shift(AFTER_GRACE)
    assert tasks.sweep_unsent_emails() == 1
    ids = smtp_inbox.message_ids()
    assert len(ids) == 2
    # The receiving side can drop the copy: both carry the notice's own Message-ID.
    assert ids[0] == ids[1] == tasks.message_id_for(Notification.objects.get())


def test_it_hands_on_a_notice_within_half_a_minute_when_its_worker_dies_mid_send(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker's heartbeat, not a ten-minute guess, tells the sweep the sender is gone."""
    workers.beat()  # the worker that runs the job, alive when it claims the notice
    a_message(rep, manager)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", send_then_die)
        worker.run()
    notice = Notification.objects.get()
    assert notice.emailed_at is None
    assert claims.held(tasks.CLAIM_KIND) == [str(notice.pk)]
    monday.shift(workers.STALE_AFTER - timedelta(seconds=1))
    assert tasks.sweep_unsent_emails() == 0  # maybe a slow live worker: leave it
    monday.shift(timedelta(seconds=1))
    assert tasks.sweep_unsent_emails() == 1
    assert tasks.sweep_unsent_emails() == 0
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert claims.held(tasks.CLAIM_KIND) == []
    assert smtp_inbox.message_ids() == [tasks.message_id_for(notice)] * 2


def test_it_never_sends_a_notice_a_live_worker_is_still_sending(
    smtp_inbox: Inbox,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    workers.beat()
    a_message(rep, manager)
    notice = Notification.objects.get()
    claimed = tasks.claim_notice(notice.pk)
    assert claimed is not None
    # A slow mail server: the job is still talking to it well past the grace, still beating.
    monday.shift(AFTER_GRACE)
    workers.beat()
    assert tasks.send_notification_email.call(notice.pk) is False
    assert tasks.sweep_unsent_emails() == 0
    tasks._email_for(claimed.notice).send()
    tasks.record_sent(claimed)
    assert smtp_inbox.recipients() == ["ron@example.com"]
    assert tasks.sweep_unsent_emails() == 0


def test_it_forgets_a_dead_senders_claim_on_a_notice_that_needs_no_email_any_more(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    a_message(rep, manager)
    notice = Notification.objects.get()
    assert tasks.claim_notice(notice.pk) is not None
    rep.email = ""
    rep.save(update_fields=["email"])
    monday.shift(claims.UNWATCHED_LEASE)
    assert tasks.sweep_unsent_emails() == 0
    assert claims.held(tasks.CLAIM_KIND) == []
