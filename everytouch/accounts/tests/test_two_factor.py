"""The optional second factor: set up with a code, asked for after the password, turned off with
a code; wrong codes count toward the lockout; owners and managers can be required to use it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from everytouch.accounts import second_factor
from everytouch.cli import main
from everytouch.testing import PASSWORD, bearer, client_for

pytestmark = pytest.mark.django_db

LIMIT = 5


def code_for(device: TOTPDevice) -> str:
    """The code the user's app shows now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=device.drift)
    return f"{value:06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def next_step() -> time_machine.travel:
    # A code works once, and a wrong one makes the next try wait: the tests move to the next
    # 30-second step, as a person reading a fresh code would.
    return time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False)


def enrol(user: User) -> TOTPDevice:
    device = second_factor.pending_device(user)
    second_factor.confirm(device, code_for(device))
    return device


def _password(client: Client, user: User) -> Any:
    return client.post("/login/", {"username": user.username, "password": PASSWORD})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_shows_the_secret_the_setup_link_and_a_qr_code_to_enrol(manager: User) -> None:
    page = client_for(manager).get("/account/two-factor/").content.decode()

    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert second_factor.secret_text(device) in page
    assert "otpauth://totp/Everytouch%3Amaria?secret=" in page
    assert "<svg" in page and "<script" not in page.split("<main>")[1]


def test_it_turns_the_second_factor_on_with_a_right_code(manager: User) -> None:
    client = client_for(manager)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=manager)

    response = client.post("/account/two-factor/", {"code": code_for(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-factor login is on" in client.get("/account/two-factor/").content.decode()


def test_it_keeps_the_second_factor_off_after_a_wrong_code(manager: User) -> None:
    client = client_for(manager)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=manager)

    response = client.post("/account/two-factor/", {"code": wrong_code(device)})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert second_factor.confirmed_device(manager) is None


def test_it_asks_for_the_code_after_the_password_before_logging_in(manager: User) -> None:
    device = enrol(manager)
    client = Client()

    response = _password(client, manager)

    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert not _logged_in(client)
    assert client.get("/customers/").status_code == 302  # still the login page
    with next_step():
        done = client.post("/login/code/", {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert _logged_in(client)
    assert client.get("/customers/").status_code == 200


def test_it_refuses_a_wrong_code_and_takes_the_right_one_after(manager: User) -> None:
    device = enrol(manager)
    client = Client()
    _password(client, manager)

    with next_step():
        wrong = client.post("/login/code/", {"code": wrong_code(device)})
        assert wrong.status_code == 400
        assert not _logged_in(client)
        with next_step():
            assert client.post("/login/code/", {"code": code_for(device)}).status_code == 302
    assert _logged_in(client)


def test_it_counts_wrong_codes_toward_the_lockout(manager: User) -> None:
    device = enrol(manager)
    client = Client()
    _password(client, manager)

    statuses = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(LIMIT):
            clock.shift(31)
            statuses.append(client.post("/login/code/", {"code": wrong_code(device)}).status_code)
        # Past django-otp's own slow-down, so only the lockout can refuse the right code.
        clock.shift(120)
        device.refresh_from_db()
        right = client.post("/login/code/", {"code": code_for(device)})

    assert statuses == [400] * (LIMIT - 1) + [429]
    assert right.status_code == 429
    assert not _logged_in(client)
    assert _password(Client(), manager).status_code == 429  # the password step is locked too


def test_it_sends_the_code_step_back_to_the_password_without_one(db: None) -> None:
    assert Client().get("/login/code/")["Location"] == "/login/"


def test_it_forgets_a_password_given_too_long_ago(manager: User) -> None:
    device = enrol(manager)
    client = Client()
    _password(client, manager)

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = client.post("/login/code/", {"code": code_for(device)})

    assert response["Location"] == "/login/"
    assert not _logged_in(client)


def test_it_turns_the_second_factor_off_only_with_a_right_code(rep: User) -> None:
    device = enrol(rep)
    client = Client()
    _password(client, rep)
    with next_step():
        client.post("/login/code/", {"code": code_for(device)})
        assert _logged_in(client)

    with next_step(), next_step():
        refused = client.post("/account/two-factor/disable/", {"code": wrong_code(device)})
    assert refused.status_code == 400
    assert second_factor.confirmed_device(rep) is not None
    with next_step(), next_step(), next_step():
        done = client.post("/account/two-factor/disable/", {"code": code_for(device)})
    assert done.status_code == 302
    assert second_factor.confirmed_device(rep) is None
    assert _password(Client(), rep)["Location"] == "/"  # the password alone again


def test_it_ends_a_session_that_never_gave_a_code(manager: User) -> None:
    enrol(manager)
    client = Client()
    client.force_login(manager)  # as Django's admin login would, without the code step

    response = client.get("/customers/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not _logged_in(client)


def test_it_signs_out_other_sessions_when_the_second_factor_is_turned_on(manager: User) -> None:
    other, client = client_for(manager), client_for(manager)
    other.get("/customers/")
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=manager)

    client.post("/account/two-factor/", {"code": code_for(device)})

    assert other.get("/customers/").status_code == 302
    assert client.get("/customers/").status_code == 200


def test_it_makes_managers_enrol_first_when_required(
    manager: User, owner: User, rep: User, settings: Any
) -> None:
    settings.EVERYTOUCH_REQUIRE_2FA_FOR_MANAGERS = True
    client = client_for(manager)

    assert client.get("/customers/")["Location"] == "/account/two-factor/"
    assert client_for(owner).get("/customers/")["Location"] == "/account/two-factor/"
    assert client_for(rep).get("/customers/").status_code == 200
    assert client.get("/account/two-factor/").status_code == 200
    assert client.get("/api/v1/customers", HTTP_X_REQUESTED_WITH="x").status_code == 403

    device = TOTPDevice.objects.get(user=manager)
    client.post("/account/two-factor/", {"code": code_for(device)})
    assert client.get("/customers/").status_code == 200


def test_it_leaves_api_tokens_alone_when_two_factor_is_required(
    manager: User, settings: Any
) -> None:
    settings.EVERYTOUCH_REQUIRE_2FA_FOR_MANAGERS = True

    assert bearer(manager).get("/api/v1/customers").status_code == 200


def test_it_turns_a_lost_second_factor_off_from_the_cli(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    enrol(rep)

    assert main(["users", "two-factor-off", rep.username]) == 0
    assert second_factor.confirmed_device(rep) is None
    assert main(["users", "two-factor-off", rep.username]) == 2
    assert "ron has no second factor on" in capsys.readouterr().err
