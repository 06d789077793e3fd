"""Message and notification pages for every role: manager, rep, rep2, trainer, outsider, nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from everytouch.customers.models import Customer, EventKind
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.models import MessageStatus, Notification, TakenMessage, Team
from everytouch.staff.tests.messages_fixtures import TUESDAY_11, a_message
from everytouch.testing import PASSWORD

pytestmark = pytest.mark.django_db

EVERYONE = ["manager", "rep", "rep2", "trainer", "outsider", None]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def user_for(request: pytest.FixtureRequest, role: str | None) -> User | None:
    return None if role is None else request.getfixturevalue(role)


def valid_post(person: User, **extra: str) -> dict[str, str]:
    data = {
        "intended_for": str(person.pk),
        "caller_name": "Jane Doe",
        "callback_number": "201-555-0199",
        "callback_email": "",
        "about": "Wants a quote for 40 chairs",
        "urgency": "normal",
        "customer_id": "",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("role", "status", "sees_it"),
    [
        ("manager", 200, False),
        ("rep", 200, True),
        ("rep2", 200, False),
        ("trainer", 200, False),
        ("outsider", 403, False),
        (None, 302, False),
    ],
)
def test_it_shows_my_messages_only_to_their_owner(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    role: str | None,
    status: int,
    sees_it: bool,
) -> None:
    a_message(rep, manager)
    monday.shift(timedelta(minutes=90))
    response = client_for(user_for(request, role)).get(reverse("messages_mine"))
    assert response.status_code == status
    assert (b"Wants a quote for 40 chairs" in response.content) == sees_it
    if sees_it:
        assert b"1\xc2\xa0hour, 30\xc2\xa0minutes ago" in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("rep", 403),
        ("rep2", 403),
        ("trainer", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_it_shows_every_unacknowledged_message_only_to_managers(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    manager: User,
    role: str | None,
    status: int,
) -> None:
    a_message(rep, manager, about="First, for Ron")
    a_message(rep2, manager, about="Second, for Rita")
    response = client_for(user_for(request, role)).get(reverse("messages_all"))
    assert response.status_code == status
    assert (b"First, for Ron" in response.content) == (status == 200)
    assert (b"Second, for Rita" in response.content) == (status == 200)


def test_it_sorts_unacknowledged_messages_by_age_and_leaves_out_acknowledged_ones(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    old = a_message(rep, manager, about="Oldest one")
    monday.shift(timedelta(hours=1))
    new = a_message(rep2, manager, about="Newest one")
    seen = a_message(rep2, manager, about="Seen already")
    client = client_for(manager)
    client.post(reverse("message_ack", args=[seen.pk]))
    oldest_first = client.get(reverse("messages_all"))
    assert [m.pk for m in oldest_first.context["page"].object_list] == [old.pk, new.pk]
    newest_first = client.get(reverse("messages_all"), {"sort": "newest"})
    assert [m.pk for m in newest_first.context["page"].object_list] == [new.pk, old.pk]
    assert b"Seen already" not in oldest_first.content


def test_it_lists_open_messages_before_acknowledged_and_done_ones(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    acked = a_message(rep, manager, about="acked")
    done = a_message(rep, manager, about="done")
    monday.shift(timedelta(minutes=5))
    fresh = a_message(rep, manager, about="fresh")
    client = client_for(rep)
    client.post(reverse("message_ack", args=[acked.pk]))
    client.post(reverse("message_done", args=[done.pk]))
    response = client.get(reverse("messages_mine"))
    assert [m.pk for m in response.context["open_messages"]] == [fresh.pk, acked.pk]
    assert [m.pk for m in response.context["done_messages"]] == [done.pk]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("rep", 200),
        ("rep2", 200),
        ("trainer", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_it_offers_the_message_form_to_desk_roles_only(
    request: pytest.FixtureRequest, office: Team, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("message_new"))
    assert response.status_code == status
    assert (b'id="message-form"' in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 302),
        ("rep", 302),
        ("rep2", 302),
        ("trainer", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_it_lets_only_desk_roles_take_a_message(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    user = user_for(request, role)
    response = client_for(user).post(reverse("message_new"), valid_post(rep))
    assert response.status_code == status
    taken = TakenMessage.objects.filter(taken_by__isnull=False)
    assert taken.count() == (1 if role in {"manager", "rep", "rep2"} else 0)
    if taken:
        message = taken.get()
        assert (message.owner, message.taken_by, message.callback_number) == (
            rep,
            user,
            "+12015550199",
        )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"callback_number": ""}, b"no way to call back"),
        ({"callback_number": "12"}, b"not a valid phone number"),
        ({"about": ""}, b"This field is required"),
        ({"customer_id": "999999"}, b"no customer with id 999999"),
        ({"urgency": "panic"}, b"Select a valid choice"),
        ({"intended_for": "999999"}, b"Select a valid choice"),
    ],
)
def test_it_answers_bad_input_with_400_and_the_reason_and_writes_nothing(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    changes: dict[str, str],
    reason: bytes,
) -> None:
    response = client_for(rep2).post(reverse("message_new"), valid_post(rep, **changes))
    assert response.status_code == 400
    assert reason in response.content
    assert TakenMessage.objects.count() == 0
    assert Notification.objects.count() == 0


def test_it_prefills_the_form_from_the_customer_and_the_person_asked_for(
    office: Team, rep: User, rep2: User, manager: User, customer: Customer
) -> None:
    customer.owner = rep
    customer.save(update_fields=["owner"])
    client = client_for(rep2)
    by_customer = client.get(reverse("message_new"), {"customer": customer.pk})
    form = by_customer.context["form"]
    assert form.initial["intended_for"] == rep.pk
    assert form.initial["customer_id"] == customer.pk
    assert form.initial["caller_name"] == "Jane Doe"
    assert b"Take a message from Jane Doe" in by_customer.content
    named = client.get(reverse("message_new"), {"customer": customer.pk, "for": manager.pk})
    assert named.context["form"].initial["intended_for"] == manager.pk
    junk = client.get(reverse("message_new"), {"customer": "x", "for": "999999"})
    assert junk.status_code == 200
    assert "intended_for" not in junk.context["form"].initial


def test_it_takes_a_message_for_a_customer_onto_their_timeline(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, customer: Customer
) -> None:
    data = valid_post(rep, callback_number="", customer_id=str(customer.pk))
    response = client_for(rep2).post(reverse("message_new"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[customer.pk])
    assert customer.events.filter(kind=EventKind.MESSAGE_TAKEN).count() == 1


def test_it_says_who_has_the_message_when_the_person_is_away(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    starts = TUESDAY_11 - timedelta(days=2)
    schedule_absence(ensure_staff(rep), starts, TUESDAY_11, "trade show")
    response = client_for(manager).post(reverse("message_new"), valid_post(rep), follow=True)
    assert b"Message taken for Ron Rep; Rita Rep has it." in response.content
    backup_view = client_for(rep2).get(reverse("messages_mine"))
    assert b"Wants a quote for 40 chairs" in backup_view.content


@pytest.mark.parametrize("action", ["message_ack", "message_done"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 302),
        ("rep", 302),
        ("rep2", 404),
        ("trainer", 404),
        ("outsider", 404),
        (None, 302),
    ],
)
def test_it_lets_only_the_owner_or_a_manager_answer_a_message(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    action: str,
    role: str | None,
    status: int,
) -> None:
    message = a_message(rep, manager)
    response = client_for(user_for(request, role)).post(reverse(action, args=[message.pk]))
    assert response.status_code == status
    message.refresh_from_db()
    answered = role in {"manager", "rep"}
    assert (message.status != MessageStatus.OPEN) == answered
    if role is None:
        assert response["Location"].startswith(reverse("login"))


def test_it_refuses_to_answer_a_message_by_get(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    message = a_message(rep, manager)
    response = client_for(rep).get(reverse("message_ack", args=[message.pk]))
    assert response.status_code == 405
    message.refresh_from_db()
    assert message.status == MessageStatus.OPEN


def test_it_answers_htmx_with_the_updated_row(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    message = a_message(rep, manager)
    response = client_for(rep).post(
        reverse("message_ack", args=[message.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.startswith(f'<tr id="message-{message.pk}"'.encode())
    assert b"Acknowledged" in response.content
    assert b"Acknowledge</button>" not in response.content


def test_it_returns_to_a_safe_next_url_only(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    first, second = a_message(rep, manager), a_message(rep, manager)
    client = client_for(manager)
    inside = client.post(reverse("message_ack", args=[first.pk]), {"next": "/messages/all/"})
    assert inside["Location"] == "/messages/all/"
    outside = client.post(
        reverse("message_ack", args=[second.pk]), {"next": "https://evil.example/"}
    )
    assert outside["Location"] == reverse("messages_mine")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("rep", 200),
        ("rep2", 200),
        ("trainer", 200),
        ("outsider", 403),
        (None, 302),
    ],
)
def test_it_shows_each_person_only_their_own_notifications(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    role: str | None,
    status: int,
) -> None:
    a_message(rep, manager, caller_name="Zed Zebra")
    response = client_for(user_for(request, role)).get(reverse("notifications"))
    assert response.status_code == status
    assert (b"Zed Zebra" in response.content) == (role == "rep")


@pytest.mark.parametrize(
    ("role", "status"),
    [("rep", 302), ("rep2", 404), ("manager", 404), ("outsider", 403), (None, 302)],
)
def test_it_lets_only_the_recipient_mark_a_notification_read(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    role: str | None,
    status: int,
) -> None:
    a_message(rep, manager)
    notice = Notification.objects.get(user=rep)
    url = reverse("notification_read", args=[notice.pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status
    notice.refresh_from_db()
    assert (notice.read_at is not None) == (role == "rep")


def test_it_marks_all_my_notifications_read_and_nobody_elses(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> None:
    a_message(rep, manager)
    a_message(rep, manager)
    a_message(rep2, manager)
    client = client_for(rep)
    response = client.post(reverse("notifications_read_all"), follow=True)
    assert b"Marked 2 notifications read." in response.content
    assert Notification.objects.filter(user=rep, read_at=None).count() == 0
    assert Notification.objects.filter(user=rep2, read_at=None).count() == 1
    htmx = client_for(rep2).post(
        reverse("notification_read", args=[Notification.objects.get(user=rep2).pk]),
        headers={"HX-Request": "true"},
    )
    assert htmx.content.lstrip().startswith(b'<li id="notification-')
    assert b"Mark read" not in htmx.content
