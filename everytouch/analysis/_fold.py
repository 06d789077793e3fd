"""Folded text, and patterns written in lower case that run on it instead of IGNORECASE.

A pattern compiled with re.IGNORECASE matches "i" to the dotted capital I and the dotless i,
and "s" to the long s, which str.lower() leaves alone or turns into two characters. folded()
turns those into "i" and "s" too, and lower-cases the rest. That keeps every character in its
place and in its \\w, \\s and \\d classes, and makes an ASCII letter only of what IGNORECASE
matches to that letter (test_fold checks all of Unicode). So:

- a keyword test "word in folded(text)" is a true necessary condition of a pattern that needs
  the word, and skipping the pattern when it fails never changes a result;
- a pattern written in lower case and compiled without IGNORECASE (``lower_pattern``) matches
  folded(text) exactly where, and with the same offsets, as the IGNORECASE pattern matches the
  text. It is several times faster: the regex engine only skips an alternative by its first
  letter, without entering it, when the pattern is case-sensitive.
"""

from __future__ import annotations

import re

_CASELESS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_LOWER_PATTERNS: list[re.Pattern[str]] = []


def folded(text: str) -> str:
    """The text lower-cased, with every letter IGNORECASE takes for an ASCII one made that
    letter; the same length as the text."""
    if not text.isascii():
        text = text.translate(_CASELESS)
    return text.lower()


def lower_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written in lower case, to run on folded() text (see above)."""
    compiled = re.compile(pattern)
    _LOWER_PATTERNS.append(compiled)
    return compiled


def lower_patterns() -> tuple[re.Pattern[str], ...]:
    """Every pattern compiled by lower_pattern, for the tests that hold them to the rule."""
    return tuple(_LOWER_PATTERNS)


def by_first_letter(phrases: tuple[str, ...]) -> str:
    """One alternation of the phrases, grouped by their first character: ``a(?:x|y)|b(?:z)``.

    The regex engine tries every alternative of a branch in turn, even if only to compare its
    first character, so a flat list of ninety phrases costs ninety comparisons at every word;
    grouped, a word costs one per distinct first letter. The grouped alternation matches the
    same strings, though not in the same order of preference: use it where only whether
    there is a match counts. Each phrase must begin with one literal character that no
    quantifier applies to.
    """
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        if not phrase[:1].isalnum() or phrase[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"{phrase!r} does not begin with one literal character")
        groups.setdefault(phrase[0], []).append(phrase[1:])
    return "|".join(first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())


def at_word_start(alternatives: tuple[str, ...]) -> str:
    """``\\b(?:alternatives)`` written so the regex engine can skip ahead: the alternatives
    grouped by their first letter, each group opening with that letter and the \\b after it as
    a look-behind, ``a(?<!\\wa)(?:x|y)|b(?<!\\wb)(?:z)``.

    A pattern that opens with \\b is tried at every position of the text; one whose
    alternatives each open with a literal lets the engine jump to the next position holding one
    of their first letters. The matches are the same, spans and groups: \\b before a word
    character is "no word character before it", which the look-behind tests once the letter
    has matched; two alternatives with different first letters never match at one place, and
    within a group the alternatives keep their order. Each alternative must begin with one
    literal word character that no quantifier applies to.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        first = alternative[:1]
        if not (first.isalnum() or first == "_") or alternative[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"{alternative!r} does not begin with one literal word character")
        groups.setdefault(first, []).append(alternative[1:])
    branches = (
        first + r"(?<!\w" + first + ")(?:" + "|".join(rests) + ")"
        for first, rests in groups.items()
    )
    return "|".join(branches)


def any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """A search for whether any of the literal words occurs: the words grouped by their first
    character (as by_first_letter groups phrases), which only whether there is a match can
    tell apart from the flat alternation, and which tries one branch where a flat one tries
    every word that starts there."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    branches = (re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())
    return re.compile("|".join(branches))
