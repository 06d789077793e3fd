"""Every way in that takes a phone or an e-mail reads each field as its own kind.

A value is never sorted into phone or e-mail by its look: an e-mail field given a number, or a
phone field given an address, is refused naming that field, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from everytouch.api import error_summary, field_path
from everytouch.cli import main
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import ContactKind, ContactPoint, Customer, TimelineEvent
from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead
from everytouch.staff.models import TakenMessage, Team
from everytouch.testing import bearer, post_json

CUSTOMERS = "/api/v1/customers"
INTERACTIONS = "/api/v1/interactions"
MESSAGES = "/api/v1/messages"
NOT_AN_EMAIL = "not a valid e-mail address"
NOT_A_PHONE = "not a valid phone number for region US"


def counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        ContactPoint.objects.count(),
        TimelineEvent.objects.count(),
        Interaction.objects.count(),
    )


def stored() -> set[tuple[str, str]]:
    return set(ContactPoint.objects.values_list("kind", "value"))


# --- POST /customers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contacts", "field", "reason"),
    [
        ({"emails": ["nope"]}, "emails[0]", NOT_AN_EMAIL),
        ({"emails": ["2015550177"]}, "emails[0]", NOT_AN_EMAIL),
        ({"phones": ["x@y.example"]}, "phones[0]", NOT_A_PHONE),
        ({"phones": ["201-555-0142", "hello"]}, "phones[1]", NOT_A_PHONE),
        ({"emails": ["a@b.example", "jane@"]}, "emails[1]", NOT_AN_EMAIL),
    ],
)
def test_it_refuses_a_contact_of_the_wrong_kind_naming_its_field_and_index(
    rep: User, contacts: dict[str, list[str]], field: str, reason: str
) -> None:
    response = post_json(bearer(rep), CUSTOMERS, {"name": "Bob Smith", **contacts})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}: ")
    assert reason in detail
    assert counts() == (0, 0, 0, 0)


def test_it_stores_each_contact_as_the_kind_of_its_field(rep: User) -> None:
    body = {"name": "Bob", "phones": ["(201) 555-0142"], "emails": ["Bob@Smith.example"]}
    response = post_json(bearer(rep), CUSTOMERS, body)
    assert response.status_code == 201
    assert (response.json()["phones"], response.json()["emails"]) == (
        ["+12015550142"],
        ["bob@smith.example"],
    )
    assert stored() == {
        (ContactKind.PHONE, "+12015550142"),
        (ContactKind.EMAIL, "bob@smith.example"),
    }


def test_it_names_the_first_bad_contact_and_counts_the_others(rep: User) -> None:
    body = {"phones": ["x@y.example"], "emails": ["2015550177", "nope"]}
    response = post_json(bearer(rep), CUSTOMERS, body)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"].startswith("phones[0]: 'x@y.example' is " + NOT_A_PHONE)
    assert data["detail"].endswith("(and 2 more; see errors)")
    locs = [e["loc"] for e in data["errors"]]
    assert locs == [
        ["body", "payload", "phones", 0],
        ["body", "payload", "emails", 0],
        ["body", "payload", "emails", 1],
    ]
    assert Customer.objects.count() == 0


def test_it_still_skips_blank_contacts(rep: User) -> None:
    body = {"name": "Bob", "phones": ["  "], "emails": [""]}
    response = post_json(bearer(rep), CUSTOMERS, body)
    assert response.status_code == 201
    assert ContactPoint.objects.count() == 0


# --- PATCH /customers/{id} -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contacts", "field", "reason"),
    [
        ({"emails": ["2015550177"]}, "emails[0]", NOT_AN_EMAIL),
        ({"phones": ["x@y.example"]}, "phones[0]", NOT_A_PHONE),
    ],
)
def test_it_refuses_a_patched_contact_of_the_wrong_kind(
    rep: User, contacts: dict[str, list[str]], field: str, reason: str
) -> None:
    jane = create_customer(CustomerData(name="Jane Doe"), None)
    before = counts()
    response = bearer(rep).patch(
        f"{CUSTOMERS}/{jane.pk}",
        {"name": "Jane Smith", **contacts},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    assert reason in response.json()["detail"]
    assert counts() == before
    jane.refresh_from_db()
    assert jane.name == "Jane Doe"


def test_it_adds_a_patched_email_as_an_email(rep: User) -> None:
    jane = create_customer(CustomerData(name="Jane Doe"), None)
    response = bearer(rep).patch(
        f"{CUSTOMERS}/{jane.pk}", {"emails": ["Jane@X.example"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert stored() == {(ContactKind.EMAIL, "jane@x.example")}


# --- POST /interactions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        ({"email": "2015550177"}, "email: '2015550177' is " + NOT_AN_EMAIL),
        ({"phone": "x@y.example"}, "phone: 'x@y.example' is " + NOT_A_PHONE),
        ({"phone": "201-555-0177", "email": "nope"}, "email: 'nope' is " + NOT_AN_EMAIL),
    ],
)
def test_it_refuses_an_interaction_contact_of_the_wrong_kind(
    rep: User, contact: dict[str, str], reason: str
) -> None:
    body = {"channel": "call", "customer_name": "Sam Lee", **contact}
    response = post_json(bearer(rep), INTERACTIONS, body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(reason)
    assert counts() == (0, 0, 0, 0)


def test_it_creates_the_interactions_customer_with_each_contact_in_its_kind(rep: User) -> None:
    body = {"channel": "call", "phone": "201.555.0177", "email": "Sam@Lee.example"}
    response = post_json(bearer(rep), INTERACTIONS, body)
    assert response.status_code == 201
    assert stored() == {
        (ContactKind.PHONE, "+12015550177"),
        (ContactKind.EMAIL, "sam@lee.example"),
    }


def test_it_identifies_the_interactions_caller_by_a_normalised_email(rep: User) -> None:
    sam = create_customer(CustomerData(name="Sam", contacts=["sam@lee.example"]), None)
    body = {"channel": "email", "email": "SAM@lee.example"}
    response = post_json(bearer(rep), INTERACTIONS, body)
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == sam.pk
    assert Customer.objects.count() == 1


# --- POST /messages (call-back details were always read per field; keep it so) ----------------


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        ({"callback_number": "", "callback_email": "2015550177"}, "call-back e-mail"),
        ({"callback_number": "x@y.example"}, "call-back number"),
    ],
)
def test_it_refuses_a_call_back_detail_of_the_wrong_kind(
    office: Team, rep: User, rep2: User, contact: dict[str, Any], reason: str
) -> None:
    body = {"intended_for_id": rep.pk, "about": "Wants a quote", **contact}
    response = post_json(bearer(rep2), MESSAGES, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(reason)
    assert TakenMessage.objects.count() == 0


# --- everytouch leads capture ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--email", "2015550177", NOT_AN_EMAIL),
        ("--phone", "x@y.example", NOT_A_PHONE),
    ],
)
def test_it_refuses_a_lead_contact_option_of_the_wrong_kind(
    rep: User, capsys: pytest.CaptureFixture[str], option: str, value: str, reason: str
) -> None:
    argv = ["leads", "capture", option, value, "--name", "Sam Lee", "--need", "toner"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{option}: '{value}' is {reason}" in err
    assert counts() == (0, 0, 0, 0)
    assert Lead.objects.count() == 0


def test_it_captures_a_lead_with_each_option_as_its_kind(rep: User, manager: User) -> None:
    argv = ["leads", "capture", "--phone", "201-555-0177", "--email", "Sam@Lee.example"]
    assert main([*argv, "--name", "Sam Lee", "--need", "toner"]) == 0
    assert stored() == {
        (ContactKind.PHONE, "+12015550177"),
        (ContactKind.EMAIL, "sam@lee.example"),
    }
    assert Lead.objects.get().customer.name == "Sam Lee"


# --- the summary itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("body", "payload", "emails", 0), "emails[0]"),
        (("body", "payload", "turns", 2, "speaker"), "turns[2].speaker"),
        (("query", "q"), "q"),
        (("path", "customer_id"), "customer_id"),
        (("body", "payload"), ""),
    ],
)
def test_it_writes_a_field_path_as_the_caller_sent_it(
    loc: tuple[str | int, ...], path: str
) -> None:
    assert field_path(loc) == path


def test_it_summarises_an_error_of_the_whole_body_without_a_path() -> None:
    errors = [{"loc": ("body", "payload"), "msg": "Value error, give at least a name"}]
    assert error_summary(errors) == "give at least a name"
    assert error_summary([]) == "the request is not valid"
