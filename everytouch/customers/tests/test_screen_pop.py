"""The lean screen pop: what identify answers by default and with ``fields``, how many queries it
runs, and that a token's revocation or its user's role change counts from the next request."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from everytouch.accounts.actions import issue_token
from everytouch.accounts.models import ApiToken, Profile, Role, Scope
from everytouch.customers.models import ContactPoint, Customer
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db
IDENTIFY = "/api/v1/identify"
CUSTOMERS = "/api/v1/customers"
PHONE = "+12015550123"
AssertNumQueries = Callable[[int], AbstractContextManager[object]]


def token_client(user: User, *scopes: Scope) -> tuple[ApiToken, Client]:
    token, raw = issue_token(user, "pbx", scopes=scopes or tuple(Scope))
    return token, Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def jane(manager: User) -> Customer:
    return make_customer(owner=manager)


@pytest.fixture
def pbx(rep: User) -> Client:
    """A phone system's client whose token has been used once (its first use is recorded)."""
    _, client = token_client(rep)
    assert client.get(IDENTIFY, {"q": "201 555 0199"}).status_code == 200
    return client


def log_calls(customer: Customer, handler: User, n: int) -> None:
    start = timezone.now() - timedelta(days=n)
    for i in range(n):
        data = InteractionData(
            channel=Channel.CALL, started_at=start + timedelta(days=i), need=f"call {i}"
        )
        log_interaction(customer, data, handler)


# --- what it answers ----------------------------------------------------------------------------


def test_it_answers_who_without_interactions_by_default(pbx: Client, jane: Customer) -> None:
    customer = pbx.get(IDENTIFY, {"q": "(201) 555-0123"}).json()["customer"]
    assert set(customer) == {"id", "name", "company", "owner", "phones", "emails", "url"}
    assert customer["phones"] == [PHONE]


@pytest.mark.parametrize(
    "fields",
    ["last_interactions", " last_interactions ", "last_interactions,", ",last_interactions"],
)
def test_it_adds_the_last_interactions_when_asked(
    pbx: Client, jane: Customer, rep: User, fields: str
) -> None:
    log_calls(jane, rep, 6)
    customer = pbx.get(IDENTIFY, {"q": PHONE, "fields": fields}).json()["customer"]
    needs = [i["need"] for i in customer["last_interactions"]]
    assert needs == ["call 5", "call 4", "call 3", "call 2", "call 1"]
    assert customer["last_interactions"][0]["handled_by"] == {"id": rep.pk, "name": "Ron Rep"}


def test_it_answers_an_empty_list_when_asked_for_interactions_there_are_none_of(
    pbx: Client, jane: Customer
) -> None:
    body = pbx.get(IDENTIFY, {"q": PHONE, "fields": "last_interactions"}).json()
    assert body["customer"]["last_interactions"] == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("timeline", "unknown field 'timeline'"),
        ("last_interactions,notes", "unknown field 'notes'"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_it_refuses_fields_it_does_not_know_with_a_reason(
    pbx: Client, jane: Customer, fields: str, reason: str
) -> None:
    response = pbx.get(IDENTIFY, {"q": PHONE, "fields": fields})
    assert response.status_code == 422
    assert reason in response.json()["detail"]


def test_it_follows_a_merge_to_the_surviving_customer(pbx: Client, jane: Customer) -> None:
    old = make_customer(name="Jane (old)", contacts=("+12015550177",))
    # A contact point left on a merged-away record (merging moves them; older data may not).
    Customer.objects.filter(pk=old.pk).update(merged_into=jane)
    customer = pbx.get(IDENTIFY, {"q": "+12015550177"}).json()["customer"]
    assert (customer["id"], customer["name"]) == (jane.pk, "Jane Doe")
    assert customer["phones"] == [PHONE]


def test_it_stops_at_a_merge_loop(pbx: Client, jane: Customer) -> None:
    other = make_customer(name="Other", contacts=("+12015550177",))
    Customer.objects.filter(pk=other.pk).update(merged_into=jane)
    Customer.objects.filter(pk=jane.pk).update(merged_into=other)
    assert pbx.get(IDENTIFY, {"q": PHONE}).json()["found"] is True


def test_it_lists_phones_and_emails_in_the_order_they_were_added(
    pbx: Client, manager: User
) -> None:
    customer = make_customer(contacts=("b@example.com", PHONE, "a@example.com", "+12015550177"))
    body = pbx.get(IDENTIFY, {"q": "a@example.com"}).json()["customer"]
    assert body["id"] == customer.pk
    assert body["phones"] == [PHONE, "+12015550177"]
    assert body["emails"] == ["b@example.com", "a@example.com"]


# --- how much work it does ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # The token with its user and role; the caller with owner and contact points.
        ({"q": PHONE}, 2),
        ({"q": "jane@example.com"}, 2),
        ({"q": "(201) 555-0100"}, 2),
        # ... and the five most recent interactions, only when asked for.
        ({"q": PHONE, "fields": "last_interactions"}, 3),
    ],
)
def test_it_runs_a_fixed_number_of_queries(
    pbx: Client,
    jane: Customer,
    rep: User,
    django_assert_num_queries: AssertNumQueries,
    query: dict[str, str],
    queries: int,
) -> None:
    log_calls(jane, rep, 7)
    with django_assert_num_queries(queries):
        assert pbx.get(IDENTIFY, query).status_code == 200


def test_it_writes_nothing_and_opens_no_session(pbx: Client, jane: Customer) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = pbx.get(IDENTIFY, {"q": PHONE})
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    assert "Set-Cookie" not in response.headers and not response.cookies


# --- the token is checked afresh on every request -----------------------------------------------
# Another process (the CLI, the admin in another worker) changes the rows; no signal reaches
# this one, so these use queryset updates, which send none.


def test_a_token_revoked_elsewhere_is_refused_on_the_next_request(rep: User) -> None:
    token, client = token_client(rep)
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 401


def test_a_user_deactivated_elsewhere_is_refused_on_the_next_request(rep: User) -> None:
    _, client = token_client(rep)
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 200
    User.objects.filter(pk=rep.pk).update(is_active=False)
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 401


def test_a_role_taken_away_elsewhere_counts_on_the_next_request(rep: User) -> None:
    _, client = token_client(rep)
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 200
    Profile.objects.filter(user=rep).delete()
    response = client.get(IDENTIFY, {"q": PHONE})
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_a_role_changed_elsewhere_counts_on_the_next_request(rep: User) -> None:
    _, client = token_client(rep)
    new = {"name": "Walk-in"}
    assert client.post(CUSTOMERS, new, content_type="application/json").status_code == 201
    Profile.objects.filter(user=rep).update(role=Role.TRAINER)
    # A trainer may still read, but no longer write.
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 200
    assert client.post(CUSTOMERS, new, content_type="application/json").status_code == 403


def test_a_scope_taken_away_elsewhere_counts_on_the_next_request(rep: User) -> None:
    token, client = token_client(rep)
    assert client.get(IDENTIFY, {"q": PHONE}).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(scopes="write")
    response = client.get(IDENTIFY, {"q": PHONE})
    assert response.status_code == 403
    assert "lacks the 'read' scope" in response.json()["detail"]


def test_the_token_user_is_a_whole_user_with_their_role(rep: User) -> None:
    from everytouch.accounts.auth import find_token

    token, raw = issue_token(rep, "pbx")
    found = find_token(raw)
    assert found is not None and found.pk == token.pk
    assert found.user == rep and found.user.username == "ron"
    assert found.user.get_full_name() == "Ron Rep"
    assert found.user.date_joined == rep.date_joined
    assert found.user.profile.role == Role.REP
    assert found.scope_set == token.scope_set


def test_an_outsiders_token_has_no_role_and_costs_no_second_query(
    outsider: User, django_assert_num_queries: AssertNumQueries
) -> None:
    from everytouch.accounts.access import role_of
    from everytouch.accounts.auth import find_token

    _, raw = issue_token(outsider, "pbx")
    with django_assert_num_queries(1):
        found = find_token(raw)
        assert found is not None and role_of(found.user) is None


def test_it_still_finds_contact_points_after_one_moves(pbx: Client, jane: Customer) -> None:
    other = make_customer(name="Other", contacts=("+12015550177",))
    ContactPoint.objects.filter(value=PHONE).update(customer=other)
    assert pbx.get(IDENTIFY, {"q": PHONE}).json()["customer"]["id"] == other.pk


def test_the_schema_documents_fields_and_the_optional_interactions(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/identify"]["get"]
    fields = next(p for p in operation["parameters"] if p["name"] == "fields")
    assert "last_interactions" in fields["description"] and not fields["required"]
    customer = schema["components"]["schemas"]["IdentifiedCustomer"]
    assert customer["properties"]["last_interactions"]["type"] == "array"
    assert "last_interactions" not in customer["required"]
    assert {"id", "name", "owner", "phones", "emails", "url"} <= set(customer["required"])
