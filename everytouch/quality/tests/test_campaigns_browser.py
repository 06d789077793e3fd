"""A call-in campaign in a real browser: plan it, record five test calls, read "1 of 5"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead
from everytouch.quality.models import CallTest
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

GREETING = "Agent: Good morning, Acme Office Supply, this is Ron.\n"
ASKED = (
    GREETING + "Customer: Hi, how much is a toner cartridge for the LaserJet 400? "
    "I'd like to order two.\n"
    "Agent: That one is $89.99. May I have your name?\n"
    "Customer: Jane Doe.\n"
    "Agent: Thanks Jane. What's the best phone number to reach you on?\n"
    "Customer: 312 555 0187.\n"
    "Agent: And your e-mail address, so I can send you the quote?\n"
    "Customer: jane@example.com\n"
)
PRICE_ONLY = (
    GREETING + "Customer: Hi, how much is a toner cartridge for the LaserJet 400?\n"
    "Agent: That one is $89.99.\n"
    "Customer: OK thanks, bye.\n"
)


def record_call(page: Page, transcript: str) -> None:
    page.get_by_role("link", name="Record a test call").click()
    page.get_by_label("Rep or line tested").select_option(label="Ron Rep")
    page.get_by_label("Answered live").check()
    page.get_by_label("Seconds to answer").fill("5")
    page.get_by_label("Transcript", exact=True).fill(transcript)
    page.get_by_role("button", name="Record the test").click()
    expect(page.locator(".messages")).to_contain_text("Test recorded and scored.")


def test_it_runs_a_campaign_of_five_calls_and_reports_one_of_five(
    live_server: LiveServer, manager: User, rep: User, page: Page
) -> None:
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/quality/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Toner calls, spring")
    today = timezone.localdate().isoformat()
    page.get_by_label("Starts on").fill(today)
    page.get_by_label("Ends on").fill(today)
    page.get_by_label("Scenarios").fill("Ask the price of a toner cartridge and nothing else")
    page.get_by_label("Ron Rep").check()
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.locator(".messages")).to_contain_text("Campaign created: Toner calls, spring")

    record_call(page, ASKED)
    for _ in range(4):
        record_call(page, PRICE_ONLY)
    assert CallTest.objects.count() == 5

    page.get_by_role("link", name="Report").first.click()
    row = page.locator("#check-lead_captured")
    expect(row.locator(".overall")).to_have_text("1 of 5")
    expect(page.locator("#check-asked_phone .overall")).to_have_text("1 of 5")
    expect(page.locator("#answer-rate")).to_contain_text("5 of 5")
    page.locator("#check-asked_phone + tr.evidence summary").click()
    expect(page.locator("#checks")).to_contain_text("What's the best phone number")
    assert not Interaction.objects.exists() and not Lead.objects.exists()
