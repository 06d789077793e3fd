from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.staff.departures.actions import complete_departure, hand_over, open_departure
from everytouch.staff.directory.actions import (
    ensure_staff,
    schedule_absence,
    set_status,
)
from everytouch.staff.directory.availability import until_text
from everytouch.staff.directory.routing import decide, route
from everytouch.staff.models import Departure, DepartureStatus, Status
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
# A Tuesday, mid-morning.
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
# A trade show booked as whole days, Tue 10 to Thu 12 Nov: it ends at the midnight after.
FRIDAY_MIDNIGHT = datetime(2026, 11, 13, 0, 0, tzinfo=UTC)


def _with_extension(user: User, extension: str) -> None:
    member = ensure_staff(user)
    member.extension = extension
    member.save()


def _at_trade_show(user: User, backup: User | None = None) -> None:
    cover = ensure_staff(backup) if backup else None
    schedule_absence(ensure_staff(user), NOW, FRIDAY_MIDNIGHT, "at a trade show", cover)


def _depart(leaver: User, successor: User, manager: User) -> Departure:
    departure = open_departure(ensure_staff(leaver), NOW.date(), manager)
    hand_over(departure, to=successor, actor=manager)
    return complete_departure(departure, manager)


def test_it_writes_a_whole_day_absence_as_its_last_day_and_any_other_end_in_full() -> None:
    assert until_text(FRIDAY_MIDNIGHT) == "Thu 12 Nov 2026"
    assert until_text(NOW.replace(hour=15, minute=30)) == "Tue 10 Nov 2026, 15:30"


@time_machine.travel(NOW, tick=False)
def test_it_puts_the_call_through_to_the_available_owner(rep: User, rep2: User) -> None:
    _with_extension(rep, "105")
    decision = decide(make_customer(owner=rep), viewer=rep2)
    assert (decision.to, decision.rule, decision.action) == (
        ensure_staff(rep),
        "owner",
        "put_through",
    )
    assert decision.reason == "Put the call through to Ron Rep (ext. 105), the customer's owner."


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_owner_at_the_desk_to_take_their_own_customer(rep: User) -> None:
    decision = decide(make_customer(owner=rep), viewer=rep)
    assert (decision.to, decision.action) == (ensure_staff(rep), "take")
    assert decision.reason == "Take it yourself: this is your customer."


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_person_asked_for_to_take_it_even_while_busy(rep: User, rep2: User) -> None:
    # Whoever is at the desk with the caller is reachable, whatever their status says.
    set_status(ensure_staff(rep2), Status.BUSY, NOW + timedelta(hours=1), "on a call")
    decision = decide(make_customer(owner=rep), asked_for=rep2, viewer=rep2)
    assert decision.action == "take"
    assert decision.reason == "Take it yourself: the caller asked for you."


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_backup_at_the_desk_to_take_it_as_cover(rep: User, rep2: User) -> None:
    _at_trade_show(rep, backup=rep2)
    decision = decide(make_customer(owner=rep), viewer=rep2)
    assert (decision.to, decision.rule, decision.action) == (ensure_staff(rep2), "backup", "take")
    assert decision.reason == (
        "Take it yourself: you are covering for Ron Rep, at a trade show until Thu 12 Nov 2026."
    )


@time_machine.travel(NOW, tick=False)
def test_it_puts_the_call_through_to_the_backup_of_an_absent_owner(
    rep: User, rep2: User, manager: User
) -> None:
    _with_extension(rep2, "204")
    _at_trade_show(rep, backup=rep2)
    decision = decide(make_customer(owner=rep), viewer=manager)
    assert (decision.to, decision.rule, decision.action) == (
        ensure_staff(rep2),
        "backup",
        "put_through",
    )
    assert decision.reason == (
        "Put the call through to Rita Rep (ext. 204), who is covering for Ron Rep, "
        "at a trade show until Thu 12 Nov 2026."
    )
    # The voicemail greeting writes the same absence the same way.
    assert decision.away_message.startswith("Ron Rep is at a trade show until Thu 12 Nov 2026.")


@time_machine.travel(NOW, tick=False)
def test_it_falls_back_to_someone_with_the_skill(rep: User, rep2: User, manager: User) -> None:
    set_status(ensure_staff(rep), Status.AWAY, NOW + timedelta(hours=2), "at lunch")
    specialist = ensure_staff(manager)
    specialist.skills = ["billing", "leases"]
    specialist.save()
    customer = make_customer(owner=rep)
    decision = decide(customer, topic="billing", viewer=rep2)
    assert (decision.to, decision.rule, decision.action) == (specialist, "skill", "put_through")
    assert decision.reason == (
        "Put the call through to Maria Manager, who handles billing; "
        "Ron Rep is at lunch until Tue 10 Nov 2026, 12:00."
    )
    mine = decide(customer, topic="billing", viewer=manager)
    assert (mine.to, mine.action) == (specialist, "take")
    assert mine.reason == (
        "Take it yourself: you handle billing; Ron Rep is at lunch until Tue 10 Nov 2026, 12:00."
    )


@time_machine.travel(NOW, tick=False)
def test_it_round_robins_among_those_available(rep: User, rep2: User, manager: User) -> None:
    picked = [route(None).to for _ in range(3)]
    assert {m.user for m in picked if m} == {rep, rep2, manager}


@time_machine.travel(NOW, tick=False)
def test_it_keeps_a_caller_nobody_else_is_wanted_for_with_the_rep_who_has_them(
    rep: User, rep2: User, manager: User
) -> None:
    new_caller = decide(None, viewer=rep2)
    assert (new_caller.to, new_caller.rule, new_caller.action) == (
        ensure_staff(rep2),
        "round_robin",
        "take",
    )
    assert new_caller.reason == "Take it yourself: nobody looks after this caller yet."
    set_status(ensure_staff(rep), Status.BUSY, NOW + timedelta(hours=1), "with a customer")
    owner_busy = decide(make_customer(owner=rep), viewer=rep2)
    assert owner_busy.reason == (
        "Take it yourself: Ron Rep is with a customer until Tue 10 Nov 2026, 11:00."
    )


@time_machine.travel(NOW, tick=False)
def test_it_puts_the_call_through_to_the_next_in_turn_when_the_rep_is_busy(
    rep: User, rep2: User, manager: User
) -> None:
    set_status(ensure_staff(rep), Status.BUSY, NOW + timedelta(hours=1), "with a customer")
    set_status(ensure_staff(rep2), Status.AWAY, NOW + timedelta(hours=1), "at the bank")
    decision = decide(make_customer(owner=rep), viewer=rep2)
    assert (decision.to, decision.rule, decision.action) == (
        ensure_staff(manager),
        "round_robin",
        "put_through",
    )
    assert decision.reason == (
        "Put the call through to Maria Manager, next in turn: "
        "Ron Rep is with a customer until Tue 10 Nov 2026, 11:00."
    )


@time_machine.travel(NOW, tick=False)
def test_it_suggests_a_message_when_nobody_is_available(rep: User, rep2: User) -> None:
    set_status(ensure_staff(rep), Status.BUSY, NOW + timedelta(hours=1), "with a customer")
    set_status(ensure_staff(rep2), Status.AWAY, NOW + timedelta(hours=1), "at the bank")
    decision = decide(make_customer(owner=rep), viewer=rep2)
    assert (decision.to, decision.rule, decision.action) == (
        ensure_staff(rep),
        "message",
        "message",
    )
    assert decision.message_for == rep
    assert decision.reason == (
        "Nobody is available: take a message for Ron Rep, "
        "with a customer until Tue 10 Nov 2026, 11:00."
    )


@time_machine.travel(NOW.replace(hour=20), tick=False)
def test_it_says_when_the_owner_is_back_after_hours(rep: User, rep2: User) -> None:
    decision = decide(make_customer(owner=rep), viewer=rep2)
    assert decision.action == "message"
    assert decision.reason == (
        "Nobody is available: take a message for Ron Rep, "
        "out of the office until Wed 11 Nov 2026, 09:00."
    )


@time_machine.travel(NOW, tick=False)
def test_it_tells_the_new_owner_after_a_departure_to_take_it_themselves(
    rep: User, rep2: User, manager: User
) -> None:
    customer = make_customer(owner=rep)
    _depart(rep, manager, manager)
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.owner == manager
    decision = decide(customer, viewer=manager)
    assert (decision.to, decision.action) == (ensure_staff(manager), "take")
    assert decision.reason == "Take it yourself: this is your customer."
    # The leaver asked for by name: the manager who took over takes it, never "put through" to
    # himself.
    asked = decide(customer, asked_for=rep, viewer=manager)
    assert (asked.to, asked.action) == (ensure_staff(manager), "take")
    assert asked.reason == (
        "Take it yourself: Ron Rep no longer works here and you now look after their customers."
    )
    assert asked.message_for == rep


@time_machine.travel(NOW, tick=False)
def test_it_tells_who_looks_after_a_departed_persons_callers(
    rep: User, rep2: User, manager: User
) -> None:
    member = ensure_staff(rep)
    Departure.objects.create(
        staff=member,
        effective_on=NOW.date(),
        status=DepartureStatus.COMPLETED,
        successor=rep2,
        opened_by=manager,
        completed_at=NOW,
    )
    rep.is_active = False
    rep.save()
    decision = decide(None, asked_for=rep, viewer=manager)
    assert (decision.to, decision.action) == (ensure_staff(rep2), "put_through")
    assert decision.reason == (
        "Put the call through to Rita Rep: "
        "Ron Rep no longer works here and Rita Rep now looks after their customers."
    )


@time_machine.travel(NOW, tick=False)
def test_it_says_a_leaver_without_successor_is_gone_whoever_takes_the_call(
    rep: User, rep2: User
) -> None:
    rep.is_active = False
    rep.save()
    decision = decide(None, asked_for=rep, viewer=rep2)
    assert (decision.to, decision.action) == (ensure_staff(rep2), "take")
    assert decision.reason == "Take it yourself: Ron Rep no longer works here."
