"""Lower-cased text for the cheap keyword tests that guard costly case-insensitive patterns.

A pattern compiled with re.IGNORECASE matches "i" to the dotted capital I and the dotless i,
and "s" to the long s, which str.lower() leaves alone or turns into two characters. Folding
those too keeps "keyword in folded(text)" a necessary condition of the pattern matching, so a
test that skips the pattern never changes a result.
"""

from __future__ import annotations

from functools import lru_cache

_CASELESS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


@lru_cache(maxsize=1024)
def folded(text: str) -> str:
    """The text lower-cased, with every letter IGNORECASE takes for an ASCII one made that
    letter. Cached: several extractors test the same turn."""
    if not text.isascii():
        text = text.translate(_CASELESS)
    return text.lower()
