"""A directory entry exists from the moment someone is given a role, so read paths never write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from everytouch import sweeps
from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Profile, Role
from everytouch.staff.directory.actions import ensure_directory
from everytouch.staff.directory.routing import decide
from everytouch.staff.models import StaffMember
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(action: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        action()
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_it_makes_the_entry_when_a_role_is_given() -> None:
    dana = create_user("dana", "pw", Role.REP)
    nobody = create_user("olaf", "pw", None)
    assert StaffMember.objects.filter(user=dana).exists()
    assert not StaffMember.objects.filter(user=nobody).exists()


def test_it_sweeps_up_a_role_given_some_other_way() -> None:
    raw = User.objects.create_user("raw")
    Profile.objects.create(user=raw, role=Role.REP)
    assert ensure_directory() == 1
    assert ensure_directory() == 0
    assert "directory entries made" in sweeps.names()


def test_it_decides_where_a_call_goes_without_writing(rep: User, rep2: User) -> None:
    customer = make_customer(owner=rep)
    assert _writes(lambda: decide(customer, topic="toner")) == []


@pytest.mark.parametrize("url", ["/staff/departures/", "/staff/", "/desk/?q=%2B12015550123"])
def test_it_shows_the_directory_pages_and_the_desk_without_writing(
    manager: User, rep: User, url: str
) -> None:
    make_customer(owner=rep)  # owns +12015550123, so the desk pops them up and routes
    client = client_for(manager)
    response: list[int] = []
    writes = _writes(lambda: response.append(client.get(url).status_code))
    assert response == [200]
    # A page view may touch the session and last_login, never the directory.
    assert [w for w in writes if "staff_" in w] == []
