"""A small learned text classifier for playbook checks a phrase list cannot express.

Training (``train``) fits an L2-regularised logistic regression with scikit-learn; scoring
(``LinearModel.predict_proba``) is pure Python: the features of a text are strings (words,
word pairs, a few cheap extras), and the score is the bias plus one dict lookup per feature.
So a model is a JSON file of ``{feature: weight}`` that any process can load quickly, and
scikit-learn (with numpy and scipy) is imported only by ``train``, never by analysis.

Features are strings on purpose, not hashed: Python's ``hash()`` of a string changes from one
process to the next, so a hashed model would score differently in every worker.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from everytouch.analysis._words import words

FORMAT = "everytouch-linear-model"
VERSION = 1
SIDES = ("agent", "customer", "any")
MIN_PER_CLASS = 2
# Weights this close to zero change a score by less than a rounding error; dropping them keeps
# a model trained on thousands of turns well under a megabyte.
PRUNE_BELOW = 1e-3
_DIGITS = 6  # significant digits kept per weight: plenty for a probability, and stable


class ModelError(ValueError):
    """A model file that cannot be read, or examples a model cannot be trained on."""


def features(text: str) -> list[str]:
    """Word unigrams and bigrams (with start/end markers), and whether there is a question mark.

    Numbers become ``<num>`` so "500 cards" and "250 cards" teach the same thing. Unigrams have
    no space and markers start with "<", so the three kinds never collide.
    """
    tokens = words(text)
    if any(map(str.isdigit, tokens)):  # most texts hold no number: no list to rebuild
        tokens = ["<num>" if w.isdigit() else w for w in tokens]
    padded = ["<s>", *tokens, "</s>"]
    out = tokens + list(map(" ".join, itertools.pairwise(padded)))
    if "?" in text:
        out.append("<?>")
    return out


def _norm(count: int) -> float:
    # Each present feature counts 1/sqrt(n), so a text's vector has length 1: a long turn does
    # not score high just for having many words, and a short one is not drowned by the bias.
    return 1.0 / math.sqrt(count) if count else 0.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights per feature string, a bias, and what the model was trained for."""

    weights: Mapping[str, float]
    bias: float
    check: str = ""
    side: str = "agent"
    threshold: float = 0.5
    positives: int = 0
    negatives: int = 0
    version: int = VERSION
    source: str = field(default="", compare=False)

    @property
    def trained_on(self) -> int:
        return self.positives + self.negatives

    def predict_proba(self, text: str) -> float:
        """The probability that the text is a positive example, between 0 and 1."""
        return self.predict_features(features(text))

    def predict_features(self, found: Iterable[str]) -> float:
        """The probability for features computed by the caller (``train_features`` models)."""
        present = set(found)  # presence, not counts, as in training
        # In the set's order, as a generator would: the same float sum, without a Python frame.
        total = sum(map(self.weights.get, present, itertools.repeat(0.0, len(present))))
        return _sigmoid(self.bias + total * _norm(len(present)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "check": self.check,
            "side": self.side,
            "threshold": self.threshold,
            "trained_on": {"positive": self.positives, "negative": self.negatives},
            "bias": self.bias,
            "weights": dict(sorted(self.weights.items())),
        }

    def save(self, path: Path | str) -> Path:
        """Write the model as JSON (gzip when the name ends in .gz), atomically; same bytes for
        the same model, so retraining on the same labels changes nothing in version control."""
        path = Path(path)
        data = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
        if path.suffix == ".gz":
            data = gzip.compress(data, mtime=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return path


def load_model(path: Path | str) -> LinearModel:
    """Read a model file, once per path and modification: every later call is a dict lookup."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror}") from exc
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int, size: int) -> LinearModel:
    # mtime and size are part of the key so a retrained file is read again.
    try:
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{path} is not a model file: {exc}") from exc
    return _model_from_dict(data, path)


def _model_from_dict(data: Any, source: str) -> LinearModel:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f'{source} is not an Everytouch model (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise ModelError(f"{source}: model version {data.get('version')!r}, expected {VERSION}")
    weights = data.get("weights")
    if not isinstance(weights, dict) or not all(_is_number(w) for w in weights.values()):
        raise ModelError(f"{source}: 'weights' must map features to numbers")
    counts = data.get("trained_on")
    counts = counts if isinstance(counts, dict) else {}
    return LinearModel(
        weights={str(k): float(v) for k, v in weights.items()},
        bias=_number(data, "bias", source),
        check=str(data.get("check", "")),
        side=_side(data, source),
        threshold=_threshold(data, source),
        positives=_count(counts, "positive"),
        negatives=_count(counts, "negative"),
        source=source,
    )


def _count(counts: dict[str, Any], key: str) -> int:
    value = counts.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(data: dict[str, Any], key: str, source: str) -> float:
    value: Any = data.get(key)
    if not _is_number(value):
        raise ModelError(f"{source}: {key!r} must be a number")
    return float(value)


def _side(data: dict[str, Any], source: str) -> str:
    side = data.get("side", "agent")
    if side not in SIDES:
        raise ModelError(f"{source}: 'side' must be one of {', '.join(SIDES)}")
    return str(side)


def _threshold(data: dict[str, Any], source: str) -> float:
    threshold = _number(data, "threshold", source)
    if not 0.0 <= threshold <= 1.0:
        raise ModelError(f"{source}: 'threshold' must be between 0 and 1")
    return threshold


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def train(
    examples: Sequence[tuple[str, bool]],
    *,
    check: str = "",
    side: str = "agent",
    threshold: float = 0.5,
    c: float = 10.0,
) -> LinearModel:
    """Fit a model on (text, is_positive) pairs; the same examples always give the same model.

    The classes are weighted as if balanced, because labelled positives are usually few (one
    turn in a conversation) against many negatives. lbfgs has no random step, and the features
    are put in sorted order, so nothing depends on chance or on the order of a set.
    """
    rows = [(features(text), label) for text, label in examples]
    return train_features(rows, check=check, side=side, threshold=threshold, c=c)


def train_features(
    examples: Sequence[tuple[Iterable[str], bool]],
    *,
    check: str = "",
    side: str = "agent",
    threshold: float = 0.5,
    c: float = 10.0,
) -> LinearModel:
    """``train`` on feature strings computed by the caller, for inputs that are not one text."""
    positives = sum(1 for _, label in examples if label)
    negatives = len(examples) - positives
    if min(positives, negatives) < MIN_PER_CLASS:
        raise ModelError(
            f"too few examples: {positives} positive, {negatives} negative "
            f"(need at least {MIN_PER_CLASS} of each)"
        )
    rows = [sorted(set(found)) for found, _ in examples]
    coefs, bias, names = _fit(rows, [bool(y) for _, y in examples], c)
    weights = {
        name: _round(w) for name, w in zip(names, coefs, strict=True) if abs(w) >= PRUNE_BELOW
    }
    return LinearModel(weights, _round(bias), check, side, threshold, positives, negatives)


def _fit(
    rows: list[list[str]], labels: list[bool], c: float
) -> tuple[list[float], float, list[str]]:
    # Imported here, not at the top: analysis must not pay numpy's and scipy's import time and
    # memory in every process that only scores.
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    names = sorted({name for row in rows for name in row})
    column = {name: i for i, name in enumerate(names)}
    indices = [column[name] for row in rows for name in row]
    indptr = [0]
    for row in rows:
        indptr.append(indptr[-1] + len(row))
    values = [_norm(len(row)) for row in rows for _ in row]
    matrix = csr_matrix((values, indices, indptr), shape=(len(rows), len(names)))
    model = LogisticRegression(
        C=c, l1_ratio=0.0, solver="lbfgs", max_iter=2000, class_weight="balanced"
    )
    model.fit(matrix, labels)
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0]), names
