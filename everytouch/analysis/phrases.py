"""Phrase lists from a playbook, matched as whole words in time linear in the text.

``PhraseSet`` is an Aho-Corasick automaton whose alphabet is normalised words (see _words.py),
built once when the playbook is loaded. Scanning a turn reads each word once and follows at
most as many failure links as it has taken steps, so the cost is linear in the turn whatever
the number or length of the phrases. A regex alternation of thousands of phrases would be
neither linear nor whole-word without care; this is both by construction.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from everytouch.analysis._words import word_spans


@dataclass(frozen=True, slots=True)
class Hit:
    """One phrase found: the phrase as the playbook wrote it and its span in the text."""

    phrase: str
    start: int
    end: int


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The normalised words of a phrase; empty when it has none (it could never match)."""
    return tuple(word for word, _, _ in word_spans(phrase))


class PhraseSet:
    """Whole-word, case-, accent- and punctuation-insensitive matching of many phrases."""

    __slots__ = ("_fail", "_goto", "_lengths", "_out", "phrases")

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases: tuple[str, ...] = tuple(phrases)
        self._goto: list[dict[str, int]] = [{}]
        self._out: list[int] = [-1]  # per state: a phrase that ends here (or -1)
        self._lengths: list[int] = []  # per phrase: its number of words
        for index, phrase in enumerate(self.phrases):
            self._add(phrase_words(phrase), index)
        self._fail = self._link()

    def _add(self, tokens: Sequence[str], index: int) -> None:
        self._lengths.append(len(tokens))
        if not tokens:
            return
        state = 0
        for token in tokens:
            nxt = self._goto[state].get(token)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[state][token] = nxt
                self._goto.append({})
                self._out.append(-1)
            state = nxt
        if self._out[state] == -1:  # the first of two equal phrases wins
            self._out[state] = index

    def _link(self) -> list[int]:
        # Breadth first, so a state's failure target is final before its children need it.
        fail = [0] * len(self._goto)
        queue = deque(self._goto[0].values())
        while queue:
            state = queue.popleft()
            for token, child in self._goto[state].items():
                queue.append(child)
                fail[child] = self._step(fail, fail[state], token) if state else 0
                if self._out[child] == -1:
                    # A shorter phrase ending here too ("price" inside "best price").
                    self._out[child] = self._out[fail[child]]
        return fail

    def _step(self, fail: list[int], state: int, token: str) -> int:
        while state and token not in self._goto[state]:
            state = fail[state]
        return self._goto[state].get(token, 0)

    def find(self, text: str) -> Hit | None:
        """The first phrase that ends earliest in the text, or None."""
        state = 0
        starts: deque[int] = deque(maxlen=max(self._lengths, default=1) or 1)
        for token, start, end in word_spans(text):
            starts.append(start)
            state = self._step(self._fail, state, token)
            index = self._out[state]
            if index != -1:
                first = starts[-self._lengths[index]]
                return Hit(self.phrases[index], first, end)
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhraseSet) and other.phrases == self.phrases

    def __hash__(self) -> int:
        return hash(self.phrases)

    def __repr__(self) -> str:
        return f"PhraseSet({list(self.phrases)!r})"
