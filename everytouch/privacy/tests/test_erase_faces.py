"""Erasing on the web (typed confirmation), over the API and from the command line."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.cli import main
from everytouch.customers.models import Customer, ErasureRecord
from everytouch.testing import bearer, client_for, make_customer

pytestmark = pytest.mark.django_db


def test_it_erases_on_the_web_only_after_the_number_is_typed(owner: User) -> None:
    customer = make_customer()
    client = client_for(owner)
    url = reverse("customer_erase", args=[customer.pk])
    assert url.encode() in client.get(reverse("customer_detail", args=[customer.pk])).content
    assert b"cannot be undone" in client.get(url).content
    wrong = client.post(url, {"confirm": str(customer.pk + 1)})
    assert wrong.status_code == 400
    assert not ErasureRecord.objects.exists()
    done = client.post(url, {"confirm": f"#{customer.pk}"})
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).name == f"Erased customer #{customer.pk}"
    assert ErasureRecord.objects.get().erased_by == owner


def test_it_shows_managers_no_erase_button_and_refuses_them(manager: User) -> None:
    customer = make_customer()
    client = client_for(manager)
    url = reverse("customer_erase", args=[customer.pk])
    assert url.encode() not in client.get(reverse("customer_detail", args=[customer.pk])).content
    assert client.post(url, {"confirm": str(customer.pk)}).status_code == 404
    assert not ErasureRecord.objects.exists()


def test_it_erases_over_the_api_for_owners_once(owner: User, manager: User) -> None:
    customer = make_customer()
    url = f"/api/v1/customers/{customer.pk}/erase"
    assert bearer(manager).post(url).status_code == 403
    answer = bearer(owner).post(url)
    assert answer.status_code == 200
    assert answer.json()["counts"]["contact points"] == 2
    again = bearer(owner).post(url)
    assert again.status_code == 409
    assert "already erased" in again.json()["detail"]


def test_it_erases_from_the_command_line_only_with_yes(
    owner: User, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = make_customer()
    assert main(["customers", "erase", str(customer.pk)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert not ErasureRecord.objects.exists()
    assert main(["customers", "erase", str(customer.pk), "--yes", "--as", "otto"]) == 0
    assert f"Erased customer #{customer.pk}" in capsys.readouterr().out
    assert ErasureRecord.objects.get().erased_by == owner
    assert main(["customers", "erase", str(customer.pk), "--yes"]) == 2
