"""The pipeline board in a real browser: cards move between columns from their Move menu (the
keyboard and no-drag way) with htmx, no reload. Dragging: tests/browser/test_board_browser.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.leads.models import Stage
from everytouch.leads.tests.helpers import a_lead, jane
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_moves_a_card_along_the_board_without_reloading_the_page(
    live_server: LiveServer, rep: User, page: Page
) -> None:
    lead = a_lead(jane(owner=rep), rep, need="40 ergonomic chairs")
    log_in(page, live_server, rep)
    page.goto(f"{live_server.url}/leads/?owner=me")
    # A full reload would drop this marker; an htmx swap keeps it.
    page.evaluate("window.stillTheSamePage = true")
    card = page.locator(f"#lead-{lead.pk}")
    expect(page.locator('section.column[data-stage="new"]')).to_contain_text("40 ergonomic chairs")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option("contacted")
    card.locator("button[type=submit]").click()
    contacted = page.locator('section.column[data-stage="contacted"]')
    expect(contacted).to_contain_text("40 ergonomic chairs")
    expect(page.locator("#board .messages")).to_contain_text("Moved to Contacted")
    card.locator("summary").click()
    card.locator("select[name=stage]").select_option("lost")
    card.locator("input[name=lost_reason]").fill("bought elsewhere")
    card.locator("button[type=submit]").click()
    expect(page.locator('section.column[data-stage="lost"]')).to_contain_text("40 ergonomic chairs")
    assert page.evaluate("window.stillTheSamePage") is True
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == (Stage.LOST, "bought elsewhere")
