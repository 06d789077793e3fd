"""Playwright driving Debian's Chromium against pytest-django's live server.

Chromium comes from the system (``apt-get install chromium``), not from ``playwright install``:
no download at test time, and the same browser on every machine. Without it the browser tests
skip locally, but in CI (``CI=true``) a missing browser fails the run: a skipped browser test
there would quietly turn a red build green.

Every test that uses the ``page`` (or ``chromium``) fixture, wherever it lives, is marked
``browser`` and carries a ``browser`` property in the JUnit report, which ``.ci/run`` reads to
check that browser tests ran and none skipped. A failed browser test leaves a screenshot.

What every browser test shares lives here too: the two screen sizes (VIEWPORTS, and the
``viewport`` fixture that runs a test at each), logging in through the form (log_in), keeping a
screenshot per feature (keep_screenshot) and the sideways-scroll check (horizontal_overflow).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from everytouch.testing.cast import PASSWORD

CHROMIUM = Path(os.environ.get("EVERYTOUCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Where screenshots land: failed tests' and the ones tests keep on purpose (keep_screenshot).
# CI can point EVERYTOUCH_ARTIFACTS at a directory it uploads.
SCREENSHOT_DIR = Path(os.environ.get("EVERYTOUCH_ARTIFACTS") or tempfile.gettempdir())
TIMEOUT_MS = 10_000
# The sizes every screen is checked at: a laptop, and the narrowest phone the app supports.
VIEWPORTS: Mapping[str, ViewportSize] = MappingProxyType(
    {
        "desktop": ViewportSize(width=1280, height=800),
        "phone": ViewportSize(width=360, height=740),
    }
)
# Sub-pixel rounding and a scrollbar's width can add a pixel or two without anything being cut.
OVERFLOW_TOLERANCE_PX = 2
BROWSER_FIXTURES = frozenset({"chromium", "page"})
# The JUnit property .ci/run looks for; keep the two in step.
JUNIT_PROPERTY = ("browser", "true")

_failed_key = pytest.StashKey[bool]()

# The elements wider than the viewport, named the way a CSS selector would, widest first.
_WIDE_ELEMENTS = """limit => {
  const wide = [];
  // An element inside a scrolling box (a wide table in an overflow-x:auto wrapper) is fine.
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (right > limit && !clipped(el)) {
      const id = el.id ? '#' + el.id : '';
      const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
      wide.push([right, el.tagName.toLowerCase() + id + cls]);
    }
  }
  wide.sort((a, b) => b[0] - a[0]);
  return wide.slice(0, 5).map(([right, name]) => `${name} (to ${Math.round(right)}px)`);
}"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (applied by the kit)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
            item.user_properties.append(JUNIT_PROPERTY)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # The page fixture reads this at teardown to know whether to take a screenshot.
    report = yield
    if report.when == "call":
        item.stash[_failed_key] = report.failed
    return report


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI; {reason}")
    pytest.skip(reason)


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    chromium: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Page]:
    # Playwright's sync API runs an event loop in this thread, which makes Django's ORM refuse
    # to run here ("cannot call this from an async context"); the test code is synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(chromium),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.pages[0] if context.pages else context.new_page()
        try:
            yield page
        finally:
            if request.node.stash.get(_failed_key, False):
                _screenshot(page, request.node.name)
            context.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest, page: Page) -> str:
    """Run the test once per VIEWPORTS size, the page already that size; the size's name."""
    name = str(request.param)
    page.set_viewport_size(VIEWPORTS[name])
    return name


def _screenshot(page: Page, test_name: str) -> None:
    path = SCREENSHOT_DIR / f"everytouch-{re.sub(r'[^A-Za-z0-9_.-]', '_', test_name)}.png"
    page.screenshot(path=str(path), full_page=True)
    # Shown with the failure's captured output, so whoever reads the CI log can find the file.
    print(f"\nscreenshot of the failed page: {path}")


def keep_screenshot(page: Page, folder: str, name: str) -> Path:
    """Save the whole page as SCREENSHOT_DIR/<folder>/<name>.png, pass or fail."""
    path = SCREENSHOT_DIR / folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, server: LiveServer, user: User, lands_on: str | None = "/desk/") -> None:
    """Log in through the real form and land on lands_on (None: anywhere but the login page).

    A rep, manager or owner lands on the desk; a trainer or someone without a role does not.
    """
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    if lands_on is None:
        expect(page).not_to_have_url(re.compile(r"/login/"))
    else:
        expect(page).to_have_url(f"{server.url}{lands_on}")
    # The URL changes before the page's deferred scripts run: keys typed before htmx has bound
    # its triggers send no request, so a busy machine would lose the first lookup.
    page.wait_for_load_state("load")


def horizontal_overflow(page: Page) -> list[str]:
    """What sticks out past the viewport's right edge, if the page scrolls sideways at all.

    Empty when the page fits; a test asserts that with the list as the message, which names
    the page's width and the widest elements.
    """
    width = int(page.evaluate("() => window.innerWidth"))
    scroll_width = int(page.evaluate("() => document.documentElement.scrollWidth"))
    if scroll_width <= width + OVERFLOW_TOLERANCE_PX:
        return []
    wide: list[str] = page.evaluate(_WIDE_ELEMENTS, width + OVERFLOW_TOLERANCE_PX)
    return [f"page is {scroll_width}px wide at {width}px", *wide]
