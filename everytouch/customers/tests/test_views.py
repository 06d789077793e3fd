from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.customers.models import Customer, EventKind
from everytouch.testing import client_for, make_customer, user_for

pytestmark = pytest.mark.django_db

ROLES = ["manager", "rep", "trainer", "outsider"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 302)],
)
def test_it_lists_customers_only_for_staff(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    make_customer()
    response = client_for(user_for(request, role)).get(reverse("customer_list"))
    assert response.status_code == status
    assert (b"Jane Doe" in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 404), (None, 302)],
)
def test_it_shows_a_customer_page_with_its_timeline_only_to_staff(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    customer = make_customer()
    url = reverse("customer_detail", args=[customer.pk])
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status
    assert (b'id="timeline"' in response.content) == (status == 200)
    assert (b"+1 201" in response.content or b"(201)" in response.content) == (status == 200)


def test_it_searches_and_paginates_the_customer_list(rep: User) -> None:
    for i in range(30):
        make_customer(f"Person {i:02}", (f"+1201555{1000 + i}",), company="Zeta")
    client = client_for(rep)
    first = client.get(reverse("customer_list"), {"q": "zeta"})
    assert first.context["page"].paginator.count == 30
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("customer_list"), {"q": "zeta", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    by_phone = client.get(reverse("customer_list"), {"q": "(201) 555-1007"})
    assert [c.name for c in by_phone.context["page"].object_list] == ["Person 07"]
    empty = client.get(reverse("customer_list"), {"q": "nobody-here"})
    assert b"No customer matches" in empty.content


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404)]
)
def test_it_lets_only_desk_roles_edit_a_customer(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    customer = make_customer()
    url = reverse("customer_edit", args=[customer.pk])
    response = client_for(user_for(request, role)).post(url, {"name": "Jane Q. Doe"})
    assert response.status_code == status
    customer.refresh_from_db()
    assert (customer.name == "Jane Q. Doe") == (status == 302)


def test_it_rejects_an_invalid_phone_on_edit_and_changes_nothing(rep: User) -> None:
    customer = make_customer()
    url = reverse("customer_edit", args=[customer.pk])
    response = client_for(rep).post(url, {"name": "Changed", "add_phone": "12"})
    assert response.status_code == 400
    assert b"not a valid phone number for region US" in response.content
    customer.refresh_from_db()
    assert customer.name == "Jane Doe"


def test_it_names_the_other_customer_when_a_phone_is_taken(rep: User) -> None:
    make_customer()
    bob = make_customer("Bob", ("+12015550150",))
    url = reverse("customer_edit", args=[bob.pk])
    response = client_for(rep).post(url, {"add_phone": "201-555-0123"})
    assert response.status_code == 400
    assert b"already belongs to Jane Doe" in response.content


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 404), ("trainer", 404), ("outsider", 404)]
)
def test_it_lets_only_managers_merge(
    request: pytest.FixtureRequest, role: str, status: int
) -> None:
    keep = make_customer()
    other = make_customer("Dup", ("+12015550150",))
    url = reverse("customer_merge", args=[keep.pk])
    body = {"other": other.pk, "survivor": keep.pk, "name": keep.pk}
    response = client_for(user_for(request, role)).post(url, body)
    assert response.status_code == status
    other.refresh_from_db()
    assert (other.merged_into_id == keep.pk) == (status == 302)


def test_it_redirects_a_merged_customer_to_the_survivor(manager: User) -> None:
    keep = make_customer()
    other = make_customer("Dup", ("+12015550150",))
    client = client_for(manager)
    body = {"other": other.pk, "survivor": keep.pk, "name": keep.pk}
    client.post(reverse("customer_merge", args=[keep.pk]), body)
    response = client.get(reverse("customer_detail", args=[other.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[keep.pk])
    assert keep.events.filter(kind=EventKind.MERGED).exists()


def test_it_refuses_merging_a_customer_into_itself(manager: User) -> None:
    keep = make_customer()
    url = reverse("customer_merge", args=[keep.pk])
    response = client_for(manager).post(url, {"other": keep.pk})
    assert response.status_code == 400
    assert b"cannot be merged into itself" in response.content
    assert Customer.objects.get(pk=keep.pk).merged_into is None


@pytest.mark.parametrize(("role", "shown"), [("manager", True), ("rep", False), ("trainer", False)])
def test_it_offers_merge_only_to_those_allowed(
    request: pytest.FixtureRequest, role: str, shown: bool
) -> None:
    customer = make_customer()
    response = client_for(user_for(request, role)).get(
        reverse("customer_detail", args=[customer.pk])
    )
    assert (b"Merge a duplicate" in response.content) == shown


def test_it_logs_who_looked_at_which_customer(rep: User, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    customer = make_customer()
    logger = logging.getLogger("everytouch.access")
    logger.addHandler(caplog.handler)
    try:
        client_for(rep).get(reverse("customer_detail", args=[customer.pk]))
    finally:
        logger.removeHandler(caplog.handler)
    assert f"user={rep.pk} customer={customer.pk} action=view" in caplog.text
