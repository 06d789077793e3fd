"""Phrase lists: whole words, any case, punctuation and accents ignored, linear in the text."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from everytouch.analysis._words import words
from everytouch.analysis.phrases import PhraseSet, phrase_words


def _found(phrases: list[str], text: str) -> str | None:
    hit = PhraseSet(phrases).find(text)
    return None if hit is None else hit.phrase


def test_it_matches_whole_words_only() -> None:
    assert _found(["price"], "What's the price?") == "price"
    assert _found(["price"], "That's priceless.") is None
    assert _found(["price"], "Our prices went up.") is None
    assert _found(["best price"], "the best, price") == "best price"
    assert _found(["best price"], "the best pricing") is None


def test_it_ignores_case_punctuation_and_accents() -> None:
    assert _found(["extended warranty"], "An EXTENDED-Warranty!") == "extended warranty"
    assert _found(["e-mail"], "send an e mail") == "e-mail"
    assert _found(["cafe"], "Meet at the Café.") == "cafe"
    assert _found(["24/7 support"], "we offer 24 7 support") == "24/7 support"


def test_it_keeps_contractions_apart_from_their_words() -> None:
    assert _found(["I can"], "I can't do that") is None
    assert _found(["can't"], "I can\u2019t do that") == "can't"
    assert _found(["dont"], "Don't worry") == "dont"


def test_it_finds_a_short_phrase_inside_a_longer_partial_one() -> None:
    # "best price guarantee" is not there, but "price" is: the failure links must find it.
    assert _found(["best price guarantee", "price"], "our best price today") == "price"


def test_it_gives_the_span_of_the_hit_in_the_original_text() -> None:
    text = "Hello there. Our Spring  Sale ends Friday."
    hit = PhraseSet(["spring sale"]).find(text)
    assert hit is not None
    assert text[hit.start : hit.end] == "Spring  Sale"


def test_it_ignores_phrases_without_words_and_empty_text() -> None:
    assert phrase_words("!!!") == ()
    assert _found(["!!!", "ok"], "ok then") == "ok"
    assert _found(["ok"], "") is None


def test_it_pickles_for_worker_processes() -> None:
    phrases = PhraseSet(["price", "best price"])
    copy = pickle.loads(pickle.dumps(phrases))  # noqa: S301 -- our own bytes
    assert copy == phrases
    hit = copy.find("the best price")
    assert hit is not None and hit.phrase == "best price"


def test_it_scans_a_megabyte_turn_against_five_thousand_phrases() -> None:
    # Every phrase shares a long prefix with the text, the worst case for a naive scan; the
    # automaton still reads each word once. Not timed: it completes, and finds the real one.
    phrases = [" ".join(["a"] * 30 + [f"w{i}"]) for i in range(5_000)] + ["a a b"]
    text = "a " * 500_000 + "a b"
    hit = PhraseSet(phrases).find(text)
    assert hit is not None and hit.phrase == "a a b"
    assert len(text) > 1_000_000


_WORD = st.sampled_from(["a", "b", "price", "Quote", "can't", "e-mail"])
_TEXT = st.lists(st.sampled_from(["a", "b", "price", "quote", "cant", "e", "mail", ",", "!"]))


def _naive(phrases: list[str], text: str) -> bool:
    tokens = words(text)
    wanted = [phrase_words(p) for p in phrases]
    return any(w and tuple(tokens[i : i + len(w)]) == w for w in wanted for i in range(len(tokens)))


@given(st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), max_size=6), _TEXT)
def test_it_agrees_with_a_naive_search(phrases: list[str], pieces: list[str]) -> None:
    text = " ".join(pieces)
    assert (PhraseSet(phrases).find(text) is not None) == _naive(phrases, text)
