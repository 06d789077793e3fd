"""Folded text and lower-case patterns: the same matches as IGNORECASE on the original text."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

# Imported for the patterns they compile with lower_pattern.
from everytouch.analysis import _spoken, commitments, contacts, flow, signals  # noqa: F401
from everytouch.analysis._fold import any_of, folded, lower_patterns

EVERY_CHARACTER = "".join(map(chr, range(sys.maxunicode + 1)))
FOLDED = folded(EVERY_CHARACTER)


def test_folding_keeps_every_character_in_its_place_and_classes() -> None:
    assert len(FOLDED) == len(EVERY_CHARACTER)
    for cls in (r"\w", r"\s", r"\d"):
        spans = [m.start() for m in re.finditer(cls, EVERY_CHARACTER)]
        assert spans == [m.start() for m in re.finditer(cls, FOLDED)], cls


def test_folding_makes_an_ascii_character_only_of_what_ignorecase_matches_to_it() -> None:
    for original, fold in zip(EVERY_CHARACTER, FOLDED, strict=True):
        if fold.isascii() and fold != original:
            assert re.fullmatch(re.escape(fold), original, re.IGNORECASE), hex(ord(original))
    # ... and every character IGNORECASE matches to an ASCII one folds to it.
    for match in re.finditer(r"[\x00-\x7f]", EVERY_CHARACTER, re.IGNORECASE):
        original = match.group()
        assert re.fullmatch(re.escape(FOLDED[match.start()]), original, re.IGNORECASE)
        assert FOLDED[match.start()].isascii(), hex(ord(original))


def test_lower_patterns_are_written_in_lower_case() -> None:
    assert lower_patterns()
    for pattern in lower_patterns():
        assert not pattern.flags & re.IGNORECASE
        literal = re.sub(r"\\.|\(\?P<\w+>", "", pattern.pattern)  # escapes and group names
        assert not re.search(r"[A-Z]|\(\?[a-z]*i", literal), pattern.pattern


# Words of the patterns themselves, spelled in any case, with the letters IGNORECASE takes
# for ASCII ones (dotless i, dotted capital I, long s, Kelvin sign), spaces and punctuation.
_WORDS = sorted({w for p in lower_patterns() for w in re.findall(r"[a-z]{2,}", p.pattern)})
_CASES = {"i": "iI\u0131\u0130", "s": "sS\u017f", "k": "kK\u212a"}


@st.composite
def _spelled(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(_WORDS))
    return "".join(draw(st.sampled_from(_CASES.get(c, c + c.upper()))) for c in word)


_TEXT = st.lists(
    st.one_of(_spelled(), st.sampled_from([" ", " ", ", ", ". ", "? ", "'", "\u2019", "my ", "7"])),
    max_size=16,
).map("".join)


@settings(max_examples=300)
@given(_TEXT)
def test_a_lower_pattern_on_folded_text_matches_as_ignorecase_on_the_text(text: str) -> None:
    low = folded(text)
    for pattern in lower_patterns():
        original = re.compile(pattern.pattern, re.IGNORECASE)
        ours = [(m.span(), m.regs) for m in pattern.finditer(low)]
        assert ours == [(m.span(), m.regs) for m in original.finditer(text)], pattern.pattern


_HINT_WORDS = ("it", "i am", "im ", "pin#", "pin is", "com", "call you", "#", "c")


@given(st.text(alphabet="itpamcon #isyulc'", max_size=30))
def test_it_finds_any_of_the_words_exactly_when_a_flat_alternation_does(text: str) -> None:
    flat = re.compile("|".join(map(re.escape, _HINT_WORDS)))
    assert (any_of(_HINT_WORDS).search(text) is None) == (flat.search(text) is None)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_it_splits_lower_cased_ascii_as_the_unicode_patterns_do(text: str) -> None:
    from everytouch.analysis import _words

    low = text.lower()
    assert _words._ASCII_WORD.findall(low) == _words._WORD.findall(low)
    assert flow.turn_tokens.__wrapped__(text) == frozenset(flow._TOKEN.findall(low))
    assert _words.words(text) == [w.replace("'", "") for w in _words._WORD.findall(low)]
    assert _words.letters(text) == re.findall("[a-z]+", low)


@given(st.text(alphabet=" \t\n.?!aB'\u00a0\x1c", max_size=20))
def test_it_cuts_sentences_as_the_sentence_pattern_does(text: str) -> None:
    expected = [s for s in map(str.strip, signals._SENTENCE.findall(text)) if s]
    assert signals.sentence_texts(text) == expected


@given(st.text(alphabet=" \t\nIaBc.:!?\"'\x1c\u01c5\u03d2", max_size=20))
def test_it_tells_cased_text_as_the_word_loop_does(text: str) -> None:
    from everytouch.analysis import _names

    previous, expected = ".", False
    for word in text.split():
        if word[0].isupper() and previous[-1] not in '.!?:"' and word.split("'")[0] != "I":
            expected = True
            break
        previous = word
    assert _names.is_cased(text) == expected
