"""The page benchmark's own parts: the bulk-built business must be one the app reads as its own
(every page each role may open answers 200 on it, the weekly rollup is the one the app would
keep), and the budget must be the issue's. Built tiny, in the test database of either backend."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from benchmarks import _business
from benchmarks._business import Cast, Sizes
from benchmarks.pages import PAGE_BUDGET_MS, QUICK_BUDGET_MS, ROLES, budget_of, run_all
from everytouch.customers.models import Customer, TimelineEvent
from everytouch.followups.models import Commitment
from everytouch.interactions.models import HandledCount, Interaction, Turn
from everytouch.interactions.rollup import HANDLED
from everytouch.leads.models import Lead
from everytouch.quality.models import Scorecard
from everytouch.quality.rollup import compute, stored
from everytouch.staff.models import Notification, TakenMessage

pytestmark = pytest.mark.django_db(transaction=False)

TINY = Sizes.at(0.0001)  # every table at its floor of 100 rows, 500 touches


@pytest.fixture
def cast() -> Cast:
    made = _business.make_cast()
    _business.make_extras(made)
    _business.build(TINY, made, lambda _line: None)
    return made


def test_it_fills_every_table_to_the_asked_size(cast: Cast) -> None:
    assert Customer.objects.count() == TINY.customers
    assert Interaction.objects.count() == TINY.interactions
    assert Turn.objects.count() == sum(_business.turn_count(i) for i in range(TINY.interactions))
    assert Lead.objects.count() == TINY.leads
    assert Commitment.objects.count() == TINY.promises
    assert Scorecard.objects.count() == TINY.scorecards
    assert TakenMessage.objects.count() == TINY.messages
    assert Notification.objects.count() == TINY.notifications
    assert User.objects.filter(profile__isnull=False).count() == 100
    # Every touch is on its customer's timeline, beside each customer's "created".
    touches = TimelineEvent.objects.filter(kind="interaction_logged").count()
    assert touches == TINY.interactions


def test_it_spreads_the_work_over_every_rep(cast: Cast) -> None:
    handlers = set(Interaction.objects.values_list("handled_by_id", flat=True))
    assert handlers == set(cast.reps)
    assert len(set(Lead.objects.values_list("owner_id", flat=True))) > len(cast.reps) // 2


def test_its_weekly_rollup_is_the_one_the_app_keeps(cast: Cast) -> None:
    assert stored() == compute()


def _touch_counts() -> set[tuple[int, int, int, int]]:
    return set(HandledCount.objects.values_list("user_id", "span", "start", "n"))


def test_its_touch_counts_are_the_ones_the_triggers_keep(cast: Cast) -> None:
    # Loaded with the rollup's triggers off and counted at the end: the same rows a recount
    # makes, and the triggers are back for what the pages write afterwards.
    built = _touch_counts()
    assert sum(n for _user, span, _start, n in built if span == 1) == TINY.interactions
    HANDLED.rebuild()
    assert _touch_counts() == built
    touch = Interaction.objects.first()
    assert touch is not None and touch.handled_by_id is not None
    touch.delete()
    assert sum(HandledCount.objects.filter(span=1).values_list("n", flat=True)) == (
        TINY.interactions - 1
    )


def test_every_page_each_role_may_open_answers_on_it(cast: Cast) -> None:
    rows = run_all(cast, requests=1, only=None)
    assert {m.role for m in rows} == set(ROLES)
    refused = [(m.role, m.page, m.status) for m in rows if m.status != 200]
    assert refused == []
    assert all(m.queries > 0 for m in rows)


def test_search_and_the_desk_get_the_tighter_budget() -> None:
    assert budget_of("desk", "") == QUICK_BUDGET_MS
    assert budget_of("search_suggest", "?q=Baker") == QUICK_BUDGET_MS
    assert budget_of("customer_list", "?q=Baker") == QUICK_BUDGET_MS
    assert budget_of("customer_list", "?page=2") == PAGE_BUDGET_MS
    assert budget_of("lead_board", "") == PAGE_BUDGET_MS == 100
