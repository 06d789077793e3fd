from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.customers.models import Customer, EventKind
from everytouch.interactions.actions import InteractionData, log_interaction, transfer
from everytouch.interactions.models import Channel, Interaction
from everytouch.testing import KNOWN_PHONE_TYPED, client_for, make_customer, user_for

pytestmark = pytest.mark.django_db

DESK_ACCESS = [("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403), (None, 302)]


@pytest.mark.parametrize(("role", "status"), DESK_ACCESS)
def test_it_opens_the_desk_only_for_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("desk"))
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), DESK_ACCESS)
def test_it_pops_the_customer_for_a_number_in_another_format_only_for_desk_roles(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    make_customer()
    client = client_for(user_for(request, role))
    response = client.get(reverse("desk_lookup"), {"q": "201.555.0123"})
    assert response.status_code == status
    assert (b'data-testid="pop-name">Jane Doe' in response.content) == (status == 200)


def test_it_offers_a_new_caller_form_prefilled_with_the_number(rep: User) -> None:
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "201 555 0188"})
    assert b'data-testid="pop-new"' in response.content
    assert b"(201) 555-0188" in response.content
    missing = [
        item
        for item in ("name", "phone", "email", "need")
        if f'data-missing="{item}"'.encode() in response.content
    ]
    assert missing == ["name", "email", "need"]


def test_it_explains_an_invalid_lookup(rep: User) -> None:
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "12"})
    assert b"not a valid phone number for region US" in response.content


def test_it_shows_only_what_is_still_missing_for_a_known_caller(rep: User) -> None:
    customer = make_customer(contacts=("+12015550123",))
    response = client_for(rep).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert b'data-missing="email"' in response.content
    assert b'data-missing="need"' in response.content
    assert b'data-missing="name"' not in response.content
    live = client_for(rep).get(
        reverse("desk_missing"),
        {"customer_id": str(customer.pk), "need": "a new copier", "email": "x@example.com"},
    )
    assert b"Everything captured" in live.content


def test_it_logs_a_touch_for_a_new_caller_creating_the_customer(rep: User) -> None:
    payload = {
        "name": "Sam Lee",
        "company": "Lee Law",
        "phone": "201-555-0177",
        "email": "",
        "channel": "call",
        "direction": "inbound",
        "need": "quote for a copier lease",
        "summary": "Wants 3 options by Friday",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 302
    customer = Customer.objects.get(name="Sam Lee")
    assert response["Location"] == reverse("customer_detail", args=[customer.pk])
    interaction = customer.interactions.get()
    assert interaction.handled_by == rep
    assert interaction.need == "quote for a copier lease"
    assert customer.events.filter(kind=EventKind.INTERACTION_LOGGED).exists()
    page = client_for(rep).get(response["Location"])
    assert b"quote for a copier lease" in page.content


def test_it_updates_a_known_caller_and_logs_the_touch(rep: User) -> None:
    customer = make_customer(contacts=("+12015550123",))
    payload = {
        "customer_id": customer.pk,
        "name": "Jane Doe",
        "email": "jane@newmail.example",
        "channel": "visit",
        "direction": "inbound",
        "need": "toner",
        "summary": "",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 302
    assert customer.contacts.filter(value="jane@newmail.example").exists()
    assert customer.interactions.get().channel == Channel.VISIT


def test_it_writes_nothing_when_the_phone_belongs_to_someone_else(rep: User) -> None:
    make_customer()
    payload = {
        "name": "Other Person",
        "phone": "2015550123",
        "channel": "call",
        "direction": "inbound",
        "need": "price",
    }
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 400
    assert b"already belongs to Jane Doe" in response.content
    assert not Customer.objects.filter(name="Other Person").exists()
    assert not Interaction.objects.exists()


def test_it_refuses_a_touch_with_nobody_and_nothing(rep: User) -> None:
    payload = {"channel": "call", "direction": "inbound"}
    response = client_for(rep).post(reverse("desk_log"), payload)
    assert response.status_code == 400
    assert b"Who is it?" in response.content
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("outsider", 403)])
def test_it_lets_no_one_else_log_a_touch(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    payload = {"name": "X", "channel": "call", "direction": "inbound", "need": "price"}
    response = client_for(user_for(request, role)).post(reverse("desk_log"), payload)
    assert response.status_code == status
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 404), (None, 302)],
)
def test_it_shows_an_interaction_with_its_transcript_only_to_staff(
    request: pytest.FixtureRequest, rep2: User, role: str | None, status: int
) -> None:
    customer = make_customer()
    interaction = log_interaction(customer, InteractionData(channel=Channel.CALL, need="x"), rep2)
    url = reverse("interaction_detail", args=[interaction.pk])
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403)]
)
def test_it_lists_interactions_only_for_staff(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    log_interaction(make_customer(), InteractionData(channel=Channel.EMAIL, need="ink"), rep2)
    response = client_for(user_for(request, role)).get(reverse("interaction_list"))
    assert response.status_code == status
    assert (b"ink" in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404)]
)
def test_it_transfers_keeping_customer_and_details(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="service contract", handled_by=rep2)
    interaction = log_interaction(customer, data, rep2)
    target = request.getfixturevalue("manager")
    url = reverse("interaction_transfer", args=[interaction.pk])
    response = client_for(user_for(request, role)).post(
        url, {"to_user": target.pk, "reason": "billing question"}
    )
    assert response.status_code == status
    interaction.refresh_from_db()
    moved = status == 302
    assert (interaction.handled_by == target) == moved
    assert interaction.customer == customer
    assert interaction.need == "service contract"
    assert customer.events.filter(kind=EventKind.TRANSFERRED).exists() == moved


def test_it_shows_the_receiving_rep_what_was_captured(rep: User, rep2: User) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="service contract", handled_by=rep)
    interaction = log_interaction(customer, data, rep)
    transfer(interaction, rep2, "specialist", rep)
    response = client_for(rep2).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert b"service contract" in response.content
    assert b'data-missing="name"' not in response.content
    assert b'data-missing="phone"' not in response.content


def test_it_lists_calls_transferred_to_me_on_the_desk(rep: User, rep2: User) -> None:
    customer = make_customer()
    data = InteractionData(channel=Channel.CALL, need="lease renewal", handled_by=rep)
    transfer(log_interaction(customer, data, rep), rep2, "renewals", rep)
    mine = client_for(rep2).get(reverse("desk"))
    assert b"Transferred to you" in mine.content
    assert b"lease renewal" in mine.content
    theirs = client_for(rep).get(reverse("desk"))
    assert b"Transferred to you" not in theirs.content


def test_it_prefills_the_looked_up_number_and_does_not_ask_for_it(rep: User) -> None:
    response = client_for(rep).get(reverse("desk_lookup"), {"q": "jo@example.com"})
    assert b'value="jo@example.com"' in response.content
    assert b'data-missing="email"' not in response.content
    assert b'data-missing="phone"' in response.content


def test_it_shows_the_owners_away_message_and_the_backup_at_the_desk(rep: User, rep2: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from everytouch.staff.directory.actions import ensure_staff, schedule_absence

    make_customer(owner=rep)
    now = timezone.now()
    schedule_absence(
        ensure_staff(rep),
        now - timedelta(hours=1),
        now + timedelta(days=2),
        "at a trade show",
        ensure_staff(rep2),
    )
    response = client_for(rep2).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert b"Ron Rep is at a trade show until" in response.content
    assert b'data-testid="route-to">Rita Rep' in response.content
    assert f"/messages/new/?for={rep2.pk}&".encode() in response.content


@pytest.mark.parametrize(("role", "status"), [("rep", 200), ("trainer", 403), ("outsider", 403)])
def test_it_says_who_took_over_when_the_caller_asks_for_someone_who_left(
    request: pytest.FixtureRequest, rep: User, rep2: User, manager: User, role: str, status: int
) -> None:
    from django.utils import timezone

    from everytouch.staff.directory.actions import ensure_staff
    from everytouch.staff.models import Departure, DepartureStatus

    leaver = ensure_staff(rep2)
    Departure.objects.create(
        staff=leaver,
        effective_on=timezone.now().date(),
        status=DepartureStatus.COMPLETED,
        successor=manager,
        opened_by=manager,
        completed_at=timezone.now(),
    )
    rep2.is_active = False
    rep2.save()
    client = client_for(user_for(request, role))
    response = client.get(reverse("desk_ask"), {"person": str(leaver.pk)})
    assert response.status_code == status
    if status == 200:
        assert b"Rita Rep no longer works here; Maria Manager now looks after" in response.content
        assert f"for={rep2.pk}".encode() in response.content


@pytest.mark.parametrize(("role", "offered"), [("rep", True), ("trainer", False)])
def test_it_offers_transfer_and_lead_buttons_only_to_desk_roles(
    request: pytest.FixtureRequest, rep2: User, role: str, offered: bool
) -> None:
    interaction = log_interaction(
        make_customer(), InteractionData(channel=Channel.CALL, need="copier"), rep2
    )
    response = client_for(user_for(request, role)).get(
        reverse("interaction_detail", args=[interaction.pk])
    )
    assert (b"<h2>Transfer</h2>" in response.content) == offered
    assert (b'data-testid="lead-from-interaction"' in response.content) == offered


def test_it_offers_to_create_a_lead_from_the_screen_pop(rep: User) -> None:
    customer = make_customer()
    response = client_for(rep).get(reverse("desk_lookup"), {"q": KNOWN_PHONE_TYPED})
    assert f"/leads/new/?customer={customer.pk}".encode() in response.content


def test_it_never_stores_a_card_number_read_out_on_a_call(rep: User) -> None:
    from everytouch.interactions.actions import TurnData

    data = InteractionData(
        channel=Channel.CALL,
        need="pay the invoice with card 4111 1111 1111 1111",
        turns=[TurnData("customer", "it's 4111-1111-1111-1111, expiry 04/29")],
    )
    interaction = log_interaction(make_customer(), data, rep)
    interaction.refresh_from_db()
    assert interaction.need == "pay the invoice with card [card ending 1111]"
    assert interaction.turns.get().text == "it's [card ending 1111], expiry 04/29"
