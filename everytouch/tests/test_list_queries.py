"""No list page or list endpoint runs a query per row (no N+1).

Each check makes N rows of everything, asks for the list, makes N more and asks again: the
number of queries must stay the same. Savepoint statements are left out of the count, since
backends differ there; everything else is compared on the same database, so the check holds on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.actions import create_user, save_view
from everytouch.accounts.listing import SAVED_PAGES
from everytouch.accounts.models import Role
from everytouch.accounts.sessions import Client as SessionClient
from everytouch.accounts.sessions import record_login_session
from everytouch.customers.models import Customer
from everytouch.followups.actions import record_commitment
from everytouch.followups.ical import issue_feed
from everytouch.interactions.actions import InteractionData, TurnData, log_interaction, transfer
from everytouch.interactions.models import Channel
from everytouch.leads import webhooks
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.quality.actions import score_interaction
from everytouch.quality.campaigns import CampaignData, create_campaign
from everytouch.quality.playbooks import NewPlaybook, create_playbook, starting_text
from everytouch.quality.promotions import PromotionData, create_promotion
from everytouch.quality.reviews import dispute_check
from everytouch.staff.departures.actions import open_departure
from everytouch.staff.directory.actions import ensure_staff, schedule_absence
from everytouch.staff.messages.actions import take_message
from everytouch.staff.models import Team
from everytouch.staff.notifications import notify
from everytouch.testing import PASSWORD, bearer, make_customer
from everytouch.testing.urls import all_patterns

pytestmark = pytest.mark.django_db

N = 3
TURNS = (TurnData("agent", "Acme Office, Ron speaking."), TurnData("customer", "A quote, please."))


@dataclass(frozen=True)
class ListPage:
    name: str
    query: str = ""
    api: bool = False
    kwargs: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name + self.query


PAGES = [
    ListPage("customer_list"),
    ListPage("interaction_list"),
    ListPage("lead_board"),
    ListPage("lead_board", "?sort=customer&owner=me"),
    ListPage("lead_board_column", "?page=1", kwargs=(("stage", "new"),)),
    ListPage("customer_list", "?sort=-owner&q=Person"),
    ListPage("interaction_list", "?sort=handled_by&channel=call"),
    ListPage("messages_mine", "?sort=-created"),
    ListPage("messages_all", "?sort=-urgency"),
    ListPage("lead_export"),
    ListPage("lead_speed"),
    ListPage("messages_mine"),
    ListPage("messages_all"),
    ListPage("notifications"),
    ListPage("my_day"),
    ListPage("staff_directory"),
    ListPage("departure_list"),
    ListPage("webhook_list"),
    ListPage("early_warning"),
    ListPage("calendar_feed"),
    ListPage("dispute_list"),
    ListPage("login_sessions"),
    ListPage("login_lockouts"),
    ListPage("api-v1:list_customers", api=True),
    ListPage("api-v1:list_interactions", api=True),
    ListPage("api-v1:list_leads", api=True),
    ListPage("api-v1:list_commitments", api=True),
    ListPage("api-v1:my_day", api=True),
    ListPage("api-v1:list_staff", api=True),
    ListPage("api-v1:list_messages", api=True),
    ListPage("api-v1:list_scorecards", api=True),
    # quality: q-camp
    ListPage("campaign_list"),
    ListPage("api-v1:list_campaigns", api=True),
    # quality: q-playbooks
    ListPage("playbook_list"),
    ListPage("promotion_list"),
    ListPage("promotion_list", "?show=past"),
    # quality: q-dash
    ListPage("quality_dashboard"),
    ListPage("quality_conversations", "?check=greeting"),
    ListPage("quality_not_scored"),
    # desk: the customers a name matches at the desk
    ListPage("desk_lookup", "?q=Person"),
    # search: every kind of record at once, one kind paged, and the type-ahead
    ListPage("search", "?q=Person"),
    ListPage("search", "?q=chairs"),
    ListPage("search", "?q=Person&type=customers"),
    ListPage("search", "?q=Person&type=leads"),
    ListPage("search", "?q=Person&type=interactions"),
    ListPage("search_suggest", "?q=Person"),
    ListPage("api-v1:search", "?q=Person", api=True),
    # pages: the rest of what benchmarks/pages.py times that lists rows (issue 13). The desk's
    # routing answer looks at every colleague's availability: one query, not one per person.
    ListPage("desk"),
    ListPage("desk_ask"),
    ListPage("desk_missing"),
    ListPage("api-v1:route_call", api=True),
    ListPage("interaction_list", "?page=2"),
    ListPage("customer_list", "?page=2"),
    ListPage("lead_new"),
    ListPage("message_new"),
    ListPage("transcript_import"),
    ListPage("quality_agreement"),
    ListPage("training_examples", kwargs=(("check_id", "asked_name"),)),
    ListPage("coaching_queue"),
    ListPage("campaign_new"),
    ListPage("playbook_new"),
    ListPage("promotion_new"),
    ListPage("cadence_plan"),
    ListPage("calendar_settings"),
    ListPage("two_factor"),
    ListPage("api-v1:get_away_message", api=True, kwargs=(("who", "maria"),)),
]


def make_rows(viewer: User, first: int, count: int) -> None:
    """``count`` of everything a list shows, each from a rep of its own: customer, call, lead
    (with its webhook delivery), promise, message and notice for the viewer, absence, departure,
    and a saved view of every list page for the viewer."""
    for i in range(first, first + count):
        rep = create_user(f"rep{i}", PASSWORD, Role.REP, first_name=f"Rep{i}", last_name="Rep")
        member = ensure_staff(rep)
        customer = make_customer(f"Person {i}", (f"+1201555{3000 + i}",), owner=rep)
        data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=TURNS)
        call = log_interaction(customer, data, rep)
        capture_lead(customer, LeadData(need=f"{i} chairs"), owner=rep, actor=rep)
        due = timezone.now() + timedelta(hours=2)
        record_commitment(customer, viewer, f"Call {i} back", due, viewer, source_interaction=call)
        take_message(intended_for=viewer, about=f"Call {i}", taken_by=rep, customer=customer)
        notify(viewer, f"Notice {i}", "/my-day/", f"notice-{i}")
        start = timezone.now() + timedelta(days=7)
        schedule_absence(member, start, start + timedelta(days=1), "Trade show")
        open_departure(member, date.today() + timedelta(days=30), viewer)
        dispute_check(score_interaction(call), "asked_name", f"Dispute {i}", rep)
        # A locked-out username for the lockouts page.
        AccessAttempt.objects.create(
            username=f"rep{i}",
            ip_address=f"10.0.1.{i}",
            user_agent="Firefox",
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/login/",
        )
        # A logged-in session of the viewer's for the session list.
        browser = Client()
        browser.force_login(viewer)
        key = browser.session.session_key or ""
        record_login_session(viewer, key, SessionClient(f"10.0.0.{i}", "Firefox"))
        for saved_page in SAVED_PAGES:
            save_view(viewer, saved_page, f"View {i}", "sort=-created")
        # quality: q-camp
        brief = (f"Ask the price of toner {i}",)
        campaign_data = CampaignData(f"Campaign {i}", date.today(), date.today(), brief, (rep,))
        create_campaign(campaign_data, viewer).testers.add(viewer)
        make_quality_rows(rep, i)
        # quality: q-dash
        bare = InteractionData(channel=Channel.VISIT, handled_by=rep, summary="Walk-in")
        score_interaction(log_interaction(customer, bare, rep))


# quality: q-playbooks
def make_quality_rows(rep: User, i: int) -> None:
    """A team with its own active playbook (saved by ``rep``), a current and a past offer."""
    team = Team.objects.create(name=f"Team {i}")
    book = NewPlaybook(f"Playbook {i}", team, starting_text(), activate=True)
    create_playbook(book, rep)
    today = timezone.localdate()
    for start, end in ((0, 3), (-9, -2)):
        days = today + timedelta(days=start), today + timedelta(days=end)
        create_promotion(PromotionData(f"Offer {i}", *days, (f"deal {i}",), "Say it."))


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        # A streamed download (the lead export) reads its rows while it is sent: count those.
        body = response.getvalue()
    assert response.status_code == 200, body[:500]
    return len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].upper()])


@pytest.mark.parametrize(
    "page",
    [pytest.param(p, id=str(p)) for p in PAGES],
)
def test_it_lists_without_a_query_per_row(page: ListPage, manager: User) -> None:
    webhooks.create_endpoint("https://crm.example.com/hook", list(webhooks.EVENTS))
    kwargs = {"token": issue_feed(manager)} if page.name == "calendar_feed" else dict(page.kwargs)
    url = reverse(page.name, kwargs=kwargs) + page.query
    client = bearer(manager) if page.api else Client()
    if not page.api:
        client.force_login(manager)
    make_rows(manager, 0, N)
    client.get(url)  # warm up: one-off work (token last used, caches) is not per row
    with_n = queries(client, url)
    make_rows(manager, N, N)
    assert queries(client, url) == with_n


def add_history(customer: Customer, rep: User, count: int) -> None:
    """Everything the customer page shows beside the timeline: touches, promises, leads,
    messages, scorecards, and a look-alike record for the duplicate suggestions."""
    for i in range(count):
        data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=TURNS)
        call = log_interaction(customer, data, rep)
        due = timezone.now() + timedelta(hours=2 + i)
        record_commitment(customer, rep, f"Call back {i}", due, rep, source_interaction=call)
        capture_lead(customer, LeadData(need=f"{i} desks"), owner=rep, actor=rep)
        take_message(intended_for=rep, about=f"Call {i}", taken_by=rep, customer=customer)
        score_interaction(call)
        number = Customer.objects.count()
        make_customer(customer.name, (f"+1201555{5000 + number}",), company=customer.company)


# One customer's pages and endpoints that show their history (page, kwarg, API, roles).
CUSTOMER_PAGES = [
    ("customer_detail", "pk", False, ("rep", "manager")),
    ("customer_edit", "pk", False, ("rep", "manager")),
    ("customer_merge", "pk", False, ("manager",)),
    ("customer_export", "pk", False, ("manager",)),
    ("api-v1:get_customer", "customer_id", True, ("rep", "manager")),
    ("api-v1:export_customer_endpoint", "customer_id", True, ("manager",)),
]


@pytest.mark.parametrize(
    ("name", "kwarg", "api", "role"),
    [
        pytest.param(name, kwarg, api, role, id=f"{name}-{role}")
        for name, kwarg, api, roles in CUSTOMER_PAGES
        for role in roles
    ],
)
def test_it_shows_a_customers_timeline_without_a_query_per_event(
    request: pytest.FixtureRequest, name: str, kwarg: str, api: bool, role: str, rep: User
) -> None:
    customer = make_customer(owner=rep)
    url = reverse(name, kwargs={kwarg: customer.pk})
    viewer = request.getfixturevalue(role)
    client = bearer(viewer) if api else Client()
    if not api:
        client.force_login(viewer)
    add_history(customer, rep, N)
    client.get(url)
    with_n = queries(client, url)
    add_history(customer, rep, N)
    assert queries(client, url) == with_n


def a_long_call(customer: Customer, reps: tuple[User, User], count: int) -> int:
    """A call of ``count`` turns, passed back and forth ``count`` times between two reps."""
    turns = tuple(TurnData("customer", f"Question {i}") for i in range(count))
    data = InteractionData(channel=Channel.CALL, handled_by=reps[0], turns=turns)
    call = log_interaction(customer, data, reps[0])
    for i in range(count):
        transfer(call, reps[(i + 1) % 2], f"Round {i}", reps[i % 2])
    return call.pk


def test_it_shows_a_call_without_a_query_per_turn_or_transfer(rep: User, rep2: User) -> None:
    customer = make_customer(owner=rep)
    client = Client()
    client.force_login(rep)
    short = reverse("interaction_detail", args=[a_long_call(customer, (rep, rep2), N)])
    long = reverse("interaction_detail", args=[a_long_call(customer, (rep, rep2), 2 * N)])
    client.get(short)
    assert queries(client, long) == queries(client, short)


def give_leaver_work(leaver: User, first: int, count: int) -> None:
    """``count`` of every kind of open work the leaver owns: customers, leads, promises and
    messages, each with its own customer (their names are what the hand-over plan shows)."""
    for i in range(first, first + count):
        customer = make_customer(f"Leaver's {i}", (f"+1201555{6000 + i}",), owner=leaver)
        capture_lead(customer, LeadData(need=f"{i} desks"), owner=leaver, actor=leaver)
        due = timezone.now() + timedelta(hours=2)
        record_commitment(customer, leaver, f"Call {i} back", due, leaver)
        take_message(intended_for=leaver, about=f"Call {i}", taken_by=leaver, customer=customer)


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_it_shows_a_departure_without_a_query_per_row_left_to_hand_over(
    api: bool, manager: User, rep: User
) -> None:
    departure = open_departure(ensure_staff(rep), date.today() + timedelta(days=30), manager)
    name, kwarg = ("api-v1:get_departure", "departure_id") if api else ("departure_detail", "pk")
    url = reverse(name, kwargs={kwarg: departure.pk})
    client = bearer(manager) if api else Client()
    if not api:
        client.force_login(manager)
    give_leaver_work(rep, 0, N)
    client.get(url)
    with_n = queries(client, url)
    give_leaver_work(rep, N, N)
    assert queries(client, url) == with_n


def test_it_checks_every_list_the_app_serves() -> None:
    # A new list page or list endpoint is named like the others (``*_list``, ``list_*``); it
    # must join PAGES, or this check of query counts would quietly leave it out.
    named_lists = {key for key in all_patterns() if "list" in key.split(":")[-1]}
    assert named_lists <= {page.name for page in PAGES}


# Pages the benchmark times that show one record and no list that grows with the business, or
# whose lists are checked above under another name (a customer's pages, a call's).
ONE_RECORD = {
    "customer_detail",
    "customer_edit",
    "customer_merge",
    "customer_export",
    "customer_erase",
    "customer_contact_edit",
    "interaction_detail",
    "interaction_commitments",
    "lead_detail",
    "staff_member",
    "departure_start",
    "departure_detail",  # its hand-over plan: test_it_shows_a_departure_without_a_query_per_row
    "scorecard",
    "coaching_rep",
    "campaign_detail",
    "campaign_edit",
    "campaign_test_new",
    "campaign_report",
    "playbook_detail",
    "playbook_edit",
    "playbook_version",
    "promotion_edit",
    "rescore_detail",
    "api-v1:get_customer",
    "api-v1:export_customer_endpoint",
    "api-v1:get_departure",  # the same plan
    "api-v1:get_interaction",
    "api-v1:get_lead",
    "api-v1:get_scorecard",
    "api-v1:campaign_results",
}


def test_it_checks_every_page_the_page_benchmark_times() -> None:
    # benchmarks/pages.py times every GET the URL matrix lets some role open; a page it times
    # must have its query count checked here too, or be named as one record's page.
    from benchmarks.pages import SKIPPED
    from everytouch.tests.test_url_matrix import TABLE

    timed = {
        name
        for name, entry in TABLE.items()
        if entry.get is not None and 200 in entry.get[2:] and name not in SKIPPED
    }
    checked = {page.name for page in PAGES} | ONE_RECORD
    assert timed - checked == set()
