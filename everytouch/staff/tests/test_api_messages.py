"""The messages API for every role, bad input and retried creates.

The router is mounted here on an API built like the real one (same auth, parser and error
handlers) at the same /api/v1/ paths, so these tests do not depend on where everytouch/api.py
wires it in.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from everytouch import urls as site_urls
from everytouch.accounts.actions import issue_token
from everytouch.api import api as site_api
from everytouch.customers.models import Customer, EventKind
from everytouch.staff.messages.api import router
from everytouch.staff.models import MessageStatus, Notification, TakenMessage, Team
from everytouch.staff.tests.messages_fixtures import a_message

pytestmark = pytest.mark.django_db

messages_api = NinjaAPI(
    title="messages test",
    urls_namespace="messages-api-test",
    auth=site_api.auth,
    parser=site_api.parser,
)
messages_api._exception_handlers = dict(site_api._exception_handlers)
messages_api.add_router("/", router)
urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", messages_api.urls),
    path("", include(site_urls)),
]

MESSAGES = "/api/v1/messages"
ROLES = ["manager", "rep", "rep2", "trainer", "outsider"]


@pytest.fixture(autouse=True)
def _messages_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def bearer(user: User) -> Client:
    _, raw = issue_token(user, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def as_role(request: pytest.FixtureRequest, role: str | None) -> Client:
    return Client() if role is None else bearer(request.getfixturevalue(role))


def post(client: Client, url: str, body: Any = None, **headers: str) -> Any:
    data = "" if body is None else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def body_for(person: User, **extra: Any) -> dict[str, Any]:
    return {
        "intended_for_id": person.pk,
        "caller_name": "Jane Doe",
        "callback_number": "201-555-0199",
        "about": "Wants a quote for 40 chairs",
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 201),
        ("rep", 201),
        ("rep2", 201),
        ("trainer", 403),
        ("outsider", 403),
        (None, 401),
    ],
)
def test_it_lets_desk_roles_take_a_message(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    response = post(as_role(request, role), MESSAGES, body_for(rep, urgency="high"))
    assert response.status_code == status
    assert "application/json" in response["Content-Type"]
    assert TakenMessage.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        data = response.json()
        assert data["owner"] == {"id": rep.pk, "name": "Ron Rep"}
        assert data["callback_number"] == "+12015550199"
        assert data["urgency"] == "high"
        assert data["status"] == "open"
        assert data["url"].endswith(f"/messages/#message-{data['id']}")
    else:
        assert "detail" in response.json()


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"callback_number": ""}, 400, "no way to call back"),
        ({"callback_number": "12"}, 400, "not a valid phone number"),
        ({"callback_number": "", "callback_email": "nope"}, 400, "call-back e-mail"),
        ({"about": "   "}, 400, "say what the message is about"),
        ({"about": ""}, 422, "about: String should have at least 1 character"),
        ({"intended_for_id": 999999}, 400, "intended_for_id: no staff member"),
        ({"customer_id": 999999}, 400, "customer_id: no customer with id 999999"),
        ({"urgency": "panic"}, 422, "urgency: Input should be"),
    ],
)
def test_it_refuses_bad_input_with_a_reason_and_writes_nothing(
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    response = post(bearer(rep2), MESSAGES, body_for(rep, **changes))
    assert response.status_code == status
    assert reason in response.json()["detail"]
    assert TakenMessage.objects.count() == 0
    assert Notification.objects.count() == 0


def test_it_refuses_a_message_for_an_outsider(
    monday: time_machine.Traveller, office: Team, rep: User, outsider: User
) -> None:
    response = post(bearer(rep), MESSAGES, body_for(outsider))
    assert response.status_code == 400
    assert "intended_for_id" in response.json()["detail"]


def test_it_refuses_an_empty_or_non_object_body(office: Team, rep: User) -> None:
    client = bearer(rep)
    assert post(client, MESSAGES).status_code == 400
    not_object = client.post(MESSAGES, "[1, 2]", content_type="application/json")
    assert not_object.status_code == 400
    assert TakenMessage.objects.count() == 0


def test_it_takes_a_message_once_however_often_a_client_retries_it(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, customer: Customer
) -> None:
    client = bearer(rep2)
    body = body_for(rep, callback_number="", customer_id=customer.pk)
    first = post(client, MESSAGES, body, **{"Idempotency-Key": "call-42"})
    again = post(client, MESSAGES, body, **{"Idempotency-Key": "call-42"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert TakenMessage.objects.count() == 1
    assert Notification.objects.count() == 1
    assert customer.events.filter(kind=EventKind.MESSAGE_TAKEN).count() == 1
    other = post(client, MESSAGES, {**body, "about": "different"}, **{"Idempotency-Key": "call-42"})
    assert other.status_code == 422
    assert TakenMessage.objects.count() == 1


def test_it_replays_nothing_for_a_refused_request(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User
) -> None:
    client = bearer(rep2)
    bad = post(client, MESSAGES, body_for(rep, callback_number=""), **{"Idempotency-Key": "k"})
    assert bad.status_code == 400
    fixed = post(client, MESSAGES, body_for(rep), **{"Idempotency-Key": "k2"})
    assert fixed.status_code == 201


@pytest.mark.parametrize(
    ("role", "status", "count"),
    [
        ("manager", 200, 0),
        ("rep", 200, 2),
        ("rep2", 200, 1),
        ("trainer", 200, 0),
        ("outsider", 403, 0),
        (None, 401, 0),
    ],
)
def test_it_lists_my_messages(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    manager: User,
    role: str | None,
    status: int,
    count: int,
) -> None:
    a_message(rep, manager)
    a_message(rep, manager)
    a_message(rep2, manager)
    response = as_role(request, role).get(MESSAGES, {"mine": "1"})
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == count
        owners = {item["owner"]["id"] for item in response.json()["items"]}
        assert owners <= {request.getfixturevalue(role).pk}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 200), ("rep", 403), ("trainer", 403), ("outsider", 403)]
)
def test_it_lists_everyones_messages_only_for_managers(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    rep2: User,
    manager: User,
    role: str,
    status: int,
) -> None:
    first = a_message(rep, manager)
    a_message(rep2, manager)
    response = as_role(request, role).get(MESSAGES, {"status": "open"})
    assert response.status_code == status
    if status == 200:
        data = response.json()
        assert data["count"] == 2
        assert data["items"][0]["id"] == first.pk
    elif role != "outsider":
        assert "mine=1" in response.json()["detail"]


def test_it_filters_by_status_and_rejects_an_unknown_one(
    monday: time_machine.Traveller, office: Team, rep: User, manager: User
) -> None:
    done = a_message(rep, manager)
    a_message(rep, manager)
    post(bearer(rep), f"{MESSAGES}/{done.pk}/done")
    client = bearer(rep)
    open_only = client.get(MESSAGES, {"mine": "1", "status": "open"})
    assert open_only.json()["count"] == 1
    assert client.get(MESSAGES, {"mine": "1", "status": "lost"}).status_code == 422


@pytest.mark.parametrize("action", ["ack", "done"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("rep", 200),
        ("rep2", 404),
        ("trainer", 404),
        ("outsider", 403),
        (None, 401),
    ],
)
def test_it_lets_only_the_owner_or_a_manager_answer_a_message(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    office: Team,
    rep: User,
    manager: User,
    action: str,
    role: str | None,
    status: int,
) -> None:
    message = a_message(rep, manager)
    response = post(as_role(request, role), f"{MESSAGES}/{message.pk}/{action}")
    assert response.status_code == status
    message.refresh_from_db()
    expected = {"ack": MessageStatus.ACKNOWLEDGED, "done": MessageStatus.DONE}[action]
    assert (message.status == expected) == (status == 200)
    if status == 200:
        assert response.json()["status"] == expected
        assert response.json()["escalate_at"] is None


def test_it_answers_404_for_a_message_that_does_not_exist(office: Team, manager: User) -> None:
    response = post(bearer(manager), f"{MESSAGES}/999999/ack")
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}
