"""Outbound webhooks for a CRM: signed JSON on lead created and lead handed off.

Delivery is at-least-once on the wire and exactly-once from our side: one WebhookDelivery row
per (endpoint, event_id), created in the transaction that made the event, so a retried action
or job never makes a second one. The sending job locks the row, POSTs, and marks it delivered
in the same transaction; a job that finds it delivered does nothing. If a worker dies after the
receiver answered but before the commit, the next attempt resends the same event_id in
``X-Everytouch-Delivery`` so the receiver can drop the duplicate. A failed attempt is retried
after 1 min, 5 min, 30 min, 2 h and 12 h; after that the delivery is marked failed and a manager
can retry it by hand. docs/leads.md documents the payload and how to verify the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.people import display_name
from everytouch.leads.models import DeliveryStatus, Lead, WebhookDelivery, WebhookEndpoint
from everytouch.redaction import redact_value

logger = logging.getLogger("everytouch.leads")

LEAD_CREATED = "lead.created"
LEAD_HANDED_OFF = "lead.handed_off"
EVENTS = (LEAD_CREATED, LEAD_HANDED_OFF)
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Everytouch-Signature"
EVENT_HEADER = "X-Everytouch-Event"
DELIVERY_HEADER = "X-Everytouch-Delivery"
# A pending delivery whose job should have run this long ago lost it; the sweep re-queues it.
LOST_JOB_GRACE = timedelta(minutes=10)


class InvalidEndpoint(ValueError):
    """A webhook endpoint that cannot be used; the message says why."""


# --- endpoints -----------------------------------------------------------------------------------


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise InvalidEndpoint(f"webhook URLs must start with http:// or https://, not {url!r}")
    if not parts.hostname:
        raise InvalidEndpoint(f"{url!r} has no host name")
    if parts.username or parts.password:
        raise InvalidEndpoint("put credentials in the secret, not in the URL")
    return url


def check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidEndpoint(f"unknown events: {', '.join(unknown)}; use {', '.join(EVENTS)}")
    if not events:
        raise InvalidEndpoint("subscribe to at least one event")
    return [e for e in EVENTS if e in events]


@transaction.atomic
def create_endpoint(url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once)."""
    return WebhookEndpoint.objects.create(
        url=check_url(url), events=check_events(events), secret=secrets.token_hex(32)
    )


@transaction.atomic
def set_active(endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    endpoint.is_active = active
    endpoint.save(update_fields=["is_active"])
    return endpoint


# --- payloads ------------------------------------------------------------------------------------


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": display_name(user), "email": user.email}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _customer(lead: Lead) -> dict[str, Any]:
    customer = lead.customer
    points = list(customer.contacts.values_list("kind", "value"))
    return {
        "id": customer.pk,
        "name": customer.name,
        "company": customer.company,
        "phones": [v for k, v in points if k == "phone"],
        "emails": [v for k, v in points if k == "email"],
    }


def lead_payload(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "path": reverse("lead_detail", args=[lead.pk]),
        "stage": lead.stage,
        "need": lead.need,
        "product_interest": lead.product_interest,
        "budget": lead.budget,
        "timeline": lead.timeline,
        "owner": person(lead.owner),
        "customer": _customer(lead),
        "source_interaction_id": lead.source_interaction_id,
        "created_at": _iso(lead.created_at),
        "first_response_at": _iso(lead.first_response_at),
    }


def emit(event: str, lead: Lead, event_id: str, extra: dict[str, Any] | None = None) -> int:
    """Queue one delivery per active endpoint subscribed to ``event``; returns how many are new.

    Called inside the action's transaction: the rows exist exactly when the event does, and the
    sending jobs are enqueued only once it commits.
    """
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in e.events]
    if not endpoints:
        # Nobody listens (the usual case): skip the payload, which reads the customer's contacts.
        return 0
    body = {
        "event": event,
        "event_id": event_id,
        "occurred_at": timezone.now().isoformat(),
        "lead": lead_payload(lead),
        **(extra or {}),
    }
    created = 0
    for endpoint in endpoints:
        delivery, new = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event_id=event_id,
            defaults={"event": event, "payload": body, "next_attempt_at": timezone.now()},
        )
        if new:
            created += 1
            _enqueue_on_commit(delivery.pk, 0, None)
    return created


# --- sending -------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the HMAC of the raw body and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header.strip())


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(redact_value(payload), separators=(",", ":"), sort_keys=True).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body; treat it as a failure the
    # manager sees in the log rather than a silent loss.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: WebhookDelivery) -> int:
    """POST the signed payload; the HTTP status, or an exception when there is no answer."""
    body = encode(delivery.payload)
    request = urllib.request.Request(  # noqa: S310 -- check_url allowed only http(s)
        check_url(delivery.endpoint.url),
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Everytouch-Webhooks/1",
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.event_id,
        },
    )
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Status code and error text ("" on success) of one POST."""
    try:
        status = post(delivery)
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, InvalidEndpoint) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]
    if 200 <= status < 300:
        return status, ""
    return status, f"HTTP {status}"


def _record_failure(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    if delivery.attempts > len(BACKOFF):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        logger.warning("webhook %s gave up after %s attempts", delivery.pk, delivery.attempts)
    else:
        delivery.next_attempt_at = timezone.now() + BACKOFF[delivery.attempts - 1]
        _enqueue_on_commit(delivery.pk, delivery.attempts, delivery.next_attempt_at)


def deliver(delivery_id: int, expected_attempts: int) -> bool:
    """One attempt at one delivery; True when this run delivered it.

    ``expected_attempts`` is how many attempts the job was scheduled after: a stale job (its
    delivery was retried by hand or already sent) finds another count and does nothing.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return False
        if delivery.attempts != expected_attempts:
            return False
        status, error = _attempt(delivery)
        delivery.attempts += 1
        if error:
            _record_failure(delivery, status, error)
        else:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_status_code, delivery.last_error = status, ""
        delivery.save()
    return not error


@transaction.atomic
def retry_now(delivery: WebhookDelivery) -> WebhookDelivery:
    """A manager's "retry now": a failed or waiting delivery is tried again at once."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.DELIVERED:
        return delivery
    # The attempt count is kept: a failed delivery retried by hand gets one more try (and the
    # log still says how often it failed); a waiting one is simply tried early.
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    _enqueue_on_commit(delivery.pk, delivery.attempts, None)
    return delivery


@transaction.atomic
def requeue_lost() -> int:
    """Enqueue again every pending delivery whose job is long overdue; returns how many.

    Their next attempt moves to now, so a queue that is merely slow is not flooded with a copy
    of the same job on every sweep (a copy would do nothing anyway: see ``deliver``).
    """
    now = timezone.now()
    qs = WebhookDelivery.objects.select_for_update().filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now - LOST_JOB_GRACE
    )
    lost = list(qs.order_by("pk").values_list("pk", "attempts"))
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _ in lost]).update(next_attempt_at=now)
    for delivery_id, attempts in lost:
        _enqueue_on_commit(delivery_id, attempts, None)
    return len(lost)


def _enqueue_on_commit(delivery_id: int, attempts: int, run_after: datetime | None) -> None:
    def enqueue() -> None:
        from everytouch.leads.tasks import deliver_webhook

        task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
        task.enqueue(delivery_id, attempts)

    transaction.on_commit(enqueue)
