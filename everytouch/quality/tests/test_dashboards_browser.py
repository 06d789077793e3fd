"""The quality dashboard in a real browser: the headline figure, then the calls behind it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.quality.tests.helpers import CAPTURED, PRICE_ONLY, scored_touch
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_contact_details_captured_and_follows_a_number_to_its_calls(
    live_server: LiveServer, manager: User, rep: User, page: Page
) -> None:
    scored_touch(rep, CAPTURED)
    missed = [scored_touch(rep, PRICE_ONLY) for _ in range(4)]
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/quality/")
    figure = page.get_by_test_id("contact-figure")
    expect(figure).to_contain_text("1 of 5")

    # "5" is every buying call; the failed ones are the calls where nobody took a number.
    figure.locator("a.applicable").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Contact details captured on buying calls"
    )
    expect(page.get_by_test_id("conversation")).to_have_count(5)
    page.goto(page.url.replace("status=", "") + "&status=fail")
    rows = page.get_by_test_id("conversation")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("not captured")
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/interactions/{missed[-1].pk}/scorecard/")
