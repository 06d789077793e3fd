"""The interactions API: log a touch (identify-or-create the customer), list, read; every role."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from everytouch.accounts.actions import issue_token, revoke_token
from everytouch.accounts.models import IdempotencyKey
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import ContactPoint, Customer, EventKind, TimelineEvent
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel, Interaction, Turn
from everytouch.testing import bearer

INTERACTIONS = "/api/v1/interactions"
PHONE = "+12015550123"
STARTED = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)

TURNS: list[dict[str, Any]] = [
    {"speaker": "agent", "text": "Acme Office, this is Ron.", "start": 0.0},
    {"speaker": "customer", "text": "Hi, I need toner for my printer.", "start": 2.5},
    {"speaker": "agent", "text": "Sure, which model?"},
]


def post(client: Client, body: Any, **headers: str) -> Any:
    return client.post(
        INTERACTIONS, json.dumps(body), content_type="application/json", headers=headers
    )


def counts() -> tuple[int, int, int, int, int]:
    return (
        Interaction.objects.count(),
        Turn.objects.count(),
        Customer.objects.count(),
        ContactPoint.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def jane(db: None) -> Customer:
    return create_customer(
        CustomerData(name="Jane Doe", contacts=[PHONE, "jane@example.com"]), None
    )


@pytest.fixture
def anonymous(db: None) -> Client:
    return Client()


@pytest.fixture
def revoked(rep: User) -> Client:
    token, raw = issue_token(rep, "old")
    revoke_token(token)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "call",
        "direction": "inbound",
        "started_at": STARTED.isoformat(),
        "ended_at": (STARTED + timedelta(minutes=4)).isoformat(),
        "summary": "Wants toner",
        "need": "toner for a LaserJet 4000",
        "turns": TURNS,
        **fields,
    }


# --- create --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "rep"])
def test_it_lets_desk_roles_log_a_call_with_turns(
    request: pytest.FixtureRequest, jane: Customer, role: str
) -> None:
    user: User = request.getfixturevalue(role)
    response = post(bearer(user), call(customer_id=jane.pk))
    assert response.status_code == 201
    body = response.json()
    interaction = Interaction.objects.get(pk=body["id"])
    assert interaction.customer == jane
    assert interaction.handled_by == user
    assert interaction.started_at == STARTED
    assert body["customer"] == {"id": jane.pk, "name": "Jane Doe"}
    assert body["need"] == "toner for a LaserJet 4000"
    turns = list(interaction.turns.values_list("index", "speaker", "text", "start"))
    assert turns == [
        (0, "agent", "Acme Office, this is Ron.", 0.0),
        (1, "customer", "Hi, I need toner for my printer.", 2.5),
        (2, "agent", "Sure, which model?", None),
    ]
    event = jane.events.get(kind=EventKind.INTERACTION_LOGGED)
    assert event.data == {"interaction_id": interaction.pk}


def test_it_identifies_the_customer_by_a_phone_in_another_format(rep: User, jane: Customer) -> None:
    response = post(bearer(rep), call(phone="201.555.0123"))
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == jane.pk
    assert Customer.objects.count() == 1


def test_it_adds_a_new_email_to_the_identified_customer(rep: User, jane: Customer) -> None:
    response = post(bearer(rep), call(phone="(201) 555-0123", email="jd@work.example"))
    assert response.status_code == 201
    assert set(jane.contacts.values_list("value", flat=True)) == {
        PHONE,
        "jane@example.com",
        "jd@work.example",
    }


def test_it_creates_an_unknown_caller_with_the_touch(rep: User) -> None:
    response = post(bearer(rep), call(phone="201-555-0142", customer_name="Bob Smith"))
    assert response.status_code == 201
    customer = Customer.objects.get()
    assert customer.name == "Bob Smith"
    assert list(customer.contacts.values_list("value", flat=True)) == ["+12015550142"]
    assert response.json()["customer"] == {"id": customer.pk, "name": "Bob Smith"}


def test_it_records_who_handled_the_call(rep: User, rep2: User, jane: Customer) -> None:
    response = post(bearer(rep), call(customer_id=jane.pk, handled_by_id=rep2.pk))
    assert response.status_code == 201
    assert response.json()["handled_by"] == {"id": rep2.pk, "name": "Rita Rep"}


def test_it_refuses_a_phone_and_email_of_two_customers_with_409(rep: User, jane: Customer) -> None:
    bob = create_customer(CustomerData(name="Bob Smith", contacts=["bob@example.com"]), None)
    before = counts()
    response = post(bearer(rep), call(phone=PHONE, email="bob@example.com"))
    assert response.status_code == 409
    assert response.json()["customer"] == {"id": bob.pk, "name": "Bob Smith"}
    assert "Bob Smith" in response.json()["detail"]
    assert counts() == before


def test_it_refuses_an_invalid_phone_with_the_reason(rep: User) -> None:
    response = post(bearer(rep), call(phone="555-555-0123"))
    assert response.status_code == 422
    detail = "phone: '555-555-0123' is not a valid phone number for region US"
    assert response.json()["detail"] == detail
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"ended_at": (STARTED - timedelta(minutes=1)).isoformat()}, "ended_at is before"),
        ({"handled_by_id": 999_999}, "handled_by_id: no staff member"),
    ],
)
def test_it_refuses_an_impossible_interaction_with_400(
    rep: User, jane: Customer, fields: dict[str, Any], reason: str
) -> None:
    before = counts()
    response = post(bearer(rep), call(customer_id=jane.pk, **fields))
    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert counts() == before


def test_it_refuses_a_trainer_as_handler(rep: User, trainer: User, jane: Customer) -> None:
    before = counts()
    response = post(bearer(rep), call(customer_id=jane.pk, handled_by_id=trainer.pk))
    assert response.status_code == 400
    assert "does not work the desk" in response.json()["detail"]
    assert counts() == before


def test_it_answers_404_for_an_unknown_customer_id(rep: User) -> None:
    response = post(bearer(rep), call(customer_id=999_999))
    assert response.status_code == 404
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"customer_id": None}, "customer_id"),
        ({"phone": PHONE}, "not both"),
        ({"channel": "fax"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"started_at": "2025-03-04T15:00:00"}, "timezone"),
        ({"turns": [{"speaker": "robot", "text": "beep"}]}, "speaker"),
        ({"turns": [{"speaker": "agent", "text": ""}]}, "text"),
        ({"turns": [{"speaker": "agent", "text": "hi", "start": -1}]}, "start"),
        ({"need": "x" * 301}, "need"),
    ],
)
def test_it_refuses_invalid_fields_with_422_and_the_field(
    rep: User, jane: Customer, fields: dict[str, Any], field: str
) -> None:
    before = counts()
    response = post(bearer(rep), {**call(customer_id=jane.pk), **fields})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert field in json.dumps(body["errors"])
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"", 400), (b"{oops", 400), (b"[]", 400), (b"{}", 422)],
)
def test_it_refuses_unusable_bodies_and_writes_nothing(rep: User, body: bytes, status: int) -> None:
    response = bearer(rep).post(INTERACTIONS, body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"]
    assert counts() == (0, 0, 0, 0, 0)


def test_it_refuses_an_oversized_transcript_with_413_and_writes_nothing(
    rep: User, jane: Customer
) -> None:
    turn = {"speaker": "customer", "text": "blah " * 1000}
    count = settings.EVERYTOUCH_MAX_PAYLOAD_BYTES // 5000 + 1
    before = counts()
    response = post(bearer(rep), call(customer_id=jane.pk, turns=[turn] * count))
    assert response.status_code == 413
    assert counts() == before


def test_it_refuses_trainers_logging_interactions(trainer: User, jane: Customer) -> None:
    before = counts()
    response = post(bearer(trainer), call(customer_id=jane.pk))
    assert response.status_code == 403
    assert counts() == before


def test_it_refuses_outsiders_logging_interactions(outsider: User, jane: Customer) -> None:
    before = counts()
    response = post(bearer(outsider), call(phone=PHONE))
    assert response.status_code == 403
    assert b"Jane" not in response.content
    assert counts() == before


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_refuses_unauthenticated_logging(
    request: pytest.FixtureRequest, jane: Customer, client_name: str
) -> None:
    before = counts()
    response = post(request.getfixturevalue(client_name), call(customer_id=jane.pk))
    assert response.status_code == 401
    assert counts() == before


def test_it_logs_a_retried_call_once(rep: User) -> None:
    client = bearer(rep)
    body = call(phone="201-555-0142", customer_name="Bob Smith")
    first = post(client, body, **{"Idempotency-Key": "pbx-call-7781"})
    again = post(client, body, **{"Idempotency-Key": "pbx-call-7781"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Interaction.objects.count() == 1
    assert Customer.objects.count() == 1
    assert Turn.objects.count() == len(TURNS)


def test_it_refuses_a_reused_key_for_another_call(rep: User, jane: Customer) -> None:
    client = bearer(rep)
    post(client, call(customer_id=jane.pk), **{"Idempotency-Key": "pbx-call-7781"})
    response = post(
        client, call(customer_id=jane.pk, need="paper"), **{"Idempotency-Key": "pbx-call-7781"}
    )
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Interaction.objects.count() == 1


def test_it_runs_a_refused_request_again_on_retry(rep: User, jane: Customer) -> None:
    client = bearer(rep)
    bad = post(client, call(customer_id=999_999), **{"Idempotency-Key": "k"})
    assert bad.status_code == 404
    assert IdempotencyKey.objects.count() == 0
    good = post(client, call(customer_id=jane.pk), **{"Idempotency-Key": "k"})
    assert good.status_code == 201


# --- list and get --------------------------------------------------------------------------------


@pytest.fixture
def history(jane: Customer, rep: User, rep2: User) -> list[Interaction]:
    bob = create_customer(CustomerData(name="Bob Smith"), None)
    made = []
    for i in range(6):
        channel = Channel.CALL if i % 2 else Channel.EMAIL
        data = InteractionData(
            channel=channel, started_at=STARTED + timedelta(hours=i), need=f"need {i}"
        )
        made.append(log_interaction(jane if i < 4 else bob, data, rep if i < 3 else rep2))
    return made


@pytest.mark.parametrize("role", ["manager", "rep", "trainer"])
def test_it_lists_interactions_newest_first_for_staff(
    request: pytest.FixtureRequest, history: list[Interaction], role: str
) -> None:
    response = bearer(request.getfixturevalue(role)).get(INTERACTIONS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    assert [i["id"] for i in body["items"]] == [i.pk for i in reversed(history)]


def test_it_filters_interactions(
    rep: User, rep2: User, jane: Customer, history: list[Interaction]
) -> None:
    client = bearer(rep)

    def ids(**params: Any) -> set[int]:
        return {i["id"] for i in client.get(INTERACTIONS, params).json()["items"]}

    assert ids(customer_id=jane.pk) == {i.pk for i in history[:4]}
    assert ids(handled_by_id=rep2.pk) == {i.pk for i in history[3:]}
    assert ids(channel="email") == {i.pk for i in history[0::2]}
    assert ids(customer_id=jane.pk, channel="call", handled_by_id=rep.pk) == {history[1].pk}


def test_it_paginates_interactions(rep: User, history: list[Interaction]) -> None:
    client = bearer(rep)
    first = client.get(INTERACTIONS, {"page_size": 4}).json()
    assert len(first["items"]) == 4
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 2
    assert second["next"] is None
    assert second["previous"] is not None


def test_it_refuses_an_unknown_channel_filter(rep: User) -> None:
    assert bearer(rep).get(INTERACTIONS, {"channel": "fax"}).status_code == 422


def test_it_lists_no_interactions_to_outsiders(outsider: User, history: list[Interaction]) -> None:
    response = bearer(outsider).get(INTERACTIONS)
    assert response.status_code == 403
    assert b"Jane" not in response.content


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_lists_no_interactions_to_unauthenticated_callers(
    request: pytest.FixtureRequest, history: list[Interaction], client_name: str
) -> None:
    response = request.getfixturevalue(client_name).get(INTERACTIONS)
    assert response.status_code == 401
    assert b"Jane" not in response.content


@pytest.mark.parametrize("role", ["manager", "rep", "trainer"])
def test_it_shows_an_interaction_with_its_turns(
    request: pytest.FixtureRequest, rep: User, jane: Customer, role: str
) -> None:
    created = post(bearer(rep), call(customer_id=jane.pk)).json()
    response = bearer(request.getfixturevalue(role)).get(f"{INTERACTIONS}/{created['id']}")
    assert response.status_code == 200
    assert [t["text"] for t in response.json()["turns"]] == [t["text"] for t in TURNS]


def test_it_shows_outsiders_no_interaction(outsider: User, history: list[Interaction]) -> None:
    response = bearer(outsider).get(f"{INTERACTIONS}/{history[0].pk}")
    assert response.status_code == 403
    assert b"need" not in response.content


@pytest.mark.parametrize("client_name", ["anonymous", "revoked"])
def test_it_shows_unauthenticated_callers_no_interaction(
    request: pytest.FixtureRequest, history: list[Interaction], client_name: str
) -> None:
    response = request.getfixturevalue(client_name).get(f"{INTERACTIONS}/{history[0].pk}")
    assert response.status_code == 401


def test_it_answers_404_for_a_missing_interaction(rep: User) -> None:
    response = bearer(rep).get(f"{INTERACTIONS}/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}
