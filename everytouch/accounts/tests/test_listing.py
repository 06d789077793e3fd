"""The list pages' shared sort whitelist, filter-keeping links and saved-view query cleaning."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from everytouch.accounts.listing import Sorting, clean_query, query_with

SORT = Sorting(
    columns={"name": ("name", "id"), "created": ("created_at", "-id")},
    default="name",
    descending_first=frozenset({"created"}),
)


def test_it_sorts_by_a_whitelisted_column_ascending() -> None:
    choice = SORT.parse("name")
    assert (choice.key, choice.descending, choice.param) == ("name", False, "name")
    assert choice.order_by() == ["name", "id"]


def test_it_sorts_descending_with_a_minus_and_flips_every_field() -> None:
    choice = SORT.parse("-created")
    assert (choice.key, choice.descending, choice.param) == ("created", True, "-created")
    assert choice.order_by() == ["-created_at", "id"]


@pytest.mark.parametrize(
    "raw", [None, "", "password", "-password", "name__startswith", "--name", " ", "owner__pk"]
)
def test_it_falls_back_to_the_default_order_for_anything_not_whitelisted(raw: str | None) -> None:
    choice = SORT.parse(raw)
    assert (choice.key, choice.descending) == ("name", False)


def test_it_reads_a_descending_default() -> None:
    choice = Sorting({"when": ("at", "id")}, default="-when").parse("nonsense")
    assert choice.order_by() == ["-at", "-id"]


def test_it_refuses_a_default_that_is_not_a_column() -> None:
    with pytest.raises(ValueError, match="not one of the columns"):
        Sorting({"name": ("name",)}, default="-age")


def test_it_toggles_the_current_column_and_starts_others_in_their_first_direction() -> None:
    by_name = SORT.parse("name")
    assert by_name.param_for("name") == "-name"
    assert by_name.param_for("created") == "-created"
    assert SORT.parse("-name").param_for("name") == "name"
    by_created = SORT.parse("-created")
    assert by_created.param_for("created") == "created"
    assert by_created.param_for("name") == "name"


def test_it_says_aria_sort_only_for_the_sorted_column() -> None:
    assert SORT.parse("name").aria_sort("name") == "ascending"
    assert SORT.parse("-name").aria_sort("name") == "descending"
    assert SORT.parse("name").aria_sort("created") == ""


def test_it_keeps_every_other_filter_in_a_link_and_drops_cleared_keys() -> None:
    params = QueryDict("q=ann&owner=me&page=3&tag=a&tag=b")
    assert query_with(params, sort="-name", page=None) == "q=ann&owner=me&tag=a&tag=b&sort=-name"
    assert query_with(params, page=4) == "q=ann&owner=me&page=4&tag=a&tag=b"
    assert query_with(QueryDict(""), page="") == ""


def test_it_keeps_only_allowed_non_empty_parameters_in_a_saved_query() -> None:
    raw = "?sort=-name&page=2&q=%20Ann%20&evil=%3Cscript%3E&owner=&csrfmiddlewaretoken=x"
    assert clean_query(raw, frozenset({"q", "sort", "owner"})) == "q=Ann&sort=-name"


def test_it_cuts_overlong_values_in_a_saved_query() -> None:
    assert clean_query("q=" + "x" * 500, frozenset({"q"})) == "q=" + "x" * 200
