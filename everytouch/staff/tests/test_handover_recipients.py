"""Only people who can look after customers are offered, or accepted, as a handover recipient."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import StaffError, ensure_staff
from everytouch.staff.models import Departure

pytestmark = pytest.mark.django_db

REFUSED = "cannot hand over to Tess Trainer, who is a trainer and cannot own customers or leads"


@pytest.fixture
def departure(rep: User, manager: User) -> Departure:
    return handover.open_departure(ensure_staff(rep), date(2031, 3, 31), manager)


def _manager_client(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def test_it_does_not_offer_a_trainer(
    departure: Departure, manager: User, rep2: User, trainer: User, owner: User
) -> None:
    page = _manager_client(manager).get(f"/staff/departures/{departure.pk}/").content.decode()

    assert f'<option value="{rep2.pk}">Rita Rep</option>' in page
    assert f'<option value="{owner.pk}">Otto Owner</option>' in page
    assert f'value="{trainer.pk}"' not in page
    assert trainer not in handover.eligible_recipients(departure.staff.user)


@pytest.mark.parametrize("strategy", ["all", "round_robin"])
def test_it_refuses_a_handover_to_a_trainer_with_the_reason(
    strategy: str, departure: Departure, manager: User, rep: User, rep2: User, trainer: User
) -> None:
    ann = create_customer(CustomerData(name="Ann Smith", owner=rep), None)
    form = {"strategy": strategy, "to": trainer.pk, "recipients": [rep2.pk, trainer.pk]}
    if strategy == "all":
        del form["recipients"]

    response = _manager_client(manager).post(f"/staff/departures/{departure.pk}/handover/", form)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert Customer.objects.get(pk=ann.pk).owner == rep
    assert Departure.objects.get(pk=departure.pk).successor is None


def test_it_refuses_a_trainer_in_the_action_too(
    departure: Departure, manager: User, trainer: User
) -> None:
    with pytest.raises(StaffError, match=REFUSED):
        handover.hand_over(departure, to=trainer, actor=manager)
