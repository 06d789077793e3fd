"""The cheap tests in front of the contact patterns: each must agree with the pattern it gates."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from everytouch.analysis import _spoken, contacts
from everytouch.analysis._fold import folded

# Text made of the words and marks the patterns care about, so that matches are frequent.
_PIECES = st.sampled_from(
    [
        "one", "Two", "oh", "o", "double", "FIVE", "fifteen", "twenty", "hundred", "\u017fix",
        "i", "I", "am", "im", "i'm", "it", "it's", "is", "this", "hi", "name", "here", "Jane",
        "123", "4", "zero1", "one_two", "gmail", "com", "@", ".", ",", "-", "'", "\u2019",
        " ", "  ", "\t", "\n", "é",
    ]
)  # fmt: skip
_TEXT = st.lists(_PIECES, max_size=14).map("".join) | st.text(max_size=40)


@given(_TEXT)
def test_it_finds_a_number_word_exactly_when_the_pattern_does(text: str) -> None:
    expected = _spoken.HAS_NUMBER_WORD.search(text) is not None
    assert _spoken.has_number_word(text) == expected


@given(_TEXT)
def test_it_never_gates_out_a_weak_name_cue(text: str) -> None:
    if contacts._NAME_CUE_WEAK.search(folded(text)) is not None:
        assert contacts._WEAK_CUE_GATE.search(folded(text)) is not None


_FLAT_TOKEN = r"(?:\d+|(?:" + "|".join(_spoken._WORDS) + r")\b)"
_FLAT_RUN = re.compile(r"\b" + _FLAT_TOKEN + r"(?:[\s,.\-]{1,3}" + _FLAT_TOKEN + r")+", re.I)


@given(_TEXT)
def test_it_finds_the_spoken_runs_the_flat_alternation_finds(text: str) -> None:
    spans = [m.span() for m in _spoken.SPOKEN_RUN.finditer(text)]
    assert spans == [m.span() for m in _FLAT_RUN.finditer(text)]


@given(
    _TEXT
    | st.lists(st.sampled_from(["gmail", "com", "yahoo", "coin", "att", "ram", " "])).map("".join)
)
def test_it_finds_the_glued_addresses_a_full_scan_finds(text: str) -> None:
    found = [m.span() for m in _spoken.glued_email_matches(text)]
    assert found == [m.span() for m in _spoken.GLUED_EMAIL.finditer(text)]


@given(
    _TEXT | st.lists(st.sampled_from(["this is ", "hi ", "Hello, ", "good day ", "I"])).map("".join)
)
def test_it_finds_the_weak_name_cues_the_single_pattern_finds(text: str) -> None:
    low = folded(text)
    found = [m.span() for m in contacts._weak_cues(low)]
    assert found == [m.span() for m in contacts._NAME_CUE_WEAK.finditer(low)]
