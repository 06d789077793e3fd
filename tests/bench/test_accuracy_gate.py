"""The accuracy regression gate (benchmarks/gate.py) runs on every CI build.

It needs ../shared/data: CI has it, so there a missing folder fails the run; elsewhere the test
skips with the reason.
"""

from __future__ import annotations

import json

from benchmarks import gate
from benchmarks._scoring import Score
from tests.bench.public_data import need_public_data


def test_no_check_fell_below_its_recorded_figure() -> None:
    need_public_data()
    recorded = json.loads(gate.RECORDED.read_text())
    assert recorded, "no figures recorded: run python -m benchmarks.gate --record"
    assert gate.regressions(gate.figures(), recorded) == []


def test_a_drop_beyond_the_tolerance_is_reported() -> None:
    fell = Score(tp=6, fp=4, fn=4)  # F1 0.6
    held = Score(tp=9, fp=1, fn=1)  # F1 0.9
    problems = gate.regressions({"a": fell, "b": held}, {"a": 0.64, "b": 0.92, "c": 0.5})
    assert problems == [
        "a: F1 0.600 < recorded 0.640 - 0.03",
        "c: recorded 0.500, no longer measured",
    ]


def test_small_figures_are_not_gated() -> None:
    few = Score(tp=3, fn=1)
    many = Score(tp=gate.MIN_POSITIVES, fn=0)
    assert gate.gated({"few": few, "many": many}) == {"many": 1.0}
