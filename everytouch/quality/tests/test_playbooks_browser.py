"""Playbooks and promotions in a real browser: fix an error shown at its line, see the offer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.quality import actions
from everytouch.quality.models import Playbook
from everytouch.quality.promotions import today
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_a_playbook_error_at_its_line_then_saves_and_activates_the_fix(
    live_server: LiveServer, manager: User, page: Page
) -> None:
    book = actions.ensure_default_playbook().playbook
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/quality/playbooks/")
    page.get_by_role("link", name=book.name).click()
    page.get_by_role("link", name="Edit").click()
    editor = page.get_by_label("Playbook")
    good = editor.input_value()
    editor.fill(good.replace("    weight: 2\n", "    wieght: 2\n", 1))
    page.get_by_label("Score new touches with this version from now on").check()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_test_id("error-line")).to_contain_text("wieght: 2")
    expect(page.get_by_test_id("error-line")).to_contain_text("unknown key 'wieght' in a check")

    page.get_by_label("Playbook").fill(good.replace("    weight: 2\n", "    weight: 3\n", 1))
    page.get_by_label("What changed").fill("asking the name counts more")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".messages")).to_contain_text("Version 2 saved; new touches are scored")
    expect(page.locator("#version-2")).to_contain_text("active")
    book.refresh_from_db()
    assert book.active_version is not None and "weight: 3" in book.active_version.text
    assert Playbook.objects.get(pk=book.pk).versions.count() == 2


def test_it_adds_a_promotion_that_the_desk_then_shows(
    live_server: LiveServer, manager: User, page: Page
) -> None:
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/quality/promotions/new/")
    page.get_by_label("Name").fill("Toner week")
    page.get_by_label("First day").fill(today().isoformat())
    page.get_by_label("Last day").fill(today().isoformat())
    page.get_by_label("Other phrases that count as a mention").fill("two for one")
    page.get_by_label("What to say").fill("Toner is two for one this week.")
    page.get_by_role("button", name="Save the promotion").click()
    expect(page.locator("#promotions")).to_contain_text("Toner week")
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator("#desk-promotions")).to_contain_text("Toner is two for one this week.")
