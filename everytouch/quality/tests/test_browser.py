"""Quality in a real browser: import a transcript, see the failing check, override it, and
see the agreement figure change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.interactions.models import Interaction
from everytouch.quality.models import Review
from everytouch.testing.browser import log_in
from everytouch.testing.workers import DatabaseWorker

pytestmark = pytest.mark.django_db(transaction=True)

# The rep quotes a price and never asks who is calling.
TRANSCRIPT = (
    "Agent: Good morning, Acme Office Supply, this is Ron.\n"
    "Customer: Hi, how much is a toner cartridge for the LaserJet 400?\n"
    "Agent: That one is $89.99.\n"
    "Customer: OK thanks, bye.\n"
)


def test_it_imports_a_call_shows_the_missed_name_and_counts_an_override(
    live_server: LiveServer, manager: User, rep: User, page: Page
) -> None:
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/quality/import/")
    page.get_by_label("Or paste the transcript").fill(TRANSCRIPT)
    page.get_by_label("Handled by").select_option(str(rep.pk))
    page.get_by_role("button", name="Import and score").click()
    expect(page.get_by_test_id("not-scored-yet")).to_be_visible()

    DatabaseWorker().run()  # the background job; the page refreshes itself until it is in
    expect(page.get_by_test_id("auto-asked_name")).to_have_text("Fail")
    expect(page.get_by_test_id("auto-greeting")).to_have_text("Pass")
    row = page.locator('tr[data-check="greeting"]')
    row.get_by_role("link", name="turn 1").click()
    expect(page.locator("#turn-1")).to_contain_text("Greeted the customer")

    asked = page.locator('tr[data-check="asked_name"]')
    asked.locator("summary", has_text="Review").click()
    form = page.get_by_test_id("review-form-asked_name")
    form.get_by_label("Verdict").select_option("pass")
    form.get_by_role("button", name="Save review").click()
    expect(page.get_by_test_id("error")).to_contain_text("An override needs a comment")
    assert not Review.objects.exists()

    page.locator('tr[data-check="asked_name"]').locator("summary", has_text="Review").click()
    form = page.get_by_test_id("review-form-asked_name")
    form.get_by_label("Verdict").select_option("pass")
    form.get_by_label("Comment").fill("He took her name from the caller ID and used it")
    form.get_by_role("button", name="Save review").click()
    expect(page.get_by_test_id("review-asked_name")).to_contain_text("Overridden: Pass")
    expect(page.get_by_test_id("auto-asked_name")).to_have_text("Fail")

    page.goto(f"{live_server.url}/quality/agreement/")
    expect(page.get_by_test_id("rate-asked_name")).to_have_text("0 of 1 (0%)")
    assert Interaction.objects.get().handled_by == rep
