"""The /search/ page and the type-ahead under the top-bar box, for every role."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse

from everytouch.search.tests.conftest import Rosa
from everytouch.search.views import PAGE_FIRST
from everytouch.testing import client_for, make_customer, user_for

pytestmark = pytest.mark.django_db

SEARCHERS = ["owner", "manager", "rep", "trainer"]


@pytest.mark.parametrize("name", ["search", "search_suggest"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        ("outsider", 403),
        ("trainer", 200),
        ("rep", 200),
        ("manager", 200),
        ("owner", 200),
    ],
)
def test_it_lets_in_every_role_and_no_one_else(
    request: pytest.FixtureRequest, name: str, role: str | None, status: int, rosa: Rosa
) -> None:
    response = client_for(user_for(request, role)).get(reverse(name), {"q": "Rosa"})
    assert response.status_code == status
    assert (b"Rosa Delgado" in response.content) == (status == 200)


@pytest.mark.parametrize("role", SEARCHERS)
def test_it_shows_each_kind_of_record_with_a_link_to_open_it(
    request: pytest.FixtureRequest, role: str, rosa: Rosa
) -> None:
    response = client_for(user_for(request, role)).get(reverse("search"), {"q": "0119"})
    html = response.content.decode()
    assert f'href="{reverse("customer_detail", args=[rosa.customer.pk])}"' in html
    assert f'href="{reverse("lead_detail", args=[rosa.lead.pk])}"' in html
    assert f'href="{reverse("interaction_detail", args=[rosa.call.pk])}"' in html
    assert "(331) 555-0119" in html  # the phone as people write it, not +13315550119
    assert "+13315550119" not in html


def test_it_explains_an_empty_a_short_and_an_unmatched_query(rep: User, rosa: Rosa) -> None:
    client = client_for(rep)
    assert b'data-testid="search-no-query"' in client.get(reverse("search")).content
    short = client.get(reverse("search"), {"q": "R"})
    assert b'data-testid="search-too-short"' in short.content
    assert b"Rosa Delgado" not in short.content
    nothing = client.get(reverse("search"), {"q": "Zebediah"})
    assert b'data-testid="search-nothing"' in nothing.content


def test_it_pages_one_kind_and_links_to_it_from_the_first_few(rep: User) -> None:
    for i in range(PAGE_FIRST + 20):
        make_customer(f"Person {i:02}", (f"+1201555{3000 + i}",), company="")
    client = client_for(rep)
    first = client.get(reverse("search"), {"q": "Person"}).content.decode()
    assert len(re.findall(r'href="/customers/\d+/"', first)) == PAGE_FIRST
    assert "See all 30 customers" in first
    assert f"{reverse('customer_list')}?q=Person" in first
    page2 = client.get(reverse("search"), {"q": "Person", "type": "customers", "page": "2"})
    assert page2.context["page"].number == 2
    assert [c.name for c in page2.context["page"].object_list][:2] == ["Person 25", "Person 26"]
    assert b"Person 29" in page2.content and b"Person 00" not in page2.content


def test_it_shows_every_kind_for_an_unknown_type(rep: User, rosa: Rosa) -> None:
    response = client_for(rep).get(reverse("search"), {"q": "Rosa", "type": "nonsense"})
    assert [s.kind for s in response.context["results"].sections] == [
        "customers",
        "leads",
        "interactions",
    ]


@pytest.mark.parametrize("name", ["search", "search_suggest"])
@pytest.mark.parametrize(
    "typed", ["x" * 10_000, "\x00", "%_%", "'\"<script>", "😀 שלום", "#99999999999999999999999"]
)
def test_it_answers_any_input_without_an_error(
    rep: User, rosa: Rosa, name: str, typed: str
) -> None:
    response = client_for(rep).get(reverse(name), {"q": typed, "type": "leads", "page": "x"})
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_it_suggests_options_a_keyboard_can_choose(rep: User, rosa: Rosa) -> None:
    html = client_for(rep).get(reverse("search_suggest"), {"q": "555-01"}).content.decode()
    assert 'role="listbox"' in html and " hidden" not in html.split(">")[0]
    hrefs = re.findall(r'role="option" id="[^"]+" aria-selected="false" data-href="([^"]+)"', html)
    assert hrefs == [
        reverse("customer_detail", args=[rosa.bob.pk]),
        reverse("customer_detail", args=[rosa.customer.pk]),
        reverse("lead_detail", args=[rosa.lead.pk]),
        reverse("interaction_detail", args=[rosa.call.pk]),
    ]
    assert 'data-href="/search/?q=555-01"' in html  # and the last option opens every result


def test_it_closes_the_suggestions_for_an_empty_or_short_query(rep: User, rosa: Rosa) -> None:
    for typed in ("", "R"):
        html = client_for(rep).get(reverse("search_suggest"), {"q": typed}).content.decode()
        assert 'role="listbox" aria-label="Search suggestions" hidden' in html
        assert 'role="option"' not in html


def test_it_offers_the_full_search_when_nothing_matches_as_typed(rep: User, rosa: Rosa) -> None:
    html = client_for(rep).get(reverse("search_suggest"), {"q": "Zebediah"}).content.decode()
    assert re.findall(r'role="option"[^>]*data-href="([^"]+)"', html) == ["/search/?q=Zebediah"]
    assert "Nothing matches" in html


@pytest.mark.parametrize("role", SEARCHERS)
def test_it_puts_the_box_in_the_top_bar_for_every_role(
    request: pytest.FixtureRequest, role: str
) -> None:
    html = client_for(user_for(request, role)).get(reverse("customer_list")).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'role="combobox"' in header
    assert f'hx-get="{reverse("search_suggest")}"' in header
    assert 'src="/static/js/search.js" defer' in html


def test_it_keeps_the_box_from_users_without_a_role(outsider: User) -> None:
    assert render_to_string("_search_box.html", {"user": outsider}).strip() == ""
    login = client_for(None).get(reverse("login")).content.decode()
    assert 'role="combobox"' not in login


def test_it_fills_the_box_with_the_query_on_the_results_page(rep: User) -> None:
    html = client_for(rep).get(reverse("search"), {"q": "Ro<sa"}).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'value="Ro&lt;sa"' in header


def test_it_sends_the_whole_page_to_the_login_when_the_session_ran_out() -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/customers/?q=x"}
    response = client_for(None).get(reverse("search_suggest"), {"q": "Rosa"}, headers=headers)
    assert response["HX-Redirect"] == "/login/?next=/customers/%3Fq%3Dx"
    assert b"Rosa" not in response.content
