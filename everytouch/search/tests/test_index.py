"""Leads and interactions through their search indexes: kept current by every write path,
capped when broad, safe on any input, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from everytouch.accounts.access import MANAGER_ROLES
from everytouch.cli import main
from everytouch.customers.actions import merge_customers
from everytouch.customers.models import Customer
from everytouch.customers.search import clean_query, is_phone_like, record_number
from everytouch.customers.textindex import TextIndex
from everytouch.interactions.models import SEARCH_INDEX as INTERACTIONS
from everytouch.interactions.models import Channel, Interaction
from everytouch.leads.models import SEARCH_INDEX as LEADS
from everytouch.leads.models import Lead
from everytouch.privacy.actions import erase_customer
from everytouch.search import finder
from everytouch.search.finder import Kind
from everytouch.search.tests.conftest import Rosa
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


def found(user: Any, query: str, kind: Kind) -> list[Any]:
    return list(finder.matching(user, kind, query))


def _touch(rep: User, summary: str = "", need: str = "", **fields: Any) -> Interaction:
    customer: Customer = fields.pop("customer", None) or make_customer("Ivo Quill", (), company="")
    at = fields.pop("started_at", timezone.now())
    return Interaction.objects.create(
        customer=customer, channel=Channel.CALL, started_at=at, handled_by=rep, summary=summary,
        need=need, **fields,
    )  # fmt: skip


@pytest.mark.parametrize("index", [LEADS, INTERACTIONS], ids=["leads", "interactions"])
def test_it_has_the_index_after_migrate(index: TextIndex) -> None:
    # An AlterField that rebuilds the table on SQLite drops its triggers (docs/architecture.md):
    # this fails if a migration ever does that.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = {*index.trigger_names()}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [index.source])
            expected = {f"{index.source}_{column}_trgm" for column in index.columns}
        names = {row[0] for row in cursor.fetchall()}
    assert expected <= names


def test_it_finds_rows_written_by_bulk_create_and_raw_sql(rep: User) -> None:
    # Bulk writers skip save() and signals: the index must not depend on them.
    customer = make_customer("Ivo Quill", (), company="")
    (bulk,) = Interaction.objects.bulk_create(
        [Interaction(customer=customer, channel=Channel.CALL, started_at=timezone.now(),
                     handled_by=rep, summary="Wants walnut shelving")]
    )  # fmt: skip
    assert found(rep, "walnut", Kind.INTERACTIONS) == [bulk]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE interactions_interaction SET summary = %s", ["Oak benches"])
    assert found(rep, "walnut", Kind.INTERACTIONS) == []
    assert found(rep, "oak bench", Kind.INTERACTIONS) == [bulk]


def test_it_forgets_changed_and_deleted_leads_and_touches(rep: User, rosa: Rosa) -> None:
    rosa.lead.need = "Twelve filing cabinets"
    rosa.lead.save(update_fields=["need"])
    assert found(rep, "ergonomic", Kind.LEADS) == []
    assert found(rep, "filing cab", Kind.LEADS) == [rosa.lead]
    assert found(rep, "chairs", Kind.LEADS) == [rosa.lead]  # the product interest
    rosa.lead.activities.all().delete()
    rosa.lead.delete()
    assert found(rep, "filing cab", Kind.LEADS) == []
    assert found(rep, "toner", Kind.INTERACTIONS) == [rosa.call]
    Interaction.objects.filter(pk=rosa.call.pk).delete()
    assert found(rep, "toner", Kind.INTERACTIONS) == []


def test_it_cannot_find_an_erased_customers_leads_and_touches_by_their_text(
    rep: User, manager: User, rosa: Rosa
) -> None:
    assert found(rep, "toner price", Kind.INTERACTIONS) == [rosa.call]
    erase_customer(rosa.customer, manager)
    for old in ("toner price", "ergonomic", "Chairs", "Delgado", "0119"):
        assert found(rep, old, Kind.INTERACTIONS) == [], old
        assert found(rep, old, Kind.LEADS) == [], old


def test_it_finds_the_touches_of_a_merged_away_record_through_the_survivor(
    rep: User, rosa: Rosa
) -> None:
    twin = make_customer("R. Delgado", ("rosa.d@work.example",), company="")
    call = _touch(rep, "Asked for a brochure", customer=twin)
    merge_customers(rosa.customer, twin, None)
    assert call in found(rep, "work.example", Kind.INTERACTIONS)
    assert found(rep, "brochure", Kind.INTERACTIONS) == [call]


def test_it_lists_the_newest_matches_and_says_a_broad_search_was_cut(
    monkeypatch: pytest.MonkeyPatch, rep: User
) -> None:
    monkeypatch.setattr(finder, "SEARCH_CAP", 3)
    start = timezone.now()
    # Logged oldest first, as touches are: the newest also has the highest number.
    touches = [
        _touch(rep, f"Stapler refill {i}", started_at=start.replace(year=start.year - 5 + i))
        for i in range(6)
    ]
    sections = {s.kind: s for s in finder.search(rep, "stapler", 10).sections}
    assert sections[Kind.INTERACTIONS].items == touches[:2:-1]
    assert sections[Kind.INTERACTIONS].cut
    page = client_for(rep).get(reverse("search"), {"q": "stapler"}).content.decode()
    assert 'data-testid="search-cut-interactions"' in page
    one_kind = client_for(rep).get(reverse("search"), {"q": "stapler", "type": "interactions"})
    assert b'data-testid="search-cut"' in one_kind.content
    api = client_for(rep).get(reverse("api-v1:search"), {"q": "stapler"}).json()
    assert [s["cut"] for s in api["sections"]] == [False, False, True]
    narrow = finder.search(rep, "stapler refill 4", 10).sections
    assert [s.items for s in narrow if s.kind == Kind.INTERACTIONS] == [[touches[4]]]
    assert not any(s.cut for s in narrow)


def test_it_keeps_a_kind_the_role_may_not_open_out_of_the_index_too(
    rep: User, manager: User, rosa: Rosa, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by its own text through the index, a touch is still only shown to the roles
    # that may open it.
    monkeypatch.setitem(finder.VISIBLE_TO, Kind.INTERACTIONS, MANAGER_ROLES)
    assert found(rep, "toner price", Kind.INTERACTIONS) == []
    assert Kind.INTERACTIONS not in {s.kind for s in finder.search(rep, "toner", 10).sections}
    assert found(manager, "toner price", Kind.INTERACTIONS) == [rosa.call]


@pytest.mark.parametrize(
    "typed",
    ["AND", "toner OR", "NEAR(toner price)", "toner*", "^toner", "summary:toner", '"toner"x',
     "{need}: chairs", "%toner%", "ton_r", "TONER\\", "🙂🙂🙂", "مرحبا", "a\u0301bc", "x\x00y"],
)  # fmt: skip
def test_it_takes_search_operators_as_plain_text(rep: User, rosa: Rosa, typed: str) -> None:
    assert found(rep, typed, Kind.INTERACTIONS) == []
    assert found(rep, typed, Kind.LEADS) == []


def test_it_finds_text_that_holds_operators_and_quotes(rep: User) -> None:
    odd = _touch(rep, 'Said "OR" NEAR* 50% off_list')
    assert found(rep, '"or"', Kind.INTERACTIONS) == [odd]
    assert found(rep, "near*", Kind.INTERACTIONS) == [odd]
    assert found(rep, "50% off_l", Kind.INTERACTIONS) == [odd]


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_it_finds_a_touch_and_a_lead_by_any_text_they_hold(rep: User, typed: str) -> None:
    # Whatever was stored as a summary or a need is found by itself, and never makes it fail.
    text = clean_query(typed)
    if len(text) < 3 or record_number(text) is not None or is_phone_like(text):
        assert all(s is not None for s in finder.search(rep, typed, 5).sections)
        return
    customer = make_customer("Ivo Quill", (), company="")
    touch = _touch(rep, f"x {text} y", customer=customer)
    lead = Lead.objects.create(
        customer=customer, need=text, need_key=text.lower()[:300], owner=rep,
        created_at=touch.started_at, last_activity_at=touch.started_at,
    )  # fmt: skip
    try:
        assert touch in found(rep, text, Kind.INTERACTIONS)
        assert lead in found(rep, text, Kind.LEADS)
    finally:
        lead.delete()
        touch.delete()
        customer.delete()


def test_it_rebuilds_the_lead_and_touch_indexes(rep: User, rosa: Rosa, capsys: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for index in (LEADS, INTERACTIONS):
                sql = f"INSERT INTO {index.name} ({index.name}) VALUES (%s)"  # noqa: S608
                cursor.execute(sql, ["delete-all"])
        assert found(rep, "ergonomic", Kind.LEADS) == []
        assert found(rep, "toner", Kind.INTERACTIONS) == []
    assert main(["search", "rebuild"]) == 0
    out = capsys.readouterr().out
    if connection.vendor == "sqlite":
        assert "lead search index: 1 rows" in out and "interaction search index: 1 rows" in out
    assert found(rep, "ergonomic", Kind.LEADS) == [rosa.lead]
    assert found(rep, "toner", Kind.INTERACTIONS) == [rosa.call]
