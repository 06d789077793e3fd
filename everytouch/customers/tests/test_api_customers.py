"""The customers API: identify (screen pop), search, create, read, update; every role."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from everytouch.accounts.actions import issue_token, revoke_token
from everytouch.customers.actions import CustomerData, create_customer, merge_customers
from everytouch.customers.models import ContactPoint, Customer, TimelineEvent
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.testing import bearer
from everytouch.testing import post_json as post

IDENTIFY = "/api/v1/identify"
CUSTOMERS = "/api/v1/customers"
PHONE = "+12015550123"
EMAIL = "jane@example.com"


def counts() -> tuple[int, int, int]:
    return Customer.objects.count(), ContactPoint.objects.count(), TimelineEvent.objects.count()


@pytest.fixture
def jane(manager: User) -> Customer:
    data = CustomerData(
        name="Jane Doe", company="Acme Dental", owner=manager, contacts=[PHONE, EMAIL]
    )
    return create_customer(data, None)


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Caplog hooked onto the access log, which does not propagate to the root logger."""
    logger = logging.getLogger("everytouch.access")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def anonymous(db: None) -> Client:
    return Client()


@pytest.fixture
def revoked(rep: User) -> Client:
    token, raw = issue_token(rep, "old")
    revoke_token(token)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def log_calls(customer: Customer, handler: User, n: int) -> list[Interaction]:
    start = timezone.now() - timedelta(days=n)
    return [
        log_interaction(
            customer,
            InteractionData(
                channel=Channel.CALL, started_at=start + timedelta(days=i), need=f"toner {i}"
            ),
            handler,
        )
        for i in range(n)
    ]


# --- identify ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["(201) 555-0123", "201.555.0123", "+1 201 555 0123", "2015550123", "+12015550123"]
)
def test_it_identifies_a_caller_whatever_format_the_number_is_typed_in(
    rep: User, jane: Customer, typed: str
) -> None:
    response = bearer(rep).get(IDENTIFY, {"q": typed})
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    assert body["customer"]["id"] == jane.pk
    assert body["customer"]["phones"] == [PHONE]


def test_it_identifies_a_caller_by_email_in_any_case(rep: User, jane: Customer) -> None:
    body = bearer(rep).get(IDENTIFY, {"q": "  Jane@Example.COM "}).json()
    assert body["found"] is True
    assert body["customer"]["emails"] == [EMAIL]


def test_it_pops_owner_url_and_contacts_and_no_interactions_unless_asked(
    rep: User, manager: User, jane: Customer
) -> None:
    log_calls(jane, rep, 2)
    customer = bearer(rep).get(IDENTIFY, {"q": "201 555 0123"}).json()["customer"]
    assert customer == {
        "id": jane.pk,
        "name": "Jane Doe",
        "company": "Acme Dental",
        "owner": {"id": manager.pk, "name": "Maria Manager"},
        "phones": [PHONE],
        "emails": [EMAIL],
        "url": f"http://testserver/customers/{jane.pk}/",
    }


def test_it_pops_the_last_five_interactions_when_asked(
    rep: User, manager: User, jane: Customer
) -> None:
    calls = log_calls(jane, rep, 7)
    query = {"q": "201 555 0123", "fields": "last_interactions"}
    customer = bearer(rep).get(IDENTIFY, query).json()["customer"]
    assert customer["owner"] == {"id": manager.pk, "name": "Maria Manager"}
    last = customer["last_interactions"]
    assert [i["id"] for i in last] == [c.pk for c in reversed(calls)][:5]
    assert last[0]["need"] == "toner 6"
    assert last[0]["handled_by"] == {"id": rep.pk, "name": "Ron Rep"}
    assert last[0]["channel"] == "call"


def test_it_answers_not_found_with_the_normalised_number(rep: User) -> None:
    body = bearer(rep).get(IDENTIFY, {"q": "(201) 555-0199"}).json()
    assert body == {"found": False, "kind": "phone", "normalised": "+12015550199", "customer": None}


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        ("555-555-0123", "not a valid phone number for region US"),
        ("hello", "not a valid phone number for region US"),
        ("jane@", "not a valid e-mail address"),
        ("   ", "enter a phone number or an e-mail address"),
    ],
)
def test_it_refuses_junk_with_400_and_the_reason(rep: User, junk: str, reason: str) -> None:
    response = bearer(rep).get(IDENTIFY, {"q": junk})
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_it_refuses_identify_without_a_query(rep: User) -> None:
    response = bearer(rep).get(IDENTIFY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "q"]


def test_it_identifies_with_a_fixed_number_of_queries(
    rep: User, jane: Customer, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    log_calls(jane, rep, 7)
    client = bearer(rep)
    client.get(IDENTIFY, {"q": PHONE})  # the first use writes last_used_at
    with django_assert_max_num_queries(4):
        assert client.get(IDENTIFY, {"q": PHONE}).json()["found"] is True


def test_it_identifies_the_surviving_customer_after_a_merge(rep: User, jane: Customer) -> None:
    dup = create_customer(CustomerData(name="J. Doe", contacts=["201-555-0124"]), None)
    merge_customers(jane, dup, None)
    body = bearer(rep).get(IDENTIFY, {"q": "201-555-0124"}).json()
    assert body["customer"]["id"] == jane.pk


@pytest.mark.parametrize("role", ["manager", "rep", "trainer"])
def test_it_lets_every_staff_role_identify(
    request: pytest.FixtureRequest, jane: Customer, role: str
) -> None:
    user: User = request.getfixturevalue(role)
    response = bearer(user).get(IDENTIFY, {"q": PHONE})
    assert response.status_code == 200
    assert response.json()["customer"]["id"] == jane.pk


def test_it_logs_who_identified_which_customer(
    rep: User, jane: Customer, access_log: pytest.LogCaptureFixture
) -> None:
    bearer(rep).get(IDENTIFY, {"q": PHONE})
    assert f"user={rep.pk} customer={jane.pk} action=api.identify" in access_log.messages


def test_it_shows_outsiders_no_caller(outsider: User, jane: Customer) -> None:
    response = bearer(outsider).get(IDENTIFY, {"q": PHONE})
    assert response.status_code == 403
    assert b"Jane" not in response.content
    assert PHONE.encode() not in response.content


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_shows_unauthenticated_callers_nothing(
    request: pytest.FixtureRequest, jane: Customer, client_name: str
) -> None:
    client: Client = request.getfixturevalue(client_name)
    response = client.get(IDENTIFY, {"q": PHONE})
    assert response.status_code == 401
    assert b"Jane" not in response.content


# --- list ----------------------------------------------------------------------------------------


@pytest.fixture
def many(manager: User) -> list[Customer]:
    return [
        create_customer(CustomerData(name=f"Customer {i:02}", contacts=[f"201-555-01{i:02}"]), None)
        for i in range(30)
    ]


def test_it_searches_customers_by_phone_in_another_format(rep: User, jane: Customer) -> None:
    create_customer(CustomerData(name="John Roe", contacts=["201-555-0150"]), None)
    body = bearer(rep).get(CUSTOMERS, {"q": "(201) 555-0123"}).json()
    assert [c["id"] for c in body["items"]] == [jane.pk]
    assert body["count"] == 1


def test_it_searches_customers_by_name_and_company(rep: User, jane: Customer) -> None:
    client = bearer(rep)
    assert client.get(CUSTOMERS, {"q": "jane"}).json()["items"][0]["id"] == jane.pk
    assert client.get(CUSTOMERS, {"q": "acme"}).json()["items"][0]["id"] == jane.pk
    assert client.get(CUSTOMERS, {"q": "nobody"}).json()["count"] == 0


def test_it_paginates_customers_with_links(rep: User, many: list[Customer]) -> None:
    client = bearer(rep)
    first = client.get(CUSTOMERS, {"page_size": 25}).json()
    assert first["count"] == 30
    assert len(first["items"]) == 25
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/customers?page_size=25&page=2"
    second = client.get(first["next"]).json()
    assert [c["name"] for c in second["items"]] == [f"Customer {i}" for i in range(25, 30)]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/customers?page_size=25&page=1"


def test_it_lists_without_a_query_per_customer(
    rep: User, many: list[Customer], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = bearer(rep)
    client.get(CUSTOMERS)
    with django_assert_max_num_queries(5):
        assert len(client.get(CUSTOMERS).json()["items"]) == 25


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 101}, {"page": "x"}])
def test_it_refuses_bad_paging_with_422(rep: User, params: dict[str, Any]) -> None:
    response = bearer(rep).get(CUSTOMERS, params)
    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.parametrize("role", ["manager", "rep", "trainer"])
def test_it_lets_every_staff_role_list(
    request: pytest.FixtureRequest, jane: Customer, role: str
) -> None:
    response = bearer(request.getfixturevalue(role)).get(CUSTOMERS)
    assert response.status_code == 200
    assert response.json()["items"][0]["id"] == jane.pk


@pytest.mark.parametrize(("client_name", "status"), [("anonymous", 401), ("revoked", 401)])
def test_it_lists_nothing_to_unauthenticated_callers(
    request: pytest.FixtureRequest, jane: Customer, client_name: str, status: int
) -> None:
    response = request.getfixturevalue(client_name).get(CUSTOMERS)
    assert response.status_code == status
    assert b"Jane" not in response.content


def test_it_lists_nothing_to_outsiders(outsider: User, jane: Customer) -> None:
    response = bearer(outsider).get(CUSTOMERS)
    assert response.status_code == 403
    assert b"Jane" not in response.content


# --- create --------------------------------------------------------------------------------------


NEW = {
    "name": "Bob Smith",
    "company": "Smith Print",
    "notes": "prefers e-mail",
    "phones": ["(201) 555-0142"],
    "emails": ["Bob@Smith.example"],
}


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_it_lets_desk_roles_create_a_customer(request: pytest.FixtureRequest, role: str) -> None:
    user: User = request.getfixturevalue(role)
    response = post(bearer(user), CUSTOMERS, {**NEW, "owner_id": user.pk})
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.owner == user
    assert body["phones"] == ["+12015550142"]
    assert body["emails"] == ["bob@smith.example"]
    assert body["url"].endswith(f"/customers/{customer.pk}/")
    assert customer.events.filter(kind="customer_created", actor=user).exists()


def test_it_refuses_trainers_creating_customers(trainer: User) -> None:
    response = post(bearer(trainer), CUSTOMERS, NEW)
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_it_refuses_outsiders_creating_customers(outsider: User) -> None:
    response = post(bearer(outsider), CUSTOMERS, NEW)
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_refuses_unauthenticated_creates(
    request: pytest.FixtureRequest, client_name: str
) -> None:
    response = post(request.getfixturevalue(client_name), CUSTOMERS, NEW)
    assert response.status_code == 401
    assert counts() == (0, 0, 0)


def test_it_refuses_an_invalid_phone_with_the_reason_and_writes_nothing(rep: User) -> None:
    response = post(bearer(rep), CUSTOMERS, {**NEW, "phones": ["201-555-0142", "555-555-0123"]})
    assert response.status_code == 422
    detail = "phones[1]: '555-555-0123' is not a valid phone number for region US"
    assert response.json()["detail"] == detail
    assert counts() == (0, 0, 0)


def test_it_refuses_a_taken_phone_with_409_naming_its_customer(rep: User, jane: Customer) -> None:
    before = counts()
    response = post(bearer(rep), CUSTOMERS, {**NEW, "phones": ["201.555.0123"]})
    assert response.status_code == 409
    body = response.json()
    assert "Jane Doe" in body["detail"]
    assert f"#{jane.pk}" in body["detail"]
    assert body["customer"] == {"id": jane.pk, "name": "Jane Doe"}
    assert counts() == before


def test_it_refuses_an_unknown_owner(rep: User) -> None:
    response = post(bearer(rep), CUSTOMERS, {**NEW, "owner_id": 999_999})
    assert response.status_code == 400
    assert "owner_id" in response.json()["detail"]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 400),
        (b'"just a string"', 400),
        (b"null", 400),
        (b"{}", 422),
        (b'{"name": 5, "phones": "201-555-0142"}', 422),
        (b'{"phones": ["201-555-0142"' + b', "201-555-0143"' * 30 + b"]}", 422),
    ],
)
def test_it_refuses_unusable_bodies_with_4xx_and_writes_nothing(
    rep: User, body: bytes, status: int
) -> None:
    response = bearer(rep).post(CUSTOMERS, body, content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert counts() == (0, 0, 0)


def test_it_refuses_an_oversized_body_with_413_and_writes_nothing(rep: User) -> None:
    notes = "x" * settings.EVERYTOUCH_MAX_PAYLOAD_BYTES
    response = post(bearer(rep), CUSTOMERS, {**NEW, "notes": notes})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert counts() == (0, 0, 0)


def test_it_creates_once_for_a_retried_idempotency_key(rep: User) -> None:
    client = bearer(rep)
    first = post(client, CUSTOMERS, NEW, **{"Idempotency-Key": "call-42"})
    again = post(client, CUSTOMERS, NEW, **{"Idempotency-Key": "call-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Customer.objects.count() == 1


def test_it_refuses_a_reused_idempotency_key_with_another_body(rep: User) -> None:
    client = bearer(rep)
    post(client, CUSTOMERS, NEW, **{"Idempotency-Key": "call-42"})
    response = post(client, CUSTOMERS, {**NEW, "name": "Other"}, **{"Idempotency-Key": "call-42"})
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Customer.objects.count() == 1


def test_it_creates_again_without_an_idempotency_key(rep: User) -> None:
    client = bearer(rep)
    post(client, CUSTOMERS, {"name": "Walk-in"})
    post(client, CUSTOMERS, {"name": "Walk-in"})
    assert Customer.objects.count() == 2


# --- get and patch -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "rep", "trainer"])
def test_it_shows_a_customer_with_contacts_and_timeline(
    request: pytest.FixtureRequest, jane: Customer, role: str
) -> None:
    user: User = request.getfixturevalue(role)
    log_calls(jane, user if role != "trainer" else request.getfixturevalue("rep"), 2)
    response = bearer(user).get(f"{CUSTOMERS}/{jane.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["phones"] == [PHONE]
    assert body["emails"] == [EMAIL]
    assert len(body["last_interactions"]) == 2
    kinds = [e["kind"] for e in body["timeline"]]
    assert "customer_created" in kinds
    assert kinds.count("interaction_logged") == 2


def test_it_logs_reading_a_customer(
    rep: User, jane: Customer, access_log: pytest.LogCaptureFixture
) -> None:
    bearer(rep).get(f"{CUSTOMERS}/{jane.pk}")
    assert f"user={rep.pk} customer={jane.pk} action=api.read" in access_log.messages


def test_it_answers_404_for_a_missing_customer(rep: User) -> None:
    response = bearer(rep).get(f"{CUSTOMERS}/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}


def test_it_shows_outsiders_no_customer(outsider: User, jane: Customer) -> None:
    response = bearer(outsider).get(f"{CUSTOMERS}/{jane.pk}")
    assert response.status_code == 403
    assert b"Jane" not in response.content


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_shows_unauthenticated_callers_no_customer(
    request: pytest.FixtureRequest, jane: Customer, client_name: str
) -> None:
    response = request.getfixturevalue(client_name).get(f"{CUSTOMERS}/{jane.pk}")
    assert response.status_code == 401
    assert b"Jane" not in response.content


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_it_lets_desk_roles_update_a_customer(
    request: pytest.FixtureRequest, jane: Customer, role: str
) -> None:
    user: User = request.getfixturevalue(role)
    response = patch(
        bearer(user), f"{CUSTOMERS}/{jane.pk}", {"name": "Jane Smith", "phones": ["201-555-0177"]}
    )
    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.name == "Jane Smith"
    assert jane.company == "Acme Dental"
    assert response.json()["phones"] == [PHONE, "+12015550177"]


def test_it_refuses_a_patch_adding_another_customers_phone(rep: User, jane: Customer) -> None:
    other = create_customer(CustomerData(name="John Roe", contacts=["201-555-0150"]), None)
    response = patch(bearer(rep), f"{CUSTOMERS}/{jane.pk}", {"name": "X", "phones": ["2015550150"]})
    assert response.status_code == 409
    assert response.json()["customer"] == {"id": other.pk, "name": "John Roe"}
    jane.refresh_from_db()
    assert jane.name == "Jane Doe"


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("outsider", 403)])
def test_it_refuses_updates_from_non_desk_roles(
    request: pytest.FixtureRequest, jane: Customer, role: str, status: int
) -> None:
    response = patch(bearer(request.getfixturevalue(role)), f"{CUSTOMERS}/{jane.pk}", {"name": "X"})
    assert response.status_code == status
    jane.refresh_from_db()
    assert jane.name == "Jane Doe"


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_refuses_unauthenticated_updates(
    request: pytest.FixtureRequest, jane: Customer, client_name: str
) -> None:
    response = patch(request.getfixturevalue(client_name), f"{CUSTOMERS}/{jane.pk}", {"name": "X"})
    assert response.status_code == 401
    jane.refresh_from_db()
    assert jane.name == "Jane Doe"
