from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.staff.directory.actions import (
    ensure_staff,
    schedule_absence,
    set_backup,
    set_status,
)
from everytouch.staff.directory.routing import decide, route
from everytouch.staff.models import Departure, DepartureStatus, Status
from everytouch.testing import make_customer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NOW, tick=False)
def test_it_routes_to_the_available_owner(rep: User, rep2: User) -> None:
    customer = make_customer(owner=rep)
    decision = decide(customer)
    assert decision.to == ensure_staff(rep)
    assert decision.rule == "owner"
    assert "Ron Rep is the customer's owner and available" in decision.reason


@time_machine.travel(NOW, tick=False)
def test_it_routes_to_the_backup_with_the_away_message(rep: User, rep2: User) -> None:
    customer = make_customer(owner=rep)
    schedule_absence(ensure_staff(rep), NOW, NOW + timedelta(days=2), "at a trade show")
    set_backup(ensure_staff(rep), ensure_staff(rep2))
    decision = decide(customer)
    assert decision.to == ensure_staff(rep2)
    assert decision.rule == "backup"
    assert decision.away_message.startswith("Ron Rep is at a trade show until")
    assert "Rita Rep is their backup" in decision.reason


@time_machine.travel(NOW, tick=False)
def test_it_falls_back_to_someone_with_the_skill(rep: User, rep2: User, manager: User) -> None:
    customer = make_customer(owner=rep)
    set_status(ensure_staff(rep), Status.AWAY, NOW + timedelta(hours=2), "at lunch")
    specialist = ensure_staff(manager)
    specialist.skills = ["billing", "leases"]
    specialist.save()
    decision = decide(customer, topic="billing")
    assert decision.to == specialist
    assert decision.rule == "skill"


@time_machine.travel(NOW, tick=False)
def test_it_round_robins_among_those_available(rep: User, rep2: User, manager: User) -> None:
    picked = [route(None).to for _ in range(3)]
    assert {m.user for m in picked if m} == {rep, rep2, manager}


@time_machine.travel(NOW, tick=False)
def test_it_suggests_a_message_when_nobody_is_available(rep: User) -> None:
    customer = make_customer(owner=rep)
    set_status(ensure_staff(rep), Status.BUSY, NOW + timedelta(hours=1), "with a customer")
    decision = decide(customer)
    assert decision.rule == "message"
    assert decision.to == ensure_staff(rep)
    assert "take a message" in decision.reason


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
    decision = decide(None, asked_for=rep)
    assert decision.to == ensure_staff(rep2)
    assert "Ron Rep no longer works here; Rita Rep now looks after their customers." in (
        decision.reason
    )
