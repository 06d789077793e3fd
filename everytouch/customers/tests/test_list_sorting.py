"""The customer list: sortable columns, an owner filter, and links that keep the filters."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.accounts.web_kit import PAGE_SIZE
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


def names(content: bytes) -> list[str]:
    table = content.decode().split('id="customer-list"')[1].split("</table>")[0]
    return re.findall(r'/customers/\d+/">([^<]+)</a>', table)


@pytest.fixture
def three(rep: User, rep2: User) -> None:
    make_customer("Bea Brown", ("+12015550101",), owner=rep2, company="Zeta Dental")
    make_customer("Al Adams", ("+12015550102",), owner=None, company="Mid Office")
    make_customer("Cy Clark", ("+12015550103",), owner=rep, company="Alpha Print")


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Al Adams", "Bea Brown", "Cy Clark"]),
        ("-name", ["Cy Clark", "Bea Brown", "Al Adams"]),
        ("company", ["Cy Clark", "Al Adams", "Bea Brown"]),
        ("-company", ["Bea Brown", "Al Adams", "Cy Clark"]),
        ("-created", ["Cy Clark", "Al Adams", "Bea Brown"]),
        ("id", ["Bea Brown", "Al Adams", "Cy Clark"]),
        ("secret_field", ["Al Adams", "Bea Brown", "Cy Clark"]),
    ],
)
def test_it_sorts_customers_by_the_chosen_column(rep: User, sort: str, expected: list[str]) -> None:
    response = client_for(rep).get(reverse("customer_list"), {"sort": sort} if sort else {})
    assert response.status_code == 200
    assert names(response.content) == expected


@pytest.mark.usefixtures("three")
def test_it_marks_the_sorted_column_and_links_the_other_direction(rep: User) -> None:
    content = client_for(rep).get(reverse("customer_list"), {"q": "a", "sort": "company"}).content
    page = content.decode()
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a class="sort" href="\?q=a&amp;sort=-company"',
        page,
    )
    assert '<th scope="col"><a class="sort" href="?q=a&amp;sort=-created">Added</a></th>' in page
    assert page.count("aria-sort=") == 1


@pytest.mark.usefixtures("three")
def test_it_filters_customers_by_owner(rep: User) -> None:
    client = client_for(rep)
    assert names(client.get(reverse("customer_list"), {"owner": "me"}).content) == ["Cy Clark"]
    assert names(client.get(reverse("customer_list"), {"owner": "none"}).content) == ["Al Adams"]
    everyone = client.get(reverse("customer_list"), {"owner": "bogus"}).content
    assert len(names(everyone)) == 3


def test_it_keeps_the_search_and_sort_in_the_pager_links(rep: User) -> None:
    for i in range(PAGE_SIZE + 1):
        make_customer(f"Person {i:02}", (f"+1201555{3000 + i}",))
    response = client_for(rep).get(reverse("customer_list"), {"q": "Person", "sort": "-name"})
    assert names(response.content)[0] == "Person 25"
    assert 'href="?q=Person&amp;sort=-name&amp;page=2"' in response.content.decode()
    second = client_for(rep).get(
        reverse("customer_list"), {"q": "Person", "sort": "-name", "page": "2"}
    )
    assert names(second.content) == ["Person 00"]
    assert 'href="?q=Person&amp;sort=-name&amp;page=1"' in second.content.decode()
