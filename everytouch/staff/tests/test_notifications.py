"""In-app notices and their e-mail copies: one per event, delivered once to a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult

from everytouch.staff import notifications, tasks
from everytouch.staff.models import Notification
from everytouch.testing.mail import Inbox

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def reachable(rep: User) -> User:
    rep.email = "ron@example.com"
    rep.save(update_fields=["email"])
    return rep


def test_it_makes_one_notice_per_person_and_event(reachable: User, rep2: User) -> None:
    first = notifications.notify(reachable, "Call Jane", "/messages/", "message:1")
    again = notifications.notify(reachable, "Call Jane (retry)", "/messages/", "message:1")
    other = notifications.notify(rep2, "Call Jane", "/messages/", "message:1")
    assert again.pk == first.pk
    assert again.text == "Call Jane"
    assert other.pk != first.pk
    assert Notification.objects.count() == 2


def test_it_queues_the_email_once_and_only_after_commit(
    reachable: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notifications.notify(reachable, "Call Jane", "/messages/", "message:1")
        notifications.notify(reachable, "Call Jane", "/messages/", "message:1")
        assert DBTaskResult.objects.count() == 0
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "everytouch.staff.tasks.send_notification_email"
    assert queued.args_kwargs["args"] == [notice.pk]


def test_it_queues_no_email_for_someone_without_an_address(
    rep2: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(rep2, "Call Jane", "/messages/", "message:1")
    assert DBTaskResult.objects.count() == 0
    assert tasks.send_notification_email.call(Notification.objects.get().pk) is False


def test_it_delivers_a_notice_to_a_real_smtp_server_exactly_once(
    smtp_inbox: Inbox, reachable: User, settings: Any
) -> None:
    settings.SITE_URL = "https://desk.example.com"
    notice = notifications.notify(reachable, "Urgent message from Jane", "/messages/#m-1", "k1")
    assert tasks.send_notification_email.call(notice.pk) is True
    assert tasks.send_notification_email.call(notice.pk) is False
    assert len(smtp_inbox.received) == 1
    mail = smtp_inbox.received[0]
    assert mail["To"] == "ron@example.com"
    assert mail["Subject"] == "Everytouch: Urgent message from Jane"
    assert mail["Message-ID"] == tasks.message_id_for(notice)
    assert mail["Message-ID"].endswith("@desk.example.com>")
    assert "https://desk.example.com/messages/#m-1" in mail.get_content()
    notice.refresh_from_db()
    assert notice.emailed_at is not None


def test_it_gives_each_notice_its_own_stable_message_id(reachable: User, rep2: User) -> None:
    one = notifications.notify(reachable, "a", "", "message:1")
    two = notifications.notify(reachable, "b", "", "message:2")
    other_user = notifications.notify(rep2, "a", "", "message:1")
    ids = {tasks.message_id_for(n) for n in (one, two, other_user)}
    assert len(ids) == 3
    assert tasks.message_id_for(one) == tasks.message_id_for(Notification.objects.get(pk=one.pk))


def test_it_marks_notices_read_one_or_all(reachable: User, rep2: User) -> None:
    one = notifications.notify(reachable, "a", "", "k1")
    notifications.notify(reachable, "b", "", "k2")
    theirs = notifications.notify(rep2, "c", "", "k1")
    notifications.mark_read(one)
    assert notifications.unread_count(reachable) == 1
    assert notifications.mark_all_read(reachable) == 1
    assert notifications.unread_count(reachable) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
