"""The quality dashboard, the conversations behind each number and the not-scored list."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.quality import actions, dashboards
from everytouch.quality.rollup import CONTACT_CHECK
from everytouch.quality.tests.helpers import CAPTURED, PRICE_ONLY, scored_touch
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Team
from everytouch.testing import ROLES, client_for, user_for

pytestmark = pytest.mark.django_db


def conversations_url(**params: str) -> str:
    return reverse("quality_conversations") + "?" + urlencode(params)


def ids_listed(response: object) -> set[int]:
    html = response.content.decode()  # type: ignore[attr-defined]
    return {int(pk) for pk in re.findall(r"/interactions/(\d+)/", html)}


def contact_figure(client: Client, query: str = "") -> str:
    html = client.get(reverse("quality_dashboard") + query).content.decode()
    found = re.search(r'data-testid="contact-figure">(.*?)</span>\s*</h2>', html, re.S)
    assert found is not None
    text = re.sub(r"<[^>]+>", "", found.group(1)).split("(")[0]
    return " ".join(text.split())


# --- who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["quality_dashboard", "quality_not_scored"])
def test_it_lets_every_staff_role_in_and_no_one_else(
    request: pytest.FixtureRequest, role: str | None, name: str
) -> None:
    user = user_for(request, role)
    response = client_for(user).get(reverse(name))
    expected = {None: 302, "outsider": 403}.get(role, 200)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_conversations_for_every_staff_role_and_no_one_else(
    request: pytest.FixtureRequest, role: str | None
) -> None:
    response = client_for(user_for(request, role)).get(conversations_url(check="greeting"))
    assert response.status_code == {None: 302, "outsider": 403}.get(role, 200)


def test_it_shows_contact_details_captured_on_buying_calls_as_n_of_m(
    manager: User, rep: User, rep2: User
) -> None:
    scored_touch(rep, CAPTURED)
    scored_touch(rep, PRICE_ONLY)
    scored_touch(rep2, PRICE_ONLY)
    assert contact_figure(client_for(manager)) == "1 of 3"


@pytest.mark.parametrize("role", ["trainer", "manager", "owner"])
def test_it_shows_everyones_figures_to_managers_owners_and_trainers(
    request: pytest.FixtureRequest, role: str, rep: User, rep2: User
) -> None:
    scored_touch(rep, CAPTURED)
    scored_touch(rep2, PRICE_ONLY)
    client = client_for(user_for(request, role))
    assert contact_figure(client) == "1 of 2"
    html = client.get(reverse("quality_dashboard")).content.decode()
    assert "Ron Rep" in html and "Rita" in html


def test_it_shows_a_rep_only_their_own_figures_whatever_the_link_asks(
    rep: User, rep2: User
) -> None:
    scored_touch(rep, CAPTURED)
    scored_touch(rep2, PRICE_ONLY)
    scored_touch(rep2, PRICE_ONLY)
    client = client_for(rep)
    assert contact_figure(client) == "1 of 1"
    assert contact_figure(client, f"?rep={rep2.pk}") == "1 of 1"
    assert "Rita" not in client.get(reverse("quality_dashboard")).content.decode()


def test_it_shows_an_empty_state_without_scored_conversations(manager: User) -> None:
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    assert "No scored conversations in these weeks." in html
    assert contact_figure(client_for(manager)) == "0 of 0"


# --- filters -------------------------------------------------------------------------------------


def test_it_filters_by_channel_team_and_rep(manager: User, rep: User, rep2: User) -> None:
    team = Team.objects.create(name="Counter")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    scored_touch(rep, CAPTURED)
    scored_touch(rep2, PRICE_ONLY, Channel.EMAIL)
    client = client_for(manager)
    assert contact_figure(client, "?channel=call") == "1 of 1"
    assert contact_figure(client, "?channel=email") == "0 of 1"
    assert contact_figure(client, f"?team={team.pk}") == "1 of 1"
    assert contact_figure(client, f"?rep={rep2.pk}") == "0 of 1"


def test_it_leaves_out_weeks_outside_the_dates(manager: User, rep: User) -> None:
    scored_touch(rep, CAPTURED)
    old = timezone.localdate() - timedelta(days=60)
    query = f"?since={old - timedelta(days=30)}&until={old}"
    assert contact_figure(client_for(manager), query) == "0 of 0"


@pytest.mark.parametrize(
    "query",
    ["?since=yesterday", "?since=2026-05-01&until=2026-04-01", "?team=999999", "?channel=fax"],
)
def test_it_refuses_bad_filters_with_a_reason(manager: User, query: str) -> None:
    response = client_for(manager).get(reverse("quality_dashboard") + query)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


# --- the numbers lead to their conversations -----------------------------------------------------


def test_it_links_each_number_to_the_conversations_behind_it(manager: User, rep: User) -> None:
    captured = scored_touch(rep, CAPTURED)
    missed = scored_touch(rep, PRICE_ONLY)
    client = client_for(manager)
    html = client.get(reverse("quality_dashboard")).content.decode()
    links = re.findall(r'href="(/quality/conversations/\?[^"]*check=asked_phone[^"]*)"', html)
    passed = [link for link in links if "status=pass" in link]
    assert passed, "the asked_phone figure links to its passing conversations"
    response = client.get(passed[0].replace("&amp;", "&"))
    assert ids_listed(response) == {captured.pk}
    failed = client.get(conversations_url(check="asked_phone", status="fail"))
    assert ids_listed(failed) == {missed.pk}
    both = client.get(conversations_url(check="asked_phone"))
    assert ids_listed(both) == {captured.pk, missed.pk}


def test_it_lists_the_buying_calls_behind_the_contact_figure(manager: User, rep: User) -> None:
    captured = scored_touch(rep, CAPTURED)
    missed = scored_touch(rep, PRICE_ONLY)
    client = client_for(manager)
    assert ids_listed(client.get(conversations_url(check=CONTACT_CHECK, status="pass"))) == {
        captured.pk
    }
    assert ids_listed(client.get(conversations_url(check=CONTACT_CHECK, status="fail"))) == {
        missed.pk
    }


def test_it_never_lists_another_reps_conversations_to_a_rep(rep: User, rep2: User) -> None:
    mine = scored_touch(rep)
    scored_touch(rep2)
    response = client_for(rep).get(conversations_url(check="greeting", rep=str(rep2.pk)))
    assert ids_listed(response) == {mine.pk}


def test_it_lists_a_weeks_conversations_from_a_chart_dot(manager: User, rep: User) -> None:
    touch = scored_touch(rep)
    week = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    assert f"week={week.isoformat()}" in html
    response = client_for(manager).get(conversations_url(check="greeting", week=str(week)))
    assert ids_listed(response) == {touch.pk}
    last_week = str(week - timedelta(days=7))
    assert (
        ids_listed(client_for(manager).get(conversations_url(check="greeting", week=last_week)))
        == set()
    )


@pytest.mark.parametrize("query", [{}, {"check": "greeting", "status": "maybe"}])
def test_it_refuses_a_conversations_list_without_a_check_or_with_a_bad_status(
    manager: User, query: dict[str, str]
) -> None:
    response = client_for(manager).get(conversations_url(**query))
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_it_pages_the_conversations_with_the_rollups_count(
    manager: User, rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("everytouch.quality.views_dashboards.PAGE_SIZE", 2)
    made = {scored_touch(rep).pk for _ in range(3)}
    client = client_for(manager)
    first = client.get(conversations_url(check="greeting"))
    assert "Page 1 of 2 (3 in all)" in first.content.decode()
    second = client.get(conversations_url(check="greeting", page="2"))
    assert ids_listed(first) | ids_listed(second) == made


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, without statistics")
def test_it_reads_the_conversations_newest_first_from_an_index() -> None:
    # SQLite plans without statistics; it took the state index and sorted every scored card of
    # the period (0.17 s per list, 0.4 s per dashboard at 200,000 cards) until an index held the
    # state, the period and the order together.
    today = timezone.localdate()
    f = dashboards.Filters(today - timedelta(weeks=12), today)
    cards = dashboards.conversations(f, "greeting", "fail")[:25]
    sql, params = cards.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
    assert "scorecard_real_newest" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan


# --- worst checks, charts, not scored ------------------------------------------------------------


def test_it_shows_the_worst_checks_with_example_conversations(
    manager: User, rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboards, "MIN_APPLICABLE", 2)
    touches = [scored_touch(rep) for _ in range(2)]
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    worst = html.split('id="worst"')[1].split("</section>")[0]
    assert "Asked for a phone number" in worst or "Asked for" in worst
    assert {f"/interactions/{t.pk}/" in worst for t in touches} == {True}


def test_it_draws_a_chart_per_check_with_labels_escaped(manager: User, rep: User) -> None:
    team = Team.objects.create(name="<script>alert(1)</script>")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    scored_touch(rep)
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    assert html.count("<svg") >= 3
    assert "<polyline" in html or "<circle" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_it_writes_the_charts_weeks_in_the_house_date_style(manager: User, rep: User) -> None:
    scored_touch(rep)
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    # The dot's tip in full ("week of Mon 3 Mar 2025: 1 of 1"), the axis short ("3 Mar").
    assert re.search(r"week of Mon \d{1,2} [A-Z][a-z]{2} \d{4}: \d+ of \d+</title>", html)
    assert re.search(r'text-anchor="middle">\d{1,2} [A-Z][a-z]{2}</text>', html)
    assert not re.search(r'text-anchor="middle">[A-Z][a-z]{2} \d', html)


def test_it_counts_and_lists_touches_not_scored_with_the_reason(
    manager: User, rep: User, rep2: User
) -> None:
    for who in (rep, rep2):
        data = InteractionData(channel=Channel.VISIT, handled_by=who, summary="Walk-in")
        actions.score_interaction(log_interaction(None, data, who))
    html = client_for(manager).get(reverse("quality_dashboard")).content.decode()
    assert "2 touches not scored" in html
    listed = client_for(manager).get(reverse("quality_not_scored")).content.decode()
    assert listed.count('data-testid="not-scored-row"') == 2
    assert actions.NO_TURNS in listed
    own = client_for(rep).get(reverse("quality_not_scored")).content.decode()
    assert own.count('data-testid="not-scored-row"') == 1
