"""A learned second opinion on buying intent: does a customer turn want something new?

The buying-signal rules in ``signals.py`` read words such as "price", "need", "order" or "do
you have"; a customer with a problem uses the same words ("the price I was charged", "I need
my boarding pass"). The rules hold a list of such problem words, but a list fitted to some
conversations does not carry over to others. This model, a word uni/bigram logistic regression
(``learned.LinearModel``) trained on customer turns of the public sets' tune split
(``python -m benchmarks.build_models``), says whether a turn expresses wanting to acquire
something new; a rule signal counts only when it agrees (docs/analysis.md, "Buying intent").

The model file is read on first use, never on import, and then kept: a turn is scored with
one dict lookup per word and word pair.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from everytouch.analysis.learned import LinearModel, load_model

MODEL_PATH = Path(__file__).resolve().parent / "data" / "buying_intent.model.json.gz"
CHECK = "buying_intent"

_HANDLE = re.compile(r"(?<![\w.])@\w+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def clean(text: str) -> str:
    """The text without @handles and links: they name who and where, not what is wanted."""
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    return " ".join(text.split())


@cache
def model() -> LinearModel:
    """The shipped model, read once per process on first use."""
    return load_model(MODEL_PATH)


def probability(text: str) -> float:
    """The probability that a customer turn expresses wanting to acquire something new."""
    return model().predict_proba(clean(text))


def wants_to_acquire(text: str) -> bool:
    """True when the model reads the turn as wanting something new (at its tuned threshold)."""
    m = model()
    return m.predict_proba(clean(text)) >= m.threshold
