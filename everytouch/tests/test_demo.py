"""The demo business: deterministic, believable, and written by the apps' own code."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from everytouch import demo
from everytouch.accounts.models import Role
from everytouch.customers.contacts import normalise
from everytouch.customers.models import ContactPoint, Customer, EventKind, TimelineEvent
from everytouch.demo import data
from everytouch.interactions.actions import summary_line
from everytouch.interactions.models import Interaction, Transfer, Turn
from everytouch.staff.models import StaffMember

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
SIZE = 0.05  # 15 customers, 100 interactions


def test_its_data_is_plain_constants_without_django() -> None:
    # The cast and script lines can be read and edited without knowing Django or the loader.
    tree = ast.parse(Path(data.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "dataclasses"}


def test_it_plans_the_same_business_from_the_same_seed() -> None:
    first = demo.plan_demo(seed=7, size=SIZE, now=NOW)
    assert first == demo.plan_demo(seed=7, size=SIZE, now=NOW)
    assert first != demo.plan_demo(seed=8, size=SIZE, now=NOW)


def test_it_scales_with_size_and_keeps_history_in_the_last_six_months() -> None:
    plan = demo.plan_demo(size=SIZE, now=NOW)
    starts = [i.started_at for i in plan.interactions]
    assert len(plan.customers) == 15
    assert len(plan.interactions) == 100
    assert min(starts) >= NOW - timedelta(days=demo.DAYS_OF_HISTORY + 1)
    assert max(starts) < NOW
    assert starts == sorted(starts)
    assert all(s.astimezone(timezone.get_default_timezone()).weekday() < 5 for s in starts)


def test_it_uses_only_valid_unique_contact_points() -> None:
    plan = demo.plan_demo(size=1.0, now=NOW)
    values = [v for c in plan.customers for v in (*c.phones, *c.emails)]
    assert len(values) == len(set(values))
    assert all(normalise(v).value == v for v in values)
    assert all(v[5:10] == "55501" for c in plan.customers for v in c.phones)


def test_it_refuses_an_unreasonable_size() -> None:
    with pytest.raises(demo.DemoError):
        demo.plan_demo(size=0)
    with pytest.raises(demo.DemoError):
        demo.plan_demo(size=demo.MAX_SIZE + 1)


@pytest.mark.django_db
def test_it_loads_staff_with_their_roles_and_the_shared_password() -> None:
    demo.load_demo(size=SIZE, now=NOW)
    roles = {u.username: u.profile.role for u in User.objects.select_related("profile")}
    assert roles == {s.username: s.role for s in demo.STAFF}
    assert list(roles.values()).count(Role.REP) == 4
    assert User.objects.get(username="priya").check_password(demo.DEMO_PASSWORD)
    assert demo.is_loaded()


@pytest.mark.django_db
def test_it_loads_the_planned_counts() -> None:
    counts = demo.load_demo(size=SIZE, now=NOW)
    plan = demo.plan_demo(size=SIZE, now=NOW)
    assert Customer.objects.count() == counts.customers == 15
    assert Interaction.objects.count() == counts.interactions == 100
    assert Turn.objects.count() == sum(len(i.turns) for i in plan.interactions)
    assert Transfer.objects.count() == counts.transfers
    assert ContactPoint.objects.count() == sum(
        len(c.phones) + len(c.emails) for c in plan.customers
    )


@pytest.mark.django_db
def test_it_puts_every_touch_on_the_customer_timeline() -> None:
    demo.load_demo(size=SIZE, now=NOW)
    logged = TimelineEvent.objects.filter(kind=EventKind.INTERACTION_LOGGED)
    on_timeline = {(e.customer_id, e.data["interaction_id"]) for e in logged}
    touches = set(Interaction.objects.filter(customer__isnull=False).values_list("customer", "id"))
    assert touches
    assert on_timeline == touches
    created = TimelineEvent.objects.filter(kind=EventKind.CUSTOMER_CREATED)
    assert set(created.values_list("customer", flat=True)) == set(
        Customer.objects.values_list("id", flat=True)
    )
    transferred = TimelineEvent.objects.filter(kind=EventKind.TRANSFERRED).count()
    assert transferred == Transfer.objects.filter(interaction__customer__isnull=False).count()


@pytest.mark.django_db
def test_it_writes_the_history_the_actions_write_on_the_days_it_happened() -> None:
    demo.load_demo(size=SIZE, now=NOW)
    for event in TimelineEvent.objects.filter(kind=EventKind.INTERACTION_LOGGED):
        touch = Interaction.objects.get(pk=event.data["interaction_id"])
        assert (event.summary, event.happened_at) == (summary_line(touch), touch.started_at)
    for record in Transfer.objects.select_related("interaction", "to_user"):
        event = TimelineEvent.objects.get(
            kind=EventKind.TRANSFERRED, data__interaction_id=record.interaction_id
        )
        assert event.summary == f"Transferred to {record.to_user.get_full_name()}: {record.reason}"
        assert event.happened_at == record.created_at < NOW
    # The actions stamp "now"; the loader moves the history back to when it happened.
    history = (EventKind.CUSTOMER_CREATED, EventKind.CONTACT_ADDED, EventKind.TRANSFERRED)
    assert not TimelineEvent.objects.filter(kind__in=history, happened_at__gte=NOW).exists()
    assert not Customer.objects.filter(created_at__gte=NOW).exists()


@pytest.mark.django_db
def test_it_keeps_a_transferred_touch_with_the_receiving_rep() -> None:
    demo.load_demo(size=0.2, now=NOW)
    transfers = list(Transfer.objects.select_related("interaction"))
    assert transfers
    assert all(t.interaction.handled_by_id == t.to_user_id != t.from_user_id for t in transfers)


@pytest.mark.django_db
def test_it_refuses_to_load_over_taken_demo_usernames(rep: User) -> None:
    User.objects.create(username="dana")
    with pytest.raises(demo.DemoError, match="dana"):
        demo.load_demo(size=SIZE, now=NOW)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_it_fills_the_staff_directory_with_teams_skills_and_backups() -> None:
    demo.load_demo(size=SIZE, now=NOW)
    members = {
        m.user.username: m
        for m in StaffMember.objects.select_related("user", "team", "backup__user")
    }
    assert set(members) == {s.username for s in demo.STAFF}
    assert members["dana"].title == "Service manager"
    assert members["luis"].team is not None and members["luis"].team.name == "Service"
    assert "toner" in members["kim"].skills
    assert members["priya"].backup is not None and members["priya"].backup.user.username == "jake"


def test_it_tells_the_same_story_whichever_day_it_is_loaded() -> None:
    def story(plan: demo.DemoPlan) -> list[tuple[str, str, str, int]]:
        return sorted((i.need, i.summary, i.handled_by, len(i.turns)) for i in plan.interactions)

    monday = demo.plan_demo(size=SIZE, now=NOW)
    saturday = demo.plan_demo(size=SIZE, now=NOW + timedelta(days=5))
    assert [c.phones for c in monday.customers] == [c.phones for c in saturday.customers]
    assert story(monday) == story(saturday)
    assert monday.interactions[0].started_at != saturday.interactions[0].started_at


@pytest.mark.django_db
def test_it_leaves_open_work_for_every_page_to_show() -> None:
    from everytouch.followups.models import Commitment
    from everytouch.leads.models import Lead, Stage
    from everytouch.staff.directory.availability import availability
    from everytouch.staff.models import StaffMember, TakenMessage

    demo.load_demo()
    stages = set(Lead.objects.values_list("stage", flat=True))
    assert {Stage.NEW, Stage.CONTACTED, Stage.WON} <= stages
    assert Commitment.objects.filter(status="open").count() >= 20
    jake = StaffMember.objects.get(user__username="jake")
    from django.utils import timezone

    assert availability(jake, timezone.now()).state == "out_of_office"
    assert {m.owner.username for m in TakenMessage.objects.all()} == {"priya"}


@pytest.mark.django_db
def test_it_scores_every_transcript_and_leaves_a_quality_loop_to_look_at() -> None:
    from everytouch.quality.campaigns import campaign_report
    from everytouch.quality.models import Campaign, Dispute, Promotion, Review, Scorecard

    counts = demo.load_demo(size=SIZE, now=NOW)
    real = Scorecard.objects.filter(is_test=False)
    assert real.count() == counts.transcripts
    assert not real.exclude(state="scored").exists()
    assert set(real.values_list("interaction__handled_by__username", flat=True)) <= {
        s.username for s in demo.STAFF
    }
    assert Review.objects.filter(reviewer__username="dana").exists()
    assert Review.objects.exclude(status=models.F("auto_status")).exists()  # an override
    assert Promotion.objects.count() == 1
    report = campaign_report(Campaign.objects.get())
    rows = {row.check_id: row for row in report.checks}
    assert rows["lead_captured"].overall.label == "1 of 5"
    assert not Dispute.objects.exclude(raised_by__username="luis").exists()


@pytest.mark.django_db
def test_it_loads_history_the_sweep_has_nothing_left_to_do_with() -> None:
    from everytouch import sweeps
    from everytouch.leads.models import Lead
    from everytouch.leads.queries import speed_to_lead_by_owner
    from everytouch.staff.models import Notification

    demo.load_demo()
    loaded = timezone.now()
    leads = set(Lead.objects.values_list("pk", "created_at"))
    assert len(leads) >= 20
    done = sweeps.run_all()
    # Every settled touch was analysed and scored when it was logged, as the jobs would have.
    assert done["interactions analysed late"] == done["interactions scored late"] == 0
    assert not Interaction.objects.filter(analysed_at__isnull=True).exists()
    assert set(Lead.objects.values_list("pk", "created_at")) == leads
    # Each lead is as old as the call it came from, and was answered back then.
    for lead in Lead.objects.select_related("source_interaction"):
        call = lead.source_interaction
        assert call is not None and lead.created_at == (call.ended_at or call.started_at)
        assert lead.first_response_at is not None
        assert lead.created_at < lead.first_response_at < loaded - timedelta(minutes=4)
        assert lead.last_activity_at < loaded
        assert not lead.activities.filter(created_at__gte=loaded).exists()
        assert not lead.activities.filter(created_at__gt=lead.last_activity_at).exists()
    assert all(row.waiting == 0 for row in speed_to_lead_by_owner())
    notices = Notification.objects.filter(key__startswith="lead-")
    assert notices.exists()
    assert not notices.filter(created_at__gte=loaded - timedelta(minutes=4)).exists()
    assert not notices.filter(read_at=None).exists()
    lead_events = TimelineEvent.objects.filter(kind__startswith="lead_")
    assert not lead_events.filter(happened_at__gte=loaded - timedelta(minutes=4)).exists()


@pytest.mark.django_db
def test_it_makes_promises_due_in_business_hours_in_the_business_zone() -> None:
    from django.test import override_settings

    from everytouch.business_time import is_business_time
    from everytouch.followups.models import Commitment

    with override_settings(TIME_ZONE="America/Chicago"):
        demo.load_demo()
        promises = list(Commitment.objects.filter(cadence_key=""))
        assert len(promises) >= 15
        for promise in promises:
            local = timezone.localtime(promise.due_at)
            assert is_business_time(promise.due_at - timedelta(minutes=1)), local
            assert local.minute % 15 == 0 and local > timezone.localtime()


@pytest.mark.django_db
def test_it_keeps_office_hours_in_chicago_when_served_there() -> None:
    import time_machine
    from django.test import override_settings

    from everytouch.quality.models import CallTest
    from everytouch.staff.directory.availability import availability
    from everytouch.staff.models import Absence

    with override_settings(TIME_ZONE="America/Chicago"):
        chicago = timezone.get_default_timezone()
        demo.load_demo(size=SIZE)
        for touch in Interaction.objects.all():
            local = touch.started_at.astimezone(chicago)
            assert (8, 0) <= (local.hour, local.minute) <= (17, 30) and local.weekday() < 5
        kim = StaffMember.objects.get(user__username="kim")
        # The test clock's 10:00 UTC is 04:00 in Chicago; 10:00 there is 15:00 or 16:00 UTC.
        assert availability(kim, timezone.now()).state == "off_hours"
        morning = timezone.localtime().replace(hour=10)
        with time_machine.travel(morning, tick=False):
            assert availability(kim, timezone.now()).state == "available"
        # Jake is back at midnight in Chicago, and the call-in tests were made mid-morning there.
        expo = Absence.objects.get(staff__user__username="jake")
        assert timezone.localtime(expo.ends_at).time() == time(0)
        calls = CallTest.objects.values_list("called_at", flat=True)
        assert calls and {timezone.localtime(c).time() for c in calls} == {time(10, 20)}
