"""The frame every page shares, in a real browser at desktop and phone width: the role's menu
with its unread counts, each role's first screen, and a styled refusal. Screenshots of each are
kept as test artifacts under $EVERYTOUCH_ARTIFACTS/frame/ (default: the temp directory) for a
person to look at."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.staff.messages.actions import take_message
from everytouch.testing.browser import VIEWPORTS, horizontal_overflow, keep_screenshot, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = "frame"
DESKTOP = VIEWPORTS["desktop"]
PHONE = VIEWPORTS["phone"]
CALL_BACK = "+12015550199"


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
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, "rep-desktop")

    page.set_viewport_size(PHONE)
    assert not (overflow := horizontal_overflow(page)), overflow
    for link in menu.get_by_role("link").all():
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    keep_screenshot(page, SCREENSHOTS, "rep-phone")


def test_it_lands_a_trainer_on_coaching_and_explains_a_refused_page(
    live_server: LiveServer, trainer: User, page: Page
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, trainer, lands_on="/quality/coaching/")

    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Customers")).to_be_visible()
    expect(menu.get_by_role("link", name="Desk")).to_have_count(0)
    keep_screenshot(page, SCREENSHOTS, "trainer-home-desktop")

    page.goto(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_test_id("why")).to_contain_text("Tess Trainer (trainer)")
    keep_screenshot(page, SCREENSHOTS, "trainer-403-desktop")

    page.set_viewport_size(PHONE)
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, "trainer-403-phone")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/quality/coaching/")


def test_it_welcomes_someone_without_a_role_and_names_whom_to_ask(
    live_server: LiveServer, outsider: User, owner: User, page: Page
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, outsider, lands_on="/welcome/")

    expect(page.get_by_test_id("ask")).to_contain_text("Otto Owner")
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, "outsider-welcome-phone")

    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", name="There is nothing here")).to_be_visible()
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, "404-phone")
