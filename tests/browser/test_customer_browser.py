"""The customer page in a real browser, at desktop and phone width: a rep corrects a phone,
a manager previews a merge, picks the survivor and its fields, and confirms.

Each test keeps screenshots of the finished page (not only of failures) as build artifacts,
under $EVERYTOUCH_ARTIFACTS/customer360/ (default: the temp directory), so a reviewer can see
the layouts.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import Customer, EventKind
from everytouch.testing.browser import horizontal_overflow, keep_screenshot, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = "customer360"


def rosa(name: str, contacts: list[str], company: str = "Acme Dental") -> Customer:
    return create_customer(CustomerData(name=name, company=company, contacts=contacts), None)


def test_it_corrects_a_mistyped_phone_from_the_customer_page(
    live_server: LiveServer, rep: User, page: Page, viewport: str
) -> None:
    customer = rosa("Rosa Delgado", ["+13315550119", "rosa@acme.example"])
    taken = rosa("Sam Lee", ["+13315550120"], company="Lee Print")
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
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"corrected-phone-{viewport}")
    assert customer.contacts.filter(value="+13315550191").exists()


def test_it_previews_a_merge_and_merges_only_on_confirmation(
    live_server: LiveServer, manager: User, page: Page, viewport: str
) -> None:
    first = rosa("Rosa Delgado", ["+13315550119"])
    second = rosa("ROSA DELGADO", ["rosa@acme.example"], company="")
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}/customers/{first.pk}/")
    page.locator("#duplicates").get_by_role("link", name="Compare and merge").click()

    expect(page).to_have_url(re.compile(rf"/customers/{first.pk}/merge/\?other={second.pk}$"))
    preview = page.locator("#merge-preview")
    expect(preview).to_contain_text("(331) 555-0119")
    expect(preview).to_contain_text("rosa@acme.example")
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"merge-preview-{viewport}")
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
    assert not (overflow := horizontal_overflow(page)), overflow
    keep_screenshot(page, SCREENSHOTS, f"merged-{viewport}")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into == second
    assert (second.name, second.company, second.notes) == ("Rosa Delgado", "Acme Dental", "")
    audit = second.events.get(kind=EventKind.MERGED)
    assert audit.actor == manager
    assert audit.data["fields"] == {"name": first.pk, "company": first.pk}
