"""The cross-record search: what each role finds, by number, text or the customer's details."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from everytouch.accounts.access import MANAGER_ROLES
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.search import finder
from everytouch.search.finder import Kind
from everytouch.search.tests.conftest import Rosa
from everytouch.testing import user_for

pytestmark = pytest.mark.django_db

ALL = [Kind.CUSTOMERS, Kind.LEADS, Kind.INTERACTIONS]


def found(user: Any, query: str) -> dict[Kind, list[Any]]:
    return {s.kind: s.items for s in finder.search(user, query, 10).sections}


@pytest.mark.parametrize("role", ["owner", "manager", "rep", "trainer"])
def test_it_finds_the_customer_her_calls_and_leads_from_part_of_her_number(
    request: pytest.FixtureRequest, role: str, rosa: Rosa
) -> None:
    user = user_for(request, role)
    assert found(user, "(331) 555") == {
        Kind.CUSTOMERS: [rosa.customer],
        Kind.LEADS: [rosa.lead],
        Kind.INTERACTIONS: [rosa.call],
    }


@pytest.mark.parametrize("role", ["outsider", None])
def test_it_finds_nothing_for_a_user_without_a_role(
    request: pytest.FixtureRequest, role: str | None, rosa: Rosa
) -> None:
    user = user_for(request, role) or AnonymousUser()
    assert finder.kinds_for(user) == []
    assert finder.search(user, "Rosa", 10).sections == []
    for kind in Kind:
        assert list(finder.matching(user, kind, "Rosa")) == []


def test_it_finds_a_lead_and_a_call_by_their_own_words(rep: User, rosa: Rosa) -> None:
    assert found(rep, "ergonomic")[Kind.LEADS] == [rosa.lead]
    assert found(rep, "ergonomic")[Kind.INTERACTIONS] == []
    assert found(rep, "toner price")[Kind.INTERACTIONS] == [rosa.call]
    assert found(rep, "toner price")[Kind.CUSTOMERS] == []


def test_it_finds_records_by_their_number(rep: User, rosa: Rosa) -> None:
    assert rosa.call in found(rep, f"#{rosa.call.pk}")[Kind.INTERACTIONS]
    assert rosa.lead in found(rep, f"#{rosa.lead.pk}")[Kind.LEADS]
    assert found(rep, f"#{rosa.bob.pk}")[Kind.CUSTOMERS] == [rosa.bob]
    # A number finds that record only, not every record whose text holds the digits.
    assert found(rep, "#999999") == {kind: [] for kind in ALL}


def test_it_finds_a_customer_by_email_but_not_her_neighbours(rep: User, rosa: Rosa) -> None:
    results = found(rep, "rosa@delgado.example")
    assert results[Kind.CUSTOMERS] == [rosa.customer]
    assert rosa.bob not in results[Kind.CUSTOMERS]


def test_it_counts_every_match_while_showing_the_first_few(rep: User, rosa: Rosa) -> None:
    sections = finder.search(rep, "555", 1).sections
    customers = next(s for s in sections if s.kind == Kind.CUSTOMERS)
    # Both numbers hold "555"; one is shown, both are counted.
    assert (customers.items, customers.total, customers.more) == ([rosa.bob], 2, 1)
    assert finder.search(rep, "555", 1).total == 4


def test_it_refuses_queries_shorter_than_two_characters(rep: User, rosa: Rosa) -> None:
    assert all(s.total == 0 for s in finder.search(rep, "R", 10).sections)
    assert finder.is_too_short("R")
    assert finder.is_too_short(" \x00 ")
    assert not finder.is_too_short("Ro")
    assert list(finder.matching(rep, Kind.CUSTOMERS, "R")) == []


def test_it_leaves_out_a_kind_the_role_may_not_open(
    rep: User, manager: User, rosa: Rosa, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were leads ever kept to managers, the search would follow without another change.
    monkeypatch.setitem(finder.VISIBLE_TO, Kind.LEADS, MANAGER_ROLES)
    assert Kind.LEADS not in found(rep, "Rosa")
    assert list(finder.matching(rep, Kind.LEADS, "Rosa")) == []
    assert found(manager, "Rosa")[Kind.LEADS] == [rosa.lead]


@pytest.mark.parametrize("typed", ["%", "__", "'; drop", "😀😀", "\u202e\u202e", "#" * 10_000])
def test_it_answers_any_input_without_an_error(rep: User, rosa: Rosa, typed: str) -> None:
    assert all(not s.items for s in finder.search(rep, typed, 10).sections)


@pytest.mark.parametrize("query", ["Delgado", "toner"])
def test_it_shows_the_newest_touches_first_however_they_matched(
    rep: User, rosa: Rosa, query: str
) -> None:
    """ "Delgado" finds Rosa's touches through her name only (already newest first); "toner" finds
    some by their own words too, which come newest id first and must be put in order."""
    now = timezone.now()
    for days, summary in [(9, "Toner again"), (2, "Delivery"), (30, "Old toner"), (1, "Toner")]:
        data = InteractionData(
            channel=Channel.CALL, handled_by=rep, summary=summary, started_at=now - timedelta(days)
        )
        log_interaction(rosa.customer if summary != "Old toner" else rosa.bob, data, rep)
    every = finder.matching(rep, Kind.INTERACTIONS, query)
    newest = sorted(every, key=lambda i: (i.started_at, i.pk), reverse=True)
    assert len(newest) >= 4
    shown = next(s for s in finder.search(rep, query, 3).sections if s.kind == Kind.INTERACTIONS)
    assert shown.items == newest[:3]
    assert shown.total == len(newest)
