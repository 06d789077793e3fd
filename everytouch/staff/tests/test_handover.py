"""Departures and handover: open, hand over (all, round robin, by company), complete, cancel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from everytouch import ownership
from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.customers.actions import CustomerData, create_customer, merge_customers
from everytouch.customers.models import Customer, EventKind, TimelineEvent
from everytouch.interactions.models import Channel, Interaction
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import StaffError, ensure_staff, set_backup
from everytouch.staff.models import (
    Absence,
    Departure,
    DepartureStatus,
    Employment,
    MessageStatus,
    TakenMessage,
)
from everytouch.staff.tests.departure_helpers import make_message

EFFECTIVE = date(2031, 3, 31)


def make_customer(owner: User | None, name: str, company: str = "") -> Customer:
    return create_customer(CustomerData(name=name, company=company, owner=owner), None)


def owners(rows: list[Customer]) -> list[str]:
    return [Customer.objects.get(pk=c.pk).owner.username for c in rows]  # type: ignore[union-attr]


@pytest.fixture
def sam(db: None) -> User:
    return create_user("sam", "pw", Role.REP, first_name="Sam", last_name="Lee")


@pytest.fixture
def departure(rep: User, manager: User) -> Departure:
    return handover.open_departure(ensure_staff(rep), EFFECTIVE, manager)


def test_it_marks_the_member_as_leaving(rep: User, manager: User) -> None:
    dep = handover.open_departure(ensure_staff(rep), EFFECTIVE, manager)
    member = ensure_staff(rep)
    assert (member.employment, member.leaves_on) == (Employment.LEAVING, EFFECTIVE)
    assert (dep.status, dep.opened_by, dep.staff) == (DepartureStatus.OPEN, manager, member)


def test_it_refuses_a_second_open_departure(departure: Departure, manager: User) -> None:
    with pytest.raises(handover.DepartureConflict, match="already has an open departure"):
        handover.open_departure(departure.staff, EFFECTIVE, manager)
    assert Departure.objects.count() == 1


def test_it_refuses_to_open_a_departure_for_someone_departed(
    departure: Departure, manager: User
) -> None:
    handover.complete_departure(departure, manager)
    with pytest.raises(handover.DepartureConflict, match="already departed"):
        handover.open_departure(departure.staff, EFFECTIVE, manager)


@pytest.mark.parametrize("who", ["rep2", "trainer", "outsider"])
def test_it_refuses_an_actor_who_is_not_a_manager(
    who: str, rep: User, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        handover.open_departure(ensure_staff(rep), EFFECTIVE, actor)
    assert ensure_staff(rep).employment == Employment.ACTIVE
    assert not Departure.objects.exists()


def test_it_plans_every_open_row_of_every_kind(departure: Departure, rep: User, sam: User) -> None:
    mine = make_customer(rep, "Ann")
    make_customer(sam, "Not mine")
    dup = make_customer(rep, "Ann duplicate")
    merge_customers(mine, dup, None)
    open_msg = make_message(rep, mine)
    make_message(rep, None, status=MessageStatus.DONE)
    plan = handover.handover_plan(departure, 10)
    assert set(plan) == {k.label for k in ownership.kinds()}
    assert plan["customer"] == handover.PlanPart(1, [mine])
    assert plan["message"] == handover.PlanPart(1, [open_msg])


def test_the_plan_reads_only_the_first_rows_but_counts_them_all(
    departure: Departure, rep: User
) -> None:
    customers = [make_customer(rep, f"Customer {i}") for i in range(5)]
    messages = [make_message(rep, c) for c in customers[:2]]
    plan = handover.handover_plan(departure, 3)
    assert plan["customer"] == handover.PlanPart(5, customers[:3])
    assert plan["message"] == handover.PlanPart(2, messages)
    assert plan["lead"] == handover.PlanPart(0, [])


def test_it_hands_everything_to_one_person(
    departure: Departure, rep: User, rep2: User, manager: User
) -> None:
    customers = [make_customer(rep, n) for n in ("Ann", "Bob")]
    msg = make_message(rep, customers[0])
    loose = make_message(rep, None)
    moved = handover.hand_over(departure, to=rep2, strategy="all", actor=manager)
    assert moved == {k.label: 0 for k in ownership.kinds()} | {"customer": 2, "message": 2}
    assert owners(customers) == ["rita", "rita"]
    assert {m.owner for m in TakenMessage.objects.filter(pk__in=[msg.pk, loose.pk])} == {rep2}
    assert Departure.objects.get(pk=departure.pk).successor == rep2
    assert ownership.open_items_of(rep) == {k.label: 0 for k in ownership.kinds()}


def test_it_records_the_handover_on_each_customers_timeline(
    departure: Departure, rep: User, rep2: User, manager: User
) -> None:
    ann = make_customer(rep, "Ann")
    msg = make_message(rep, ann)
    handover.hand_over(departure, to=rep2, actor=manager)
    events = TimelineEvent.objects.filter(customer=ann, kind=EventKind.OWNER_CHANGED)
    summaries = sorted(e.summary for e in events)
    assert summaries == [
        f"Message #{msg.pk} now with Rita Rep (handover from Ron Rep)",
        "Owner is now Rita Rep (handover from Ron Rep)",
    ]
    assert {e.actor for e in events} == {manager}
    assert {e.data["reason"] for e in events} == {"handover from Ron Rep"}


def test_it_deals_round_robin_in_the_order_given(
    departure: Departure, rep: User, rep2: User, sam: User, manager: User
) -> None:
    customers = [make_customer(rep, f"C{i}") for i in range(5)]
    moved = handover.hand_over(
        departure, strategy="round_robin", recipients=[sam, rep2], actor=manager
    )
    assert moved["customer"] == 5
    assert owners(customers) == ["sam", "rita", "sam", "rita", "sam"]
    assert Departure.objects.get(pk=departure.pk).successor == sam


def test_it_sends_a_customers_message_to_that_customers_new_owner(
    departure: Departure, rep: User, rep2: User, sam: User, manager: User
) -> None:
    first, second = make_customer(rep, "First"), make_customer(rep, "Second")
    about_second = make_message(rep, second)
    loose = make_message(rep, None)
    handover.hand_over(departure, strategy="round_robin", recipients=[rep2, sam], actor=manager)
    assert owners([first, second]) == ["rita", "sam"]
    assert TakenMessage.objects.get(pk=about_second.pk).owner == sam
    # The loose message takes the next turn in the rotation.
    assert TakenMessage.objects.get(pk=loose.pk).owner == rep2


def test_it_keeps_each_company_with_one_recipient(
    departure: Departure, rep: User, rep2: User, sam: User, manager: User
) -> None:
    zeta = [make_customer(rep, "Z1", "Zeta Ltd"), make_customer(rep, "Z2", " zeta  LTD")]
    acme = [make_customer(rep, "A1", "Acme"), make_customer(rep, "A2", "Acme")]
    solo = make_customer(rep, "Solo", "")
    msg_for_other_zeta = make_message(rep, make_customer(sam, "Z3", "Zeta Ltd"))
    handover.hand_over(departure, strategy="by_company", recipients=[rep2, sam], actor=manager)
    # Companies are dealt in alphabetical order after the customers without a company.
    assert owners([solo]) == ["rita"]
    assert owners(acme) == ["sam", "sam"]
    assert owners(zeta) == ["rita", "rita"]
    assert TakenMessage.objects.get(pk=msg_for_other_zeta.pk).owner == rep2


@pytest.fixture
def refused_recipients(manager: User, sam: User, rep2: User) -> dict[str, User]:
    gone = create_user("gus", "pw", Role.REP, first_name="Gus")
    gone_dep = handover.open_departure(ensure_staff(gone), EFFECTIVE, manager)
    handover.complete_departure(gone_dep, manager)
    handover.open_departure(ensure_staff(sam), EFFECTIVE, manager)
    locked = create_user("lou", "pw", Role.REP, first_name="Lou")
    locked.is_active = False
    locked.save()
    return {
        "has departed": User.objects.get(pk=gone.pk),
        "is leaving too": sam,
        "can no longer log in": locked,
        "has no role here": create_user("nora", "pw", None, first_name="Nora"),
        "no such person": User(pk=987654, username="ghost"),
    }


@pytest.mark.parametrize(
    "reason",
    [
        "has departed",
        "is leaving too",
        "can no longer log in",
        "has no role here",
        "no such person",
        "is the person leaving",
    ],
)
@pytest.mark.parametrize("strategy", ["all", "round_robin"])
def test_it_refuses_a_recipient_who_cannot_own_anything(
    reason: str,
    strategy: handover.Strategy,
    departure: Departure,
    rep: User,
    rep2: User,
    manager: User,
    refused_recipients: dict[str, User],
) -> None:
    bad = refused_recipients.get(reason, rep)
    ann = make_customer(rep, "Ann")
    msg = make_message(rep, ann)
    events = TimelineEvent.objects.count()
    people = [rep2, bad] if strategy == "round_robin" else []
    with pytest.raises(StaffError, match=reason):
        handover.hand_over(departure, to=bad, strategy=strategy, recipients=people, actor=manager)
    assert Customer.objects.get(pk=ann.pk).owner == rep
    assert TakenMessage.objects.get(pk=msg.pk).owner == rep
    assert TimelineEvent.objects.count() == events
    assert Departure.objects.get(pk=departure.pk).successor is None


@pytest.mark.parametrize(
    ("strategy", "to", "recipients", "reason"),
    [
        ("sideways", True, False, "unknown strategy"),
        ("all", False, False, "choose a person"),
        ("round_robin", False, False, "choose at least one recipient"),
        ("all", False, True, "only one"),
    ],
)
def test_it_refuses_a_handover_without_a_clear_target(
    strategy: handover.Strategy,
    to: bool,
    recipients: bool,
    reason: str,
    departure: Departure,
    rep: User,
    rep2: User,
    sam: User,
    manager: User,
) -> None:
    ann = make_customer(rep, "Ann")
    with pytest.raises(StaffError, match=reason):
        handover.hand_over(
            departure,
            to=rep2 if to else None,
            strategy=strategy,
            recipients=[rep2, sam] if recipients else [],
            actor=manager,
        )
    assert Customer.objects.get(pk=ann.pk).owner == rep


def test_it_refuses_a_handover_by_a_rep(departure: Departure, rep: User, rep2: User) -> None:
    ann = make_customer(rep, "Ann")
    with pytest.raises(PermissionDenied):
        handover.hand_over(departure, to=rep2, actor=rep2)
    assert Customer.objects.get(pk=ann.pk).owner == rep


def test_it_passes_the_leavers_backup_duties_to_the_successor(
    departure: Departure, rep: User, rep2: User, sam: User, trainer: User, manager: User
) -> None:
    leaver = ensure_staff(rep)
    sam_m, rita_m, tess_m = ensure_staff(sam), ensure_staff(rep2), ensure_staff(trainer)
    for member in (sam_m, rita_m):
        member.backup = leaver
        member.save()
    now = timezone.now()
    covered = Absence.objects.create(
        staff=tess_m, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    covered.backup = leaver
    covered.save()
    handover.hand_over(departure, to=rep2, actor=manager)
    sam_m.refresh_from_db()
    rita_m.refresh_from_db()
    covered.refresh_from_db()
    assert sam_m.backup == rita_m
    # The successor cannot be their own backup.
    assert rita_m.backup is None
    assert covered.backup == rita_m


def test_it_refuses_to_complete_while_anything_is_owned(
    departure: Departure, rep: User, manager: User
) -> None:
    for name in ("Ann", "Bob", "Cy"):
        make_customer(rep, name)
    make_message(rep, None)
    expected = "3 customers and 1 message are still owned by Ron Rep"
    with pytest.raises(handover.DepartureConflict, match=expected):
        handover.complete_departure(departure, manager)
    rep.refresh_from_db()
    assert rep.is_active
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.OPEN
    assert ensure_staff(rep).employment == Employment.LEAVING


def test_it_says_is_for_a_single_item_left(departure: Departure, rep: User) -> None:
    make_message(rep, None)
    assert handover.still_owned(rep) == "1 message is still owned by Ron Rep"


def test_it_completes_a_departure_once_everything_moved(
    departure: Departure, rep: User, rep2: User, manager: User
) -> None:
    make_customer(rep, "Ann")
    make_message(rep, None)
    handover.hand_over(departure, to=rep2, actor=manager)
    done = handover.complete_departure(departure, manager)
    rep.refresh_from_db()
    member = ensure_staff(rep)
    assert (done.status, done.completed_at is not None) == (DepartureStatus.COMPLETED, True)
    assert (member.employment, member.departed_at is not None) == (Employment.DEPARTED, True)
    assert not rep.is_active
    assert ownership.orphans() == {}


def test_it_refuses_to_complete_your_own_departure(manager: User, trainer: User) -> None:
    owner = create_user("olga", "pw", Role.OWNER, first_name="Olga")
    dep = handover.open_departure(ensure_staff(manager), EFFECTIVE, owner)
    with pytest.raises(handover.DepartureConflict, match="another manager"):
        handover.complete_departure(dep, manager)
    assert handover.complete_departure(dep, owner).status == DepartureStatus.COMPLETED


def test_it_refuses_to_act_on_a_closed_departure(
    departure: Departure, rep2: User, manager: User
) -> None:
    handover.complete_departure(departure, manager)
    for act in (
        lambda: handover.complete_departure(departure, manager),
        lambda: handover.cancel_departure(departure, manager),
        lambda: handover.hand_over(departure, to=rep2, actor=manager),
    ):
        with pytest.raises(handover.DepartureConflict, match="already Completed"):
            act()


def test_it_cancels_a_departure_and_keeps_what_moved(
    departure: Departure, rep: User, rep2: User, manager: User
) -> None:
    ann = make_customer(rep, "Ann")
    handover.hand_over(departure, to=rep2, actor=manager)
    handover.cancel_departure(departure, manager)
    member = ensure_staff(rep)
    assert (member.employment, member.leaves_on) == (Employment.ACTIVE, None)
    assert Departure.objects.get(pk=departure.pk).status == DepartureStatus.CANCELLED
    assert Customer.objects.get(pk=ann.pk).owner == rep2
    # Active again, so they can be chosen as a backup once more.
    set_backup(ensure_staff(rep2), member)


def test_it_follows_successors_who_left_too(
    departure: Departure, rep: User, rep2: User, sam: User, manager: User
) -> None:
    assert ownership.successor_for(rep) is None
    handover.hand_over(departure, to=rep2, actor=manager)
    handover.complete_departure(departure, manager)
    assert ownership.successor_for(rep) == rep2
    second = handover.open_departure(ensure_staff(rep2), EFFECTIVE, manager)
    handover.hand_over(second, to=sam, actor=manager)
    handover.complete_departure(second, manager)
    assert ownership.successor_for(rep) == sam
    assert ownership.successor_for(sam) is None


def test_it_hands_over_any_registered_kind_without_edits(
    monkeypatch: pytest.MonkeyPatch, departure: Departure, rep: User, rep2: User, manager: User
) -> None:
    # Any model with an owner and a customer, registered at runtime, is handed over too.
    kind = ownership.OwnedKind(
        "callback", Interaction, "handled_by", Q(ended_at__isnull=True), customer_field="customer"
    )
    monkeypatch.setitem(ownership._registry, "callback", kind)
    ann = make_customer(rep2, "Ann")
    now = timezone.now()
    call = {"customer": ann, "channel": Channel.CALL, "started_at": now, "handled_by": rep}
    leads = [Interaction.objects.create(**call) for _ in range(2)]
    with pytest.raises(handover.DepartureConflict, match="2 callbacks are still owned"):
        handover.complete_departure(departure, manager)
    assert handover.hand_over(departure, to=rep2, actor=manager)["callback"] == 2
    assert {Interaction.objects.get(pk=i.pk).handled_by for i in leads} == {rep2}
    assert TimelineEvent.objects.filter(customer=ann, data__item="callback").count() == 2
    handover.complete_departure(departure, manager)
    assert ownership.orphans() == {}


def test_it_clears_backups_when_the_successor_is_leaving_too(
    departure: Departure, rep: User, rep2: User, sam: User, manager: User
) -> None:
    handover.hand_over(departure, to=rep2, actor=manager)
    sam_m = ensure_staff(sam)
    # Set before Ron was leaving would normally be moved at handover; set here afterwards.
    sam_m.backup = ensure_staff(rep)
    sam_m.save()
    handover.open_departure(ensure_staff(rep2), EFFECTIVE, manager)
    handover.complete_departure(departure, manager)
    sam_m.refresh_from_db()
    assert sam_m.backup is None


@pytest.mark.parametrize(("successor_role", "kept"), [("manager", True), ("rep", False)])
def test_it_gives_a_departing_managers_team_to_a_managing_successor(
    manager: User, rep: User, successor_role: str, kept: bool
) -> None:
    from everytouch.staff.models import Team

    team = Team.objects.create(name="Sales", manager=manager)
    boss = create_user("olga", "pw", Role.OWNER, first_name="Olga", last_name="Owner")
    successor = (
        rep
        if successor_role == "rep"
        else create_user("mo", "pw", Role.MANAGER, first_name="Mo", last_name="Manager")
    )
    dep = handover.open_departure(ensure_staff(manager), EFFECTIVE, boss)
    handover.hand_over(dep, to=successor, actor=boss)
    handover.complete_departure(dep, boss)
    team.refresh_from_db()
    assert team.manager == (successor if kept else None)
