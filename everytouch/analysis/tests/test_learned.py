"""The learned classifier: string features, deterministic training, compact files, cached loads."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from everytouch.analysis.learned import (
    FORMAT,
    LinearModel,
    ModelError,
    features,
    load_model,
    train,
    train_features,
)

WARRANTY = [
    ("We offer a two year warranty on that model.", True),
    ("It comes with an extended warranty if you like.", True),
    ("Would you like to add the protection plan?", True),
    ("The warranty covers parts and labour for 3 years.", True),
    ("Thanks for calling, how can I help?", False),
    ("What's the best number to reach you?", False),
    ("I'll call you back tomorrow.", False),
    ("That one is 500 dollars.", False),
    ("Can I have your name please?", False),
    ("Let me transfer you to billing.", False),
]


def test_it_makes_string_features_from_words_and_word_pairs() -> None:
    found = features("Price for 500 cards?")
    assert found[:4] == ["price", "for", "<num>", "cards"]
    assert {"<s> price", "price for", "for <num>", "cards </s>", "<?>"} <= set(found)
    assert features("Price for 500 cards?") == found  # no hash(): the same in every process


def test_it_scores_positive_examples_above_negative_ones() -> None:
    model = train(WARRANTY, check="offered_warranty")
    assert model.predict_proba("Do you want the extended warranty?") > 0.5
    assert model.predict_proba("Hello, how can I help you today?") < 0.5
    assert (model.positives, model.negatives, model.trained_on) == (4, 6, 10)


def test_it_trains_on_features_the_caller_computed() -> None:
    rows = [(features(text), label) for text, label in WARRANTY]
    model = train_features(rows, check="offered_warranty")
    assert model == train(WARRANTY, check="offered_warranty")
    rows = [(["n=10", "only"], True)] * 3 + [(["n=10", "c:password"], False)] * 3
    model = train_features(rows)
    assert model.predict_features(["n=10", "only"]) > 0.5
    assert model.predict_features(["n=10", "c:password"]) < 0.5


def test_it_refuses_too_few_examples_of_a_class() -> None:
    with pytest.raises(ModelError, match="1 positive, 6 negative"):
        train(WARRANTY[3:])


@pytest.mark.parametrize("name", ["model.json", "model.json.gz"])
def test_it_round_trips_a_model_through_a_file(tmp_path: Path, name: str) -> None:
    model = train(WARRANTY, check="offered_warranty", side="agent", threshold=0.6)
    loaded = load_model(model.save(tmp_path / name))
    assert loaded == model
    assert loaded.source == str((tmp_path / name).resolve())
    text = "an extended warranty"
    assert loaded.predict_proba(text) == model.predict_proba(text)
    assert pickle.loads(pickle.dumps(loaded)) == loaded  # noqa: S301 -- our own bytes


def test_it_writes_the_same_bytes_when_trained_twice(tmp_path: Path) -> None:
    first = train(WARRANTY, check="w").save(tmp_path / "a.json.gz")
    second = train(WARRANTY, check="w").save(tmp_path / "b.json.gz")
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(gzip.decompress(first.read_bytes()))
    assert data["format"] == FORMAT
    assert data["trained_on"] == {"positive": 4, "negative": 6}
    assert all(abs(w) >= 1e-3 for w in data["weights"].values())  # tiny weights pruned


def test_it_trains_identically_in_another_process(tmp_path: Path) -> None:
    script = (
        "import sys, json; from everytouch.analysis.learned import train; "
        "train([tuple(e) for e in json.load(sys.stdin)], check='w').save(sys.argv[1])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "other.json")],
        input=json.dumps(WARRANTY), text=True, check=True,
    )  # fmt: skip
    here = train(WARRANTY, check="w").save(tmp_path / "here.json")
    assert (tmp_path / "other.json").read_bytes() == here.read_bytes()


def test_it_caches_a_loaded_model_until_the_file_changes(tmp_path: Path) -> None:
    path = train(WARRANTY, check="w").save(tmp_path / "m.json")
    assert load_model(path) is load_model(path)
    LinearModel({"hello": 2.0}, 0.0, check="w").save(path)
    os.utime(path, ns=(1, 1))  # a different mtime even on a coarse clock
    assert load_model(path).weights == {"hello": 2.0}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is not a model file"),
        (b"\x1f\x8b not really gzip", "is not a model file"),
        (b'{"weights": {}}', "not an Everytouch model"),
        (json.dumps({"format": FORMAT, "version": 9}).encode(), "model version 9"),
        (json.dumps({"format": FORMAT, "version": 1, "weights": {"a": "x"}}).encode(),
         "'weights' must map features to numbers"),
        (json.dumps({"format": FORMAT, "version": 1, "weights": {}, "bias": 0,
                     "threshold": 3}).encode(), "'threshold' must be between 0 and 1"),
        (json.dumps({"format": FORMAT, "version": 1, "weights": {}, "bias": 0,
                     "threshold": 0.5, "side": "robot"}).encode(), "'side' must be one of"),
    ],
)  # fmt: skip
def test_it_refuses_a_file_that_is_not_a_valid_model(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=words):
        load_model(path)


def test_it_says_when_a_model_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        load_model(tmp_path / "missing.json")


def test_it_imports_no_scikit_learn_to_score() -> None:
    code = (
        "import sys; import everytouch.analysis.analyzer, everytouch.analysis.learned; "
        "print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
