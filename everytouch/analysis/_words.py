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


def keeping(kept: str, lower: bool = False) -> bytes:
    """A bytes.translate table that keeps the ASCII characters in ``kept`` (and lower-cases
    A-Z when ``lower``), and turns every other byte into a space."""
    table = bytearray(b" " * 256)
    for char in kept:
        table[ord(char)] = ord(char)
    if lower:
        for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            table[ord(char)] = ord(char.lower())
    return bytes(table)


# Splitting ASCII text into runs of some characters with bytes.translate and str.split gives
# the same runs as a findall of the character class, in about half the time: no regex engine,
# no match object per run. Only for ASCII text, where one byte is one character.
_ALNUM_APOSTROPHE = keeping("abcdefghijklmnopqrstuvwxyz0123456789'")
_A_TO_Z_LOWERED = keeping("abcdefghijklmnopqrstuvwxyz", lower=True)


def ascii_runs(text: str, table: bytes) -> list[str]:
    """The runs of the characters that ``table`` (made by keeping) keeps, in ASCII text."""
    return text.encode("ascii").translate(table).decode("ascii").split()


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
    if not low.isascii():
        found = _WORD.findall(low)
        if "'" in low or _CURLY in low:
            found = [w.replace("'", "").replace(_CURLY, "") for w in found]
        return found
    # In ASCII, [^\W_] is [a-z0-9] once lower-cased: _ASCII_WORD's words. Runs of [a-z0-9'] hold
    # them, and are them where they hold no apostrophe; _ASCII_WORD splits the few that do.
    found = ascii_runs(low, _ALNUM_APOSTROPHE)
    if "'" in low:
        found = [
            word.replace("'", "")
            for run in found
            for word in (_ASCII_WORD.findall(run) if "'" in run else (run,))
        ]
    return found


_LETTERS = re.compile(r"[a-z]+")


# Keyed by the turn's own text: contacts and buying signals both split every customer turn,
# so the second split is a lookup. Only a conversation's turns need to stay in it.
@lru_cache(maxsize=256)
def letter_runs(text: str) -> tuple[str, ...]:
    """The runs of a-z in the lower-cased text: the words that keyword gates test (unlike
    words(), "don't" is "don" and "t", and other letters split words)."""
    return tuple(letters(text))


def letters(text: str) -> list[str]:
    """letter_runs(text) uncached, as a list: ``[a-z]+`` of the lower-cased text."""
    if text.isascii():  # lower() changes only A-Z there
        return ascii_runs(text, _A_TO_Z_LOWERED)
    return _LETTERS.findall(text.lower())


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(normalised word, start, end) for each word, the offsets into the original text."""
    for match in _WORD.finditer(text):
        yield normal(match.group()), match.start(), match.end()
