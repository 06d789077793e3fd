"""Is a bare number a phone? A learned decision for customer-only transcripts.

With no agent turns, no cue in the sentence ("phone", "account no", "password") and no identity
word of the customer's own in the turns before, the rules in ``contacts.py`` could only go by
the number's shape (ten digits, or eleven starting with 1, is a phone). That reads a ten-digit
password given right after a name as a phone and misses a nine- or eleven-digit phone. This
module asks a small logistic regression (``learned.LinearModel``) instead; its features are the
digit count and first digits, the words of the turn, of the one or two customer turns before,
and of the whole conversation so far. It is trained on numbers in MultiDoGO's tune split,
labelled by the set's slots (``python -m benchmarks.build_number_model``).

``contacts.py`` calls it only on that bare path of a transcript with no agent turns, so
transcripts with an agent side never load the model; it is read on first use, then kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from everytouch.analysis._words import words
from everytouch.analysis.learned import LinearModel, load_model

MODEL_PATH = Path(__file__).resolve().parent / "data" / "number_kind.model.json.gz"
CHECK = "bare_number_is_phone"
EARLIER_TURNS = 2  # customer turns before this one whose words count on their own


def number_features(
    text: str, start: int, end: int, digits: str, earlier: Sequence[str]
) -> list[str]:
    """Feature strings of one bare number at text[start:end] of a customer turn.

    ``earlier`` holds the customer turns before this one, oldest first.
    """
    n = len(digits)
    out = [f"n={n}", f"f={digits[:1]}", f"f2={digits[:2]}", f"n={n}&f={digits[:1]}"]
    raw = text[start:end]
    if not raw.isdigit():
        out.append("sep")
    before = [w for w in words(text[:start]) if not w.isdigit()]
    after = [w for w in words(text[end:]) if not w.isdigit()]
    if not before and not after:
        out += ["only", f"only&n={n}"]
    out += [f"b:{w}" for w in before[-3:]]
    out += [f"a:{w}" for w in after[:3]]
    out += [f"t:{w}" for w in before + after]
    for back, turn in enumerate(reversed(earlier[-EARLIER_TURNS:]), start=1):
        out += [f"p{back}:{w}" for w in words(turn) if not w.isdigit()]
    out += [f"c:{w}" for turn in earlier for w in words(turn) if not w.isdigit()]
    out.append(f"pos={min(len(earlier), 8)}")
    return out


@cache
def model() -> LinearModel:
    """The shipped model, read once per process on first use."""
    return load_model(MODEL_PATH)


def is_phone(text: str, start: int, end: int, digits: str, earlier: Sequence[str]) -> bool:
    """True when the model reads the bare number at text[start:end] as a phone."""
    m = model()
    return m.predict_features(number_features(text, start, end, digits, earlier)) >= m.threshold
