"""Outbound webhooks for a CRM: signed JSON on lead created and lead handed off.

Delivery is at-least-once on the wire and exactly-once from our side: one WebhookDelivery row
per (endpoint, event_id), created in the transaction that made the event, so a retried action
or job never makes a second one. That row is the outbox: no HTTP request is ever made inside a
transaction. A job claims the row in one short transaction (an attempt counted, a claim taken
in everytouch.outbox), commits, POSTs with no transaction open, and records the answer in a
second short transaction; a job that finds the row delivered, another attempt count or a live
claim does nothing. If a worker dies mid-attempt its heartbeat stops, and within half a minute
the sweep hands the delivery on; the receiver may then get the same event twice, with the same
``Idempotency-Key`` (and ``X-Everytouch-Delivery``), and drops the copy. A failed attempt is
retried after 1 min, 5 min, 30 min, 2 h and 12 h; after that the delivery is marked failed and
a manager can retry it by hand. Targets must be public addresses (targets.py).
docs/leads.md documents the payload, how to verify the signature and how to de-duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from everytouch.accounts.people import display_name
from everytouch.leads import targets
from everytouch.leads.models import DeliveryStatus, Lead, WebhookDelivery, WebhookEndpoint
from everytouch.outbox import claims
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
# The name receivers know from APIs that de-duplicate; the same value as DELIVERY_HEADER.
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A waiting delivery nobody claimed whose job should have run this long ago lost its job (a
# flushed queue, a crash between commit and enqueue); the sweep re-queues it. A job that died
# mid-attempt is found much sooner, by its worker's silent heartbeat (see ``reclaim_stale``).
LOST_JOB_GRACE = timedelta(minutes=10)
# The kind of claim (everytouch.outbox) a delivery in flight holds.
CLAIM_KIND = "webhook"


class InvalidEndpoint(ValueError):
    """A webhook endpoint that cannot be used; the message says why."""


# --- endpoints -----------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """The URL's form only; ``check_target`` looks at where it points."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise InvalidEndpoint(f"webhook URLs must start with http:// or https://, not {url!r}")
    _port(url)
    if not parts.hostname:
        raise InvalidEndpoint(f"{url!r} has no host name")
    if parts.username or parts.password:
        raise InvalidEndpoint("put credentials in the secret, not in the URL")
    return url


def _port(url: str) -> int:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise InvalidEndpoint(f"{url!r} has an invalid port") from None
    return port or (443 if parts.scheme == "https" else 80)


def check_target(url: str) -> str:
    """Refuse a URL whose host is, or resolves to, a private or otherwise internal address.

    It may look the host up in DNS: call it outside any transaction.
    """
    url = check_url(url)
    try:
        targets.check_host(str(urlsplit(url).hostname), _port(url))
    except targets.BlockedAddress as exc:
        raise InvalidEndpoint(str(exc)) from None
    return url


def check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidEndpoint(f"unknown events: {', '.join(unknown)}; use {', '.join(EVENTS)}")
    if not events:
        raise InvalidEndpoint("subscribe to at least one event")
    return [e for e in EVENTS if e in events]


def create_endpoint(url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows it once).

    The target is checked (a DNS lookup) before the transaction opens, never inside it.
    """
    url, events = check_target(url), check_events(events)
    with transaction.atomic():
        return WebhookEndpoint.objects.create(url=url, events=events, secret=secrets.token_hex(32))


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


_opener = targets.opener()


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
            IDEMPOTENCY_HEADER: delivery.event_id,
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
    except http.client.HTTPException as exc:
        # Something answered that is not HTTP (urllib lets this through unwrapped): a failed
        # attempt like any other, so the claim is released and the retry scheduled.
        return None, f"not an HTTP answer: {type(exc).__name__} {exc}"[:500]
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


@dataclass(frozen=True)
class Attempt:
    """A delivery claimed for one attempt: what to send, and the claim's token."""

    delivery: WebhookDelivery
    token: str


@transaction.atomic
def claim(delivery_id: int, expected_attempts: int) -> Attempt | None:
    """First short transaction: count the attempt and claim the delivery, or None (nothing to do).

    ``next_attempt_at`` is cleared while in flight: the lost-job sweep looks only at deliveries
    waiting for a time, and a claimed one is the heartbeat's business.
    """
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    if delivery.attempts != expected_attempts:
        return None
    token = claims.take(CLAIM_KIND, delivery.pk)
    if token is None:
        return None
    delivery.attempts += 1
    delivery.next_attempt_at = None
    delivery.save(update_fields=["attempts", "next_attempt_at"])
    return Attempt(delivery, token)


@transaction.atomic
def record(attempt: Attempt, status: int | None, error: str) -> bool:
    """Second short transaction: the answer to one attempt; True when it delivered."""
    # The delivery first, then the claim: the order ``claim`` locks them in.
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=attempt.delivery.pk).first()
    ours = claims.release(CLAIM_KIND, attempt.delivery.pk, attempt.token)
    if delivery is None:
        return False
    if not error:
        # Recorded even if a sweep took the claim over meanwhile: the receiver has the event.
        if delivery.status != DeliveryStatus.DELIVERED:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_status_code, delivery.last_error = status, ""
            delivery.save()
        return True
    # A claim no longer ours was taken over by a sweep: its new holder records its own attempt.
    if ours and delivery.status == DeliveryStatus.PENDING:
        _record_failure(delivery, status, error)
        delivery.save()
    return False


def deliver(delivery_id: int, expected_attempts: int) -> bool:
    """One attempt at one delivery; True when this run delivered it.

    ``expected_attempts`` is how many attempts the job was scheduled after: a stale job (its
    delivery was retried by hand, already sent or being sent) finds another count or a live
    claim and does nothing. The POST runs between two transactions, never inside one.
    """
    attempt = claim(delivery_id, expected_attempts)
    if attempt is None:
        return False
    status, error = _attempt(attempt.delivery)
    return record(attempt, status, error)


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


def requeue_lost() -> int:
    """The sweep: hand on deliveries a dead worker left, and re-queue lost jobs; how many."""
    return reclaim_stale() + requeue_unclaimed()


def reclaim_stale() -> int:
    """Take back every delivery whose claiming worker went silent mid-attempt; how many.

    The attempt was counted when claimed. It is tried again at once (the receiver did not
    fail; our worker did), unless that was its last attempt. The receiver may have got it
    already: the next attempt carries the same Idempotency-Key.
    """
    return sum(_reclaim(int(key)) for key in claims.stale(CLAIM_KIND))


@transaction.atomic
def _reclaim(delivery_id: int) -> int:
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if not claims.drop_if_stale(CLAIM_KIND, delivery_id):
        return 0
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return 0
    delivery.last_status_code = None
    delivery.last_error = "the worker stopped during this attempt"
    if delivery.attempts > len(BACKOFF):
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = timezone.now()
        _enqueue_on_commit(delivery.pk, delivery.attempts, None)
    delivery.save()
    return 1


@transaction.atomic
def requeue_unclaimed() -> int:
    """Enqueue again every waiting delivery whose job is long overdue; returns how many.

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
