"""Guessing passwords is throttled: after the failure limit a username is locked at that address
for the cool-off, the right password included, and the page says when to try again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import timezone

from everytouch.accounts.throttle import client_ip
from everytouch.cli import main
from everytouch.testing import PASSWORD, client_for, user_for

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
LIMIT = 5


def _post(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> list[int]:
    return [_post(client, username, WRONG, ip).status_code for _ in range(times)]


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_locks_a_username_out_after_the_failure_limit_and_refuses_the_right_password(
    rep: User,
) -> None:
    client = Client()

    statuses = _fail(client, rep.username, LIMIT)
    right = _post(client, rep.username, PASSWORD)

    assert statuses == [200] * (LIMIT - 1) + [429]
    assert right.status_code == 429
    assert not _logged_in(client)


def test_it_says_when_to_try_again_on_a_styled_429_page(rep: User) -> None:
    _fail(Client(), rep.username, LIMIT - 1)
    response = _post(Client(), rep.username, WRONG)

    page = response.content.decode()
    opens = timezone.localtime(timezone.now() + timedelta(minutes=15))
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in page
    assert f"Try again after {opens:%H:%M}" in page
    assert "Everytouch" in page and "stylesheet" in page  # the app's own frame


def test_it_answers_an_unknown_username_with_the_same_lockout(rep: User) -> None:
    known = _fail(Client(), rep.username, LIMIT)
    unknown = _fail(Client(), "nobody-here", LIMIT)
    page = _post(Client(), "nobody-here", WRONG).content.decode()

    assert known == unknown
    assert "nobody-here" not in page


def test_it_lets_the_right_password_in_once_the_cool_off_has_passed(rep: User) -> None:
    _fail(Client(), rep.username, LIMIT)
    locked_at = timezone.now()

    with time_machine.travel(locked_at + timedelta(minutes=14, seconds=50), tick=False):
        assert _post(Client(), rep.username, PASSWORD).status_code == 429
    with time_machine.travel(locked_at + timedelta(minutes=15, seconds=1), tick=False):
        client = Client()
        assert _post(client, rep.username, PASSWORD).status_code == 302
        assert _logged_in(client)


def test_it_counts_failures_per_username_and_address_together(rep: User, rep2: User) -> None:
    _fail(Client(), rep.username, LIMIT, ip="10.0.0.1")

    elsewhere, colleague = Client(), Client()
    assert _post(elsewhere, rep.username, PASSWORD, ip="10.0.0.2").status_code == 302
    assert _post(colleague, rep2.username, PASSWORD, ip="10.0.0.1").status_code == 302


def test_it_forgets_earlier_failures_after_a_successful_login(rep: User) -> None:
    _fail(Client(), rep.username, LIMIT - 1)
    assert _post(Client(), rep.username, PASSWORD).status_code == 302

    assert _fail(Client(), rep.username, LIMIT - 1) == [200] * (LIMIT - 1)


def test_it_takes_the_limit_from_settings(rep: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2

    assert _fail(Client(), rep.username, 2) == [200, 429]


def test_it_throttles_the_admin_login_too(owner: User) -> None:
    client = Client()
    statuses = [
        client.post(
            "/admin/login/", {"username": owner.username, "password": WRONG}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        for _ in range(LIMIT)
    ]
    assert statuses[-1] == 429


def test_it_lets_in_process_logins_without_a_request_through(rep: User) -> None:
    # The test client's login() and a shell call authenticate() with no request to count.
    assert authenticate(None, username=rep.username, password=PASSWORD) == rep
    assert Client().login(username=rep.username, password=PASSWORD)


def test_it_unlocks_a_username_from_the_cli(rep: User, capsys: pytest.CaptureFixture[str]) -> None:
    _fail(Client(), rep.username, LIMIT)

    assert main(["users", "unlock", rep.username]) == 0

    assert "Unlocked ron" in capsys.readouterr().out
    assert _post(Client(), rep.username, PASSWORD).status_code == 302


def test_it_refuses_to_unlock_an_unknown_username(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "unlock", "nobody-here"]) == 2
    assert "no user named 'nobody-here'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, "203.0.113.7", "192.0.2.1"),  # no proxy configured: the header is the caller's
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the left part was written by the caller
        (2, "198.51.100.4, 203.0.113.7", "198.51.100.4"),
        (2, "203.0.113.7", "192.0.2.1"),  # fewer hops than proxies: not through them all
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_it_reads_the_callers_address_from_forwarded_for_only_behind_configured_proxies(
    settings: Any, proxies: int, forwarded: str, seen: str
) -> None:
    settings.EVERYTOUCH_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == seen


def test_it_shows_managers_who_is_locked_out_and_who_is_still_counting(
    manager: User, rep: User, rep2: User
) -> None:
    _fail(Client(), rep.username, LIMIT, ip="10.0.0.1")
    _fail(Client(), rep2.username, 2, ip="10.0.0.2")

    page = client_for(manager).get("/account/lockouts/").content.decode()

    opens = timezone.localtime(timezone.now() + timedelta(minutes=15))
    ron, rita = page.index(">ron<"), page.index(">rita<")
    assert ron < rita  # locked ones first
    assert f"locked until {opens:%H:%M}" in page[ron:rita]
    assert "10.0.0.1" in page and "10.0.0.2" in page
    assert "counting" in page[rita:]


def test_it_lets_a_manager_unlock_a_username(manager: User, rep: User) -> None:
    _fail(Client(), rep.username, LIMIT)

    response = client_for(manager).post("/account/lockouts/unlock/", {"username": rep.username})

    assert response.status_code == 302
    assert _post(Client(), rep.username, PASSWORD).status_code == 302


@pytest.mark.parametrize("role", ["rep", "trainer", "outsider"])
def test_it_keeps_lockouts_to_owners_and_managers(
    request: pytest.FixtureRequest, role: str, rep2: User
) -> None:
    _fail(Client(), rep2.username, LIMIT)
    client = client_for(user_for(request, role))

    assert client.get("/account/lockouts/").status_code == 403
    assert client.post("/account/lockouts/unlock/", {"username": "rita"}).status_code == 403
    assert _post(Client(), rep2.username, PASSWORD).status_code == 429
