"""Faster forms of the buying-signal patterns: each must agree with the form it replaced."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch.analysis import signals
from everytouch.analysis._fold import by_first_letter, folded

# _NOT_INTENT as it was written before its phrases were grouped by first letter.
_FLAT_NOT_INTENT = re.compile(
    r"\b(?:refund\w*|cancel\w*|charged|overcharged|dispute|complain\w*|broken|not working|"
    r"suspended|hacked|locked|password|boarding pass|my seat|seat assignment|"
    r"(?:window|aisle|middle) seat|proof|copy of|claim|balance|statement|expenses?|reimburs\w*|"
    r"transfer money|my address|status|lost|stolen|replace\w*|stop|"
    r"(?:can|couldn|won|wouldn|doesn|didn|isn|wasn)['\u2019]?t|cannot|can not|did not|"
    r"don['\u2019]?t own|unable|fail\w*|error\w*|issues?|problems?|glitch\w*|crash\w*|stuck|"
    r"disabled|never (?:arrived|came|received)|expir\w*|cracked|damaged|defective|"
    r"gouging|profiteer\w*|outrageous|exploit\w*|verification|2 ?step|two.step|recover\w*|"
    r"reset|fix|repair|back|already|recently|(?:i|we) own|owned|says|appears|"
    r"bills?|billing|chang\w*|updat\w*|down|slow|outage|(?:i|we) (?:have|had) (?:order|book)|"
    r"(?:press|click|tap)\w*|signed in|logged in|log ?in|sign ?in|practices|illegal|legal|"
    r"shame\w*|disgust\w*|ridiculous|scam\w*|unacceptable|awful|terrible|"
    r"(?:i|we)(?:'ve|\u2019ve| have| had)? (?:just )?(?:bought|purchased|ordered|booked|paid|"
    r"subscribed|signed up)|made (?:a|the|my) purchase|"
    r"my (?:purchase|order|booking|reservation))\b",
)
# The words of the flat pattern, whole and cut short, so that near misses are frequent.
_WORDS = sorted(set(re.findall(r"[a-z2]+", _FLAT_NOT_INTENT.pattern)) - {"b", "w", "u"})
_PIECES = st.sampled_from(_WORDS) | st.sampled_from(_WORDS).map(lambda w: w[:-1])
_SPACES = st.sampled_from([" ", "", "'", "\u2019", "'ve ", ". ", "-", "s ", "x"])
_TEXT = st.lists(_PIECES | _SPACES, max_size=12).map("".join) | st.text(max_size=30)


@settings(max_examples=500)
@given(_TEXT)
def test_the_grouped_exclusions_match_a_sentence_exactly_when_the_flat_ones_do(text: str) -> None:
    low = folded(text)
    assert bool(signals._NOT_INTENT.search(low)) == bool(_FLAT_NOT_INTENT.search(low))


def test_every_word_of_the_flat_exclusions_is_found_by_the_grouped_ones() -> None:
    for word in _WORDS:
        for text in (word, f"x {word} x", f"{word}ed", f"my {word}"):
            expected = bool(_FLAT_NOT_INTENT.search(text))
            assert bool(signals._NOT_INTENT.search(text)) == expected, text


def test_grouping_keeps_each_phrase_and_refuses_a_quantified_first_letter() -> None:
    assert by_first_letter(("ab", "ac", "b")) == "a(?:b|c)|b(?:)"
    with pytest.raises(ValueError):
        by_first_letter(("a?b",))
    with pytest.raises(ValueError):
        by_first_letter(("(?:a|b)c",))
