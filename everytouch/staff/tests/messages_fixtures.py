"""Shared pieces for the message tests: a fixed Monday morning, reachable staff, a customer."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any, Protocol

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User

from everytouch.customers.models import Customer
from everytouch.customers.tests.factories import make_customer
from everytouch.staff.actions import ensure_staff, set_backup
from everytouch.staff.messages import take_message
from everytouch.staff.models import TakenMessage, Team

# Monday 10:00 UTC: four business hours later is 14:00 the same day.
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
MONDAY_14 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
MONDAY_16 = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
TUESDAY_11 = datetime(2025, 3, 4, 11, 0, tzinfo=UTC)


@pytest.fixture
def monday(settings: Any) -> Iterator[time_machine.Traveller]:
    settings.TIME_ZONE = "UTC"
    settings.EVERYTOUCH_BUSINESS_HOURS = "09:00-17:00"
    settings.EVERYTOUCH_BUSINESS_DAYS = "0,1,2,3,4"
    settings.EVERYTOUCH_MESSAGE_ESCALATION_HOURS = 4.0
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(manager: User, rep: User, rep2: User) -> Team:
    """Ron's backup is Rita; both are on Maria's team; everyone has an e-mail address."""
    for user in (manager, rep, rep2):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    team = Team.objects.create(name="Desk", manager=manager)
    for user in (manager, rep, rep2):
        member = ensure_staff(user)
        member.team = team
        member.save(update_fields=["team"])
    set_backup(ensure_staff(rep), ensure_staff(rep2))
    return team


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def a_message(intended_for: User, taken_by: User, **extra: Any) -> TakenMessage:
    values: dict[str, Any] = {
        "caller_name": "Jane Doe",
        "callback_number": "(201) 555-0199",
        "about": "Wants a quote for 40 chairs",
    }
    values.update(extra)
    return take_message(intended_for=intended_for, taken_by=taken_by, **values)


# --- a real SMTP server on loopback ------------------------------------------------------------


@dataclass
class Inbox:
    """What the test's SMTP server accepted, in order."""

    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(parsed)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.received]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """aiosmtpd on 127.0.0.1 at a free port, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = False, False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield inbox
    finally:
        controller.stop()


# --- the two task backends ---------------------------------------------------------------------

TEST_REDIS_URL = "redis://127.0.0.1:6379/13"


class Worker(Protocol):
    name: str

    def run(self) -> None:
        """Run every job that is due now, as the backend's own worker would, then return."""


class DatabaseWorker:
    name = "db"

    def run(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker as DbWorker

        DbWorker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


class RedisWorker:
    name = "rq"

    def run(self) -> None:
        import django_rq
        from django_tasks_rq import Job
        from rq import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        # Burst mode with the scheduler first moves due deferred jobs (escalations) onto the
        # queue, exactly as `rqworker --with-scheduler` does, then drains it.
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")


def _redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis must run at {TEST_REDIS_URL} in CI: {exc}")
        pytest.skip(f"no Redis at {TEST_REDIS_URL}: {exc}")
    return client


@pytest.fixture(params=["db", "rq"])
def worker(request: pytest.FixtureRequest, settings: Any) -> Iterator[Worker]:
    """The same tests on the database backend and on RQ with a real Redis (a db of its own)."""
    if request.param == "db":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        yield DatabaseWorker()
        return
    client = _redis_or_skip()
    client.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        yield RedisWorker()
    finally:
        client.flushdb()
