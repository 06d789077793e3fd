"""The customer page in a real browser, at desktop and phone width: a rep corrects a phone,
a manager previews a merge, picks the survivor and its fields, and confirms.

Each test keeps a screenshot of the finished page (not only of failures) as a build artifact,
in $EVERYTOUCH_ARTIFACTS (default: the temp directory), so a reviewer can see the layouts.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, EventKind
from everytouch.testing.browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(os.environ.get("EVERYTOUCH_ARTIFACTS", tempfile.gettempdir())) / "customer360"
WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(360, id="phone")]


def keep_screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits_the_width(page: Page, width: int) -> None:
    """Nothing in the page's content pushes it sideways: a wide table or form would scroll.

    The content area is measured, not the whole document: the top bar is the frame's."""
    widths = page.evaluate(
        "[...document.querySelectorAll('main')].map(m => [m.scrollWidth, m.clientWidth])"
    )
    for scroll_width, client_width in widths:
        assert scroll_width <= client_width, f"content is {scroll_width}px wide at {width}px"


def rosa(name: str, contacts: list[str], company: str = "Acme Dental") -> Customer:
    return create_customer(CustomerData(name=name, company=company, contacts=contacts), None)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_corrects_a_mistyped_phone_from_the_customer_page(
    live_server: LiveServer, rep: User, page: Page, width: int
) -> None:
    customer = rosa("Rosa Delgado", ["+13315550119", "rosa@acme.example"])
    taken = rosa("Sam Lee", ["+13315550120"], company="Lee Print")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, rep)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_label("Correct or remove phone (331) 555-0119").click()

    field = page.get_by_label("Phone")
    expect(field).to_have_value("(331) 555-0119")
    # Another customer's number is refused, with a link to that customer.
    field.fill("331 555 0120")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator("#contact-form")).to_contain_text(f"Sam Lee (#{taken.pk})")
    expect(page.locator("#conflict a")).to_have_attribute("href", f"/customers/{taken.pk}/")
    # An e-mail typed into the phone field gets a phone error.
    page.get_by_label("Phone").fill("rosa@example.org")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator("#contact-form .errorlist")).to_contain_text("not a valid phone number")

    page.get_by_label("Phone").fill("331.555.0191")
    page.get_by_role("button", name="Save correction").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#contacts")).to_contain_text("(331) 555-0191")
    expect(page.locator("#timeline")).to_contain_text(
        "Phone (331) 555-0119 corrected to (331) 555-0191"
    )
    fits_the_width(page, width)
    keep_screenshot(page, f"customer-corrected-phone-{width}")
    assert customer.contacts.filter(value="+13315550191").exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_previews_a_merge_and_merges_only_on_confirmation(
    live_server: LiveServer, manager: User, page: Page, width: int
) -> None:
    first = rosa("Rosa Delgado", ["+13315550119"])
    second = rosa("ROSA DELGADO", ["rosa@acme.example"], company="")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/customers/{first.pk}/")
    page.locator("#duplicates").get_by_role("link", name="Compare and merge").click()

    expect(page).to_have_url(re.compile(rf"/customers/{first.pk}/merge/\?other={second.pk}$"))
    preview = page.locator("#merge-preview")
    expect(preview).to_contain_text("(331) 555-0119")
    expect(preview).to_contain_text("rosa@acme.example")
    fits_the_width(page, width)
    keep_screenshot(page, f"customer-merge-preview-{width}")
    second.refresh_from_db()
    assert second.merged_into is None  # the preview merges nothing

    # The second record survives, with the first one's spelling of the name.
    page.get_by_label(f"#{second.pk} ROSA DELGADO").check()
    page.get_by_label(f"Rosa Delgado (#{first.pk})").check()
    page.get_by_role("button", name="Merge these two records").click()

    expect(page).to_have_url(f"{live_server.url}/customers/{second.pk}/")
    expect(page.locator(".messages")).to_contain_text(
        f"Merged #{first.pk} into #{second.pk} Rosa Delgado."
    )
    expect(page.locator("#contacts")).to_contain_text("(331) 555-0119")
    expect(page.locator("#timeline")).to_contain_text(f"Merged Rosa Delgado (#{first.pk})")
    fits_the_width(page, width)
    keep_screenshot(page, f"customer-merged-{width}")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into == second
    assert (second.name, second.company, second.notes) == ("Rosa Delgado", "Acme Dental", "")
    audit = second.events.get(kind=EventKind.MERGED)
    assert audit.actor == manager
    assert audit.data["fields"] == {"name": first.pk, "company": first.pk}
