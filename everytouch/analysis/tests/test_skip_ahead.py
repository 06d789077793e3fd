"""Patterns rewritten to open with a letter (at_word_start) find exactly what the \\b forms did."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch.analysis import _spoken, commitments, signals
from everytouch.analysis._fold import at_word_start, folded

# The \b forms of the signal patterns rewritten with at_word_start, as they were written before.
_SIGNALS_FLAT = {
    "trade job": (
        r"\b(?:can|could|would) you (?:please )?(?:print|make|deliver|install|cater|build|"
        r"design|paint)(?: (?:me|us))? (?P<obj>(?:\d+|a|an|some|two|three|four|five|ten|"
        r"twenty|fifty|hundred) [^.?!,;\n]{2,80})"
    ),
    "upgrade": (
        r"\b(?:upgrade|switch(?:ing)? (?:to|plans?)|add (?:a|another) (?:line|user|seat)|"
        r"renew|more (?:data|storage|seats|users))\b\s*(?P<obj>[^.?!,;\n]{0,80})"
    ),
    "quote": r"\b(?:quote|estimate|proposal)s?\b(?:\s+(?:for|on)\s+(?P<obj>[^.?!,;\n]{2,80}))?",
    "price": (
        r"\b(?:how much (?:is|are|does|do|would|will|for)?|price|prices|pricing|cost|costs|"
        r"(?:do|would|will|does) (?:you|it) charge|"
        r"rates?|fees?|discount|deal|cheap(?:er|est)?|afford)\b\s*(?P<obj>[^.?!,;\n]{0,80})"
    ),
    "availability": (
        r"\b(?:(?:do you have|have you got)(?! (?:any )?(?:more |other |further )?(?:details|"
        r"info|information|idea|questions|help|time|updates?)\b)|"
        r"(?:is|are) there (?:a|an|any)\b(?!" + signals._NOT_AVAILABLE + r")|"
        r"in stock|availab(?:le|ility)|any openings|any (?:rooms|tables|slots|seats) free|"
        r"(?:can|could) you (?:fit|squeeze) (?:me|us|him|her|them) in|"
        r"(?:are|is) (?:you|the \w+) (?:taking|accepting) (?:on )?new (?:patients|clients|"
        r"customers|members|students|bookings))"
        r"\s*(?P<obj>[^.?!,;\n]{0,80})"
    ),
}
_SIGNAL_INDEX = {"trade job": 2, "upgrade": 5, "quote": 6, "price": 7, "availability": 8}

# (rewritten, the \b form it replaces).
_PAIRS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "promise": (commitments._PROMISE, re.compile(commitments._PROMISE_FLAT)),
    "looking for": (signals._SIGNAL_PATTERNS[0][1], re.compile(signals._LOOKING_FOR_FLAT)),
    "act": (signals._ACT, re.compile(signals._ACT_FLAT)),
    "spoken e-mail": (_spoken.SPOKEN_EMAIL_FOLDED, re.compile(_spoken.SPOKEN_EMAIL.pattern)),
    **{
        name: (signals._SIGNAL_PATTERNS[_SIGNAL_INDEX[name]][1], re.compile(flat))
        for name, flat in _SIGNALS_FLAT.items()
    },
}


def _words(pattern: str) -> list[str]:
    """The runs of letters a pattern spells, so generated text holds its phrases."""
    return sorted(set(re.findall(r"[a-z]+", pattern.replace("\\s", " ").replace("\\w", " "))))


_MARKS = [" ", " ", " ", "  ", ".", ",", "?", "'", "\u2019", "\n", "-", "_", "x", "1", "é", "I"]


_GLUE = st.sampled_from(["", " ", "x", "_", "1", "é", "'", "my "])


def _text(pattern: str) -> st.SearchStrategy[str]:
    words = _words(pattern)
    # Matches of the \b form (hypothesis writes them from the pattern), some glued to a letter,
    # digit or underscore before them to test the \b; sentences of the pattern's words; runs of
    # words and marks; any text.
    matches = st.tuples(_GLUE, st.from_regex(re.compile(pattern), fullmatch=True)).map("".join)
    glued = st.tuples(_GLUE, st.sampled_from(words)).map("".join)
    return (
        st.lists(matches | glued, min_size=1, max_size=4).map(" ".join)
        | st.lists(glued, max_size=12).map(" ".join)
        | st.lists(st.sampled_from(words + _MARKS), max_size=16).map("".join)
        | st.text(max_size=40)
    )


def _found(pattern: re.Pattern[str], text: str) -> list[object]:
    return [(m.span(), m.groups(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(_PAIRS))
def test_a_rewritten_pattern_finds_what_its_b_form_finds(name: str) -> None:
    new, old = _PAIRS[name]

    @settings(max_examples=500, deadline=None)
    @given(_text(old.pattern))
    def check(text: str) -> None:
        low = folded(text)
        # Each space in turn made a letter: every word glued to the one before it.
        glued = [low[:i] + "x" + low[i + 1 :] for i, char in enumerate(low) if char == " "]
        for variant in (low, *glued):
            assert _found(new, variant) == _found(old, variant)
        for start in range(len(low) + 1):
            got, want = new.match(low, start), old.match(low, start)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))

    check()


_SENTENCES = [
    "I'll send you the form tomorrow. We'll call you back.",
    "so our technician will be there. the team will follow up. a rep will ring. a tech will",
    "an engineer will come. Someone will reach out. expect a call, and let me get back to you",
    "Hi, I\u2019m going to escalate this and you'll receive an email. we are going to fix it",
    "william will call, this will do, swill will not",
    "I'm looking for a new phone plan. I need to buy two tickets, we'd like to book a table",
    "in the market for a car, in need of help; can I get a quote? do you sell gift cards",
    "I'd love to order pizza, could we have the bill. interested in your packages",
    "could you print 300 flyers? can you make a cake. I want to upgrade, switching plans; renew",
    "a quote for the roof, estimates on tiles. how much is it, what does it cost, rates? fees",
    "do you have any tables. is there an opening, are there any details; in stock? available",
    "could you fit me in, are you taking new patients, is the clinic accepting new clients",
    "could you please try restarting, will you kindly check out the page. Follow these steps",
    "it's jane dot doe at gmail dot com, or j underscore doe 42 at acme dot co dot uk",
    # The user part holds at most 64 letters and digits: 65 are no address.
    "my email is bob at example.com and " + "1234567890" * 6 + "12345 at x dot com",
    "64 of them are: " + "1234567890" * 6 + "1234 at x dot com",
]


def test_real_looking_sentences_match_alike() -> None:
    for new, old in _PAIRS.values():
        for sentence in _SENTENCES:
            low = folded(sentence)
            glued = [low[:i] + "x" + low[i + 1 :] for i, char in enumerate(low) if char == " "]
            for variant in (low, *glued):
                assert _found(new, variant) == _found(old, variant)


def test_at_word_start_groups_by_first_letter_and_refuses_what_it_cannot_move() -> None:
    assert at_word_start(("ab", "c", "ad")) == r"a(?<!\wa)(?:b|d)|c(?<!\wc)(?:)"
    with pytest.raises(ValueError, match="literal word character"):
        at_word_start(("a?b",))
    with pytest.raises(ValueError, match="literal word character"):
        at_word_start(("(?:a|b)c",))
