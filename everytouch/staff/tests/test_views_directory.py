from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.models import Status
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 302)],
)
def test_it_shows_the_directory_only_to_staff(
    request: pytest.FixtureRequest, rep2: User, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("staff_directory"))
    assert response.status_code == status
    assert (b"Rita Rep" in response.content) == (status == 200)


@time_machine.travel(NOW, tick=False)
def test_it_shows_who_is_away_until_when_and_who_covers(rep: User, rep2: User) -> None:
    schedule_absence(
        ensure_staff(rep), NOW, NOW + timedelta(days=3), "at a trade show", ensure_staff(rep2)
    )
    response = client_for(rep2).get(reverse("staff_directory"))
    row = response.content.split(b'data-staff="ron"')[1].split(b"</tr>")[0]
    assert b"out of office" in row
    assert b"Fri 13 Nov" in row
    assert b"Rita Rep" in row


def test_it_searches_the_directory_by_skill(rep: User, rep2: User) -> None:
    member = ensure_staff(rep2)
    member.skills = ["leases"]
    member.save()
    response = client_for(rep).get(reverse("staff_directory"), {"q": "Leases"})
    assert b'data-staff="rita"' in response.content
    assert b'data-staff="ron"' not in response.content


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 404), (None, 302)],
)
def test_it_shows_a_member_page_only_to_staff(
    request: pytest.FixtureRequest, rep2: User, role: str | None, status: int
) -> None:
    url = reverse("staff_member", args=[ensure_staff(rep2).pk])
    assert client_for(user_for(request, role)).get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 302), ("rep2", 302), ("rep", 403), ("trainer", 403), ("outsider", 404)],
)
@time_machine.travel(NOW, tick=False)
def test_it_lets_only_the_person_or_a_manager_set_availability(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    member = ensure_staff(rep2)
    url = reverse("staff_status", args=[member.pk])
    payload = {"status": "away", "until": "2026-11-10T15:00", "reason": "at the dentist"}
    response = client_for(user_for(request, role)).post(url, payload)
    assert response.status_code == status
    member.refresh_from_db()
    assert (member.status == Status.AWAY) == (status == 302)


@time_machine.travel(NOW, tick=False)
def test_it_books_an_absence_and_refuses_an_overlap_with_the_reason(rep: User, rep2: User) -> None:
    member = ensure_staff(rep)
    url = reverse("staff_absence", args=[member.pk])
    client = client_for(rep)
    ok = client.post(
        url,
        {
            "starts_at": "2026-11-11T00:00",
            "ends_at": "2026-11-14T00:00",
            "reason": "on holiday",
            "backup": ensure_staff(rep2).pk,
        },
    )
    assert ok.status_code == 302
    clash = client.post(url, {"starts_at": "2026-11-12T00:00", "ends_at": "2026-11-20T00:00"})
    assert clash.status_code == 400
    assert b"overlaps the absence" in clash.content
    assert member.absences.count() == 1
    page = client.get(reverse("staff_member", args=[member.pk]))
    assert b"on holiday" in page.content


@pytest.mark.parametrize(("role", "status"), [("manager", 302), ("rep", 403), ("trainer", 403)])
def test_it_lets_only_managers_edit_details(
    request: pytest.FixtureRequest, rep2: User, role: str, status: int
) -> None:
    member = ensure_staff(rep2)
    payload = {
        "title": "Lease specialist",
        "extension": "204",
        "skills": "Leases, billing",
        "work_start": "08:00",
        "work_end": "16:00",
        "time_zone": "America/Chicago",
    }
    response = client_for(user_for(request, role)).post(
        reverse("staff_details", args=[member.pk]), payload
    )
    assert response.status_code == status
    member.refresh_from_db()
    assert (member.skills == ["billing", "leases"]) == (status == 302)


def test_it_refuses_an_unknown_time_zone(manager: User, rep2: User) -> None:
    member = ensure_staff(rep2)
    payload = {"work_start": "08:00", "work_end": "16:00", "time_zone": "Mars/Olympus"}
    response = client_for(manager).post(reverse("staff_details", args=[member.pk]), payload)
    assert response.status_code == 400
    assert b"not a known time zone" in response.content


@pytest.mark.parametrize(("role", "offered"), [("manager", True), ("rep", False)])
def test_it_offers_to_start_a_departure_only_to_managers(
    request: pytest.FixtureRequest, rep2: User, role: str, offered: bool
) -> None:
    url = reverse("staff_member", args=[ensure_staff(rep2).pk])
    response = client_for(user_for(request, role)).get(url)
    assert (b'data-testid="start-departure"' in response.content) == offered
