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
