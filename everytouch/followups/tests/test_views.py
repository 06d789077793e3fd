"""Every follow-up page, for every role: manager, rep, trainer, outsider and anonymous."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.customers.models import Customer
from everytouch.followups import actions
from everytouch.followups.models import CadencePlan, CalendarFeed, Commitment, CommitmentStatus
from everytouch.followups.tests.helpers import a_call, a_commitment
from everytouch.testing import client_for, make_customer, user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 302)],
)
def test_it_shows_each_person_only_their_own_day(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    a_commitment(customer, rep, hours=2, what="Ron's promise")
    response = client_for(user_for(request, role)).get(reverse("my_day"))
    assert response.status_code == status
    shows = b"Ron&#x27;s promise" in response.content
    assert shows == (role == "rep")
    if status == 200:
        assert b"<h1>My day</h1>" in response.content


@pytest.mark.parametrize(
    ("role", "status", "done"),
    [
        ("manager", 302, True),
        ("rep", 302, True),
        ("rep2", 404, False),
        ("trainer", 404, False),
        ("outsider", 404, False),
        (None, 302, False),
    ],
)
def test_it_lets_only_the_owner_or_a_manager_mark_a_promise_done(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
    done: bool,
) -> None:
    commitment = a_commitment(customer, rep)
    url = reverse("commitment_done", args=[commitment.pk])
    response = client_for(user_for(request, role)).post(url, {"next": "https://evil.example/"})
    assert response.status_code == status
    commitment.refresh_from_db()
    assert (commitment.status == CommitmentStatus.DONE) == done
    if done:
        assert response["Location"] == reverse("my_day")


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_shows_the_record_a_promise_form_to_desk_roles(
    request: pytest.FixtureRequest, customer: Customer, role: str | None, status: int
) -> None:
    url = reverse("commitment_new") + f"?customer={customer.pk}"
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status
    assert (b"Record a promise to Jane Doe" in response.content) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("rep", 302), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_records_a_promise_from_the_form_for_desk_roles_only(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    form = {
        "customer": customer.pk,
        "what": "Send the price list",
        "due_at": "2025-03-04T09:30",
        "owner": rep.pk,
    }
    response = client_for(user_for(request, role)).post(reverse("commitment_new"), form)
    assert response.status_code == status
    created = Commitment.objects.filter(what="Send the price list").first()
    assert (created is not None) == (role in {"manager", "rep"})
    if created is not None:
        assert response["Location"] == reverse("customer_detail", args=[customer.pk])
        assert (created.owner, created.due_at.isoformat()) == (rep, "2025-03-04T09:30:00+00:00")


def test_it_refuses_a_past_due_time_on_the_form_with_the_reason(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    form = {"customer": customer.pk, "what": "Call", "due_at": "2025-03-03T09:00", "owner": rep.pk}
    response = client_for(rep).post(reverse("commitment_new"), form)
    assert response.status_code == 400
    assert b"the due time is in the past" in response.content
    assert not Commitment.objects.exists()


def test_it_answers_404_for_a_missing_customer_or_someone_elses_interaction(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    client = client_for(rep)
    assert client.get(reverse("commitment_new")).status_code == 404
    assert client.get(reverse("commitment_new") + "?customer=99999").status_code == 404
    other_call = a_call(make_customer("Joe", ("+12015550177",)), rep, [("agent", "Hi")])
    query = f"?customer={customer.pk}&interaction={other_call.pk}"
    assert client.get(reverse("commitment_new") + query).status_code == 404


TRANSCRIPT = [
    ("customer", "I need a quote for forty chairs."),
    ("agent", "I'll call you back tomorrow morning with the quote."),
]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 404), ("outsider", 404), (None, 302)],
)
def test_it_shows_the_promises_heard_in_a_transcript_to_desk_roles(
    request: pytest.FixtureRequest,
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    role: str | None,
    status: int,
) -> None:
    call = a_call(customer, rep, TRANSCRIPT)
    url = reverse("interaction_commitments", args=[call.pk])
    response = client_for(user_for(request, role)).get(url)
    assert response.status_code == status
    heard = b"I&#x27;ll call you back tomorrow morning with the quote." in response.content
    assert heard == (status == 200)
    if status == 200:
        assert b'value="2025-03-04T12:00"' in response.content


def test_it_records_a_confirmed_suggestion_and_marks_it_recorded(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    call = a_call(customer, rep, TRANSCRIPT)
    [suggestion] = actions.commitments_from_interaction(call)
    form = {
        "customer": customer.pk,
        "interaction": call.pk,
        "owner": rep.pk,
        "what": suggestion.what,
        "due_at": "2025-03-04T12:00",
    }
    client = client_for(rep)
    response = client.post(reverse("commitment_new"), form)
    assert response["Location"] == reverse("interaction_commitments", args=[call.pk])
    assert Commitment.objects.get().source_interaction == call
    page = client.get(response["Location"])
    assert b'<span class="pill">recorded</span>' in page.content


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 403), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_lets_only_managers_see_and_edit_the_cadence_plan(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    client = client_for(user_for(request, role))
    response = client.get(reverse("cadence_plan"))
    assert response.status_code == status
    assert (b"7 Thank-you call" in response.content) == (status == 200)
    saved = client.post(reverse("cadence_plan"), {"steps": "3 Delivery check\n\n45 Review"})
    assert saved.status_code == (302 if status == 200 else status)
    steps = CadencePlan.objects.filter(is_default=True).values_list("steps", flat=True).first()
    expected = [{"after_days": 3, "what": "Delivery check"}, {"after_days": 45, "what": "Review"}]
    assert (steps == expected) == (status == 200)


def test_it_explains_a_bad_cadence_line(manager: User) -> None:
    response = client_for(manager).post(reverse("cadence_plan"), {"steps": "7 Call\nsoon: Visit"})
    assert response.status_code == 400
    assert b"line 2: write the days, then what to do" in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 302)],
)
def test_it_gives_a_calendar_link_once_to_staff(
    request: pytest.FixtureRequest, role: str | None, status: int
) -> None:
    client = client_for(user_for(request, role))
    assert client.get(reverse("calendar_settings")).status_code == status
    created = client.post(reverse("calendar_settings"), {"action": "create"})
    assert created.status_code == status
    assert CalendarFeed.objects.exists() == (status == 200)
    if status == 200:
        link = re.search(rb'value="(http://testserver/calendar/cal_[\w-]+\.ics)"', created.content)
        assert link is not None
        again = client.get(reverse("calendar_settings"))
        assert b"/calendar/cal_" not in again.content
        assert b"Rotate the link" in again.content


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 403), ("trainer", 403), ("outsider", 403), (None, 302)],
)
def test_it_shows_the_early_warning_only_to_managers(
    request: pytest.FixtureRequest, rep: User, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("early_warning"))
    assert response.status_code == status
    assert (b"<h2>Ron Rep</h2>" in response.content) == (status == 200)


def test_it_names_the_touch_a_promise_came_from_with_the_right_article(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    from everytouch.interactions.actions import InteractionData, log_interaction
    from everytouch.interactions.models import Channel

    email = log_interaction(
        customer, InteractionData(channel=Channel.EMAIL, summary="Quote", handled_by=rep), rep
    )
    call = a_call(customer, rep, [("agent", "Hello")])
    a_commitment(customer, rep, hours=2, what="Send the quote", source_interaction=email)
    a_commitment(customer, rep, hours=3, what="Ring back", source_interaction=call)
    content = client_for(rep).get(reverse("my_day")).content.decode()
    assert "(from an e-mail)" in content and "(from a call)" in content
    assert "from a e-mail" not in content


def test_it_says_how_many_older_overdue_promises_my_day_leaves_off(
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(actions, "OVERDUE_SHOWN", 2)
    for n in range(5):
        a_commitment(customer, rep, hours=1 + n, what=f"Promise {n}")
    monday.shift(timedelta(days=1))
    content = client_for(rep).get(reverse("my_day")).content.decode()
    assert "Promise 4" in content and "Promise 3" in content and "Promise 2" not in content
    assert "The 2 most recently due are listed" in content
    assert "3 older overdue\n  promises are not" in content
