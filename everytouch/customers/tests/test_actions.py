from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from everytouch.customers.actions import (
    ContactConflict,
    CustomerData,
    add_contact,
    create_customer,
    identify,
    merge_customers,
)
from everytouch.customers.contacts import InvalidContact
from everytouch.customers.models import ContactPoint, Customer, EventKind
from everytouch.customers.search import search_customers
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.testing import KNOWN_PHONE, make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["(201) 555-0123", "201.555.0123", "+1 201 555 0123", "2015550123", "1-201-555-0123"],
)
def test_it_identifies_a_customer_whatever_the_phone_format(typed: str) -> None:
    customer = make_customer()
    assert identify(typed) == customer


def test_it_identifies_by_email_case_insensitively() -> None:
    customer = make_customer()
    assert identify("  JANE@Example.COM ") == customer


def test_it_returns_none_for_an_unknown_valid_number() -> None:
    make_customer()
    assert identify("(201) 555-0199") is None


def test_it_rejects_junk_with_the_region_in_the_reason() -> None:
    with pytest.raises(InvalidContact, match="not a valid phone number for region US"):
        identify("12")


def test_it_refuses_a_contact_point_of_another_customer_and_writes_nothing() -> None:
    jane = make_customer()
    before = Customer.objects.count()
    with pytest.raises(ContactConflict, match="Jane Doe"):
        create_customer(CustomerData(name="Imposter", contacts=["201-555-0123"]), None)
    assert Customer.objects.count() == before
    assert ContactPoint.objects.filter(value=KNOWN_PHONE).get().customer == jane


def test_it_creates_nothing_when_one_of_several_contacts_is_invalid() -> None:
    with pytest.raises(InvalidContact):
        create_customer(CustomerData(name="Bob", contacts=["bob@example.com", "nonsense"]), None)
    assert not Customer.objects.exists()
    assert not ContactPoint.objects.exists()


def test_it_records_creation_and_contacts_on_the_timeline() -> None:
    customer = make_customer()
    kinds = list(customer.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.CONTACT_ADDED) == 2
    assert EventKind.CUSTOMER_CREATED in kinds


def test_it_merges_keeping_every_contact_interaction_and_event(rep: User) -> None:
    keep = make_customer()
    other = make_customer("J. Doe", ("+12015550124", "j.doe@work.example"), company="")
    log_interaction(other, InteractionData(channel=Channel.CALL, need="toner"), rep)
    other_events = other.events.count()
    merge_customers(keep, other, rep)
    keep.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into == keep
    assert set(keep.contacts.values_list("value", flat=True)) == {
        KNOWN_PHONE,
        "jane@example.com",
        "+12015550124",
        "j.doe@work.example",
    }
    assert keep.interactions.filter(need="toner").exists()
    assert keep.events.filter(kind=EventKind.MERGED).exists()
    assert keep.events.count() >= other_events + 1
    assert identify("201 555 0124") == keep


def test_it_refuses_to_merge_a_customer_into_itself() -> None:
    customer = make_customer()
    with pytest.raises(ValueError, match="itself"):
        merge_customers(customer, customer, None)


def test_it_searches_by_name_company_email_and_any_phone_format() -> None:
    jane = make_customer()
    make_customer("Bob Smith", ("+12015550150", "bob@smith.example"), company="Smith Printing")
    assert list(search_customers("jane")) == [jane]
    assert list(search_customers("acme")) == [jane]
    assert list(search_customers("example.com")) == [jane]
    assert list(search_customers("(201) 555-0123")) == [jane]
    assert list(search_customers("0123")) == [jane]
    assert search_customers("").count() == 2


def test_it_adds_a_contact_once(rep: User) -> None:
    customer = make_customer()
    add_contact(customer, "+1 201 555 0177", rep)
    add_contact(customer, "201-555-0177", rep)
    assert customer.contacts.filter(value="+12015550177").count() == 1
