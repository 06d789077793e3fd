"""Worker identity and heartbeat, and what the sweep does with a silent worker's tasks."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError
from django_tasks_db.models import DBTaskResult

from everytouch.outbox import workers
from everytouch.outbox.models import WorkerHeartbeat
from everytouch.staff.tasks import send_notification_email

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_it_names_each_process_apart_and_keeps_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    mine = workers.identity()
    assert mine == workers.identity()
    assert f":{os.getpid()}:" in mine
    assert len(mine) <= 64  # the database task backend's limit for a worker id
    # A forked child (another pid) is a worker of its own, never its parent's heartbeat.
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    assert ":4242:" in workers.identity()
    assert workers.identity() != mine


def test_it_beats_until_stopped_and_logs_a_failed_beat(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    beats: list[int] = []
    stop = threading.Event()

    class Stopper(threading.Event):
        """Lets three rounds pass (no real waiting), then stops the loop."""

        def wait(self, timeout: float | None = None) -> bool:
            if len(beats) >= 3:
                stop.set()
            return stop.is_set()

    def flaky_beat() -> None:
        beats.append(1)
        if len(beats) == 2:
            raise DatabaseError("database is locked")

    monkeypatch.setattr(workers, "beat", flaky_beat)
    workers.keep_beating(Stopper(), every_s=5)
    assert len(beats) == 3
    assert "worker heartbeat failed" in caplog.text


def test_it_beats_once_at_start_before_any_job(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[threading.Thread] = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    stop = workers.start_heartbeat()
    assert WorkerHeartbeat.objects.filter(worker_id=workers.identity()).exists()
    assert [t.name for t in started] == ["heartbeat"]
    assert started[0].daemon
    stop.set()


def _running_task(worker_id: str) -> DBTaskResult[Any, Any]:
    result = send_notification_email.using(backend="default").enqueue(1)
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(worker_id)
    return row


def test_it_fails_a_task_left_running_by_a_silent_worker_only(
    clock: time_machine.Traveller, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workers.beat("dead")
    workers.beat("alive")
    dead, alive, unknown = _running_task("dead"), _running_task("alive"), _running_task("other")
    clock.shift(workers.STALE_AFTER)
    workers.beat("alive")
    assert workers.fail_orphaned_tasks() == 1
    for row, status in ((dead, "FAILED"), (alive, "RUNNING"), (unknown, "RUNNING")):
        row.refresh_from_db()
        assert row.status == status
    dead.refresh_from_db()
    assert dead.exception_class_path.endswith("WorkerStopped")
    assert workers.fail_orphaned_tasks() == 0


def test_it_forgets_heartbeats_a_day_old(clock: time_machine.Traveller) -> None:
    workers.beat("old")
    clock.shift(workers.FORGET_AFTER + timedelta(seconds=1))
    workers.beat("new")
    assert workers.forget_old_heartbeats() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]
