"""The hand labels in benchmarks/labels follow docs/analysis-labels.md and match the data.

Needs ../shared/data (the labels hold ids and quotes, not the conversations): CI has it, so
there a missing folder fails; elsewhere the test skips with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import labelled
from benchmarks.corpora import LABELS, conversations, split_of
from tests.bench.public_data import need_public_data


def _raw_rows() -> list[tuple[Path, int, dict[str, object]]]:
    rows = []
    for path in sorted(LABELS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            rows.append((path, number, json.loads(line)))
    return rows


def test_every_row_reads_and_sits_in_its_hash_split() -> None:
    need_public_data()
    rows = labelled.read_labels()
    assert len(rows) >= 800
    assert len({row.source for row in rows}) >= 4
    assert all(row.split == split_of(row.source, row.id) for row in rows)
    assert len({(row.source, row.id) for row in rows}) == len(rows), "a conversation twice"


def test_every_positive_quotes_its_evidence_from_the_turn() -> None:
    need_public_data()
    for path, number, row in _raw_rows():
        conv = conversations(str(row["source"]))[str(row["id"])]
        checks = row["checks"]
        assert isinstance(checks, dict)
        for name, label in checks.items():
            where = f"{path.name}:{number} {name}"
            assert (label["value"] is True) == bool(label["evidence"]), where
            for turn, quote in label["evidence"]:
                assert quote.lower() in conv.turns[turn].text.lower(), where


def test_a_row_in_the_wrong_split_is_refused(tmp_path: Path) -> None:
    row = {"source": "ibm", "id": "x", "split": "tune", "checks": {}, "fields": {}}
    row["split"] = "test" if split_of("ibm", "x") == "tune" else "tune"
    (tmp_path / "bad.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(labelled.LabelError, match=r"bad\.jsonl:1"):
        labelled.read_labels(tmp_path)
