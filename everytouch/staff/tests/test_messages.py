"""Taking, acknowledging, completing and escalating messages (the actions, no web layer)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from everytouch import ownership
from everytouch.customers.models import Customer, EventKind
from everytouch.staff.directory.actions import (
    StaffError,
    ensure_staff,
    schedule_absence,
    set_backup,
)
from everytouch.staff.messages.actions import (
    LEVEL_BACKUP,
    LEVEL_MANAGER,
    LEVEL_OWNER,
    acknowledge_message,
    complete_message,
    escalate_message,
    escalate_overdue,
    take_message,
)
from everytouch.staff.models import (
    Departure,
    DepartureStatus,
    Employment,
    MessageStatus,
    Notification,
    TakenMessage,
    Team,
    Urgency,
)
from everytouch.staff.tests.messages_fixtures import MONDAY_14, MONDAY_16, TUESDAY_11, a_message
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def depart(user: User, successor: User | None, opened_by: User) -> None:
    member = ensure_staff(user)
    member.employment = Employment.DEPARTED
    member.save(update_fields=["employment"])
    user.is_active = False
    user.save(update_fields=["is_active"])
    Departure.objects.create(
        staff=member,
        effective_on=MONDAY_14.date(),
        status=DepartureStatus.COMPLETED,
        successor=successor,
        opened_by=opened_by,
        completed_at=MONDAY_14 - timedelta(days=3),
    )


def test_it_gives_the_message_to_the_person_it_is_for_with_a_business_hours_deadline(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    message = a_message(rep, manager)
    assert message.owner == rep
    assert message.status == MessageStatus.OPEN
    assert message.escalate_at == MONDAY_14
    assert message.callback_number == "+12015550199"


def test_it_counts_escalation_in_business_hours_across_the_evening(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    monday.move_to(MONDAY_16)
    message = a_message(rep, manager)
    # One hour left on Monday, three more from Tuesday 09:00.
    assert message.escalate_at == MONDAY_16.replace(day=4, hour=12)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"callback_number": "", "callback_email": ""}, "no way to call back"),
        ({"callback_number": "12"}, "call-back number"),
        ({"callback_number": "", "callback_email": "not-an-email"}, "call-back e-mail"),
        ({"about": "   "}, "what the message is about"),
    ],
)
def test_it_refuses_a_message_that_cannot_be_acted_on_and_writes_nothing(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    extra: dict[str, str],
    reason: str,
) -> None:
    with pytest.raises(StaffError, match=reason):
        a_message(rep, manager, **extra)
    assert TakenMessage.objects.count() == 0
    assert Notification.objects.count() == 0


def test_it_accepts_a_customer_on_file_as_the_way_to_call_back(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User, customer: Customer
) -> None:
    message = a_message(rep, manager, callback_number="", customer=customer)
    assert message.customer == customer
    event = customer.events.get(kind=EventKind.MESSAGE_TAKEN)
    assert event.data["message_id"] == message.pk
    assert "Wants a quote for 40 chairs" in event.summary
    assert event.actor == manager


def test_it_refuses_a_customer_without_any_phone_or_email(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    nameless = make_customer("No Contacts", contacts=())
    with pytest.raises(StaffError, match="no way to call back"):
        a_message(rep, manager, callback_number="", customer=nameless)


def test_it_refuses_a_message_for_an_outsider(
    monday: time_machine.Traveller, office: Team, outsider: User, manager: User
) -> None:
    with pytest.raises(StaffError, match="not a member of staff"):
        a_message(outsider, manager)


def test_it_gives_a_message_for_someone_who_left_to_their_successor(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    depart(rep, rep2, manager)
    message = a_message(rep, manager)
    assert (message.intended_for, message.owner) == (rep, rep2)
    assert ownership.orphans() == {}


def test_it_follows_a_chain_of_successors_to_someone_still_here(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    trainer: User,
    manager: User,
) -> None:
    depart(rep, rep2, manager)
    depart(rep2, trainer, manager)
    assert a_message(rep, manager).owner == trainer


def test_it_gives_a_message_for_someone_who_left_without_successor_to_a_manager(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    depart(rep, None, manager)
    message = a_message(rep, rep2)
    assert message.owner == manager
    assert ownership.orphans() == {}


def test_it_gives_a_message_for_an_absent_person_to_their_backup_at_once(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    schedule_absence(ensure_staff(rep), MONDAY_14 - timedelta(hours=5), TUESDAY_11, "trade show")
    message = a_message(rep, manager)
    assert (message.intended_for, message.owner) == (rep, rep2)
    notice = Notification.objects.get(user=rep2)
    assert "for Ron Rep" in notice.text


def test_it_notifies_the_owner_once_and_queues_the_email_only_after_commit(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = a_message(rep, manager, urgency=Urgency.HIGH)
    notice = Notification.objects.get()
    assert notice.user == rep
    assert notice.key == f"message:{message.pk}"
    assert notice.text.startswith("Urgent message from Jane Doe")
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == [
        "everytouch.staff.tasks.escalate_message_task",
        "everytouch.staff.tasks.send_notification_email",
    ]
    assert len(callbacks) == 2
    scheduled = DBTaskResult.objects.get(task_path__endswith="escalate_message_task")
    assert scheduled.run_after == MONDAY_14
    assert scheduled.args_kwargs["args"] == [message.pk, LEVEL_OWNER]


def test_it_sends_and_schedules_nothing_when_the_transaction_rolls_back(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):  # noqa: SIM117
        with transaction.atomic():
            a_message(rep, manager)
            raise RuntimeError("the desk request failed after taking the message")
    assert TakenMessage.objects.count() == 0
    assert Notification.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_it_lets_only_the_owner_or_a_manager_acknowledge(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    manager: User,
    trainer: User,
) -> None:
    message = a_message(rep, manager)
    for stranger in (rep2, trainer):
        with pytest.raises(PermissionDenied):
            acknowledge_message(message, stranger)
    acknowledged = acknowledge_message(message, rep)
    assert acknowledged.status == MessageStatus.ACKNOWLEDGED
    assert acknowledged.escalate_at is None
    again = acknowledge_message(message, manager)
    assert again.acknowledged_at == acknowledged.acknowledged_at


def test_it_completes_a_message_and_takes_it_out_of_the_open_rows(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    message = a_message(rep, manager)
    with pytest.raises(PermissionDenied):
        complete_message(message, rep2)
    done = complete_message(message, rep)
    assert done.status == MessageStatus.DONE
    assert done.acknowledged_at is not None
    assert ownership.kind("message").owned_by(rep).count() == 0


def test_it_escalates_to_the_backup_then_to_the_manager_once_each(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    message = a_message(rep, rep2)
    assert escalate_message(message.pk, LEVEL_OWNER, MONDAY_14 - timedelta(minutes=1)) is None

    first = escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)
    assert first is not None
    assert (first.owner, first.escalation_level) == (rep2, LEVEL_BACKUP)
    # Three business hours left on Monday, the fourth on Tuesday morning.
    assert first.escalate_at == TUESDAY_11 - timedelta(hours=1)
    # The same job delivered twice changes nothing the second time.
    assert escalate_message(message.pk, LEVEL_OWNER, MONDAY_14) is None

    second = escalate_message(message.pk, LEVEL_BACKUP, TUESDAY_11)
    assert second is not None
    assert (second.owner, second.escalation_level) == (manager, LEVEL_MANAGER)
    assert second.escalate_at is None
    assert escalate_message(message.pk, LEVEL_MANAGER, TUESDAY_11 + timedelta(days=1)) is None
    keys = sorted(Notification.objects.values_list("user__username", "key"))
    assert keys == [
        ("maria", f"message:{message.pk}:escalated:2"),
        ("rita", f"message:{message.pk}:escalated:1"),
        ("ron", f"message:{message.pk}"),
    ]


def test_it_escalates_straight_to_the_manager_when_there_is_no_backup(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    set_backup(ensure_staff(rep), None)
    message = a_message(rep, manager)
    escalated = escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)
    assert escalated is not None
    assert (escalated.owner, escalated.escalation_level) == (manager, LEVEL_MANAGER)


def test_it_skips_a_backup_who_has_left(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    message = a_message(rep, manager)
    depart(rep2, None, manager)
    escalated = escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)
    assert escalated is not None
    assert escalated.owner == manager
    assert ownership.orphans() == {}


def test_it_does_not_escalate_an_acknowledged_message(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    message = a_message(rep, manager)
    acknowledge_message(message, rep)
    assert escalate_message(message.pk, LEVEL_OWNER, MONDAY_14) is None
    message.refresh_from_db()
    assert message.owner == rep


def test_it_sweeps_every_overdue_message_exactly_once(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    overdue = [a_message(rep, manager) for _ in range(3)]
    acknowledge_message(overdue[2], rep)
    monday.move_to(MONDAY_16)
    fresh = a_message(rep, manager)
    assert escalate_overdue(MONDAY_16) == 2
    assert escalate_overdue(MONDAY_16) == 0
    owners = dict(TakenMessage.objects.values_list("pk", "owner__username"))
    assert [owners[m.pk] for m in overdue] == ["rita", "rita", "ron"]
    assert owners[fresh.pk] == "ron"


def test_it_refuses_to_take_a_message_when_nobody_at_all_could_own_it(
    monday: time_machine.Traveller, rep: User
) -> None:
    depart(rep, None, rep)
    with pytest.raises(StaffError, match="no active manager"):
        take_message(intended_for=rep, about="x", taken_by=rep, callback_email="a@example.com")
    assert TakenMessage.objects.count() == 0


def test_it_prefers_the_team_manager_when_escalating(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    from everytouch.accounts.actions import create_user
    from everytouch.accounts.models import Role

    boss = create_user("bea", "pw-for-bea-123", Role.OWNER, first_name="Bea")
    other_team = Team.objects.create(name="Field", manager=boss)
    member = ensure_staff(rep)
    member.team = other_team
    member.save(update_fields=["team"])
    set_backup(member, None)
    message = a_message(rep, manager)
    escalated = escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)
    assert escalated is not None
    assert escalated.owner == boss


def test_it_puts_each_escalation_on_the_customers_timeline(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    from everytouch.customers.models import EventKind
    from everytouch.testing import make_customer

    customer = make_customer(owner=rep)
    message = a_message(rep, rep2, customer=customer)
    escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)
    escalate_message(message.pk, LEVEL_OWNER, MONDAY_14)  # a retried job adds nothing
    events = list(customer.events.filter(kind=EventKind.MESSAGE_ESCALATED))
    assert [e.summary for e in events] == [
        "Message unanswered for 4 business hours: moved from Ron Rep to Rita Rep"
    ]
