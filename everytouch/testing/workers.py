"""The two task backends, each with a worker a test runs to drain what is due."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Protocol

import pytest

# A database of its own, flushed by every RQ test; override it where several checkouts of the
# project run their tests against one Redis at the same time.
TEST_REDIS_URL = os.environ.get("EVERYTOUCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


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

        from everytouch.cli.rq_worker import Worker as RqWorker

        queue = django_rq.get_queue("default", job_class=Job)
        # The class `everytouch worker` runs, so every RQ test goes through it.
        worker = RqWorker([queue], connection=queue.connection, job_class=Job)
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
