"""The departures API: every endpoint for every role, the whole flow, and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, path, resolve
from ninja import NinjaAPI

from everytouch.accounts.actions import issue_token
from everytouch.accounts.auth import API_AUTH
from everytouch.accounts.models import Scope
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, TimelineEvent
from everytouch.staff.departures import actions as handover
from everytouch.staff.departures.api import router
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Departure, DepartureStatus, Employment
from everytouch.staff.tests.departure_helpers import make_message

BASE = "/api/v1/departures"
EFFECTIVE = date(2031, 3, 31)


def _wired() -> bool:
    """Whether the project's API already serves this router (the founder wires it)."""
    try:
        return resolve(f"{BASE}/1").url_name == "get_departure"
    except Resolver404:
        return False


# Until the router is wired into /api/v1/, these tests mount it on an API of their own with the
# same authentication, so they test the same endpoints either way.
urlpatterns: list[URLPattern | URLResolver] = []
if not _wired():
    _api = NinjaAPI(urls_namespace="test-departures", auth=API_AUTH)
    _api.add_router("/", router)
    urlpatterns = [path("api/v1/", _api.urls)]


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> Iterator[None]:
    if urlpatterns:
        settings.ROOT_URLCONF = __name__
    yield


def bearer(user: User) -> Client:
    _, raw = issue_token(user, "test", scopes=tuple(Scope))
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def departure(rep: User, manager: User) -> Departure:
    return handover.open_departure(ensure_staff(rep), EFFECTIVE, manager)


@pytest.fixture
def ann(rep: User) -> Customer:
    return create_customer(CustomerData(name="Ann Smith", company="Acme", owner=rep), None)


def calls(departure: Departure, rep2: User) -> dict[str, tuple[str, str, dict[str, Any]]]:
    member = ensure_staff(rep2).pk
    url = f"{BASE}/{departure.pk}"
    return {
        "open": ("post", BASE, {"member_id": member, "effective_on": "2031-04-30"}),
        "get": ("get", url, {}),
        "handover": ("post", f"{url}/handover", {"strategy": "all", "to_id": rep2.pk}),
        "complete": ("post", f"{url}/complete", {}),
        "cancel": ("post", f"{url}/cancel", {}),
    }


def call(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return post(client, url, body) if method == "post" else client.get(url)


@pytest.mark.parametrize("endpoint", ["open", "get", "handover", "complete", "cancel"])
@pytest.mark.parametrize("who", ["rep", "rep2", "trainer", "outsider"])
def test_it_refuses_everyone_but_managers(
    endpoint: str,
    who: str,
    departure: Departure,
    rep2: User,
    ann: Customer,
    request: pytest.FixtureRequest,
) -> None:
    method, url, body = calls(departure, rep2)[endpoint]
    response = call(bearer(request.getfixturevalue(who)), method, url, body)
    assert response.status_code == 403
    assert response.json() == {"detail": "only owners and managers may manage departures"}
    assert Departure.objects.count() == 1
    assert Customer.objects.get(pk=ann.pk).owner == departure.staff.user


@pytest.mark.parametrize("endpoint", ["open", "get", "handover", "complete", "cancel"])
def test_it_asks_anonymous_callers_to_authenticate(
    endpoint: str, departure: Departure, rep2: User
) -> None:
    method, url, body = calls(departure, rep2)[endpoint]
    assert call(Client(), method, url, body).status_code == 401
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.OPEN


def test_it_runs_a_departure_start_to_finish(
    manager: User, rep: User, rep2: User, ann: Customer
) -> None:
    api = bearer(manager)
    msg = make_message(rep, ann)
    opened = post(api, BASE, {"user_id": rep.pk, "effective_on": "2031-03-31"})
    assert opened.status_code == 201
    body = opened.json()
    assert (body["status"], body["effective_on"], body["person"]["name"]) == (
        "open",
        "2031-03-31",
        "Ron Rep",
    )
    assert body["still_owned"]["customer"] == 1
    assert body["items"]["message"] == [{"id": msg.pk, "text": str(msg)}]
    assert body["blocked"] == "1 customer and 1 message are still owned by Ron Rep"

    url = f"{BASE}/{body['id']}"
    refused = post(api, f"{url}/complete")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "1 customer and 1 message are still owned by Ron Rep"

    moved = post(api, f"{url}/handover", {"strategy": "all", "to_id": rep2.pk})
    assert moved.status_code == 200
    assert (moved.json()["moved"]["customer"], moved.json()["moved"]["message"]) == (1, 1)
    assert moved.json()["departure"]["successor"] == {"id": rep2.pk, "name": "Rita Rep"}
    assert moved.json()["departure"]["blocked"] == ""

    done = post(api, f"{url}/complete")
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    rep.refresh_from_db()
    assert not rep.is_active
    assert ensure_staff(rep).employment == Employment.DEPARTED


def test_it_splits_round_robin_in_the_order_given(
    departure: Departure, manager: User, rep: User, rep2: User, owner: User
) -> None:
    customers = [create_customer(CustomerData(name=f"C{i}", owner=rep), None) for i in range(3)]
    response = post(
        bearer(manager),
        f"{BASE}/{departure.pk}/handover",
        {"strategy": "round_robin", "recipient_ids": [owner.pk, rep2.pk]},
    )
    assert response.status_code == 200
    assert [Customer.objects.get(pk=c.pk).owner for c in customers] == [owner, rep2, owner]
    assert response.json()["departure"]["successor"]["id"] == owner.pk


def test_it_reads_a_departure(departure: Departure, manager: User, ann: Customer) -> None:
    response = bearer(manager).get(f"{BASE}/{departure.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["items"]["customer"] == [{"id": ann.pk, "text": "Ann Smith"}]
    assert body["opened_by"] == {"id": manager.pk, "name": "Maria Manager"}
    assert body["member_id"] == departure.staff.pk


def test_it_works_with_the_browser_session(departure: Departure, manager: User) -> None:
    client = Client()
    client.force_login(manager)
    assert client.get(f"{BASE}/{departure.pk}").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"strategy": "all", "to_id": 987654}, 400, "to_id: no such person (id 987654)"),
        (
            {"strategy": "round_robin", "recipient_ids": [987654]},
            400,
            "recipient_ids: no such person (id 987654)",
        ),
        ({"strategy": "all"}, 400, "choose a person to hand everything to"),
        ({"strategy": "round_robin"}, 400, "choose at least one recipient"),
        ({"strategy": "all", "to_id": "LEAVER"}, 400, "who is the person leaving"),
        ({"strategy": "all", "to_id": "OUTSIDER"}, 400, "who has no role here"),
        ({"strategy": "sideways", "to_id": "MANAGER"}, 422, None),
        ({"strategy": "all", "to_id": "not a number"}, 422, None),
    ],
)
def test_it_refuses_a_bad_handover_with_the_reason(
    body: dict[str, Any],
    status: int,
    reason: str | None,
    departure: Departure,
    manager: User,
    rep: User,
    outsider: User,
    ann: Customer,
) -> None:
    people = {"LEAVER": rep.pk, "OUTSIDER": outsider.pk, "MANAGER": manager.pk}
    body = {k: people.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    events = TimelineEvent.objects.count()
    response = post(bearer(manager), f"{BASE}/{departure.pk}/handover", body)
    assert response.status_code == status
    if reason is not None:
        assert reason in response.json()["detail"]
    assert Customer.objects.get(pk=ann.pk).owner == rep
    assert TimelineEvent.objects.count() == events
    assert Departure.objects.get(pk=departure.pk).successor is None


def test_it_refuses_a_handover_to_someone_who_left(
    departure: Departure, manager: User, rep: User, rep2: User, ann: Customer
) -> None:
    gone = handover.open_departure(ensure_staff(rep2), EFFECTIVE, manager)
    handover.complete_departure(gone, manager)
    response = post(
        bearer(manager), f"{BASE}/{departure.pk}/handover", {"strategy": "all", "to_id": rep2.pk}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "cannot hand over to Rita Rep, who has departed"}
    assert Customer.objects.get(pk=ann.pk).owner == rep


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"effective_on": "2031-03-31"}, 422),
        ({"member_id": 1, "user_id": 1, "effective_on": "2031-03-31"}, 422),
        ({"member_id": 987654, "effective_on": "2031-03-31"}, 400),
        ({"user_id": 987654, "effective_on": "2031-03-31"}, 400),
        ({"user_id": "REP", "effective_on": "31/31/2031"}, 422),
        ({"user_id": "REP"}, 422),
    ],
)
def test_it_refuses_a_bad_departure(
    body: dict[str, Any], status: int, manager: User, rep: User
) -> None:
    body = {k: rep.pk if v == "REP" else v for k, v in body.items()}
    response = post(bearer(manager), BASE, body)
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Departure.objects.exists()
    assert ensure_staff(rep).employment == Employment.ACTIVE


def test_it_refuses_a_second_open_departure(departure: Departure, manager: User) -> None:
    response = post(
        bearer(manager), BASE, {"member_id": departure.staff.pk, "effective_on": "2031-05-01"}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Ron Rep already has an open departure"}
    assert Departure.objects.count() == 1


def test_it_refuses_to_act_on_a_completed_departure(
    departure: Departure, manager: User, rep2: User
) -> None:
    handover.complete_departure(departure, manager)
    api = bearer(manager)
    for url, body in [
        (f"{BASE}/{departure.pk}/complete", {}),
        (f"{BASE}/{departure.pk}/cancel", {}),
        (f"{BASE}/{departure.pk}/handover", {"to_id": rep2.pk}),
    ]:
        response = post(api, url, body)
        assert response.status_code == 409
        assert response.json() == {"detail": "this departure is already Completed"}


def test_it_cancels_a_departure(departure: Departure, manager: User, rep: User) -> None:
    response = post(bearer(manager), f"{BASE}/{departure.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert ensure_staff(rep).employment == Employment.ACTIVE


@pytest.mark.parametrize("endpoint", ["get", "handover", "complete", "cancel"])
def test_it_404s_for_a_departure_that_does_not_exist(
    endpoint: str, manager: User, rep2: User, departure: Departure
) -> None:
    method, url, body = calls(departure, rep2)[endpoint]
    url = url.replace(f"/{departure.pk}", "/987654")
    assert call(bearer(manager), method, url, body).status_code == 404
