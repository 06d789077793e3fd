"""The leads API for every role: capture (idempotent), list with filters, read, stage, hand-off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.leads.models import Lead, Stage
from everytouch.leads.tests.helpers import a_lead, jane, other_customer
from everytouch.staff.models import Notification
from everytouch.testing import bearer

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads"


def client_of(request: pytest.FixtureRequest, role: str | None) -> Client:
    return Client() if role is None else bearer(request.getfixturevalue(role))


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 201), ("rep", 201), ("trainer", 403), ("outsider", 403), (None, 401)],
)
def test_it_lets_desk_roles_capture_a_lead(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    customer = jane(owner=rep)
    body = {"customer_id": customer.pk, "need": "40 chairs", "budget": "$8k"}
    response = post(client_of(request, role), LEADS, body)
    assert response.status_code == status, response.content
    assert Lead.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        data = response.json()
        assert (data["created"], data["owner"]["name"], data["budget"]) == (True, "Ron Rep", "$8k")
        assert data["url"].endswith(f"/leads/{data['id']}/")


def test_it_answers_200_and_updates_the_same_need_instead_of_duplicating(rep: User) -> None:
    customer = jane(owner=rep)
    client = bearer(rep)
    first = post(client, LEADS, {"customer_id": customer.pk, "need": "40 chairs"})
    again = post(
        client, LEADS, {"customer_id": customer.pk, "need": "40 Chairs", "timeline": "May"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert again.json()["timeline"] == "May"


def test_it_captures_a_retried_request_once_with_the_idempotency_key(rep: User) -> None:
    customer = jane(owner=rep)
    client = bearer(rep)
    body = {"customer_id": customer.pk, "need": "40 chairs"}
    first = post(client, LEADS, body, **{"Idempotency-Key": "k-1"})
    second = post(client, LEADS, body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Lead.objects.get().activities.count() == 1
    other = post(client, LEADS, {**body, "need": "desks"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"customer_id": 999_999, "need": "chairs"}, "no customer with id"),
        ({"need": "chairs", "owner_id": 999_999}, "owner_id: no staff member"),
    ],
)
def test_it_refuses_an_unknown_customer_or_owner_with_the_reason(
    rep: User, body: dict[str, Any], detail: str
) -> None:
    body.setdefault("customer_id", jane().pk)
    response = post(bearer(rep), LEADS, body)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert Lead.objects.count() == 0


def test_it_refuses_an_owner_who_has_left(rep: User, rep2: User) -> None:
    rep2.is_active = False
    rep2.save(update_fields=["is_active"])
    body = {"customer_id": jane().pk, "need": "chairs", "owner_id": rep2.pk}
    response = post(bearer(rep), LEADS, body)
    assert response.status_code == 400
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 401)],
)
def test_it_lists_and_reads_leads_for_staff_only(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client = client_of(request, role)
    listing = client.get(LEADS)
    one = client.get(f"{LEADS}/{lead.pk}")
    assert (listing.status_code, one.status_code) == (status, status)
    if status == 200:
        assert [item["id"] for item in listing.json()["items"]] == [lead.pk]
        assert one.json()["activities"][0]["kind"] == "created"


def test_it_filters_and_paginates_the_list(rep: User, rep2: User) -> None:
    for i in range(3):
        a_lead(other_customer(i), rep, need=f"chairs {i}")
    a_lead(other_customer(9), rep2, need="desks")
    client = bearer(rep)
    page = client.get(LEADS, {"owner_id": rep.pk, "page_size": 2}).json()
    assert (page["count"], len(page["items"])) == (3, 2)
    assert page["next"] is not None
    assert client.get(LEADS, {"q": "desks"}).json()["count"] == 1
    assert client.get(LEADS, {"stage": "won"}).json()["count"] == 0
    assert client.get(LEADS, {"stage": "nonsense"}).status_code == 422


def test_it_answers_404_for_an_unknown_lead(rep: User) -> None:
    assert bearer(rep).get(f"{LEADS}/999999").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("rep2", 403), ("trainer", 403), ("outsider", 403)],
)
def test_it_lets_only_the_owner_or_a_manager_move_a_lead(
    request: pytest.FixtureRequest, rep: User, role: str, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = post(client_of(request, role), f"{LEADS}/{lead.pk}/stage", {"stage": "contacted"})
    assert response.status_code == status
    lead.refresh_from_db()
    assert (lead.stage == Stage.CONTACTED) == (status == 200)


def test_it_refuses_a_stage_change_that_skips_the_rules_with_the_reason(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client = bearer(rep)
    skip = post(client, f"{LEADS}/{lead.pk}/stage", {"stage": "meeting_set"})
    assert skip.status_code == 400
    assert skip.json()["detail"] == "a new lead moves to contacted next, not meeting set"
    lost = post(client, f"{LEADS}/{lead.pk}/stage", {"stage": "lost"})
    assert lost.json()["detail"] == "say why the lead was lost"
    ok = post(client, f"{LEADS}/{lead.pk}/stage", {"stage": "lost", "lost_reason": "no budget"})
    assert (ok.status_code, ok.json()["stage"]) == (200, "lost")
    assert ok.json()["closed_at"] is not None
    # The owner's stage change was also the first response.
    assert ok.json()["speed_to_lead_seconds"] is not None


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("rep", 200), ("rep2", 403), ("outsider", 403)]
)
def test_it_hands_a_lead_off_with_a_notice(
    request: pytest.FixtureRequest, rep: User, rep2: User, role: str, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep, actor=rep)
    response = post(client_of(request, role), f"{LEADS}/{lead.pk}/handoff", {"owner_id": rep2.pk})
    assert response.status_code == status
    if status == 200:
        assert response.json()["owner"]["name"] == "Rita Rep"
    assert Notification.objects.filter(user=rep2).exists() == (status == 200)


def test_it_refuses_handing_off_to_someone_without_a_role(rep: User, outsider: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = post(bearer(rep), f"{LEADS}/{lead.pk}/handoff", {"owner_id": outsider.pk})
    assert response.status_code == 400
    assert "owner_id" in response.json()["detail"]
