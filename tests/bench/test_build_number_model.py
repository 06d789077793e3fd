"""The shipped bare-number model is what `python -m benchmarks.build_number_model` builds.

It needs ../shared/data: CI has it, so there a missing folder fails the run; elsewhere the test
skips with the reason.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import build_number_model
from benchmarks.corpora import split_of
from everytouch.analysis import number_kind
from tests.bench.public_data import need_public_data


def test_a_rebuild_gives_the_shipped_bytes(tmp_path: Path) -> None:
    need_public_data()
    rebuilt = build_number_model.build(tmp_path / number_kind.MODEL_PATH.name)
    assert rebuilt.threshold == build_number_model.THRESHOLD
    shipped = number_kind.MODEL_PATH.read_bytes()
    assert (tmp_path / number_kind.MODEL_PATH.name).read_bytes() == shipped, (
        "the shipped model is stale: run python -m benchmarks.build_number_model"
    )


def test_only_tune_conversations_are_trained_on() -> None:
    need_public_data()
    found = build_number_model.examples()
    assert found
    assert all(split_of("multidogo", e.conv_id) == "tune" for e in found)
