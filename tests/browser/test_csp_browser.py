"""The strict Content-Security-Policy breaks nothing: every main page, for every role, loads with
no violation (no inline script, style or handler refused), and so do the API docs, the search box
as it suggests, and the behaviours that used to be inline handlers.

A violation is seen two ways: the page's own ``securitypolicyviolation`` events (recorded by a
script the browser runs before the page's, outside the policy) and Chromium's console line.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from everytouch.testing.browser import log_in
from tests.browser.test_accessibility_browser import ALL, PAGES, build_world, wrong_answer

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__csp.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber}: ${event.sample}`);
});
"""


class Violations:
    """Everything the policy refused, from events and the console, with the page it was on."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text:
            self.found.append(f"{self.page.url}\n  console: {text}")

    def collect(self, label: str) -> None:
        # The policy is checked as the page parses and runs: wait until it is done loading.
        self.page.wait_for_load_state("load")
        for event in self.page.evaluate("() => window.__csp || []"):
            self.found.append(f"{label} ({self.page.url})\n  {event}")

    def fail_if_any(self, who: str) -> None:
        if self.found:
            pytest.fail(
                f"{len(self.found)} CSP violation(s) for {who}:\n\n" + "\n\n".join(self.found),
                pytrace=False,
            )


@pytest.mark.parametrize("role", sorted(ALL))
def test_it_opens_every_page_a_role_opens_without_a_csp_violation(
    request: pytest.FixtureRequest,
    role: str,
    live_server: LiveServer,
    rep: User,
    manager: User,
    page: Page,
) -> None:
    viewer: User = request.getfixturevalue(role)
    world = build_world(rep, manager, viewer)
    violations = Violations(page)
    page.goto(f"{live_server.url}{reverse('login')}")
    violations.collect("login")
    log_in(page, live_server, viewer, lands_on=None)
    wrong = []
    for visit in (p for p in PAGES if role in p.roles):
        url = f"{live_server.url}{visit.url(world)}"
        if problem := wrong_answer(page, role, visit.name, url, visit.status):
            wrong.append(problem)
        violations.collect(visit.name)
    assert wrong == []
    violations.fail_if_any(f"the {role}")


def test_it_runs_the_api_docs_and_the_admin_under_the_policy(
    live_server: LiveServer, owner: User, page: Page
) -> None:
    violations = Violations(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/identify")).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/identify").first.click()
    violations.collect("api docs")
    owner.is_staff = owner.is_superuser = True
    owner.save(update_fields=["is_staff", "is_superuser"])
    log_in(page, live_server, owner)
    for path in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{owner.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        violations.collect(f"admin {path}")
    violations.fail_if_any("the API docs and the admin")


def test_it_suggests_as_you_type_and_submits_and_selects_without_inline_handlers(
    live_server: LiveServer, rep: User, manager: User, page: Page
) -> None:
    build_world(rep, manager, rep)
    violations = Violations(page)
    log_in(page, live_server, rep)
    page.locator("input[type=search]").first.fill("Jan")
    violations.collect("search suggestions")
    # The directory's "include people who have left" box sends its form when ticked.
    page.goto(f"{live_server.url}{reverse('staff_directory')}")
    page.get_by_label("Include people who have left").check()
    expect(page).to_have_url(f"{live_server.url}{reverse('staff_directory')}?q=&departed=1")
    # A new calendar link is selected whole when focused, ready to copy.
    page.goto(f"{live_server.url}{reverse('calendar_settings')}")
    page.get_by_role("button", name="Create my calendar link").click()
    page.get_by_test_id("feed-url").focus()
    selected = page.evaluate(
        "() => { const f = document.activeElement;"
        " return f.value.substring(f.selectionStart, f.selectionEnd); }"
    )
    assert selected.startswith("http")
    violations.collect("directory and calendar")
    violations.fail_if_any("the rep's interactions")
