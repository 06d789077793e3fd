"""Every read of many customers' data at once writes one access-log line: who, what, how many."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from everytouch.cli import main
from everytouch.followups.actions import record_commitment
from everytouch.interactions.actions import InteractionData, log_interaction
from everytouch.interactions.models import Channel
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.privacy.tests.conftest import AccessLog
from everytouch.staff.messages.actions import take_message
from everytouch.testing import bearer, client_for, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def jane(manager: User, rep: User) -> None:
    """One of each: Jane, her call, her lead, a promise and a message for the manager today."""
    customer = make_customer(owner=manager)
    log_interaction(customer, InteractionData(Channel.CALL, summary="Toner"), rep)
    capture_lead(customer, LeadData(need="40 chairs"), owner=manager, actor=rep)
    due = timezone.now() + timedelta(hours=2)
    record_commitment(customer, manager, "Call back with the quote", due, manager)
    take_message(intended_for=manager, about="Call me back", taken_by=rep, customer=customer)


EVERYTHING = "customers+leads+interactions"
WEB = [
    (reverse("customer_list"), "list", 1, "customers"),
    (reverse("customer_list") + "?q=Jane", "search", 1, "customers"),
    (reverse("interaction_list"), "list", 1, "interactions"),
    (reverse("lead_board"), "list", 1, "leads"),
    (reverse("lead_board_column", args=["new"]), "list", 1, "leads"),
    (reverse("lead_export"), "export", 1, "leads"),
    (reverse("messages_mine"), "list", 1, "messages"),
    (reverse("messages_all"), "list", 1, "messages"),
    (reverse("my_day"), "list", 1, "promises"),
    (reverse("search") + "?q=Jane", "search", 3, EVERYTHING),
    (reverse("search") + "?q=Jane&type=customers", "search", 1, "customers"),
    (reverse("search_suggest") + "?q=Jane", "search", 3, EVERYTHING),
]
API = [
    ("/api/v1/customers", "api.list", 1, "customers"),
    ("/api/v1/customers?q=Jane", "api.search", 1, "customers"),
    ("/api/v1/interactions", "api.list", 1, "interactions"),
    ("/api/v1/leads", "api.list", 1, "leads"),
    ("/api/v1/commitments", "api.list", 1, "promises"),
    ("/api/v1/my-day", "api.list", 1, "promises"),
    ("/api/v1/messages", "api.list", 1, "messages"),
    ("/api/v1/search?q=Jane", "api.search", 3, EVERYTHING),
]


def _line(user: User | None, action: str, count: int, what: str) -> str:
    who = user.pk if user is not None else "-"
    return f"user={who} action={action} count={count} what={what}"


def _read_once(client: Client, url: str, access_log: AccessLog) -> list[str]:
    before = len(access_log())
    assert client.get(url).status_code == 200
    return [line for line in access_log()[before:] if " count=" in line]


@pytest.mark.parametrize(("url", "action", "count", "what"), WEB)
def test_it_logs_each_web_list_search_and_export_once(
    jane: None, manager: User, access_log: AccessLog, url: str, action: str, count: int, what: str
) -> None:
    lines = _read_once(client_for(manager), url, access_log)
    assert lines == [_line(manager, action, count, what)]


@pytest.mark.parametrize(("url", "action", "count", "what"), API)
def test_it_logs_each_api_list_and_search_once(
    jane: None, manager: User, access_log: AccessLog, url: str, action: str, count: int, what: str
) -> None:
    lines = _read_once(bearer(manager), url, access_log)
    assert lines == [_line(manager, action, count, what)]


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["export", "customers"], "customers"),
        (["leads", "list"], "leads"),
        (["promises", "list"], "promises"),
    ],
)
def test_it_logs_each_command_line_export_as_the_operator(
    jane: None,
    access_log: AccessLog,
    argv: list[str],
    what: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Django is set up already; setting it up again would reconfigure logging and so detach
    # the test's handler from the access log.
    monkeypatch.setattr("everytouch.cli_base.setup_django", lambda: None)
    assert main(argv) == 0
    assert _line(None, "export", 1, what) in access_log()
