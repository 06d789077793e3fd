"""A rep takes a call in a real browser: screen pop, still-missing checklist, log, timeline."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.interactions.models import Interaction
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

NEED = "Toner for the Ricoh MP 3055 in the front office"
SUMMARY = "Quoted two cartridges; calls back Thursday to order"


@pytest.fixture
def jane() -> Customer:
    data = CustomerData(name="Jane Doe", company="Acme Dental")
    data.contacts = ["+12015550123", "jane@example.com"]
    return create_customer(data, None)


def test_it_pops_a_known_caller_and_logs_the_call_onto_the_timeline(
    live_server: LiveServer, rep: User, jane: Customer, page: Page
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
    form.locator("[data-testid=log-submit]").click()

    expect(page).to_have_url(re.compile(rf"/customers/{jane.pk}/$"))
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(re.compile(f"{re.escape(NEED)}|{re.escape(SUMMARY)}"))
    call = Interaction.objects.get(customer=jane)
    assert (call.channel, call.need, call.summary, call.handled_by) == ("call", NEED, SUMMARY, rep)


def test_it_offers_a_new_caller_form_and_creates_the_customer_with_the_call(
    live_server: LiveServer, rep: User, page: Page
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

    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator("#timeline")).to_contain_text("colour copier")
    customer = Customer.objects.get(name="Sam Lee")
    assert customer.contacts.filter(value="+14155550188").exists()
