"""Accessibility checks for the browser tests: axe-core, injected into the page under test.

axe-core (vendored next to this file, MPL-2.0) is never loaded by the app's own pages: a test
adds it to the page it has open, runs it, and reads back the violations. Only the WCAG 2.0 A/AA
and 2.1 AA rules run, and only "serious" and "critical" findings fail a test; "moderate" and
"minor" ones are advice, not a gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_RUN_AXE = """tags => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
})"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    summary: str

    def describe(self) -> str:
        nodes = "\n".join(f"      {target}" for target in self.targets)
        return (
            f"  {self.rule} ({self.impact}): {self.help}\n    {self.help_url}\n"
            f"    {self.summary}\n    nodes:\n{nodes}"
        )


def preload_axe(context: BrowserContext) -> None:
    """Have axe in every page this context opens from now on, before the page's own scripts.

    Optional: axe_violations adds axe to a page that lacks it. Preloading saves a few tenths of
    a second per page when a test checks dozens of them.
    """
    context.add_init_script(path=str(AXE_JS))


def _inject_axe(page: Page) -> None:
    # Not a <script> tag: the app's Content-Security-Policy refuses inline scripts, as it should.
    # The DevTools protocol evaluates the file as the browser's own code, which the policy allows.
    session = page.context.new_cdp_session(page)
    try:
        session.send("Runtime.evaluate", {"expression": AXE_JS.read_text(encoding="utf-8")})
    finally:
        session.detach()


def axe_violations(page: Page) -> list[Violation]:
    """The serious and critical WCAG 2.1 AA violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        _inject_axe(page)
    result: dict[str, Any] = page.evaluate(_RUN_AXE, list(AXE_TAGS))
    found = []
    for item in result["violations"]:
        if item.get("impact") not in BLOCKING_IMPACTS:
            continue
        nodes = item["nodes"]
        targets = tuple(" ".join(str(part) for part in node["target"]) for node in nodes)
        # The first node's summary says what to change ("contrast 3.2:1, expected 4.5:1").
        summary = str(nodes[0].get("failureSummary", "")).replace("\n", " ") if nodes else ""
        found.append(
            Violation(item["id"], item["impact"], item["help"], item["helpUrl"], targets, summary)
        )
    return found
