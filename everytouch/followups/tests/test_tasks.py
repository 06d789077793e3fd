"""Reminders and escalations on both task backends, to a real SMTP server: once each, never lost.

As in staff/tests/test_tasks.py: the database backend's real worker loop and RQ on a real
Redis, mail to aiosmtpd on loopback, transactions really committed so on_commit hooks run.
Time is moved with time-machine; nothing sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch import sweeps
from everytouch.cli import main
from everytouch.followups import actions, tasks
from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.followups.tests.helpers import a_commitment
from everytouch.staff.models import Notification, Team
from everytouch.staff.notifications import notify as real_notify
from everytouch.testing import make_customer
from everytouch.testing.mail import Inbox
from everytouch.testing.workers import Worker

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded Monday 10:00, due 14:00: the reminder is due at 13:00.
REMINDER_TIME = timedelta(hours=3, minutes=1)
PAST_DUE = timedelta(hours=4, minutes=1)


def a_promise(owner: User) -> Commitment:
    return a_commitment(make_customer(), owner, hours=4)


def subjects(inbox: Inbox) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"])) for m in inbox.received]


def test_it_reminds_then_escalates_each_exactly_once(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
) -> None:
    commitment = a_promise(rep)
    worker.run()
    assert smtp_inbox.received == []

    monday.shift(REMINDER_TIME)
    worker.run()
    assert subjects(smtp_inbox) == [
        (
            "ron@example.com",
            "Everytouch: Due Mon 3 Mar 2025, 14:00: "
            "Call back with the quote for 40 chairs (Jane Doe)",
        )
    ]
    # A retried reminder and the sweep both find it sent.
    tasks.remind_commitment_task.enqueue(commitment.pk)
    worker.run()
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 0}

    monday.shift(PAST_DUE - REMINDER_TIME)
    worker.run()
    tasks.escalate_commitment_task.enqueue(commitment.pk)
    worker.run()
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 0}
    worker.run()
    assert smtp_inbox.recipients() == ["ron@example.com", "maria@example.com", "ron@example.com"]
    assert len(set(smtp_inbox.message_ids())) == 3
    assert "Missed promise: Ron Rep promised Jane Doe" in smtp_inbox.received[1].get_content()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.MISSED


def test_it_sends_nothing_for_a_promise_kept_in_time(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
) -> None:
    commitment = a_promise(rep)
    actions.complete_commitment(commitment, rep)
    monday.shift(PAST_DUE)
    worker.run()
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 0}
    worker.run()
    assert smtp_inbox.received == []
    assert not Notification.objects.exists()


def test_it_loses_no_reminder_when_the_worker_dies_mid_job(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commitment = a_promise(rep)

    def dies(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed while reminding")

    monday.shift(REMINDER_TIME)
    with monkeypatch.context() as patch:
        patch.setattr(actions, "notify", dies)
        worker.run()
    commitment.refresh_from_db()
    assert commitment.reminded_at is None
    assert smtp_inbox.received == []

    # The job is re-run (a retry) and the sweep also runs: one reminder between them.
    tasks.remind_commitment_task.enqueue(commitment.pk)
    worker.run()
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 0}
    worker.run()
    assert smtp_inbox.recipients() == ["ron@example.com"]
    commitment.refresh_from_db()
    assert commitment.reminded_at is not None


def test_it_escalates_once_when_the_worker_dies_between_two_notices(
    smtp_inbox: Inbox,
    worker: Worker,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commitment = a_promise(rep)
    calls: list[str] = []

    def dies_on_second(user: User, text: str, url: str, key: str) -> Notification:
        calls.append(user.username)
        if len(calls) == 2:
            raise RuntimeError("worker killed after telling the manager, before the owner")
        return real_notify(user, text, url, key)

    monday.shift(PAST_DUE)
    with monkeypatch.context() as patch:
        patch.setattr(actions, "notify", dies_on_second)
        worker.run()
    assert calls == ["maria", "ron"]
    # The whole step rolled back: still open, the manager's notice gone with it.
    commitment.refresh_from_db()
    assert (commitment.status, commitment.escalated_at) == (CommitmentStatus.OPEN, None)
    assert not Notification.objects.exists()

    # The job died, so only the sweep (what a periodic job runs) picks it up: once.
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 1}
    assert tasks.sweep_commitments() == {"reminded": 0, "missed": 0}
    worker.run()
    assert sorted(smtp_inbox.recipients()) == ["maria@example.com", "ron@example.com"]


def test_it_sweeps_from_the_command_line(
    monday: time_machine.Traveller, office: Team, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    commitment = a_promise(rep)
    monday.shift(PAST_DUE)
    assert main(["sweep"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "follow-up reminders sent: 0" in out
    assert "promises escalated as missed: 1" in out
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.MISSED


def test_it_is_swept_by_everytouch_sweep(
    monday: time_machine.Traveller, office: Team, rep: User
) -> None:
    a_promise(rep)
    monday.shift(REMINDER_TIME)
    first = sweeps.run_all()
    assert (first["follow-up reminders sent"], first["promises escalated as missed"]) == (1, 0)
    monday.shift(PAST_DUE - REMINDER_TIME)
    second = sweeps.run_all()
    assert (second["follow-up reminders sent"], second["promises escalated as missed"]) == (0, 1)
