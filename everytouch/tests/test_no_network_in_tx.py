"""The guard that fails any test making a network call inside a transaction really bites.

Each test here does the wrong thing on purpose against a real server on loopback (HTTP, SMTP)
and checks the guard stopped it, then clears the record so the test itself passes.
"""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from everytouch import sweeps
from everytouch.leads import webhooks
from everytouch.leads.actions import LeadData, capture_lead
from everytouch.leads.models import WebhookDelivery
from everytouch.testing import free_port, make_customer
from everytouch.testing.mail import Inbox
from everytouch.testing.no_network_in_tx import Guard, NetworkInTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def http_url() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that answers 204 and records each request's path."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


def post(url: str) -> int:
    request = urllib.request.Request(url, data=b"{}", method="POST")  # noqa: S310 -- loopback
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return int(response.status)


def caught(guard: Guard) -> list[str]:
    """What the guard recorded, cleared so that this deliberate violation does not fail the test."""
    found = list(guard.violations)
    guard.violations.clear()
    return found


def test_it_stops_an_http_call_inside_a_transaction(
    http_url: tuple[str, list[str]], no_network_in_transaction: Guard
) -> None:
    url, seen = http_url
    with pytest.raises(NetworkInTransaction), transaction.atomic():
        post(url)
    assert seen == []
    [violation] = caught(no_network_in_transaction)
    assert "connect to ('127.0.0.1'" in violation
    assert "default database" in violation


def test_it_lets_the_same_call_through_after_the_commit(
    http_url: tuple[str, list[str]], no_network_in_transaction: Guard
) -> None:
    url, seen = http_url
    with transaction.atomic():
        make_customer()
    # The test's own wrapping transaction (a plain django_db test) does not count.
    assert post(url) == 204
    assert seen == ["/hook"]
    assert no_network_in_transaction.violations == []


@pytest.mark.django_db(transaction=True)
def test_it_stops_an_smtp_send_inside_a_transaction(
    smtp_inbox: Inbox, no_network_in_transaction: Guard
) -> None:
    with pytest.raises(NetworkInTransaction), transaction.atomic():
        EmailMessage("hi", "body", to=["ron@example.com"]).send()
    assert smtp_inbox.recipients() == []
    assert len(caught(no_network_in_transaction)) == 1
    EmailMessage("hi", "body", to=["ron@example.com"]).send()
    assert smtp_inbox.recipients() == ["ron@example.com"]


def test_it_stops_a_dns_lookup_inside_a_transaction(no_network_in_transaction: Guard) -> None:
    with pytest.raises(NetworkInTransaction), transaction.atomic():
        socket.getaddrinfo("crm.example.com", 443)
    assert "DNS lookup of 'crm.example.com'" in caught(no_network_in_transaction)[0]


def test_it_catches_a_webhook_posted_the_old_way_inside_a_transaction(
    http_url: tuple[str, list[str]], no_network_in_transaction: Guard, rep: Any, settings: Any
) -> None:
    """What deliver() did before: POST while holding the delivery's row lock."""
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    url, seen = http_url
    webhooks.create_endpoint(url, ["lead.created"])
    capture_lead(make_customer(owner=rep), LeadData(need="40 chairs"), owner=rep, actor=rep)
    delivery = WebhookDelivery.objects.get()
    with transaction.atomic():
        WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        # The webhook code catches OSError and records it as a failed attempt; the guard's
        # error is not one, and is recorded for the end of the test besides.
        with pytest.raises(NetworkInTransaction):
            webhooks.post(delivery)
    assert seen == []
    assert len(caught(no_network_in_transaction)) == 1
    # Done the right way (claim, commit, POST, record), the same delivery goes through.
    assert webhooks.deliver(delivery.pk, 0)
    assert seen == ["/hook"]


def test_it_fails_the_test_even_when_the_code_swallows_the_error(
    http_url: tuple[str, list[str]],
    no_network_in_transaction: Guard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, seen = http_url

    def sweep_posting_inside_a_transaction() -> int:
        with transaction.atomic():
            return post(url)

    monkeypatch.setitem(sweeps._sweeps, "a careless sweep", sweep_posting_inside_a_transaction)
    # run_all logs a failing sweep and carries on: the guard's error is swallowed there...
    assert sweeps.run_all()["a careless sweep"] == -1
    # ...but recorded, and the fixture fails the test at teardown unless it is cleared.
    assert len(caught(no_network_in_transaction)) == 1
    assert seen == []
