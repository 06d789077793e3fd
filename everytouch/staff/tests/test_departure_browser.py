"""A manager runs a departure from start to finish in a real browser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Employment, TakenMessage
from everytouch.staff.tests.departure_helpers import make_message
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_a_departure_from_start_to_finish(
    live_server: LiveServer, manager: User, rep: User, rep2: User, page: Page
) -> None:
    ann = create_customer(CustomerData(name="Ann Smith", company="Acme", owner=rep), None)
    msg = make_message(rep, ann)
    ensure_staff(rep2)

    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/staff/departures/")
    page.locator("#staying tr", has_text="Ron Rep").get_by_role("link").click()
    page.locator("[name=effective_on]").fill("2031-03-31")
    page.locator("#start-form button[type=submit]").click()

    expect(page.locator("#departure-status")).to_have_text("Open")
    expect(page.locator('[data-kind="customer"]')).to_have_text("1")
    expect(page.locator("#rows-customer")).to_contain_text("Ann Smith")
    complete = page.locator("#complete-form button[type=submit]")
    expect(complete).to_be_disabled()
    expect(page.locator("#blocked")).to_contain_text(
        "1 customer and 1 message are still owned by Ron Rep"
    )

    page.locator("#handover-form [name=to]").select_option(str(rep2.pk))
    page.locator("#handover-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Rita Rep now looks after their callers")
    expect(page.locator('[data-kind="customer"]')).to_have_text("0")

    expect(complete).to_be_enabled()
    complete.click()
    expect(page.locator("#departure-status")).to_have_text("Completed")

    rep.refresh_from_db()
    assert not rep.is_active
    assert ensure_staff(rep).employment == Employment.DEPARTED
    assert Customer.objects.get(pk=ann.pk).owner == rep2
    assert TakenMessage.objects.get(pk=msg.pk).owner == rep2
