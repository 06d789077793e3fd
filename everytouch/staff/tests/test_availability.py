from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.business_time import add_business_hours
from everytouch.staff.directory.actions import (
    StaffError,
    ensure_staff,
    schedule_absence,
    set_backup,
    set_status,
)
from everytouch.staff.directory.availability import availability, away_message, away_ssml
from everytouch.staff.models import Status

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("UTC")
# A Tuesday, mid-morning.
TUESDAY = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)


@pytest.fixture
def dana(db: None) -> User:
    return create_user("dana", "pw-dana-123456", Role.REP, first_name="Dana", last_name="Ruiz")


@pytest.fixture
def sam(db: None) -> User:
    user = create_user("sam", "pw-sam-1234567", Role.REP, first_name="Sam", last_name="Lee")
    member = ensure_staff(user)
    member.extension = "204"
    member.save()
    return user


@time_machine.travel(TUESDAY, tick=False)
def test_it_writes_an_honest_away_message_with_the_backup(dana: User, sam: User) -> None:
    member = ensure_staff(dana)
    schedule_absence(
        member,
        TUESDAY - timedelta(days=1),
        datetime(2026, 11, 15, 0, 0, tzinfo=TZ),
        "at a trade show",
        ensure_staff(sam),
    )
    assert away_message(member, TUESDAY) == (
        "Dana Ruiz is at a trade show until Sat 14 Nov 2026. "
        "Sam Lee, ext. 204, is looking after Dana's customers."
    )
    ssml = away_ssml(member, TUESDAY)
    assert ssml.startswith("<speak>") and "<s>Dana Ruiz is at a trade show" in ssml


@time_machine.travel(TUESDAY, tick=False)
def test_it_is_never_stale_when_the_date_passes(dana: User, sam: User) -> None:
    member = ensure_staff(dana)
    schedule_absence(member, TUESDAY, TUESDAY + timedelta(days=2), "on holiday", ensure_staff(sam))
    assert away_message(member, TUESDAY + timedelta(hours=1)).startswith("Dana Ruiz is on holiday")
    back = TUESDAY + timedelta(days=2, hours=1)
    assert availability(member, back).is_available
    assert away_message(member, back) == ""


@time_machine.travel(TUESDAY, tick=False)
def test_it_changes_the_message_when_the_status_changes(dana: User) -> None:
    member = ensure_staff(dana)
    set_status(member, Status.BUSY, TUESDAY + timedelta(minutes=30), "on a call")
    assert away_message(member, TUESDAY) == (
        "Dana Ruiz is on a call until Tue 10 Nov 2026, 10:30. "
        "Leave a message and it will reach the right person."
    )
    set_status(member, Status.AVAILABLE)
    assert away_message(member, TUESDAY) == ""


@time_machine.travel(TUESDAY, tick=False)
def test_it_treats_time_outside_working_hours_as_off(dana: User) -> None:
    member = ensure_staff(dana)
    member.work_start, member.work_end = time(9), time(17)
    member.save()
    evening = TUESDAY.replace(hour=20)
    avail = availability(member, evening)
    assert avail.state == "off_hours"
    assert avail.until == TUESDAY.replace(day=11, hour=9)


@time_machine.travel(TUESDAY, tick=False)
def test_it_refuses_overlapping_absences(dana: User) -> None:
    member = ensure_staff(dana)
    schedule_absence(member, TUESDAY, TUESDAY + timedelta(days=3))
    with pytest.raises(StaffError, match="overlaps"):
        schedule_absence(member, TUESDAY + timedelta(days=2), TUESDAY + timedelta(days=5))
    assert member.absences.count() == 1


@time_machine.travel(TUESDAY, tick=False)
def test_it_refuses_bad_periods_and_bad_backups(dana: User, sam: User) -> None:
    member = ensure_staff(dana)
    with pytest.raises(StaffError, match="end after"):
        schedule_absence(member, TUESDAY + timedelta(days=1), TUESDAY)
    with pytest.raises(StaffError, match="already over"):
        schedule_absence(member, TUESDAY - timedelta(days=3), TUESDAY - timedelta(days=1))
    with pytest.raises(StaffError, match="own backup"):
        set_backup(member, member)
    sam.is_active = False
    sam.save()
    with pytest.raises(StaffError, match="not an active member"):
        set_backup(member, ensure_staff(sam))
    with pytest.raises(StaffError, match="in the past"):
        set_status(member, Status.AWAY, TUESDAY - timedelta(hours=1))


def test_it_adds_business_hours_across_nights_and_weekends(settings: object) -> None:
    friday_4pm = datetime(2026, 11, 13, 16, 0, tzinfo=TZ)
    assert add_business_hours(friday_4pm, 4) == datetime(2026, 11, 16, 12, 0, tzinfo=TZ)
    saturday = datetime(2026, 11, 14, 11, 0, tzinfo=TZ)
    assert add_business_hours(saturday, 1) == datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
    assert add_business_hours(TUESDAY, 2) == TUESDAY + timedelta(hours=2)
