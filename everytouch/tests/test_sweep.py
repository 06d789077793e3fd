from __future__ import annotations

import pytest

from everytouch import sweeps
from everytouch.cli import main

pytestmark = pytest.mark.django_db


def test_it_runs_every_registered_sweep_and_reports_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sweep"]) == 0
    out = capsys.readouterr().out
    for name in sweeps.names():
        assert f"{name}: 0" in out
    assert "messages escalated" in sweeps.names()


def test_it_keeps_running_the_other_sweeps_when_one_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(sweeps._sweeps, "a broken sweep", broken)
    monkeypatch.setitem(sweeps._sweeps, "z working sweep", lambda: 3)
    assert main(["sweep"]) == 1
    out = capsys.readouterr().out
    assert "a broken sweep: failed (see log)" in out
    assert "z working sweep: 3" in out


@pytest.mark.parametrize(
    ("backend", "command"),
    [
        ("django_tasks_db.DatabaseBackend", "db_worker"),
        ("django_tasks_rq.RQBackend", "rqworker"),
    ],
)
def test_it_starts_the_worker_that_matches_the_task_backend(
    monkeypatch: pytest.MonkeyPatch, settings: object, backend: str, command: str
) -> None:
    from everytouch.cli import processes

    seen: list[tuple[str, list[str]]] = []

    def fake_run(name: str, extra: list[str]) -> int:
        seen.append((name, extra))
        return 0

    monkeypatch.setattr(processes, "run_management", fake_run)
    monkeypatch.setattr(settings, "TASKS", {"default": {"BACKEND": backend}})
    assert main(["worker", "--burst"]) == 0
    assert seen[0][0] == command
    assert seen[0][1][-1] == "--burst"
    if command == "rqworker":
        assert "--with-scheduler" in seen[0][1]
