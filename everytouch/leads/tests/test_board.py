"""The compact lead board: per-column paging, the order within columns, drag-and-drop moves
answered in JSON (moved, or refused with the reason), and who may drag which card."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from everytouch.business_time import written_moment
from everytouch.leads.models import Lead, Stage
from everytouch.leads.queries import LeadFilter, filter_leads, stage_totals
from everytouch.leads.tests.helpers import a_lead, jane, other_customer
from everytouch.leads.views import BOARD_PAGE
from everytouch.testing import client_for, user_for
from everytouch.testing.factories import make_customer

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def many_leads(owner: User, count: int) -> list[Lead]:
    return [a_lead(other_customer(i), owner, need=f"need {i:02}") for i in range(count)]


def test_it_shows_one_page_per_column_with_the_total_and_a_more_link(rep: User) -> None:
    many_leads(rep, BOARD_PAGE + 3)
    response = client_for(rep).get(reverse("lead_board"))
    new = response.context["columns"][0]
    assert (new["stage"], new["total"], len(new["cards"]), new["left"]) == ("new", 23, 20, 3)
    more = reverse("lead_board_column", args=["new"]) + "?page=2"
    assert f'hx-get="{more}"'.encode() in response.content
    assert b"3 more" in response.content
    assert response.content.count(b'class="lead-card"') == BOARD_PAGE


def test_it_loads_the_next_page_of_one_column_keeping_the_filters(rep: User, rep2: User) -> None:
    many_leads(rep, BOARD_PAGE + 3)
    a_lead(jane(owner=rep2), rep2, need="not Ron's")
    url = reverse("lead_board_column", args=["new"])
    response = client_for(rep).get(
        url, {"owner": "me", "page": "2"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.count(b'class="lead-card"') == 3
    assert b"not Ron" not in response.content
    assert b"more</a>" not in response.content
    first = client_for(rep).get(url, {"owner": "me"}, headers={"HX-Request": "true"})
    assert b'?owner=me&amp;page=2"' in first.content


def test_it_shows_a_column_as_its_own_page_without_htmx(rep: User) -> None:
    many_leads(rep, BOARD_PAGE + 1)
    response = client_for(rep).get(reverse("lead_board_column", args=["new"]), {"page": 2})
    assert b"<html" in response.content
    assert b"Leads: New" in response.content
    assert response.content.count(b'class="lead-card"') == 1
    assert b'rel="prev"' in response.content


def test_it_answers_an_unknown_column_with_404(rep: User) -> None:
    response = client_for(rep).get(reverse("lead_board_column", args=["nowhere"]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("sort", "first"), [("customer", "Customer 0"), ("-created", "Customer 4")]
)
def test_it_orders_each_column_as_asked(rep: User, sort: str, first: str) -> None:
    many_leads(rep, 5)
    response = client_for(rep).get(reverse("lead_board"), {"sort": sort})
    assert response.context["columns"][0]["cards"][0].customer.name == first


def test_it_moves_a_dropped_card_and_answers_with_the_new_card(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(rep).post(
        reverse("lead_stage", args=[lead.pk]), {"stage": "contacted"}, headers=JSON
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["ok"], body["stage"], body["message"]) == (
        True,
        "contacted",
        "Moved Jane Doe to Contacted.",
    )
    assert f'id="lead-{lead.pk}"' in body["card"]
    assert 'data-stage="contacted"' in body["card"]
    assert '<option value="qualified">' in body["card"]
    lead.refresh_from_db()
    assert lead.stage == Stage.CONTACTED


@pytest.mark.parametrize(
    ("stage", "reason"),
    [
        ("won", "Not moved: a lead must be qualified before it is won."),
        ("meeting_set", "Not moved: a new lead moves to contacted next, not meeting set."),
        ("lost", "Not moved: say why the lead was lost."),
        ("nowhere", "Not moved: choose a stage."),
    ],
)
def test_it_refuses_a_drop_with_the_reason_and_leaves_the_lead(
    rep: User, stage: str, reason: str
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(rep).post(
        reverse("lead_stage", args=[lead.pk]), {"stage": stage}, headers=JSON
    )
    assert response.status_code in (409, 422)
    assert json.loads(response.content) == {"ok": False, "message": reason}
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("rep2", 403), ("trainer", 403), ("outsider", 404)],
)
def test_it_lets_only_the_owner_or_a_manager_drop_a_card(
    request: pytest.FixtureRequest, rep: User, role: str, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client = client_for(user_for(request, role))
    response = client.post(
        reverse("lead_stage", args=[lead.pk]), {"stage": "contacted"}, headers=JSON
    )
    assert response.status_code == status
    if status == 403:
        assert b"only the lead's owner or a manager" in response.content
    lead.refresh_from_db()
    assert (lead.stage == Stage.CONTACTED) == (status == 200)


def test_it_makes_only_the_cards_a_user_may_move_draggable(rep: User, rep2: User) -> None:
    mine = a_lead(jane(owner=rep), rep)
    theirs = a_lead(other_customer(1), rep2)
    content = client_for(rep).get(reverse("lead_board")).content.decode()
    card = content.split(f'id="lead-{mine.pk}"')[1].split("</article>")[0]
    other = content.split(f'id="lead-{theirs.pk}"')[1].split("</article>")[0]
    assert 'data-movable="true"' in card
    assert f'<label for="move-{mine.pk}"' in card
    assert "data-movable" not in other
    assert "<form" not in other


def test_it_loads_the_drag_and_drop_script_and_library_from_this_site(rep: User) -> None:
    content = client_for(rep).get(reverse("lead_board")).content.decode()
    assert '<script src="/static/vendor/Sortable-1.15.7.min.js" defer></script>' in content
    assert '<script src="/static/js/board.js" defer></script>' in content
    assert "<style>" not in content


def _card_of(content: str, lead: Lead) -> str:
    after = content.split(f'<article class="lead-card" id="lead-{lead.pk}"')[1]
    return after.split("</article>")[0]


def test_a_card_says_what_it_said_as_a_template_and_escapes_what_people_typed(
    rep: User,
) -> None:
    """The cards are written in Python (templatetags/lead_cards.py): names and needs people typed
    are escaped, and the links, move choices, CSRF field and return address are all there."""
    customer = make_customer('Bo <script>alert("x")</script>', ("+12015550999",), owner=rep)
    lead = a_lead(customer, rep, need="Tables & chairs " + "x" * 80)
    content = client_for(rep).get(reverse("lead_board") + "?sort=created&page=2").content.decode()
    card = _card_of(content, lead)
    assert "<script>" not in card
    assert "Bo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in card
    assert f'data-move-url="{reverse("lead_stage", args=[lead.pk])}"' in card
    assert f'<a class="lead-name" href="{reverse("lead_detail", args=[lead.pk])}">' in card
    assert '<p class="lead-need">Tables &amp; chairs ' + "x" * 53 + "…</p>" in card
    assert f'<span data-testid="card-owner">{rep.get_full_name() or rep.username}</span>' in card
    assert f"Created {written_moment(lead.created_at)}; last activity" in card
    assert 'name="csrfmiddlewaretoken" value="' in card
    # Moving from a card comes back to the same board, its filters kept and its page dropped.
    assert f'<input type="hidden" name="next" value="{reverse("lead_board")}?sort=created">' in card
    options = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', card)
    assert options == [("contacted", "Contacted"), ("lost", "Lost")]
    assert f'<input id="why-{lead.pk}" type="text" name="lost_reason"' in card


def test_a_closed_card_offers_a_manager_the_reopening_and_a_rep_nothing(
    rep: User, manager: User
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    Lead.objects.filter(pk=lead.pk).update(stage=Stage.WON)
    as_manager = _card_of(client_for(manager).get(reverse("lead_board")).content.decode(), lead)
    as_rep = _card_of(client_for(rep).get(reverse("lead_board")).content.decode(), lead)
    options = re.findall(r'<option value="([a-z_]+)">', as_manager)
    assert options == ["new", "contacted", "qualified", "meeting_set"]
    assert "data-movable" not in as_rep
    assert "<form" not in as_rep


@pytest.mark.parametrize(
    "shape",
    [
        {},
        {"stage": "contacted"},
        {"stage": "won"},
        {"owner": "rep"},
        {"owner": "rep", "stage": "new"},
        {"q": "chairs"},
        {"q": "nothing like it"},
        {"untouched_days": 3},
    ],
)
def test_the_column_totals_are_the_leads_in_each_stage_for_any_filter(
    rep: User, rep2: User, shape: dict[str, Any]
) -> None:
    leads = [
        a_lead(other_customer(i), rep if i % 3 else rep2, need=f"{i} chairs") for i in range(9)
    ]
    leads += [a_lead(other_customer(20 + i), rep, need=f"{i} tables") for i in range(4)]
    stages = list(Stage.values) * 3
    for lead, stage in zip(leads, stages, strict=False):
        Lead.objects.filter(pk=lead.pk).update(stage=stage)
    Lead.objects.filter(pk__in=[x.pk for x in leads[:5]]).update(
        last_activity_at=timezone.now() - timedelta(days=10)
    )
    owner = shape.pop("owner", None)
    f = LeadFilter(owner_id=rep.pk if owner else None, **shape)
    qs = filter_leads(f)
    expected = Counter(qs.values_list("stage", flat=True))
    assert stage_totals(f, qs) == dict(expected)
    assert sum(expected.values()) > 0 or shape.get("q") == "nothing like it"
