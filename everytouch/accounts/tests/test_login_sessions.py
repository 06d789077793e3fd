"""The session list: each login is listed with where and when, only to its own user, and signing
a session out (one, or all but this one) really logs that browser out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from everytouch import sweeps
from everytouch.accounts.models import LoginSession
from everytouch.accounts.sessions import browser_label
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import ensure_staff
from everytouch.testing import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def logged_in(user: User, agent: str = FIREFOX, ip: str = "10.0.0.1") -> Client:
    """A browser that logged in through the form."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_in(client: Client) -> bool:
    return client.get("/customers/").status_code == 200


def test_it_lists_each_session_with_browser_address_and_this_session(rep: User) -> None:
    logged_in(rep, IPHONE, "10.0.0.2")
    client = logged_in(rep)

    page = client.get("/account/sessions/").content.decode()

    assert "Firefox on Windows" in page and "10.0.0.1" in page
    assert "Safari on iPhone" in page and "10.0.0.2" in page
    assert page.count('data-testid="this-session"') == 1
    assert LoginSession.objects.filter(user=rep).count() == 2


def test_it_shows_only_the_users_own_sessions(rep: User, rep2: User) -> None:
    logged_in(rep2, IPHONE, "10.0.0.7")
    client = logged_in(rep)

    page = client.get("/account/sessions/").content.decode()

    assert "10.0.0.7" not in page and "iPhone" not in page
    theirs = LoginSession.objects.get(user=rep2)
    assert client.post(f"/account/sessions/{theirs.pk}/end/").status_code == 404
    assert Session.objects.filter(session_key=theirs.session_key).exists()


def test_it_signs_one_other_session_out(rep: User) -> None:
    phone = logged_in(rep, IPHONE)
    laptop = logged_in(rep)
    row = LoginSession.objects.get(user=rep, user_agent=IPHONE)

    response = laptop.post(f"/account/sessions/{row.pk}/end/")

    assert response.status_code == 302
    assert not is_in(phone)
    assert is_in(laptop)
    assert not LoginSession.objects.filter(pk=row.pk).exists()


def test_it_signs_out_everywhere_else_but_keeps_this_session(rep: User) -> None:
    phone, tablet = logged_in(rep, IPHONE), logged_in(rep, "Mozilla/5.0 (iPad)")
    laptop = logged_in(rep)

    laptop.post("/account/sessions/end-others/")

    assert not is_in(phone) and not is_in(tablet)
    assert is_in(laptop)
    assert list(LoginSession.objects.filter(user=rep).values_list("user_agent", flat=True)) == [
        FIREFOX
    ]


def test_it_logs_this_browser_out_when_it_signs_out_its_own_session(rep: User) -> None:
    laptop = logged_in(rep)
    row = LoginSession.objects.get(user=rep)

    assert laptop.post(f"/account/sessions/{row.pk}/end/")["Location"] == "/login/"
    assert not is_in(laptop)


def test_it_drops_a_session_from_the_list_when_it_logs_out(rep: User) -> None:
    phone = logged_in(rep, IPHONE)
    laptop = logged_in(rep)

    phone.post("/logout/")

    assert "iPhone" not in laptop.get("/account/sessions/").content.decode()
    assert LoginSession.objects.filter(user=rep).count() == 1


def test_it_lists_no_session_a_password_change_signed_out(rep: User) -> None:
    old = logged_in(rep, IPHONE)
    rep.set_password("a-new-long-password")
    rep.save()
    client = Client(HTTP_USER_AGENT=FIREFOX)
    client.post("/login/", {"username": rep.username, "password": "a-new-long-password"})

    page = client.get("/account/sessions/").content.decode()

    assert not is_in(old)
    assert "iPhone" not in page
    assert LoginSession.objects.filter(user=rep).count() == 1


def test_it_notes_last_seen_at_most_once_a_minute(rep: User) -> None:
    client = logged_in(rep)
    first = LoginSession.objects.get(user=rep).last_seen_at

    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):
        client.get("/customers/")
        assert LoginSession.objects.get(user=rep).last_seen_at == first
    later = timezone.now() + timedelta(seconds=70)
    with time_machine.travel(later, tick=False):
        client.get("/customers/")
        assert LoginSession.objects.get(user=rep).last_seen_at == later


def test_it_lists_a_session_opened_without_the_login_form(rep: User) -> None:
    client = Client()
    client.force_login(rep)

    page = client.get("/account/sessions/").content.decode()

    assert "this session" in page


def test_it_ends_every_session_of_someone_whose_departure_completes(
    rep: User, manager: User
) -> None:
    phone, laptop = logged_in(rep, IPHONE), logged_in(rep)
    departure = handover.open_departure(ensure_staff(rep), date(2026, 12, 1), manager)

    handover.complete_departure(departure, manager)

    assert not LoginSession.objects.filter(user=rep).exists()
    assert not is_in(phone) and not is_in(laptop)


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (FIREFOX, "Firefox on Windows"),
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("", "Unknown browser"),
    ],
)
def test_it_names_the_browser_from_the_user_agent(agent: str, label: str) -> None:
    assert browser_label(agent) == label


def test_it_forgets_sessions_unseen_for_longer_than_a_session_lives(
    rep: User, settings: Any
) -> None:
    logged_in(rep)
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)

    with time_machine.travel(later, tick=False):
        fresh = logged_in(rep, IPHONE)
        assert sweeps.run_all()["expired login sessions forgotten"] == 1

    assert list(LoginSession.objects.values_list("user_agent", flat=True)) == [IPHONE]
    assert is_in(fresh)
