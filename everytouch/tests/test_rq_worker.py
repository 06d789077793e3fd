"""`everytouch worker` on RQ runs jobs in its own process, with connections tidied per job."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections, transaction
from django_rq.management.commands.rqworker import Command as RqWorkerCommand

from everytouch.cli import main, processes, rq_worker
from everytouch.leads.tasks import sweep_webhooks_task


def _worker_class(monkeypatch: pytest.MonkeyPatch, settings: Any, *argv: str) -> str:
    """The worker class `rqworker` ends up with for ``everytouch worker ARGV``."""
    seen: list[list[str]] = []

    def fake_run(name: str, extra: list[str]) -> int:
        seen.append(extra)
        return 0

    monkeypatch.setattr(processes, "run_management", fake_run)
    monkeypatch.setattr(settings, "TASKS", {"default": {"BACKEND": settings.RQ_TASK_BACKEND}})
    assert main(["worker", *argv]) == 0
    parser = RqWorkerCommand().create_parser("everytouch", "rqworker")
    return str(parser.parse_args(seen[0]).worker_class)


@pytest.mark.django_db
def test_it_runs_rq_jobs_without_forking_unless_told_to(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    assert _worker_class(monkeypatch, settings) == rq_worker.PATH
    assert _worker_class(monkeypatch, settings, "--worker-class", "rq.Worker") == "rq.Worker"


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record when the default connection is asked to close itself if unusable or too old."""
    checks: list[str] = []
    conn = connections["default"]
    conn.ensure_connection()
    monkeypatch.setattr(conn, "close_if_unusable_or_obsolete", lambda: checks.append("check"))
    return checks


@pytest.mark.django_db(transaction=True)
def test_it_closes_a_connection_that_is_unusable_or_too_old_between_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = _checked(monkeypatch)
    rq_worker.tidy_connections()
    assert checks == ["check"]


@pytest.mark.django_db(transaction=True)
def test_it_never_closes_a_connection_inside_a_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = _checked(monkeypatch)
    with transaction.atomic():
        rq_worker.tidy_connections()
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_it_tidies_connections_before_and_after_every_job(
    worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if worker.name != "rq":
        pytest.skip("only RQ runs through this worker class")
    calls: list[str] = []
    monkeypatch.setattr(rq_worker, "tidy_connections", lambda: calls.append("tidy"))
    sweep_webhooks_task.enqueue()
    sweep_webhooks_task.enqueue()
    worker.run()
    assert calls == ["tidy"] * 4
