"""Logging in with a second factor in a real browser: password, then the app's code; the
pages on the way (the code step, the lockout) checked with axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.testing import PASSWORD
from everytouch.testing.axe import axe_violations
from everytouch.testing.browser import keep_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = "login"


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=device.drift)
    return f"{value:06d}"


def give_password(page: Page, server: LiveServer, user: User, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()


def test_it_logs_in_with_the_password_and_then_the_code_from_the_app(
    live_server: LiveServer, manager: User, page: Page
) -> None:
    device = TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)

    give_password(page, live_server, manager)
    expect(page).to_have_url(f"{live_server.url}/login/code/")
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert [v.describe() for v in axe_violations(page)] == []
    keep_screenshot(page, SCREENSHOTS, "code-step")

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    page.fill("#id_code", wrong)
    page.locator("form button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_contain_text("That code is not right")
    expect(page).to_have_url(f"{live_server.url}/login/code/")

    # The next code, a step later (a wrong code also makes the next try wait a moment).
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        page.fill("#id_code", code_for(device))
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/desk/")

        page.locator("header a.who").click()
        expect(page).to_have_url(f"{live_server.url}/account/sessions/")
        expect(page.locator("[data-testid=this-session]")).to_contain_text("Chrome")
        page.get_by_role("link", name="Two-factor login").click()
        expect(page.locator("[data-testid=two-factor] h2")).to_have_text("Two-factor login is on")


def test_it_shows_a_locked_out_visitor_when_to_try_again(
    live_server: LiveServer, rep: User, page: Page
) -> None:
    for _ in range(5):
        give_password(page, live_server, rep, "not-the-password")

    expect(page.locator("[data-testid=locked-out]")).to_contain_text("Try again after")
    assert [v.describe() for v in axe_violations(page)] == []
    keep_screenshot(page, SCREENSHOTS, "locked-out")
