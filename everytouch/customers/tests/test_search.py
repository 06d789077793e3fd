"""The one customer search: any part of a phone in any format, e-mails, names, ranking."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from everytouch.customers.actions import merge_customers
from everytouch.customers.models import ContactKind, ContactPoint, Customer
from everytouch.customers.search import MAX_QUERY, clean_query, search_customers
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa() -> Customer:
    return make_customer("Rosa Delgado", ("+13315550119", "rosa@delgado.example"), company="")


@pytest.fixture
def others() -> list[Customer]:
    return [
        make_customer("Bob Smith", ("+12024561111", "bob@smith.example"), company="Smith Printing"),
        make_customer("Ann Lee", ("+14158675309",), company="Lee Dental"),
    ]


def names(query: str) -> list[str]:
    return [c.display_name for c in search_customers(query)]


@pytest.mark.parametrize(
    "typed",
    [
        "0119",
        "555-01",
        "(331) 555",
        "331.555.0119",
        "331 555 0119",
        "+1 331 555 0119",
        "1-331-555",
        "5550119",
        " 0119 ",
    ],
)
def test_it_finds_a_phone_from_any_part_in_any_format(
    typed: str, rosa: Customer, others: list[Customer]
) -> None:
    assert list(search_customers(typed)) == [rosa]


def test_it_needs_three_digits_before_matching_phones(rosa: Customer) -> None:
    # "01" is inside half the numbers in the book; it must not list them all.
    assert list(search_customers("01")) == []
    assert list(search_customers("011")) == [rosa]


def test_it_finds_a_number_typed_with_the_national_trunk_prefix(settings: Any) -> None:
    settings.EVERYTOUCH_PHONE_REGION = "GB"
    london = make_customer("Ada Byron", ("+442079460018",), company="")
    make_customer("Mo Khan", ("+441614960000",), company="")
    # Stored as +442079460018: the "0" people dial at home is never in E.164.
    assert list(search_customers("020 7946")) == [london]
    assert list(search_customers("020 7946 0018")) == [london]


def test_it_finds_partial_and_exact_emails_in_any_case(rosa: Customer, others: Any) -> None:
    assert list(search_customers("delgado.exa")) == [rosa]
    assert list(search_customers("ROSA@Delgado.example")) == [rosa]


def test_it_finds_every_word_of_a_name_and_company() -> None:
    jane = make_customer()  # Jane Doe, Acme Dental
    make_customer("Jane Roe", ("+12015550177",), company="Globex")
    assert list(search_customers("jane acme")) == [jane]
    assert list(search_customers("doe dental")) == [jane]
    assert list(search_customers("jane initech")) == []


def test_it_finds_words_spread_over_the_name_and_the_contact_points(
    rosa: Customer, others: Any
) -> None:
    assert list(search_customers("rosa 0119")) == [rosa]
    assert list(search_customers("delgado.example rosa")) == [rosa]
    assert list(search_customers("0119 rosa bob")) == []


def test_it_finds_a_customer_by_record_number(rosa: Customer, others: Any) -> None:
    assert list(search_customers(f"#{rosa.pk}")) == [rosa]
    assert list(search_customers(f"# {rosa.pk}")) == [rosa]


def test_it_never_lists_a_merged_away_record(rosa: Customer) -> None:
    twin = make_customer("Rosa Delgado", ("rosa.d@work.example",), company="")
    merge_customers(rosa, twin, None)
    assert list(search_customers("rosa")) == [rosa]
    assert list(search_customers(f"#{twin.pk}")) == []


def test_it_ranks_exact_contact_then_name_prefix_then_word_then_the_rest() -> None:
    make_customer("Joanna Cruz", ("+12015550101",), company="")
    make_customer("Mary Ann Lee", ("+12015550102",), company="")
    make_customer("Anna Berg", ("+12015550103",), company="")
    make_customer("Bo Park", ("+12015550104",), company="Annex Ltd")
    make_customer("Zed Zulu", ("ann@example.com",), company="")
    assert names("ann") == ["Anna Berg", "Bo Park", "Mary Ann Lee", "Joanna Cruz", "Zed Zulu"]
    # Zed matches only by the e-mail, exactly: he is the one on the line, so he comes first.
    assert names("ann@example.com") == ["Zed Zulu"]
    assert names("Ann")[0] == "Anna Berg"


def test_it_ranks_the_exact_phone_above_numbers_that_only_contain_it(rosa: Customer) -> None:
    aaron = make_customer("Aaron Abbot", ("aaron@example.com",), company="")
    # A UK number whose digits contain Rosa's whole national number.
    ContactPoint.objects.create(customer=aaron, kind=ContactKind.PHONE, value="+443315550119")
    assert names("(331) 555-0119") == ["Rosa Delgado", "Aaron Abbot"]
    assert names("0119") == ["Aaron Abbot", "Rosa Delgado"]


def test_it_lists_everyone_by_name_for_an_empty_query(rosa: Customer, others: Any) -> None:
    assert names("") == ["Ann Lee", "Bob Smith", "Rosa Delgado"]
    assert names("   ") == names("")


@pytest.mark.parametrize(
    "typed",
    [
        "'",
        '"',
        "%",
        "_",
        "%_%",
        "\\",
        "😀",
        "שלום",
        "\u202eevil",
        "\x00abc",
        "a" * 10_000,
        "0" * 10_000,
        "#",
        "#99999999999999999999",
        f"#{2**63}",
        "+",
        "()",
        "jane' OR 1=1 --",
        "a b c d e f g h i j k l m n o p",
    ],
)
def test_it_answers_any_input_without_an_error(typed: str, rosa: Customer) -> None:
    # Wildcards are literal: "%" and "_" must not match everyone.
    assert list(search_customers(typed)) == []


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_it_never_fails_on_any_text(rosa: Customer, typed: str) -> None:
    found = list(search_customers(typed))
    assert all(c.merged_into_id is None for c in found)


def test_it_cleans_a_query_of_control_characters_and_length() -> None:
    assert clean_query(" jane\x00\n doe\t") == "jane doe"
    assert len(clean_query("x" * 10_000)) == MAX_QUERY


def test_it_orders_the_customer_list_by_the_same_ranking(rep: User) -> None:
    make_customer("Aaron Zed", ("+12015550105",), company="")
    make_customer("Zed Zulu", ("zed@example.com",), company="")
    response = client_for(rep).get(reverse("customer_list"), {"q": "zed"})
    listed = [c.display_name for c in response.context["page"].object_list]
    # By name alone Aaron would come first; a name starting with the query ranks higher.
    assert listed == ["Zed Zulu", "Aaron Zed"]


def test_it_sorts_a_search_by_the_column_asked_for_instead(rep: User) -> None:
    make_customer("Aaron Zed", ("+12015550105",), company="")
    make_customer("Zed Zulu", ("zed@example.com",), company="")
    response = client_for(rep).get(reverse("customer_list"), {"q": "zed", "sort": "name"})
    listed = [c.display_name for c in response.context["page"].object_list]
    assert listed == ["Aaron Zed", "Zed Zulu"]
    assert 'aria-sort="ascending"' in response.content.decode()
