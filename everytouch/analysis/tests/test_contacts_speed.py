"""The cheap tests in front of the contact patterns: each must agree with the pattern it gates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from everytouch.analysis import _spoken, contacts

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
    if contacts._NAME_CUE_WEAK.search(text) is not None:
        assert contacts._WEAK_CUE_GATE.search(text) is not None
