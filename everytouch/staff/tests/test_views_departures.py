"""Departure pages: every view for every role, a whole departure in the browser, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, TimelineEvent
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Departure, DepartureStatus, Employment, TakenMessage
from everytouch.staff.tests.departure_helpers import make_message

EFFECTIVE = date(2031, 3, 31)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def departure(rep: User, manager: User) -> Departure:
    return handover.open_departure(ensure_staff(rep), EFFECTIVE, manager)


@pytest.fixture
def ann(rep: User) -> Customer:
    return create_customer(CustomerData(name="Ann Smith", company="Acme", owner=rep), None)


def urls(departure: Departure, member_id: int) -> dict[str, tuple[str, str]]:
    base = f"/staff/departures/{departure.pk}/"
    return {
        "list": ("get", "/staff/departures/"),
        "start": ("get", f"/staff/{member_id}/depart/"),
        "detail": ("get", base),
        "handover": ("post", base + "handover/"),
        "complete": ("post", base + "complete/"),
        "cancel": ("post", base + "cancel/"),
    }


# What each role gets: pages about one departure answer 404 so nothing leaks about them.
DENIED = {"list": 403, "start": 404, "detail": 404, "handover": 404, "complete": 404, "cancel": 404}


@pytest.mark.parametrize("view", list(DENIED))
@pytest.mark.parametrize("who", ["rep", "rep2", "trainer", "outsider"])
def test_it_refuses_everyone_but_managers(
    view: str, who: str, departure: Departure, ann: Customer, request: pytest.FixtureRequest
) -> None:
    method, url = urls(departure, ensure_staff(request.getfixturevalue("rep2")).pk)[view]
    response = getattr(client_for(request.getfixturevalue(who)), method)(url, {"to": "1"})
    assert response.status_code == DENIED[view]
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.OPEN
    assert Customer.objects.get(pk=ann.pk).owner == departure.staff.user


@pytest.mark.parametrize("view", list(DENIED))
def test_it_sends_anonymous_visitors_to_log_in(view: str, departure: Departure, rep2: User) -> None:
    method, url = urls(departure, ensure_staff(rep2).pk)[view]
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_lists_open_and_past_departures_and_who_can_leave(
    departure: Departure, manager: User, rep2: User
) -> None:
    page = client_for(manager).get("/staff/departures/").content.decode()
    assert f'href="/staff/departures/{departure.pk}/"' in page
    assert f'href="/staff/{ensure_staff(rep2).pk}/depart/"' in page
    # The leaver is not offered a second departure.
    assert f'href="/staff/{departure.staff.pk}/depart/"' not in page


def test_it_lets_an_owner_manage_departures(departure: Departure) -> None:
    owner = create_user("olga", "pw", Role.OWNER, first_name="Olga")
    assert client_for(owner).get(f"/staff/departures/{departure.pk}/").status_code == 200


def test_it_runs_a_departure_start_to_finish(
    manager: User, rep: User, rep2: User, ann: Customer
) -> None:
    client = client_for(manager)
    msg = make_message(rep, ann)
    member = ensure_staff(rep)
    response = client.post(f"/staff/{member.pk}/depart/", {"effective_on": "2031-03-31"})
    departure = Departure.objects.get(staff=member)
    assert response["Location"] == f"/staff/departures/{departure.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert '<td data-kind="customer">1</td>' in page
    assert '<td data-kind="message">1</td>' in page
    assert "Ann Smith" in page
    assert "1 customer and 1 message are still owned by Ron Rep" in page
    assert 'disabled title="1 customer and 1 message' in page

    response = client.post(
        f"/staff/departures/{departure.pk}/handover/", {"strategy": "all", "to": rep2.pk}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Handed over: 1 customer and 1 message. Rita Rep now looks after their callers." in page
    assert '<td data-kind="customer">0</td>' in page
    assert "disabled" not in page

    response = client.post(f"/staff/departures/{departure.pk}/complete/")
    assert response.status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active
    assert ensure_staff(rep).employment == Employment.DEPARTED
    assert (Customer.objects.get(pk=ann.pk).owner, TakenMessage.objects.get(pk=msg.pk).owner) == (
        rep2,
        rep2,
    )


def test_it_splits_round_robin_from_the_form(
    departure: Departure, manager: User, rep: User, rep2: User, owner: User
) -> None:
    customers = [create_customer(CustomerData(name=f"C{i}", owner=rep), None) for i in range(3)]
    response = client_for(manager).post(
        f"/staff/departures/{departure.pk}/handover/",
        {"strategy": "round_robin", "recipients": [rep2.pk, owner.pk]},
    )
    assert response.status_code == 302
    owners = [Customer.objects.get(pk=c.pk).owner for c in customers]
    assert owners == [rep2, owner, rep2]


def test_it_refuses_to_complete_while_anything_is_owned(
    departure: Departure, manager: User, rep: User, ann: Customer
) -> None:
    response = client_for(manager).post(f"/staff/departures/{departure.pk}/complete/")
    assert response.status_code == 400
    assert "1 customer is still owned by Ron Rep" in response.content.decode()
    rep.refresh_from_db()
    assert rep.is_active
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.OPEN


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"strategy": "all"}, "choose a person to hand everything to"),
        ({"strategy": "round_robin"}, "choose at least one recipient"),
        ({"strategy": "all", "to": "987654"}, "no such person (id 987654)"),
        ({"strategy": "round_robin", "recipients": ["987654"]}, "no such person (id 987654)"),
        ({"strategy": "sideways", "to": "1"}, "Select a valid choice"),
        ({"strategy": "all", "to": "LEAVER"}, "who is the person leaving"),
        ({"strategy": "all", "to": "OUTSIDER"}, "who has no role here"),
    ],
)
def test_it_refuses_a_bad_handover_with_the_reason(
    form: dict[str, str | list[str]],
    reason: str,
    departure: Departure,
    manager: User,
    rep: User,
    outsider: User,
    ann: Customer,
) -> None:
    people = {"LEAVER": str(rep.pk), "OUTSIDER": str(outsider.pk)}
    post = {k: people.get(v, v) if isinstance(v, str) else v for k, v in form.items()}
    events = TimelineEvent.objects.count()
    response = client_for(manager).post(f"/staff/departures/{departure.pk}/handover/", post)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Customer.objects.get(pk=ann.pk).owner == rep
    assert TimelineEvent.objects.count() == events
    assert Departure.objects.get(pk=departure.pk).successor is None


def test_it_refuses_a_handover_to_someone_who_left(
    departure: Departure, manager: User, rep: User, rep2: User, ann: Customer
) -> None:
    gone = handover.open_departure(ensure_staff(rep2), EFFECTIVE, manager)
    handover.complete_departure(gone, manager)
    response = client_for(manager).post(
        f"/staff/departures/{departure.pk}/handover/", {"strategy": "all", "to": rep2.pk}
    )
    assert response.status_code == 400
    assert "cannot hand over to Rita Rep, who has departed" in response.content.decode()
    assert Customer.objects.get(pk=ann.pk).owner == rep


def test_it_offers_only_people_who_can_take_over(
    departure: Departure, manager: User, rep: User, rep2: User, outsider: User
) -> None:
    page = client_for(manager).get(f"/staff/departures/{departure.pk}/").content.decode()
    assert f'<option value="{rep2.pk}">Rita Rep</option>' in page
    assert f'value="{rep.pk}"' not in page
    assert f'value="{outsider.pk}"' not in page


@pytest.mark.parametrize("effective_on", ["", "31/31/2031", "not a date"])
def test_it_refuses_a_departure_without_a_valid_date(
    effective_on: str, manager: User, rep: User
) -> None:
    member = ensure_staff(rep)
    response = client_for(manager).post(
        f"/staff/{member.pk}/depart/", {"effective_on": effective_on}
    )
    assert response.status_code == 400
    assert not Departure.objects.exists()
    assert ensure_staff(rep).employment == Employment.ACTIVE


def test_it_sends_a_second_start_to_the_open_departure(departure: Departure, manager: User) -> None:
    response = client_for(manager).post(
        f"/staff/{departure.staff.pk}/depart/", {"effective_on": "2031-05-01"}
    )
    assert response["Location"] == f"/staff/departures/{departure.pk}/"
    assert Departure.objects.count() == 1


def test_it_refuses_to_start_a_departure_for_someone_who_left(
    departure: Departure, manager: User
) -> None:
    handover.complete_departure(departure, manager)
    response = client_for(manager).post(
        f"/staff/{departure.staff.pk}/depart/", {"effective_on": "2031-05-01"}
    )
    assert response.status_code == 400
    assert "has already departed" in response.content.decode()
    assert Departure.objects.count() == 1


def test_it_cancels_a_departure(departure: Departure, manager: User, rep: User) -> None:
    response = client_for(manager).post(f"/staff/departures/{departure.pk}/cancel/")
    assert response.status_code == 302
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.CANCELLED
    assert ensure_staff(rep).employment == Employment.ACTIVE


def test_it_refuses_to_cancel_a_completed_departure(departure: Departure, manager: User) -> None:
    handover.complete_departure(departure, manager)
    response = client_for(manager).post(f"/staff/departures/{departure.pk}/cancel/")
    assert response.status_code == 400
    assert "already Completed" in response.content.decode()
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.COMPLETED


def test_it_404s_for_a_departure_that_does_not_exist(manager: User) -> None:
    assert client_for(manager).get("/staff/departures/999/").status_code == 404
    assert client_for(manager).get("/staff/999/depart/").status_code == 404
