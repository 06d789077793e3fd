"""The frame every page shares, in a real browser at desktop and phone width: the role's menu
with its unread counts, each role's first screen, and a styled refusal. Screenshots of each are
kept as test artifacts (EVERYTOUCH_ARTIFACTS, default var/artifacts/) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.staff.messages.actions import take_message
from everytouch.testing import PASSWORD
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(os.environ.get("EVERYTOUCH_ARTIFACTS", "var/artifacts"))
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=360, height=740)
CALL_BACK = "+12015550199"


def _keep(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"frame-{name}.png"), full_page=True)


def _fits_the_width(page: Page) -> bool:
    width: bool = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    return width


def _log_in_as(page: Page, server: LiveServer, user: User) -> None:
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()


def test_it_shows_a_rep_the_menu_with_unread_counts_at_desktop_and_phone_width(
    live_server: LiveServer, rep: User, manager: User, page: Page
) -> None:
    for about in ("Call about the toner", "Call about the invoice"):
        take_message(intended_for=rep, about=about, taken_by=manager, callback_number=CALL_BACK)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, rep)

    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Messages, 2 unread")).to_be_visible()
    expect(menu.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
    expect(menu.get_by_role("link", name="Desk")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name="Departures")).to_have_count(0)
    assert _fits_the_width(page)
    _keep(page, "rep-desktop")

    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)
    for link in menu.get_by_role("link").all():
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    _keep(page, "rep-phone")


def test_it_lands_a_trainer_on_coaching_and_explains_a_refused_page(
    live_server: LiveServer, trainer: User, page: Page
) -> None:
    page.set_viewport_size(DESKTOP)
    _log_in_as(page, live_server, trainer)

    expect(page).to_have_url(f"{live_server.url}/quality/coaching/")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Customers")).to_be_visible()
    expect(menu.get_by_role("link", name="Desk")).to_have_count(0)
    _keep(page, "trainer-home-desktop")

    page.goto(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_test_id("why")).to_contain_text("Tess Trainer (trainer)")
    _keep(page, "trainer-403-desktop")

    page.set_viewport_size(PHONE)
    assert _fits_the_width(page)
    _keep(page, "trainer-403-phone")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/quality/coaching/")


def test_it_welcomes_someone_without_a_role_and_names_whom_to_ask(
    live_server: LiveServer, outsider: User, owner: User, page: Page
) -> None:
    page.set_viewport_size(PHONE)
    _log_in_as(page, live_server, outsider)

    expect(page).to_have_url(f"{live_server.url}/welcome/")
    expect(page.get_by_test_id("ask")).to_contain_text("Otto Owner")
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    assert _fits_the_width(page)
    _keep(page, "outsider-welcome-phone")

    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", name="There is nothing here")).to_be_visible()
    assert _fits_the_width(page)
    _keep(page, "404-phone")
