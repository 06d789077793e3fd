"""The top-bar search in a real browser: type part of a number, arrow down, Enter, arrive.

Run at desktop width and at 360 px (a phone); each run keeps screenshots of the open list as
artifacts under $EVERYTOUCH_ARTIFACTS/search/ (default: the temp directory).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.models import Customer
from everytouch.testing import make_customer
from everytouch.testing.browser import VIEWPORTS, horizontal_overflow, keep_screenshot, log_in

pytestmark = pytest.mark.django_db(transaction=True)

BOX_NAME = "Search customers, leads and interactions"
SCREENSHOTS = "search"


def wait_for_suggestions(page: Page, query: str) -> Locator:
    """The open list, once the one for the whole query is in and settled.

    Under load a pause between keystrokes sends a request for part of the query first; its
    list is visible too, and the whole query's list, arriving later, resets the chosen option
    (search.js on htmx:afterSettle). htmx drops the settling class in the same task as that
    event, so once it is gone an arrow key sticks.
    """
    listbox = page.get_by_role("listbox", name="Search suggestions")
    expect(listbox.locator("#topsearch-opt-all")).to_contain_text(f"\u201c{query}\u201d")
    expect(listbox).not_to_have_class(re.compile(r"\bhtmx-settling\b"))
    expect(listbox).to_be_visible()
    return listbox


@pytest.fixture
def callers() -> tuple[Customer, Customer]:
    rosa = make_customer("Rosa Delgado", ("+13315550119", "rosa@delgado.example"), company="")
    bob = make_customer("Bob Smith", ("+12025550150",), company="Smith Printing")
    return rosa, bob


def test_it_takes_a_rep_from_part_of_a_number_to_the_customer_by_keyboard(
    live_server: LiveServer,
    rep: User,
    page: Page,
    callers: tuple[Customer, Customer],
    viewport: str,
) -> None:
    rosa, bob = callers
    log_in(page, live_server, rep)

    box = page.get_by_role("combobox", name=BOX_NAME)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("555-01")
    listbox = wait_for_suggestions(page, "555-01")
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    # Both numbers hold 555-01; then "see all results" closes the list.
    expect(options).to_have_count(3)
    expect(options.nth(0)).to_contain_text("Bob Smith")
    expect(options.nth(1)).to_contain_text("Rosa Delgado")
    expect(options.nth(1)).to_contain_text("(331) 555-0119")

    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", f"topsearch-opt-customers-{rosa.pk}")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box_on_screen = box.bounding_box()
    assert box_on_screen is not None and box_on_screen["width"] <= VIEWPORTS[viewport]["width"]
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"typeahead-{viewport}")

    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/customers/{rosa.pk}/$"))
    assert bob.pk != rosa.pk


def test_it_closes_with_escape_and_opens_every_result_with_enter(
    live_server: LiveServer,
    rep: User,
    page: Page,
    callers: tuple[Customer, Customer],
    viewport: str,
) -> None:
    log_in(page, live_server, rep)
    # "/" from anywhere outside a field jumps to the box.
    page.locator("h1").first.click()
    page.keyboard.press("/")
    box = page.get_by_role("combobox", name=BOX_NAME)
    expect(box).to_be_focused()

    page.keyboard.type("Smith")
    listbox = wait_for_suggestions(page, "Smith")
    box.press("ArrowUp")  # from the top, up wraps to the last option: every result
    expect(box).to_have_attribute("aria-activedescendant", "topsearch-opt-all")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(box).to_have_value("Smith")

    box.press("Enter")  # nothing chosen: the form goes to the full results page
    expect(page).to_have_url(re.compile(r"/search/\?q=Smith$"))
    section = page.locator("section[data-kind=customers]")
    expect(section.get_by_role("link", name="Bob Smith")).to_be_visible()
    expect(page.get_by_role("combobox", name=BOX_NAME)).to_have_value("Smith")
    link = section.get_by_role("link", name="Bob Smith").bounding_box()
    assert link is not None and link["x"] + link["width"] <= VIEWPORTS[viewport]["width"]
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"results-{viewport}")
