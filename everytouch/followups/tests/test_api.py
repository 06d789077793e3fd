"""The follow-ups API, for every role, with idempotent creation and reasons for refusals."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from everytouch.customers.models import Customer
from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.followups.tests.helpers import a_commitment
from everytouch.testing import bearer, make_customer
from everytouch.testing import post_json as post

pytestmark = pytest.mark.django_db

URL = "/api/v1/commitments"


def client_as(request: pytest.FixtureRequest, role: str | None) -> Client:
    return Client() if role is None else bearer(request.getfixturevalue(role))


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def body(customer: Customer, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "what": "Send the price list",
        "due_at": "2025-03-04T09:30:00Z",
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 201), ("rep", 201), ("trainer", 403), ("outsider", 403), (None, 401)],
)
def test_it_records_a_promise_for_desk_roles_only(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    role: str | None,
    status: int,
) -> None:
    response = post(client_as(request, role), URL, body(customer))
    assert response.status_code == status
    assert Commitment.objects.exists() == (status == 201)
    if status == 201:
        data = response.json()
        assert data["owner"]["name"] == request.getfixturevalue(str(role)).get_full_name()
        assert (data["due_at"], data["status"]) == ("2025-03-04T09:30:00Z", "open")
    else:
        assert "detail" in response.json()


def test_it_records_once_per_idempotency_key(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    client = bearer(rep)
    first = post(client, URL, body(customer), **{"Idempotency-Key": "promise-1"})
    retry = post(client, URL, body(customer), **{"Idempotency-Key": "promise-1"})
    assert (first.status_code, retry.status_code) == (201, 201)
    assert first.json() == retry.json()
    assert Commitment.objects.count() == 1
    other = post(client, URL, body(customer, what="Else"), **{"Idempotency-Key": "promise-1"})
    assert other.status_code == 422
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (
            {"due_at": "2025-03-03T09:00:00Z"},
            "the due time is in the past; a promise must be due later",
        ),
        ({"owner_id": 99999}, "owner_id: no staff member with id 99999"),
        ({"customer_id": 99999}, "customer_id: no customer with id 99999"),
        ({"interaction_id": 99999}, "interaction_id: no interaction with id 99999"),
        ({"what": "  "}, "say what was promised"),
    ],
)
def test_it_refuses_bad_promises_with_a_reason(
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    extra: dict[str, Any],
    reason: str,
) -> None:
    response = post(bearer(rep), URL, body(customer, **extra))
    assert response.status_code == 400
    assert response.json()["detail"] == reason
    assert not Commitment.objects.exists()


def test_it_reads_a_due_time_without_offset_in_business_time(
    monday: time_machine.Traveller, customer: Customer, rep: User, settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"
    response = post(bearer(rep), URL, body(customer, due_at="2025-03-04T09:30:00"))
    assert response.json()["due_at"] == "2025-03-04T14:30:00Z"


def test_it_gives_a_promise_to_the_named_colleague(
    monday: time_machine.Traveller, customer: Customer, rep: User, rep2: User
) -> None:
    response = post(bearer(rep), URL, body(customer, owner_id=rep2.pk))
    assert response.json()["owner"]["id"] == rep2.pk
    assert Commitment.objects.get().created_by == rep


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 401)],
)
def test_it_lists_promises_mine_and_by_status_for_staff(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    rep2: User,
    role: str | None,
    status: int,
) -> None:
    a_commitment(customer, rep, what="Ron's open")
    done = a_commitment(customer, rep, what="Ron's done")
    done.status = CommitmentStatus.DONE
    done.save(update_fields=["status"])
    a_commitment(customer, rep2, what="Rita's open")
    client = client_as(request, role)
    everything = client.get(URL)
    assert everything.status_code == status
    if status != 200:
        return
    assert everything.json()["count"] == 3
    mine = client.get(URL, {"mine": "1", "status": "open"}).json()["items"]
    expected = {"rep": ["Ron's open"]}.get(str(role), [])
    assert [c["what"] for c in mine] == expected
    assert client.get(URL, {"status": "nonsense"}).status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("rep", 200),
        ("rep2", 403),
        ("trainer", 403),
        ("outsider", 403),
        (None, 401),
    ],
)
def test_it_lets_the_owner_or_a_manager_mark_done(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    commitment = a_commitment(customer, rep)
    response = client_as(request, role).post(f"{URL}/{commitment.pk}/done")
    assert response.status_code == status
    commitment.refresh_from_db()
    assert (commitment.status == CommitmentStatus.DONE) == (status == 200)
    if status == 200:
        assert response.json()["status"] == "done"


def test_it_answers_404_for_marking_an_unknown_promise_done(rep: User) -> None:
    response = bearer(rep).post(f"{URL}/99999/done")
    assert (response.status_code, response.json()) == (404, {"detail": "not found"})


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 401)],
)
def test_it_serves_my_day_to_staff(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    a_commitment(customer, rep, hours=1, what="Soon")
    a_commitment(customer, rep, hours=30, what="Tomorrow")
    response = client_as(request, role).get("/api/v1/my-day")
    assert response.status_code == status
    if status == 200:
        data = response.json()
        today = [c["what"] for c in data["today"]]
        upcoming = [c["what"] for c in data["upcoming"]]
        assert (today, upcoming) == ((["Soon"], ["Tomorrow"]) if role == "rep" else ([], []))
        assert data["overdue"] == []
