"""The managers' webhook page: endpoints, the secret shown once, the delivery log, retry now."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.leads import webhooks
from everytouch.leads.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from everytouch.leads.tests.helpers import a_lead, jane
from everytouch.testing import client_for, user_for

pytestmark = pytest.mark.django_db

MANAGERS_ONLY = [("manager", 200), ("rep", 403), ("trainer", 403), ("outsider", 403), (None, 302)]


@pytest.fixture
def failed(rep: User) -> WebhookDelivery:
    endpoint = webhooks.create_endpoint("https://crm.example.com/hook", list(webhooks.EVENTS))
    a_lead(jane(owner=rep), rep)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    delivery.status, delivery.attempts = DeliveryStatus.FAILED, 6
    delivery.last_error = "HTTP 503 Service Unavailable"
    delivery.save()
    return delivery


@pytest.mark.parametrize(("role", "status"), MANAGERS_ONLY)
def test_it_shows_endpoints_and_the_delivery_log_only_to_managers(
    request: pytest.FixtureRequest, failed: WebhookDelivery, role: str | None, status: int
) -> None:
    response = client_for(user_for(request, role)).get(reverse("webhook_list"))
    assert response.status_code == status
    shown = b"HTTP 503 Service Unavailable" in response.content
    assert shown == (status == 200)
    assert failed.endpoint.secret.encode() not in response.content


def test_it_shows_a_new_endpoints_secret_once(manager: User) -> None:
    client = client_for(manager)
    body = {"url": "https://crm.example.com/hook", "events": ["lead.created"]}
    created = client.post(reverse("webhook_list"), body)
    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["lead.created"]
    assert endpoint.secret.encode() in created.content
    assert endpoint.secret.encode() not in client.get(reverse("webhook_list")).content


@pytest.mark.parametrize("url", ["ftp://crm.example.com/hook", "crm.example.com"])
def test_it_refuses_an_endpoint_that_is_not_http_with_the_reason(manager: User, url: str) -> None:
    body = {"url": url, "events": ["lead.created"]}
    response = client_for(manager).post(reverse("webhook_list"), body)
    assert response.status_code == 400
    assert b"must start with http:// or https://" in response.content
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", b"127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest", b"169.254.169.254 is a link-local address"),
        ("https://[fd00::5]/hook", b"fd00::5 is a private address"),
    ],
)
def test_it_refuses_an_endpoint_at_an_internal_address_with_the_reason(
    manager: User, url: str, reason: bytes
) -> None:
    body = {"url": url, "events": ["lead.created"]}
    response = client_for(manager).post(reverse("webhook_list"), body)
    assert response.status_code == 400
    assert reason in response.content
    assert b"EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE" in response.content
    assert WebhookEndpoint.objects.count() == 0


def test_it_accepts_an_internal_address_when_the_operator_allows_it(
    manager: User, settings: Any
) -> None:
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = True
    body = {"url": "http://10.0.0.5/hook", "events": ["lead.created"]}
    assert client_for(manager).post(reverse("webhook_list"), body).status_code == 201
    assert WebhookEndpoint.objects.get().url == "http://10.0.0.5/hook"


def test_it_refuses_endpoint_creation_to_a_rep(rep: User) -> None:
    body = {"url": "https://crm.example.com/hook", "events": ["lead.created"]}
    assert client_for(rep).post(reverse("webhook_list"), body).status_code == 403
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"), [("manager", 302), ("rep", 404), ("trainer", 404), ("outsider", 404)]
)
def test_it_lets_a_manager_retry_a_failed_delivery_now(
    request: pytest.FixtureRequest, failed: WebhookDelivery, role: str, status: int
) -> None:
    url = reverse("delivery_retry", args=[failed.pk])
    response = client_for(user_for(request, role)).post(url)
    assert response.status_code == status
    failed.refresh_from_db()
    expected = DeliveryStatus.PENDING if status == 302 else DeliveryStatus.FAILED
    assert failed.status == expected


def test_it_pauses_an_endpoint_so_new_events_skip_it(manager: User, rep: User) -> None:
    endpoint = webhooks.create_endpoint("https://crm.example.com/hook", ["lead.created"])
    client_for(manager).post(reverse("webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    a_lead(jane(owner=rep), rep)
    assert WebhookDelivery.objects.count() == 0
