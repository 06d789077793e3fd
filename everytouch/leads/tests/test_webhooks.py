"""Webhooks to a real HTTP server on loopback, run by the real workers of both task backends.

Transactions really commit here, so deliveries are enqueued on commit exactly as in production;
time-machine moves the clock past each backoff instead of sleeping.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.leads import actions, webhooks
from everytouch.leads.models import DeliveryStatus, Lead, WebhookDelivery, WebhookEndpoint
from everytouch.leads.tasks import deliver_webhook, sweep_lost_deliveries
from everytouch.leads.tests.helpers import MONDAY_9, SELLING_CALL, a_call, a_lead, jane
from everytouch.leads.tests.receiver import Receiver
from everytouch.outbox import claims
from everytouch.outbox import workers as outbox_workers
from everytouch.testing.workers import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def loopback_allowed(settings: Any) -> None:
    """The receiver runs on 127.0.0.1, which is refused unless the operator allows it."""
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def endpoint() -> WebhookEndpoint:
    return webhooks.create_endpoint("http://127.0.0.1:9/unused", list(webhooks.EVENTS))


@pytest.fixture
def crm(endpoint: WebhookEndpoint) -> Iterator[Receiver]:
    """A receiver that knows the endpoint's secret; it starts down (see ``up``)."""
    receiver = Receiver(secret=endpoint.secret)
    endpoint.url = receiver.url
    endpoint.save(update_fields=["url"])
    try:
        yield receiver
    finally:
        receiver.stop()


def only_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def test_it_delivers_a_signed_lead_created_event_once(
    crm: Receiver, worker: Worker, clock: Any, rep: User
) -> None:
    crm.start()
    lead = a_lead(jane(owner=rep), rep, need="40 chairs")
    worker.run()
    assert crm.rejected == 0
    [got] = crm.accepted
    assert got.event == "lead.created"
    assert got.delivery_id == f"lead.created.{lead.pk}"
    assert got.body["lead"]["need"] == "40 chairs"
    assert got.body["lead"]["owner"]["name"] == "Ron Rep"
    assert got.body["lead"]["customer"]["phones"] == ["+12015550123"]
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_it_is_rejected_by_a_receiver_with_another_secret_and_retries(
    endpoint: WebhookEndpoint, worker: Worker, clock: Any, rep: User
) -> None:
    impostor = Receiver(secret="not-the-endpoint-secret").start()
    try:
        endpoint.url = impostor.url
        endpoint.save(update_fields=["url"])
        a_lead(jane(owner=rep), rep)
        worker.run()
    finally:
        impostor.stop()
    assert (impostor.rejected, impostor.accepted) == (1, [])
    delivery = only_delivery()
    assert (delivery.status, delivery.last_status_code) == ("pending", 401)
    assert delivery.next_attempt_at == MONDAY_9 + timedelta(minutes=1)


def test_an_answer_that_is_not_http_is_a_failed_attempt_that_frees_its_claim(
    endpoint: WebhookEndpoint, worker: Worker, clock: Any, rep: User
) -> None:
    """urllib lets http.client's BadStatusLine through unwrapped; it must not escape the job."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer_garbage() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

        threading.Thread(target=answer_garbage, daemon=True).start()
        endpoint.url = f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
        endpoint.save(update_fields=["url"])
        a_lead(jane(owner=rep), rep)
        worker.run()
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("not an HTTP answer: BadStatusLine")
    assert delivery.next_attempt_at == MONDAY_9 + timedelta(minutes=1)
    assert claims.held(webhooks.CLAIM_KIND) == []


def test_it_rejects_a_tampered_body_in_the_receiver_helper() -> None:
    body = b'{"event":"lead.created"}'
    signature = webhooks.sign("s3cret", body)
    assert webhooks.verify("s3cret", body, signature)
    assert not webhooks.verify("s3cret", body.replace(b"created", b"handed_off"), signature)
    assert not webhooks.verify("other", body, signature)


def test_it_delays_delivery_to_a_down_endpoint_and_delivers_once_when_it_is_up(
    crm: Receiver, worker: Worker, clock: time_machine.Traveller, rep: User
) -> None:
    a_lead(jane(owner=rep), rep)
    worker.run()
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "refused" in delivery.last_error.lower()
    crm.start()
    worker.run()  # the retry is not due yet
    assert crm.accepted == []
    clock.shift(timedelta(minutes=1, seconds=1))
    worker.run()
    assert len(crm.accepted) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_it_never_delivers_twice_however_often_the_job_runs(
    crm: Receiver, worker: Worker, clock: time_machine.Traveller, rep: User
) -> None:
    crm.start()
    lead = a_lead(jane(owner=rep), rep)
    worker.run()
    delivery = only_delivery()
    # A retried job, a stale scheduled job, the sweep, and the action's event emitted again.
    deliver_webhook.enqueue(delivery.pk, 0)
    deliver_webhook.enqueue(delivery.pk, 1)
    clock.shift(timedelta(hours=1))
    assert sweep_lost_deliveries() == 0
    assert webhooks.emit(webhooks.LEAD_CREATED, lead, f"lead.created.{lead.pk}") == 0
    worker.run()
    assert crm.delivery_ids() == [f"lead.created.{lead.pk}"]
    assert WebhookDelivery.objects.count() == 1


def test_it_backs_off_then_gives_up_and_a_manager_can_retry(
    crm: Receiver, worker: Worker, clock: time_machine.Traveller, rep: User
) -> None:
    a_lead(jane(owner=rep), rep)
    worker.run()
    for wait in webhooks.BACKOFF:
        delivery = only_delivery()
        assert delivery.status == DeliveryStatus.PENDING
        clock.shift(wait - timedelta(seconds=1))
        worker.run()
        assert only_delivery().attempts == delivery.attempts  # not before its time
        clock.shift(timedelta(seconds=2))
        worker.run()
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    crm.start()
    webhooks.retry_now(delivery)
    worker.run()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 7)
    assert len(crm.accepted) == 1


def test_it_requeues_a_delivery_whose_job_was_lost_before_anyone_claimed_it(
    crm: Receiver, clock: time_machine.Traveller, rep: User, settings: Any
) -> None:
    crm.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    a_lead(jane(owner=rep), rep)
    # The dummy backend keeps the job and never runs it: as good as lost.
    clock.shift(webhooks.LOST_JOB_GRACE + timedelta(minutes=1))
    assert sweep_lost_deliveries() == 1
    # The next sweep a minute later does not pile another copy onto a slow queue.
    clock.shift(timedelta(minutes=1))
    assert sweep_lost_deliveries() == 0
    assert crm.accepted == []
    clock.shift(webhooks.LOST_JOB_GRACE)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert sweep_lost_deliveries() == 1
    assert len(crm.accepted) == 1
    assert only_delivery().status == DeliveryStatus.DELIVERED


def test_it_sends_hand_offs_only_to_endpoints_that_subscribe(
    crm: Receiver, worker: Worker, clock: Any, rep: User, rep2: User, manager: User
) -> None:
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/", secret="x", events=["lead.created"])
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/", secret="x", is_active=False)
    crm.start()
    lead = a_lead(jane(owner=rep), rep)
    actions.hand_off(lead, rep2, manager)
    worker.run()
    events = sorted(r.event for r in crm.accepted)
    assert events == ["lead.created", "lead.handed_off"]
    handed = next(r for r in crm.accepted if r.event == "lead.handed_off")
    assert handed.body["previous_owner"]["name"] == "Ron Rep"
    assert handed.body["lead"]["owner"]["name"] == "Rita Rep"
    # created: 2 subscribed active endpoints; handed off: only the receiver's.
    assert WebhookDelivery.objects.count() == 3


def test_it_captures_a_lead_from_a_logged_transcript_in_the_background(
    crm: Receiver, worker: Worker, clock: Any, rep: User, manager: User
) -> None:
    crm.start()
    call = a_call(None, rep, SELLING_CALL)
    worker.run()
    lead = Lead.objects.get()
    assert lead.source_interaction == call
    assert lead.customer.name == "Paula Jones"
    worker.run()
    assert [r.body["lead"]["id"] for r in crm.accepted] == [lead.pk]


@pytest.mark.parametrize(
    "url", ["ftp://crm.example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "crm"]
)
def test_it_refuses_a_webhook_url_that_is_not_http(url: str) -> None:
    with pytest.raises(webhooks.InvalidEndpoint, match="http:// or https://"):
        webhooks.create_endpoint(url, ["lead.created"])
    assert WebhookEndpoint.objects.count() == 0


def test_it_sends_the_same_idempotency_key_on_every_attempt(
    crm: Receiver, worker: Worker, clock: time_machine.Traveller, rep: User
) -> None:
    crm.start()
    flaky = iter([500])

    def handle(headers: Any, raw: bytes) -> int:
        status = next(flaky, None)
        return status if status is not None else Receiver.handle(crm, headers, raw)

    crm.handle = handle  # type: ignore[method-assign]
    lead = a_lead(jane(owner=rep), rep)
    worker.run()
    assert only_delivery().last_status_code == 500
    clock.shift(webhooks.BACKOFF[0])
    worker.run()
    [got] = crm.accepted
    assert got.idempotency_key == got.delivery_id == f"lead.created.{lead.pk}"


def test_it_hands_on_a_delivery_within_half_a_minute_when_its_worker_is_killed_mid_post(
    crm: Receiver,
    worker: Worker,
    clock: time_machine.Traveller,
    rep: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The receiver got the event, then our worker died before recording it."""
    crm.start()
    real_post = webhooks.post

    def post_then_die(delivery: WebhookDelivery) -> int:
        real_post(delivery)
        raise SystemExit("worker killed after the receiver answered")

    outbox_workers.beat()  # the worker running the jobs, alive when it claims
    lead = a_lead(jane(owner=rep), rep)
    with monkeypatch.context() as patch:
        patch.setattr(webhooks, "post", post_then_die)
        worker.run()
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert claims.held(webhooks.CLAIM_KIND) == [str(delivery.pk)]
    # Its heartbeat stops. Before half a minute the claim may still be a slow live worker's.
    clock.shift(outbox_workers.STALE_AFTER - timedelta(seconds=1))
    assert sweep_lost_deliveries() == 0
    clock.shift(timedelta(seconds=1))
    assert sweep_lost_deliveries() == 1
    assert sweep_lost_deliveries() == 0
    worker.run()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert claims.held(webhooks.CLAIM_KIND) == []
    # The one duplicate a crash can cause carries the same key, so the receiver drops it.
    key = f"lead.created.{lead.pk}"
    assert [r.idempotency_key for r in crm.accepted] == [key, key]


def test_it_leaves_a_delivery_alone_while_its_worker_is_alive_and_sending(
    crm: Receiver, clock: time_machine.Traveller, rep: User, settings: Any
) -> None:
    crm.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    a_lead(jane(owner=rep), rep)
    delivery = only_delivery()
    outbox_workers.beat()
    attempt = webhooks.claim(delivery.pk, 0)
    assert attempt is not None
    # A duplicate job, a manager's retry and the sweep, all while the POST is in flight.
    assert not webhooks.deliver(delivery.pk, 0)
    assert not webhooks.deliver(delivery.pk, 1)
    clock.shift(timedelta(minutes=5))
    outbox_workers.beat()
    assert sweep_lost_deliveries() == 0
    assert webhooks.record(attempt, *webhooks._attempt(attempt.delivery))
    assert len(crm.accepted) == 1
    assert only_delivery().status == DeliveryStatus.DELIVERED


def test_it_refuses_at_connect_time_a_name_that_now_resolves_to_loopback(
    crm: Receiver,
    worker: Worker,
    clock: Any,
    rep: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: public when the endpoint was added, 127.0.0.1 when we connect."""
    crm.start()
    endpoint = WebhookEndpoint.objects.get()
    endpoint.url = f"http://crm.example.com:{crm.port}/hooks/everytouch"
    endpoint.save(update_fields=["url"])
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = False
    real_getaddrinfo = socket.getaddrinfo

    def rebound(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "crm.example.com":
            return real_getaddrinfo("127.0.0.1", port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    a_lead(jane(owner=rep), rep)
    worker.run()
    assert crm.accepted == []
    delivery = only_delivery()
    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert "crm.example.com resolves to 127.0.0.1, a loopback address" in delivery.last_error


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://127.1/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("http://10.0.0.5/hook", "private"),
        ("http://192.168.1.10/hook", "private"),
        ("https://[fd00::1]/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://[ff02::1]/hook", "multicast"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://[::]/hook", "unspecified"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[64:ff9b::a00:1]/hook", "private"),
        ("http://[2002:7f00:1::]/hook", "loopback"),
        ("http://100.64.0.1/hook", "non-public"),
    ],
)
def test_it_refuses_an_endpoint_at_an_internal_address_naming_why(
    url: str, kind: str, settings: Any
) -> None:
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.InvalidEndpoint, match=f"a {kind} address"):
        webhooks.create_endpoint(url, ["lead.created"])
    assert WebhookEndpoint.objects.count() == 0
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = True
    assert webhooks.create_endpoint(url, ["lead.created"]).url == url


def test_it_refuses_a_name_that_resolves_to_a_private_address(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE = False
    answers = {"crm.internal.example": "10.1.2.3", "crm.example.com": "93.184.216.34"}
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return real_getaddrinfo(answers.get(host, host), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    refused = r"resolves to 10\.1\.2\.3, a private address"
    with pytest.raises(webhooks.InvalidEndpoint, match=refused):
        webhooks.create_endpoint("https://crm.internal.example/hook", ["lead.created"])
    assert webhooks.create_endpoint("https://crm.example.com/hook", ["lead.created"])
    assert webhooks.create_endpoint("https://93.184.216.34/hook", ["lead.created"])
