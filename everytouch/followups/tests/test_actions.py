from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from everytouch.customers.models import Customer, EventKind, TimelineEvent
from everytouch.followups import actions
from everytouch.followups.actions import CommitmentError, record_commitment
from everytouch.followups.models import CadencePlan, Commitment, CommitmentStatus
from everytouch.followups.tests.helpers import MONDAY_10, a_call, a_commitment
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Employment, Notification, Team
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.fixture
def team(manager: User, rep: User, rep2: User) -> Team:
    team = Team.objects.create(name="Sales", manager=manager)
    for user in (manager, rep, rep2):
        member = ensure_staff(user)
        member.team = team
        member.save(update_fields=["team"])
    return team


def events(customer: Customer, kind: EventKind) -> list[str]:
    qs = TimelineEvent.objects.filter(customer=customer, kind=kind)
    return list(qs.values_list("summary", flat=True))


# --- recording -----------------------------------------------------------------------------------


def test_it_records_a_promise_on_the_customers_timeline(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    commitment = a_commitment(customer, rep, what="  Send the   brochure ")
    assert (commitment.status, commitment.owner, commitment.what) == (
        "open",
        rep,
        "Send the brochure",
    )
    [summary] = events(customer, EventKind.COMMITMENT_MADE)
    assert summary == "Promise by Ron Rep, due Mon 3 Mar 2025, 14:00: Send the brochure"


@pytest.mark.parametrize(
    ("hours", "what", "reason"),
    [
        (-1, "Call back", "in the past"),
        (0, "Call back", "in the past"),
        (2, "   ", "say what was promised"),
        (2, "x" * 301, "longer than 300"),
    ],
)
def test_it_refuses_a_past_due_time_or_an_empty_promise_with_a_reason(
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    hours: float,
    what: str,
    reason: str,
) -> None:
    with pytest.raises(CommitmentError, match=reason):
        a_commitment(customer, rep, hours=hours, what=what)
    assert not Commitment.objects.exists()
    assert not events(customer, EventKind.COMMITMENT_MADE)


def test_it_refuses_a_naive_due_time(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    with pytest.raises(CommitmentError, match="time zone"):
        record_commitment(customer, rep, "Call", datetime(2025, 3, 4, 10, 0), rep)


def test_it_refuses_an_owner_who_cannot_own_a_promise(
    monday: time_machine.Traveller, customer: Customer, rep: User, rep2: User, outsider: User
) -> None:
    rep2.is_active = False
    rep2.save(update_fields=["is_active"])
    for owner in (rep2, outsider):
        with pytest.raises(CommitmentError, match="not an active member of staff"):
            a_commitment(customer, owner)
    departed = ensure_staff(rep)
    departed.employment = Employment.DEPARTED
    departed.save(update_fields=["employment"])
    with pytest.raises(CommitmentError, match="Ron Rep cannot own"):
        a_commitment(customer, rep)
    assert not Commitment.objects.exists()


def test_it_refuses_an_interaction_of_another_customer(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    other = make_customer("Joe Bloggs", ("+12015550188",))
    call = a_call(other, rep, [("agent", "Hello")])
    with pytest.raises(CommitmentError, match="another customer"):
        a_commitment(customer, rep, source_interaction=call)


# --- keeping -------------------------------------------------------------------------------------


def test_it_lets_the_owner_or_a_manager_mark_it_done_once(
    monday: time_machine.Traveller, customer: Customer, rep: User, rep2: User, manager: User
) -> None:
    first = a_commitment(customer, rep)
    with pytest.raises(PermissionDenied):
        actions.complete_commitment(first, rep2)
    done = actions.complete_commitment(first, rep)
    assert (done.status, done.done_at) == (CommitmentStatus.DONE, MONDAY_10)
    again = actions.complete_commitment(first, rep)
    assert again.done_at == MONDAY_10
    second = a_commitment(customer, rep, what="Send the brochure")
    assert actions.complete_commitment(second, manager).status == CommitmentStatus.DONE
    assert events(customer, EventKind.COMMITMENT_DONE) == [
        "Promise kept: Send the brochure",
        "Promise kept: Call back with the quote for 40 chairs",
    ]


def test_it_records_a_missed_promise_kept_later_as_kept_late(
    monday: time_machine.Traveller, customer: Customer, rep: User, team: Team
) -> None:
    commitment = a_commitment(customer, rep, hours=1)
    monday.shift(timedelta(hours=2))
    actions.mark_missed(commitment.pk, datetime.now(UTC))
    done = actions.complete_commitment(commitment, rep)
    assert done.status == CommitmentStatus.DONE
    assert events(customer, EventKind.COMMITMENT_DONE) == [
        "Promise kept late: Call back with the quote for 40 chairs"
    ]


# --- reminding and escalating --------------------------------------------------------------------


def notices() -> list[tuple[str, str]]:
    qs = Notification.objects.order_by("pk")
    return [(n.user.username, n.key) for n in qs.select_related("user")]


def test_it_reminds_the_owner_once_inside_the_reminder_window(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    commitment = a_commitment(customer, rep, hours=4)
    assert actions.send_reminder(commitment.pk, datetime.now(UTC)) is None
    monday.shift(timedelta(hours=3, minutes=1))
    now = datetime.now(UTC)
    assert actions.send_reminder(commitment.pk, now) is not None
    assert actions.send_reminder(commitment.pk, now) is None
    assert notices() == [("ron", f"commitment:{commitment.pk}:reminder")]
    text = Notification.objects.get().text
    assert text == "Due Mon 3 Mar 2025, 14:00: Call back with the quote for 40 chairs (Jane Doe)"


def test_it_honours_the_configured_reminder_lead_time(
    monday: time_machine.Traveller, customer: Customer, rep: User, settings: object
) -> None:
    settings.EVERYTOUCH_REMINDER_MINUTES = 180  # type: ignore[attr-defined]
    commitment = a_commitment(customer, rep, hours=4)
    monday.shift(timedelta(minutes=59))
    assert actions.send_reminder(commitment.pk, datetime.now(UTC)) is None
    monday.shift(timedelta(minutes=2))
    assert actions.send_reminder(commitment.pk, datetime.now(UTC)) is not None


def test_it_sends_no_reminder_for_a_done_promise(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    commitment = a_commitment(customer, rep, hours=2)
    actions.complete_commitment(commitment, rep)
    monday.shift(timedelta(hours=1, minutes=30))
    assert actions.send_reminder(commitment.pk, datetime.now(UTC)) is None
    assert list(actions.reminders_due(datetime.now(UTC))) == []
    assert notices() == []


def test_it_escalates_a_missed_promise_to_the_team_manager_once(
    monday: time_machine.Traveller, customer: Customer, rep: User, team: Team
) -> None:
    commitment = a_commitment(customer, rep, hours=2)
    assert actions.mark_missed(commitment.pk, datetime.now(UTC)) is None
    monday.shift(timedelta(hours=2))
    now = datetime.now(UTC)
    assert [c.pk for c in actions.overdue(now)] == [commitment.pk]
    missed = actions.mark_missed(commitment.pk, now)
    assert missed is not None and missed.status == CommitmentStatus.MISSED
    assert actions.mark_missed(commitment.pk, now) is None
    key = f"commitment:{commitment.pk}:missed"
    assert notices() == [("maria", key), ("ron", key)]
    manager_text = Notification.objects.get(user__username="maria").text
    assert manager_text.startswith(
        "Missed promise: Ron Rep promised Jane Doe by Mon 3 Mar 2025, 12:00"
    )
    assert events(customer, EventKind.COMMITMENT_MISSED) == [
        "Promise missed by Ron Rep, escalated to Maria Manager: "
        "Call back with the quote for 40 chairs"
    ]
    # Still owned and still to do: it stays in the owner's day as overdue.
    assert actions.my_day(rep, now).overdue == [commitment]


def test_it_does_not_escalate_a_promise_kept_in_time(
    monday: time_machine.Traveller, customer: Customer, rep: User, team: Team
) -> None:
    commitment = a_commitment(customer, rep, hours=2)
    actions.complete_commitment(commitment, rep)
    monday.shift(timedelta(hours=3))
    assert actions.mark_missed(commitment.pk, datetime.now(UTC)) is None
    assert notices() == []


def test_it_reminds_and_escalates_whoever_owns_the_promise_now(
    monday: time_machine.Traveller, customer: Customer, rep: User, rep2: User, team: Team
) -> None:
    commitment = a_commitment(customer, rep, hours=2)
    # A handover moves the owner; the jobs read the row when they run.
    Commitment.objects.filter(pk=commitment.pk).update(owner=rep2)
    monday.shift(timedelta(hours=1, minutes=30))
    actions.send_reminder(commitment.pk, datetime.now(UTC))
    assert notices() == [("rita", f"commitment:{commitment.pk}:reminder")]


# --- my day --------------------------------------------------------------------------------------


def test_it_sorts_my_day_into_overdue_today_and_this_week(
    monday: time_machine.Traveller, customer: Customer, rep: User, rep2: User
) -> None:
    soon = a_commitment(customer, rep, hours=1, what="Today")
    later = a_commitment(customer, rep, hours=48, what="Wednesday")
    a_commitment(customer, rep, hours=24 * 10, what="Far away")
    a_commitment(customer, rep2, hours=1, what="Not mine")
    done = a_commitment(customer, rep, hours=2, what="Done already")
    actions.complete_commitment(done, rep)
    monday.shift(timedelta(hours=3))
    day = actions.my_day(rep, datetime.now(UTC))
    assert [c.what for c in day.overdue] == [soon.what]
    assert day.today == []
    assert [c.what for c in day.upcoming] == [later.what]


# --- suggestions from a transcript ---------------------------------------------------------------


def test_it_suggests_the_reps_promises_with_their_due_times(
    monday: time_machine.Traveller, customer: Customer, rep: User
) -> None:
    call = a_call(
        customer,
        rep,
        [
            ("customer", "Hi, I need a quote for forty chairs. I'll send you the floor plan."),
            ("agent", "Sure. I'll call you back tomorrow morning with the quote."),
            ("agent", "I'll email you the brochure soon."),
        ],
    )
    suggestions = actions.commitments_from_interaction(call)
    assert [(s.turn, s.what) for s in suggestions] == [
        (1, "I'll call you back tomorrow morning with the quote."),
        (2, "I'll email you the brochure soon."),
    ]
    assert suggestions[0].due_at == datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    # "soon" is no time: the rep must pick one.
    assert suggestions[1].due_at is None
    assert not any(s.recorded for s in suggestions)
    first = suggestions[0]
    assert first.due_at is not None
    record_commitment(customer, rep, first.what, first.due_at, rep, call)
    again = actions.commitments_from_interaction(call)
    assert [s.recorded for s in again] == [True, False]


# --- cadence plans -------------------------------------------------------------------------------


def test_it_refuses_bad_cadence_steps_with_the_step_number(manager: User, rep: User) -> None:
    plan = actions.default_plan()
    with pytest.raises(CommitmentError, match="step 2: days after the sale must be 1 to 3650"):
        actions.set_plan_steps(
            plan, [{"after_days": 3, "what": "Call"}, {"after_days": 0}], manager
        )
    with pytest.raises(CommitmentError, match="step 1: say what was promised"):
        actions.set_plan_steps(plan, [{"after_days": 3, "what": " "}], manager)
    with pytest.raises(PermissionDenied):
        actions.set_plan_steps(plan, [{"after_days": 3, "what": "Call"}], rep)
    saved = actions.set_plan_steps(
        plan, [{"after_days": 60, "what": "B"}, {"after_days": 3, "what": "A"}], manager
    )
    assert CadencePlan.objects.get(pk=saved.pk).steps == [
        {"after_days": 3, "what": "A"},
        {"after_days": 60, "what": "B"},
    ]


@pytest.mark.parametrize(("overdue", "shown"), [(2, 3), (3, 3), (7, 3), (7, 1)])
def test_it_lists_the_most_recently_due_overdue_promises_and_counts_the_rest(
    monday: time_machine.Traveller,
    customer: Customer,
    rep: User,
    rep2: User,
    monkeypatch: pytest.MonkeyPatch,
    overdue: int,
    shown: int,
) -> None:
    monkeypatch.setattr(actions, "OVERDUE_SHOWN", shown)
    made = [
        a_commitment(customer, rep, hours=1 + n % 3, what=f"Promise {n}") for n in range(overdue)
    ]
    a_commitment(customer, rep2, hours=1, what="Not mine")
    Commitment.objects.filter(pk=made[0].pk).update(status=CommitmentStatus.MISSED)
    monday.shift(timedelta(hours=5))
    day = actions.my_day(rep, datetime.now(UTC))
    # Straightforward: every overdue promise of the rep, soonest due first; the last ``shown``.
    everything = sorted(made, key=lambda c: (c.due_at, c.pk))
    assert [c.pk for c in day.overdue] == [c.pk for c in everything[-shown:]]
    assert day.overdue_not_shown == max(0, overdue - shown)
    assert not day.overdue_capped
