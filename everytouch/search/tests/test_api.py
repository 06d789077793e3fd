"""GET /api/v1/search: the same results as the page, for each role, and clear refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.search.tests.conftest import Rosa
from everytouch.testing import bearer, user_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


def client(request: pytest.FixtureRequest, role: str | None) -> Client:
    user = user_for(request, role)
    return bearer(user) if user is not None else Client()


def by_kind(body: dict[str, Any]) -> dict[str, list[int]]:
    return {s["kind"]: [item["id"] for item in s["items"]] for s in body["sections"]}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 401),
        ("outsider", 403),
        ("trainer", 200),
        ("rep", 200),
        ("manager", 200),
        ("owner", 200),
    ],
)
def test_it_answers_every_role_and_refuses_the_rest(
    request: pytest.FixtureRequest, role: str | None, status: int, rosa: Rosa
) -> None:
    response = client(request, role).get(URL, {"q": "0119"})
    assert response.status_code == status
    if status == 200:
        assert by_kind(response.json()) == {
            "customers": [rosa.customer.pk],
            "leads": [rosa.lead.pk],
            "interactions": [rosa.call.pk],
        }
    else:
        assert "Rosa" not in response.content.decode()


def test_it_describes_each_hit_as_the_page_does(rep: User, rosa: Rosa) -> None:
    body = bearer(rep).get(URL, {"q": "(331) 555"}).json()
    assert body["query"] == "(331) 555" and body["too_short"] is False
    customer = body["sections"][0]["items"][0]
    assert customer["title"] == "Rosa Delgado"
    assert customer["detail"] == "(331) 555-0119 · rosa@delgado.example"
    assert customer["url"] == f"http://testserver/customers/{rosa.customer.pk}/"
    lead = body["sections"][1]["items"][0]
    assert (lead["title"], lead["customer_id"]) == ("Forty ergonomic chairs", rosa.customer.pk)
    call = body["sections"][2]["items"][0]
    assert call["title"] == f"Call #{rosa.call.pk}"
    assert call["detail"] == "Rosa Delgado · Asked about the toner price"
    assert call["at"] is not None


def test_it_shows_the_first_few_and_counts_them_all(rep: User, rosa: Rosa) -> None:
    body = bearer(rep).get(URL, {"q": "555", "limit": "1"}).json()
    customers = body["sections"][0]
    assert (customers["total"], len(customers["items"])) == (2, 1)


def test_it_says_when_a_query_is_too_short(rep: User, rosa: Rosa) -> None:
    body = bearer(rep).get(URL, {"q": "R"}).json()
    assert body["too_short"] is True
    assert all(s["total"] == 0 and s["items"] == [] for s in body["sections"])


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x" * 201}, "q"), ({"q": "Rosa", "limit": "0"}, "limit"), ({"limit": "many"}, "limit")],
)
def test_it_names_the_field_it_refuses(
    rep: User, rosa: Rosa, params: dict[str, str], field: str
) -> None:
    response = bearer(rep).get(URL, params)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("typed", ["%", "_", "\x00", "😀", "שלום", "'\"", "#" + "9" * 30])
def test_it_answers_odd_characters_without_an_error(rep: User, rosa: Rosa, typed: str) -> None:
    response = bearer(rep).get(URL, {"q": typed})
    assert response.status_code == 200
    assert all(s["items"] == [] for s in response.json()["sections"])
