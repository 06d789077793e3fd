"""Build the bare-number model (everytouch/analysis/number_kind.py) from MultiDoGO's TUNE split.

    python -m benchmarks.build_number_model          # write everytouch/analysis/data/number_kind...
    python -m benchmarks.build_number_model --cv     # cross-validated figures within the tune split

The examples are the numbers of 7-15 digits that reach the bare path of ``contacts.py`` (no
agent side, no cue, no identity word of the customer's before) in tune-split MultiDoGO
transcripts. A number is a phone when its digits are those of a ``phone_number`` or
``phonenumber`` slot value of the same turn; every other bare number (an ssn, account, card,
password, policy or booking number, an address, or a number no slot holds) is not. The set
labels phones inside addresses as addresses only: that noise is left in.

``--cv`` splits the tune conversations in two halves by hash (``build_models.half_of``),
trains on one half and measures the per-conversation "customer gave a phone" figure on the
other, both ways, against the shape rule on the same halves. It never reads the test split.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._scoring import Score
from benchmarks.build_models import half_of
from benchmarks.tune_contacts import PHONE_SLOTS, conversation, tune_records
from everytouch.analysis import contacts, number_kind
from everytouch.analysis.learned import LinearModel, train_features

# Chosen by --cv within the tune split (docs/analysis-identity.md, "Numbers").
C = 10.0
THRESHOLD = 0.5
SOURCE = "multidogo"
_NON_DIGIT = re.compile(r"\D")

Decide = Callable[[str, int, int, str, Sequence[str]], bool]


@dataclass(frozen=True, slots=True)
class Example:
    conv_id: str
    turn: int
    digits: str
    features: tuple[str, ...]
    label: bool


def shape_rule(text: str, start: int, end: int, digits: str, earlier: Sequence[str]) -> bool:
    """What the rules decided on the bare path before the model: the number's shape."""
    return contacts._looks_like_phone(text[start:end], digits)


@contextmanager
def deciding(decide: Decide) -> Iterator[None]:
    kept = number_kind.is_phone
    number_kind.is_phone = decide  # type: ignore[assignment]
    try:
        yield
    finally:
        number_kind.is_phone = kept


def _phone_digits(turn: dict[str, Any]) -> list[str]:
    values = [v for slot in PHONE_SLOTS for v in turn["slot_values"].get(slot) or ()]
    return [d for d in (_NON_DIGIT.sub("", str(v)) for v in values) if d]


def _is_labelled_phone(digits: str, phones: list[str]) -> bool:
    return any(digits == p or (len(p) >= 7 and (p in digits or digits in p)) for p in phones)


def examples() -> list[Example]:
    """Every bare number of the tune split with its features and the set's label, in order."""
    found: list[Example] = []
    for record in tune_records():
        conv = conversation(record)
        turns = [t for t in record["customer_turns"] if t["utterance"].strip()]
        calls: list[tuple[int, str, tuple[str, ...]]] = []

        def record_call(
            text: str,
            start: int,
            end: int,
            digits: str,
            earlier: Sequence[str],
            calls: list[tuple[int, str, tuple[str, ...]]] = calls,
        ) -> bool:
            feats = number_kind.number_features(text, start, end, digits, earlier)
            calls.append((len(earlier), digits, tuple(feats)))
            return shape_rule(text, start, end, digits, earlier)

        with deciding(record_call):
            contacts.extract_contacts(conv)
        for turn, digits, feats in calls:
            label = _is_labelled_phone(digits, _phone_digits(turns[turn]))
            found.append(Example(conv.id, turn, digits, feats, label))
    return found


def fit(items: Sequence[Example], c: float = C, threshold: float = THRESHOLD) -> LinearModel:
    return train_features(
        [(e.features, e.label) for e in items],
        check=number_kind.CHECK,
        side="customer",
        threshold=threshold,
        c=c,
    )


def build(path: Path = number_kind.MODEL_PATH, c: float = C) -> LinearModel:
    model = fit(examples(), c)
    model.save(path)
    return model


# --- cross-validation within the tune split -------------------------------------------------


def _model_decides(model: LinearModel, threshold: float) -> Decide:
    def decide(text: str, start: int, end: int, digits: str, earlier: Sequence[str]) -> bool:
        feats = number_kind.number_features(text, start, end, digits, earlier)
        return model.predict_features(feats) >= threshold

    return decide


def _conversation_score(records: list[dict[str, Any]], decide: Decide, score: Score) -> None:
    with deciding(decide):
        for record in records:
            found = any(f.kind == "phone" for f in contacts.extract_contacts(conversation(record)))
            score.add(bool(record["labels_from_dataset"]["customer_gave_phone"]), found)


def _fmt(s: Score) -> str:
    return f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} (fp {s.fp} fn {s.fn})"


def cross_validate(cs: list[float], thresholds: list[float]) -> None:
    items = examples()
    positives = sum(e.label for e in items)
    shaped = sum(_shape_of(e) for e in items)
    print(
        f"bare numbers (7-15 digits) in the tune split: {len(items)}, "
        f"labelled phones {positives}, phone-shaped {shaped}"
    )
    records = list(tune_records())
    halves = [[r for r in records if _half(r) == k] for k in (0, 1)]
    held = [[e for e in items if half_of(SOURCE, e.conv_id) == k] for k in (0, 1)]
    numbers, convs = Score(), Score()
    for k in (0, 1):
        for e in held[k]:
            numbers.add(e.label, _shape_of(e))
        _conversation_score(halves[k], shape_rule, convs)
    print(f"shape rule   numbers {_fmt(numbers)} | conversations {_fmt(convs)}")
    for c in cs:
        # models[k] is trained on the half that is not k: it never saw what it is scored on.
        models = [fit(held[1 - k], c) for k in (0, 1)]
        for t in thresholds:
            numbers, convs = Score(), Score()
            for k in (0, 1):
                m = models[k]
                for e in held[k]:
                    numbers.add(e.label, m.predict_features(e.features) >= t)
                _conversation_score(halves[k], _model_decides(m, t), convs)
            print(f"C={c:<5} p>={t:.2f} numbers {_fmt(numbers)} | conversations {_fmt(convs)}")


def _half(record: dict[str, Any]) -> int:
    return half_of(SOURCE, str(record["conversationId"]))


def _shape_of(e: Example) -> bool:
    n = len(e.digits)
    return n == 10 or (n == 11 and e.digits.startswith("1"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build_number_model")
    parser.add_argument("--cv", action="store_true", help="print cross-validated tune figures")
    parser.add_argument("--c", type=float, default=C)
    parser.add_argument("--out", type=Path, default=number_kind.MODEL_PATH)
    args = parser.parse_args(argv)
    if args.cv:
        cross_validate([1.0, 3.0, 10.0, 30.0], [0.3, 0.4, 0.5, 0.6, 0.7])
        return
    model = build(args.out, args.c)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({size:,} bytes, {len(model.weights):,} weights, "
        f"{model.positives} phones and {model.negatives} other numbers)"
    )


if __name__ == "__main__":
    main()
