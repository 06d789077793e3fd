"""Normalised words: the one tokenizer phrase lists and learned models share.

A word is a run of letters and digits, apostrophes inside it dropped ("Don't" -> "dont", so
"I can" never matches "I can't"), lower-cased, accents removed. Everything else (punctuation,
hyphens, symbols) separates words. The pattern has no nested quantifiers: linear in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

_CURLY = "\u2019"  # the typographic apostrophe, as in "don\u2019t"
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # _WORD on lower-cased ASCII text


def _fold(text: str) -> str:
    # Only reached for non-ASCII text, so plain English pays nothing for it.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normal(word: str) -> str:
    """One word as it is compared: lower case, no apostrophes, no accents."""
    word = word.lower().replace("'", "").replace(_CURLY, "")
    return word if word.isascii() else _fold(word)


def words(text: str) -> list[str]:
    """The normalised words of a text (no offsets: the fast path for scoring)."""
    low = text.lower()
    if not low.isascii():
        low = _fold(low)
    # In ASCII, [^\W_] is [a-z0-9] once lower-cased: the same words, without a Unicode lookup for
    # every character.
    found = (_ASCII_WORD if low.isascii() else _WORD).findall(low)
    if "'" in low or _CURLY in low:
        found = [w.replace("'", "").replace(_CURLY, "") for w in found]
    return found


_LETTERS = re.compile(r"[a-z]+")


# Keyed by the turn's own text: contacts and buying signals both split every customer turn,
# so the second split is a lookup. Only a conversation's turns need to stay in it.
@lru_cache(maxsize=256)
def letter_runs(text: str) -> tuple[str, ...]:
    """The runs of a-z in the lower-cased text: the words that keyword gates test (unlike
    words(), "don't" is "don" and "t", and other letters split words)."""
    return tuple(_LETTERS.findall(text.lower()))


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(normalised word, start, end) for each word, the offsets into the original text."""
    for match in _WORD.finditer(text):
        yield normal(match.group()), match.start(), match.end()
