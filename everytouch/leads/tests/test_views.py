"""The leads pages for every role: board, lead page, capture, stage and hand-off, export, speed."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.leads.models import Lead, LeadActivity, Stage
from everytouch.leads.tests.helpers import a_call, a_lead, jane
from everytouch.staff.models import Notification
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db

READ = [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 302)]


@pytest.mark.parametrize(("role", "status"), READ)
def test_it_shows_the_board_by_stage_only_to_staff(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    a_lead(jane(owner=rep), rep, need="40 ergonomic chairs")
    response = client_for(user_for(request, role)).get(reverse("lead_board"))
    assert response.status_code == status
    assert (b"40 ergonomic chairs" in response.content) == (status == 200)
    if status == 200:
        assert b'data-stage="meeting_set"' in response.content


def test_it_filters_the_board_by_owner_stage_and_search(rep: User, rep2: User) -> None:
    a_lead(jane(owner=rep), rep, need="chairs for Ron")
    from everytouch.leads.tests.helpers import other_customer

    a_lead(other_customer(1), rep2, need="desks for Rita")
    client = client_for(rep)
    mine = client.get(reverse("lead_board"), {"owner": "me"}).content
    assert b"chairs for Ron" in mine
    assert b"desks for Rita" not in mine
    by_search = client.get(reverse("lead_board"), {"q": "DESKS"}).content
    assert b"desks for Rita" in by_search
    assert b"chairs for Ron" not in by_search
    contacted = client.get(reverse("lead_board"), {"stage": "contacted"}).content
    assert b"chairs for Ron" not in contacted


def test_it_moves_a_card_on_the_board_and_shows_the_board_again(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client = client_for(rep)
    board = reverse("lead_board") + "?owner=me"
    response = client.post(
        reverse("lead_stage", args=[lead.pk]),
        {"stage": "contacted", "next": board},
        headers={"HX-Request": "true"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == board
    lead.refresh_from_db()
    assert lead.stage == Stage.CONTACTED
    assert b"Moved to Contacted" in response.content


def test_it_refuses_a_skipping_move_with_the_reason(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(rep).post(
        reverse("lead_stage", args=[lead.pk]), {"stage": "won"}, follow=True
    )
    assert b"must be qualified before it is won" in response.content
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("rep", 302), ("rep2", 403), ("trainer", 403), ("outsider", 404)],
)
def test_it_lets_only_the_owner_or_a_manager_change_a_lead(
    request: pytest.FixtureRequest, rep: User, role: str, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client = client_for(user_for(request, role))
    response = client.post(reverse("lead_stage", args=[lead.pk]), {"stage": "contacted"})
    assert response.status_code == status
    lead.refresh_from_db()
    assert (lead.stage == Stage.CONTACTED) == (status == 302)


def test_it_sends_anonymous_changes_to_the_login_page(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(None).post(reverse("lead_stage", args=[lead.pk]), {"stage": "contacted"})
    assert response.status_code == 302
    assert "/login" in response["Location"]


@pytest.mark.parametrize(("role", "status"), [*READ[:3], ("outsider", 404), (None, 302)])
def test_it_shows_a_lead_page_with_speed_and_activities_only_to_staff(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(user_for(request, role)).get(reverse("lead_detail", args=[lead.pk]))
    assert response.status_code == status
    assert (b'id="activities"' in response.content) == (status == 200)
    assert (b"no response yet" in response.content) == (status == 200)


def test_it_hands_a_lead_off_from_its_page(rep: User, rep2: User, manager: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    response = client_for(manager).post(
        reverse("lead_handoff", args=[lead.pk]), {"to": rep2.pk}, follow=True
    )
    assert b"Handed off to Rita Rep" in response.content
    lead.refresh_from_db()
    assert lead.owner == rep2
    assert Notification.objects.filter(user=rep2).count() == 1


def test_it_records_the_owners_response_from_the_lead_page(rep: User) -> None:
    lead = a_lead(jane(owner=rep), rep)
    client_for(rep).post(reverse("lead_respond", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.first_response_at is not None


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("rep", 302), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_creates_a_lead_from_the_form_for_desk_roles(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    customer = jane(owner=rep)
    user = user_for(request, role)
    url = reverse("lead_new")
    response = client_for(user).post(url, {"customer_id": customer.pk, "need": "12 desks"})
    assert response.status_code == status
    assert Lead.objects.filter(need="12 desks").exists() == (user is not None and status == 302)


def test_it_prefills_the_new_lead_form_from_the_customers_last_need(rep: User) -> None:
    customer = jane(owner=rep)
    from everytouch.interactions.actions import InteractionData, log_interaction
    from everytouch.interactions.models import Channel

    log_interaction(customer, InteractionData(Channel.CALL, need="a quote for toner"), rep)
    response = client_for(rep).get(reverse("lead_new"), {"customer": customer.pk})
    assert response.status_code == 200
    assert b'value="a quote for toner"' in response.content


def test_it_creates_a_lead_from_a_logged_touch_in_one_click_and_never_twice(rep: User) -> None:
    customer = jane(owner=rep)
    from everytouch.interactions.actions import InteractionData, log_interaction
    from everytouch.interactions.models import Channel

    call = log_interaction(customer, InteractionData(Channel.CALL, need="40 chairs"), rep)
    client = client_for(rep)
    url = reverse("lead_from_interaction", args=[call.pk])
    first = client.post(url, follow=True)
    assert b"Lead created for Ron Rep" in first.content
    second = client.post(url, follow=True)
    assert b"lead updated" in second.content
    lead = Lead.objects.get()
    assert lead.source_interaction == call
    assert lead.activities.filter(kind=LeadActivity.Kind.UPDATED).count() == 1


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 302), ("trainer", 404), ("outsider", 404)]
)
def test_it_lets_only_desk_roles_click_create_lead(
    request: pytest.FixtureRequest, rep: User, role: str, status: int
) -> None:
    call = a_call(jane(owner=rep), rep)
    url = reverse("lead_from_interaction", args=[call.pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_exports_the_filtered_board_as_csv_for_desk_roles(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    a_lead(jane(owner=rep), rep, need="=HYPERLINK(evil)")
    response = client_for(user_for(request, role)).get(reverse("lead_export"))
    assert response.status_code == status
    if status == 200:
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
        assert rows[0][:3] == ["id", "created_at", "stage"]
        assert rows[1][3] == "Jane Doe"
        assert rows[1][5] == "+12015550123"
        # Spreadsheet formulas in customer-typed text are defused.
        assert rows[1][7] == "'=HYPERLINK(evil)"


@pytest.mark.parametrize(("role", "status"), READ)
def test_it_shows_speed_to_lead_per_owner_only_to_staff(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    lead = a_lead(jane(owner=rep), rep)
    from everytouch.leads.actions import record_response

    record_response(lead, rep)
    response = client_for(user_for(request, role)).get(reverse("lead_speed"))
    assert response.status_code == status
    assert (b"Ron Rep" in response.content) == (status == 200)
