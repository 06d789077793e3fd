"""The shipped buying-intent model is what `python -m benchmarks.build_models` builds.

It needs ../shared/data: CI has it, so there a missing folder fails the run; elsewhere the test
skips with the reason.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import build_models
from everytouch.analysis import intent
from tests.bench.public_data import need_public_data


def test_a_rebuild_gives_the_shipped_bytes(tmp_path: Path) -> None:
    need_public_data()
    rebuilt = build_models.build(tmp_path / intent.MODEL_PATH.name)
    assert rebuilt.threshold == build_models.THRESHOLD
    assert (tmp_path / intent.MODEL_PATH.name).read_bytes() == intent.MODEL_PATH.read_bytes(), (
        "the shipped model is stale: run python -m benchmarks.build_models"
    )


def test_only_tune_conversations_are_trained_on() -> None:
    need_public_data()
    from benchmarks.corpora import split_of

    sources = {"star-task": "star"}
    for example in build_models.examples():
        if example.source == build_models.WRITTEN_SOURCE:
            continue  # written by the project, not from a public set: no split
        assert split_of(sources.get(example.source, example.source), example.conv_id) == "tune"


def test_the_written_examples_are_trained_on_but_never_measured() -> None:
    need_public_data()
    written = list(build_models.written_examples())
    assert sum(e.label for e in written) >= 300
    assert sum(not e.label for e in written) >= 300
    assert len({e.conv_id.split(":")[0] for e in written}) >= 15
    trained = {e.text for e in build_models.examples() if e.source == build_models.WRITTEN_SOURCE}
    assert trained == {e.text for e in written}
    # Both cross-validation folds train on them; no measured case is a written one.
    for held_out in (0, 1):
        assert all(build_models._trains_fold(e, held_out) for e in written)
    rows = build_models.tune_label_rows()
    assert build_models.WRITTEN_SOURCE not in {c.source for c in build_models.cases(rows)}
