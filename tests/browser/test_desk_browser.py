"""A rep takes calls in a real browser: screen pop, still-missing checklist, log, and back to the
desk for the next caller; a caller found by name or last digits; a number that belongs to
someone else; routing advice for whoever is logged in. At desktop and at phone width, with a
screenshot of each step kept as a test artifact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.testing.browser import horizontal_overflow, keep_screenshot, log_in

pytestmark = pytest.mark.django_db(transaction=True)

NEED = "Toner for the Ricoh MP 3055 in the front office"
SUMMARY = "Quoted two cartridges; calls back Thursday to order"
SCREENSHOTS = "desk"


@pytest.fixture
def jane() -> Customer:
    data = CustomerData(name="Jane Doe", company="Acme Dental")
    data.contacts = ["+12015550123", "jane@example.com"]
    return create_customer(data, None)


@pytest.fixture
def rosa() -> Customer:
    data = CustomerData(name="Rosa Delgado", company="Delgado Bakery")
    data.contacts = ["+13315550119"]
    return create_customer(data, None)


def test_it_pops_a_known_caller_logs_the_call_and_stays_on_the_desk(
    live_server: LiveServer, rep: User, jane: Customer, page: Page, viewport: str
) -> None:
    log_in(page, live_server, rep)

    # Stored as +12015550123; the rep types it the way the caller says it.
    page.locator("#desk-lookup").press_sequentially("201.555.0123")
    expect(page.locator("#screen-pop [data-testid=pop-name]")).to_have_text("Jane Doe")
    missing = page.locator("#missing li[data-missing]")
    expect(missing).to_have_count(1)
    expect(page.locator("#missing li[data-missing=need]")).to_be_visible()

    form = page.locator("#log-form")
    form.locator("select[name=channel]").select_option("call")
    form.locator("[name=need]").fill(NEED)
    form.locator("[name=summary]").fill(SUMMARY)
    # The checklist follows the form as the rep types: the need is no longer missing.
    expect(page.locator("#missing li[data-missing=need]")).to_have_count(0)
    keep_screenshot(page, SCREENSHOTS, f"log-{viewport}-1-pop")
    form.locator("[data-testid=log-submit]").click()

    # Back on the desk: the touch confirmed with a link, the lookup empty and focused.
    call = Interaction.objects.get(customer=jane)
    expect(page).to_have_url(re.compile(rf"/desk/\?logged={call.pk}$"))
    confirmation = page.locator("[data-testid=logged]")
    expect(confirmation).to_contain_text("Jane Doe")
    expect(confirmation).to_contain_text(NEED)
    lookup = page.locator("#desk-lookup")
    expect(lookup).to_have_value("")
    expect(lookup).to_be_focused()
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"log-{viewport}-2-logged")
    assert (call.channel, call.need, call.summary, call.handled_by) == ("call", NEED, SUMMARY, rep)

    confirmation.locator("[data-testid=logged-link]").click()
    expect(page).to_have_url(re.compile(rf"/interactions/{call.pk}/$"))
    expect(page.locator("main")).to_contain_text(SUMMARY)


def test_it_offers_a_new_caller_form_and_creates_the_customer_with_the_call(
    live_server: LiveServer, rep: User, page: Page, viewport: str
) -> None:
    log_in(page, live_server, rep)

    page.locator("#desk-lookup").fill("(415) 555-0188")
    page.locator("#desk-lookup").press("Enter")
    expect(page.locator("#screen-pop [data-testid=pop-new]")).to_be_visible()
    expect(page.locator("#missing li[data-missing=name]")).to_be_visible()

    form = page.locator("#log-form")
    form.locator("[name=name]").fill("Sam Lee")
    form.locator("[name=need]").fill("A quote for a colour copier")
    form.locator("[data-testid=log-submit]").click()

    expect(page.locator("[data-testid=logged]")).to_contain_text("Sam Lee")
    customer = Customer.objects.get(name="Sam Lee")
    assert customer.contacts.filter(value="+14155550188").exists()
    page.locator("[data-testid=logged] a", has_text="Sam Lee").click()
    expect(page.locator("#timeline")).to_contain_text("colour copier")


def test_it_finds_a_caller_by_name_or_last_digits_with_the_keyboard(
    live_server: LiveServer, rep: User, jane: Customer, rosa: Customer, page: Page, viewport: str
) -> None:
    create_customer(CustomerData(name="Janet Lowe", contacts=["+13125550144"]), None)
    log_in(page, live_server, rep)

    lookup = page.locator("#desk-lookup")
    lookup.press_sequentially("jan")
    candidates = page.locator("#desk-candidates a.candidate")
    expect(candidates).to_have_count(2)
    expect(page.locator("[data-testid=pop-error]")).to_have_count(0)
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"find-{viewport}-1-candidates")

    # Type, arrows, Enter: down to Janet Lowe and back up to Jane Doe, who is popped.
    lookup.press("ArrowDown")
    expect(candidates.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(candidates.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(candidates.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#screen-pop [data-testid=pop-name]")).to_have_text("Jane Doe")
    keep_screenshot(page, SCREENSHOTS, f"find-{viewport}-2-picked")

    # The last digits of Rosa's number find her too.
    lookup.fill("")
    lookup.press_sequentially("0119")
    expect(candidates).to_have_count(1)
    expect(candidates.first).to_contain_text("Rosa Delgado")
    candidates.first.click()
    expect(page.locator("#screen-pop [data-testid=pop-name]")).to_have_text("Rosa Delgado")


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_it_links_a_conflicting_number_to_its_customer_and_keeps_the_lookup(
    request: pytest.FixtureRequest,
    live_server: LiveServer,
    jane: Customer,
    rosa: Customer,
    page: Page,
    viewport: str,
    role: str,
) -> None:
    log_in(page, live_server, request.getfixturevalue(role))
    page.locator("#desk-lookup").press_sequentially("jane@example.com")
    expect(page.locator("#screen-pop [data-testid=pop-name]")).to_have_text("Jane Doe")
    form = page.locator("#log-form")
    # Rosa's number given as Jane's: nothing is saved, and the desk says whose it is.
    form.locator("[name=phone]").fill("331 555 0119")
    form.locator("[name=need]").fill("Change of address")
    form.locator("[data-testid=log-submit]").click()

    conflict = page.locator("[data-testid=conflict]")
    expect(conflict).to_contain_text("(331) 555-0119 already belongs to Rosa Delgado")
    expect(page.locator("#desk-lookup")).to_have_value("jane@example.com")
    expect(form.locator("[name=need]")).to_have_value("Change of address")
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"conflict-{viewport}-{role}")
    assert not Interaction.objects.exists()

    merge = conflict.locator("[data-testid=conflict-merge]")
    if role == "manager":
        merge.click()
        expect(page).to_have_url(re.compile(rf"/customers/{jane.pk}/merge/\?other={rosa.pk}$"))
    else:
        expect(merge).to_have_count(0)
        expect(conflict).to_contain_text("Ask a manager to merge")
        conflict.locator("[data-testid=conflict-link]").click()
        expect(page).to_have_url(re.compile(rf"/customers/{rosa.pk}/$"))


def test_it_tells_the_backup_who_is_logged_in_to_take_the_call(
    live_server: LiveServer, rep: User, rep2: User, page: Page, viewport: str
) -> None:
    data = CustomerData(name="Jane Doe", company="Acme Dental", owner=rep)
    data.contacts = ["+12015550123"]
    create_customer(data, None)
    start = timezone.now() - timedelta(hours=1)
    schedule_absence(
        ensure_staff(rep), start, start + timedelta(days=2), "at a trade show", ensure_staff(rep2)
    )
    log_in(page, live_server, rep2)
    page.locator("#desk-lookup").press_sequentially("201 555 0123")
    advice = page.locator("[data-testid=route-advice]")
    expect(advice).to_contain_text(
        "Take it yourself: you are covering for Ron Rep, at a trade show until"
    )
    # One decision, one sentence: nothing beside it contradicts it.
    expect(page.locator("#route-box")).not_to_contain_text("Put the call through")
    expect(page.locator("#route-box")).not_to_contain_text("Nobody is available")
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"route-{viewport}-backup")
