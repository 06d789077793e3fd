"""A rep goes to a trade show; their caller is routed to the backup, who gets the message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import TakenMessage
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rons_customer(rep: User) -> Customer:
    data = CustomerData(name="Jane Doe", company="Acme Dental", owner=rep)
    data.contacts = ["+12015550123"]
    return create_customer(data, None)


def log_out(page: Page) -> None:
    page.locator("form.logout button[type=submit]").click()


def test_it_routes_an_away_reps_caller_to_the_backup_and_delivers_the_message(
    live_server: LiveServer,
    rep: User,
    rep2: User,
    manager: User,
    rons_customer: Customer,
    page: Page,
) -> None:
    backup = ensure_staff(rep2)
    backup.extension = "204"
    backup.save()
    ron = ensure_staff(rep)

    # Ron books three days at a trade show with Rita as his backup.
    log_in(page, live_server, rep)
    page.goto(f"{live_server.url}/staff/{ron.pk}/")
    start = timezone.localtime() - timedelta(minutes=5)
    form = page.locator("#absence-form")
    form.locator("[name=starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=ends_at]").fill((start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=reason]").fill("at a trade show")
    form.locator("[name=backup]").select_option(str(backup.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator("#away-message")).to_contain_text("Ron Rep is at a trade show until")
    log_out(page)

    # The manager answers Ron's customer at the desk.
    log_in(page, live_server, manager)
    page.locator("#desk-lookup").press_sequentially("201 555 0123")
    expect(page.locator("#screen-pop [data-testid=pop-name]")).to_have_text("Jane Doe")
    advice = page.locator("[data-testid=route-advice]")
    expect(advice).to_contain_text(
        "Put the call through to Rita Rep (ext. 204), who is covering for Ron Rep, "
        "at a trade show until"
    )

    # Ron is asked for by name: the same one sentence, and a message can still be taken for him.
    page.locator("#ask-person").select_option(str(ron.pk))
    expect(page.locator(f"#route[data-asked='{ron.pk}']")).to_be_visible()
    expect(advice).to_contain_text("Put the call through to Rita Rep (ext. 204)")
    page.locator("[data-testid=take-message]").click()
    message_form = page.locator("form:has(textarea[name=about])")
    message_form.locator("[name=about]").fill("Wants the lease renewal papers before Friday")
    message_form.locator("[name=callback_number]").fill("201-555-0123")
    message_form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{rons_customer.pk}/")
    log_out(page)

    # Rita, the backup, finds it under "my messages".
    log_in(page, live_server, rep2)
    page.goto(f"{live_server.url}/messages/")
    expect(page.locator("main")).to_contain_text("Wants the lease renewal papers before Friday")
    message = TakenMessage.objects.get()
    assert (message.intended_for, message.owner, message.customer) == (rep, rep2, rons_customer)
