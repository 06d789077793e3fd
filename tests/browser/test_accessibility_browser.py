"""Every main page, for every role, at desktop and phone width: axe finds nothing serious.

One test per role, not one per page: the kit's live server lives for the whole session, but the
records it serves are flushed after every transactional test, so neither the records nor the
logged-in browser could outlive a test anyway. Inside one test a role logs in once and walks its
pages; every problem is collected and the test fails once, listing each page, width, axe rule,
its help text and the offending elements, so one run shows everything there is to fix.

Each page and width is also kept as a screenshot under $EVERYTOUCH_ARTIFACTS/accessibility/
(default: the temp directory; see docs/accessibility.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role
from everytouch.followups.actions import record_commitment
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.quality.actions import score_interaction
from everytouch.quality.campaigns import CampaignData, create_campaign, create_link
from everytouch.quality.coaching import record_session
from everytouch.quality.playbooks import NewPlaybook, create_playbook, starting_text
from everytouch.staff.departures.actions import open_departure
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.messages.actions import take_message
from everytouch.staff.notifications import notify
from everytouch.testing import PASSWORD, make_customer
from everytouch.testing.axe import axe_violations, preload_axe
from everytouch.testing.browser import (
    SCREENSHOT_DIR,
    VIEWPORTS,
    horizontal_overflow,
    keep_screenshot,
    log_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = "accessibility"

ALL = frozenset({"rep", "manager", "owner", "trainer"})
DESK = frozenset({"rep", "manager", "owner"})
MANAGERS = frozenset({"manager", "owner"})
REVIEWERS = frozenset({"trainer", "manager", "owner"})
# Forms that are the same for every role that may open them: checked once, to save time.
ONCE = frozenset({"manager"})

World = dict[str, int | str]


@dataclass(frozen=True)
class Visit:
    """A page to check: its URL name, what fills the URL, and which roles may open it."""

    name: str
    roles: frozenset[str]
    url: Callable[[World], str]
    status: int = 200


def to(
    name: str, key: str | None = None, kwarg: str = "pk", query: str = ""
) -> Callable[[World], str]:
    def url(world: World) -> str:
        kwargs = {} if key is None else {kwarg: world[key]}
        return reverse(name, kwargs=kwargs) + query

    return url


PAGES = (
    Visit("desk", DESK, to("desk")),
    # The screen pop, as a known caller and as a new one, with the log form below it.
    Visit("desk known caller", DESK, to("desk", query="?q=jane%40example.com")),
    Visit("desk new caller", DESK, to("desk", query="?q=%2B14155550188")),
    Visit("customer list", ALL, to("customer_list")),
    Visit("customer detail", ALL, to("customer_detail", "customer")),
    Visit("customer edit", DESK, to("customer_edit", "customer")),
    Visit("customer merge", MANAGERS, to("customer_merge", "customer")),
    Visit("customer erase", frozenset({"owner"}), to("customer_erase", "customer")),
    Visit(
        "merge preview",
        MANAGERS,
        lambda w: reverse("customer_merge", kwargs={"pk": w["customer"]}) + f"?other={w['twin']}",
    ),
    Visit(
        "correct a contact",
        DESK,
        lambda w: reverse(
            "customer_contact_edit", kwargs={"pk": w["customer"], "contact_id": w["contact"]}
        ),
    ),
    Visit("desk by name", DESK, to("desk", query="?q=Jane")),
    Visit("search", ALL, to("search", query="?q=Jane")),
    Visit("interaction list", ALL, to("interaction_list")),
    Visit("interaction detail", ALL, to("interaction_detail", "interaction")),
    Visit("my day", ALL, to("my_day")),
    Visit("new promise", DESK, lambda w: reverse("commitment_new") + f"?customer={w['customer']}"),
    Visit("calendar", ALL, to("calendar_settings")),
    Visit("cadences", MANAGERS, to("cadence_plan")),
    Visit("lead board", ALL, to("lead_board")),
    Visit("lead detail", ALL, to("lead_detail", "lead")),
    Visit("new lead", DESK, to("lead_new")),
    Visit("lead speed", ALL, to("lead_speed")),
    Visit("staff directory", ALL, to("staff_directory")),
    Visit("staff member", ALL, to("staff_member", "member")),
    Visit("my messages", ALL, to("messages_mine")),
    Visit("all messages", MANAGERS, to("messages_all")),
    Visit("take a message", DESK, to("message_new")),
    Visit("notifications", ALL, to("notifications")),
    Visit("quality dashboard", ALL, to("quality_dashboard")),
    Visit("scorecard", ALL, to("scorecard", "scored")),
    Visit("disputes", ALL, to("dispute_list")),
    Visit("coaching", ALL, to("coaching_queue")),
    Visit("coaching a rep", ALL, to("coaching_rep", "rep", "rep_id")),
    Visit("campaigns", REVIEWERS, to("campaign_list")),
    Visit("campaign", REVIEWERS, to("campaign_detail", "campaign")),
    Visit("playbooks", ALL, to("playbook_list")),
    Visit("playbook", ALL, to("playbook_detail", "playbook")),
    Visit("edit playbook", MANAGERS, to("playbook_edit", "playbook")),
    Visit("promotions", ALL, to("promotion_list")),
    Visit("new campaign", ONCE, to("campaign_new")),
    Visit("new playbook", ONCE, to("playbook_new")),
    Visit("new promotion", ONCE, to("promotion_new")),
    Visit("transcript import", ONCE, to("transcript_import")),
    Visit("agreement", ONCE, to("quality_agreement")),
    Visit("conversations", ONCE, to("quality_conversations", query="?check=greeting&status=fail")),
    Visit("webhooks", ONCE, to("webhook_list")),
    Visit("start a departure", ONCE, to("departure_start", "member", "member_id")),
    Visit("early warning", MANAGERS, to("early_warning")),
    Visit("departures", MANAGERS, to("departure_list")),
    Visit("departure", MANAGERS, to("departure_detail", "departure")),
    Visit("sessions", ALL, to("login_sessions")),
    Visit("two-factor login", ALL, to("two_factor")),
    Visit("lockouts", MANAGERS, to("login_lockouts")),
    Visit("not found", ALL, to("customer_detail", "missing"), status=404),
    Visit("forbidden", frozenset({"rep"}), to("early_warning"), status=403),
    Visit("forbidden", frozenset({"trainer"}), to("desk"), status=403),
)

SCORED_TURNS = (
    TurnData("agent", "Acme Office, Ron speaking."),
    TurnData("customer", "How much is the toner?"),
    TurnData("agent", "It is $89."),
)


def build_world(rep: User, manager: User, viewer: User) -> World:
    """One of each record the pages show, Ron's (the rep's), so every role has something."""
    customer = make_customer(owner=rep)
    twin = make_customer(owner=rep, contacts=("+14155550177",))
    data = InteractionData(channel=Channel.CALL, summary="Asked for a quote", handled_by=rep)
    call = log_interaction(customer, data, rep)
    lead, _ = capture_lead(customer, LeadData(need="40 chairs"), owner=rep, actor=rep)
    due = timezone.now() + timedelta(hours=4)
    record_commitment(customer, rep, "Call back with the quote", due, rep)
    take_message(intended_for=rep, about="Call me back", taken_by=manager, customer=customer)
    notify(viewer, "Call Jane back", reverse("my_day"), "a11y")
    member = ensure_staff(rep)
    start = timezone.now() + timedelta(days=7)
    schedule_absence(member, start, start + timedelta(days=2), "Trade show")
    leaver = create_user("leo", PASSWORD, Role.REP, first_name="Leo", last_name="Leaving")
    departure = open_departure(ensure_staff(leaver), date.today() + timedelta(days=30), manager)
    scored = log_interaction(customer, replace(data, turns=SCORED_TURNS), rep)
    score_interaction(scored)
    record_session(rep, manager, ["asked_name"], "Ask the name first.", timezone.now())
    campaign = create_campaign(
        CampaignData("Toner calls", date.today(), date.today(), ("Ask a price",), (rep,)), manager
    )
    playbook = create_playbook(NewPlaybook("Ron's team", None, starting_text()), manager)
    tester_token = create_link(campaign, "Anna", None, timezone.now())[1]
    return {
        "tester_token": tester_token,
        "customer": customer.pk,
        "twin": twin.pk,
        "contact": customer.contacts.all()[0].pk,
        "missing": customer.pk + 1000,
        "interaction": call.pk,
        "lead": lead.pk,
        "member": member.pk,
        "departure": departure.pk,
        "scored": scored.pk,
        "rep": rep.pk,
        "campaign": campaign.pk,
        "playbook": playbook.pk,
    }


def check(page: Page, role: str, label: str) -> list[str]:
    """Axe and the sideways-scroll check at each width; screenshots kept either way."""
    problems = []
    for width_name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        keep_screenshot(page, SCREENSHOTS, f"{role}-{label}-{width_name}")
        where = f"{role} · {label} · {width_name} ({page.url})"
        for violation in axe_violations(page):
            problems.append(f"{where}\n{violation.describe()}")
        if width_name == "phone" and (wide := horizontal_overflow(page)):
            problems.append(f"{where}\n  scrolls sideways: " + "; ".join(wide))
    return problems


def visit(page: Page, url: str, expected: int) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == expected, f"{url} answered {response.status}, not {expected}"


def wrong_answer(page: Page, role: str, label: str, url: str, expected: int) -> str | None:
    """Open the page; say so if it answers another status (then it is not the page to check).

    Reported with the rest rather than stopping the walk: after a change to who may open what,
    one run still shows every page's problems (and PAGES needs the same change).
    """
    response = page.goto(url)
    status = None if response is None else response.status
    if status == expected:
        return None
    return f"{role} · {label} ({url})\n  answered {status}, not {expected}: not checked"


@pytest.mark.parametrize("role", sorted(ALL))
def test_it_finds_no_serious_accessibility_problem_on_any_page_a_role_opens(
    request: pytest.FixtureRequest,
    role: str,
    live_server: LiveServer,
    rep: User,
    manager: User,
    page: Page,
) -> None:
    viewer: User = request.getfixturevalue(role)
    world = build_world(rep, manager, viewer)
    problems: list[str] = []
    preload_axe(page.context)

    visit(page, f"{live_server.url}{reverse('login')}", 200)
    problems += check(page, "anonymous", "login")
    if role in ONCE:
        # An outside tester's private link: a public page, no login.
        tester_link = reverse("tester_link", kwargs={"token": world["tester_token"]})
        visit(page, f"{live_server.url}{tester_link}", 200)
        problems += check(page, "anonymous", "tester link")
    if role == "rep":
        # A form sent without its CSRF cookie: the error page a stale tab meets.
        page.context.clear_cookies()
        page.fill("#id_username", rep.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation() as refused:
            page.locator("form button[type=submit]").click()
        response = refused.value
        assert response is not None and response.status == 403
        problems += check(page, "anonymous", "csrf failure")

    # Each role lands on its own home page (a trainer has no desk).
    log_in(page, live_server, viewer, lands_on=None)
    pages = [p for p in PAGES if role in p.roles]
    for page_to_check in pages:
        url = f"{live_server.url}{page_to_check.url(world)}"
        wrong = wrong_answer(page, role, page_to_check.name, url, page_to_check.status)
        problems += [wrong] if wrong else check(page, role, page_to_check.name)

    if problems:
        # pytest.fail rather than assert: the report reads as written, not as a list's repr.
        pytest.fail(
            f"{len(problems)} accessibility problem(s) for the {role}; screenshots in "
            f"{SCREENSHOT_DIR / SCREENSHOTS}:\n\n" + "\n\n".join(problems),
            pytrace=False,
        )


def test_it_draws_a_visible_outline_around_whatever_the_keyboard_focuses(
    live_server: LiveServer, page: Page
) -> None:
    # axe cannot see focus styles; Chromium's own ring is a thin "auto" outline that vanishes on
    # the blue buttons, so the stylesheet draws a solid 3 px one on links, fields and buttons.
    page.goto(f"{live_server.url}{reverse('login')}")
    # A key press first: focus moved by script after it counts as keyboard focus (:focus-visible).
    page.keyboard.press("Tab")
    outlines = {}
    for selector in ("header a", "#id_username", "#id_password", "form button[type=submit]"):
        page.locator(selector).first.focus()
        outlines[selector] = page.evaluate(
            """() => {
              const css = getComputedStyle(document.activeElement);
              return css.outlineStyle + " " + css.outlineWidth;
            }"""
        )
    assert outlines == {
        "header a": "solid 3px",
        "#id_username": "solid 3px",
        "#id_password": "solid 3px",
        "form button[type=submit]": "solid 3px",
    }
