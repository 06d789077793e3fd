"""A departed colleague is told their account was closed, but only with the right password."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.customers.templatetags.formats import day
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import ensure_staff
from everytouch.testing import PASSWORD

pytestmark = pytest.mark.django_db

MISMATCH = "Your username and password didn&#x27;t match."


@pytest.fixture
def departed(rep: User, manager: User) -> User:
    departure = handover.open_departure(ensure_staff(rep), date(2026, 12, 1), manager)
    handover.complete_departure(departure, manager)
    rep.refresh_from_db()
    return rep


def _log_in(username: str, password: str) -> str:
    response = Client().post("/login/", {"username": username, "password": password})
    assert response.status_code == 200  # the form again: nobody was logged in
    return response.content.decode()


def test_it_tells_a_departed_user_with_the_right_password_the_account_was_closed(
    departed: User,
) -> None:
    closed = handover.closing_departure(departed)
    assert closed is not None

    page = _log_in(departed.username, PASSWORD)

    assert f"This account was closed on {day(closed.completed_at)}," in page
    assert "departure opened by Maria Manager" in page
    assert MISMATCH not in page


def test_it_says_only_that_the_password_did_not_match_for_a_departed_user(
    departed: User,
) -> None:
    page = _log_in(departed.username, "not-the-password")

    assert MISMATCH in page
    assert "closed" not in page


def test_it_answers_an_unknown_user_the_same_as_a_wrong_password(manager: User) -> None:
    unknown = _log_in("nobody-here", PASSWORD)
    wrong = _log_in(manager.username, "not-the-password")

    assert MISMATCH in unknown and MISMATCH in wrong
    assert "closed" not in unknown


def test_it_does_not_call_an_account_closed_that_no_departure_closed(rep: User) -> None:
    rep.is_active = False
    rep.save(update_fields=["is_active"])

    page = _log_in(rep.username, PASSWORD)

    assert MISMATCH in page
    assert "closed" not in page
