"""A promise in a real browser: record it, find it in My day and in the calendar feed, keep it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.request import urlopen

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.testing import make_customer
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_records_a_promise_shows_it_in_my_day_and_the_calendar_then_keeps_it(
    live_server: LiveServer, rep: User, page: Page, settings: object
) -> None:
    settings.TIME_ZONE = "UTC"  # type: ignore[attr-defined]
    customer = make_customer()
    log_in(page, live_server, rep)
    page.goto(f"{live_server.url}/commitments/new/?customer={customer.pk}")
    due = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("What was promised").fill("Call back with the oak quote")
    page.get_by_label("Due by").fill(due)
    page.get_by_role("button", name="Record the promise").click()
    expect(page.locator(".messages")).to_contain_text("Promise recorded for Ron Rep")

    page.goto(f"{live_server.url}/my-day/")
    commitment = Commitment.objects.get()
    row = page.locator(f"#commitment-{commitment.pk}")
    expect(row).to_contain_text("Call back with the oak quote")

    page.goto(f"{live_server.url}/calendar/")
    page.get_by_role("button", name="Create my calendar link").click()
    feed_url = page.get_by_test_id("feed-url").input_value()
    with urlopen(feed_url, timeout=10) as response:  # noqa: S310 - the live server on loopback
        ics = response.read().decode()
    assert f"UID:commitment-{commitment.pk}@" in ics
    assert "SUMMARY:Call back with the oak quote - Jane Doe" in ics

    page.goto(f"{live_server.url}/my-day/")
    row.get_by_role("button", name="Done").click()
    expect(page.locator(".messages")).to_contain_text("Done: Call back with the oak quote")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE
