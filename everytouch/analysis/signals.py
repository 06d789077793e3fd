"""Buying signals and the need (customer turns); discovery questions (agent turns).

Every pattern is a bounded alternation of literal words: no nested quantifiers, so the cost of
matching is linear in the text whatever the input (hypothesis tests feed adversarial text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from everytouch.analysis.conversation import Conversation, Turn

SignalKind = Literal["price", "availability", "looking_for", "purchase", "upgrade", "quote"]
Topic = Literal["need", "budget", "timeline"]

QUOTE_MAX = 160
_SENTENCE = re.compile(r"[^.?!\n]*(?:[.?!]+|\n|$)")
_NEED_STOP = re.compile(
    r"\b(?:and|but|because|since|so|if|please|thanks|thank you|though|or|which|that is|"
    r"right now)\b",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:a|an|the|some|any|to|for|about|into|on|in|(?:quote|estimate|price|prices|pricing)"
    r"\s+(?:for|on))\s+)+",
    re.IGNORECASE,
)

# Order matters for the need phrase: the first kinds name the need most directly.
_SIGNAL_PATTERNS: tuple[tuple[SignalKind, re.Pattern[str]], ...] = (
    (
        "looking_for",
        re.compile(
            r"\b(?:(?:i'?m|i am|we'?re|we are|i was|we were)\s+(?:looking|searching|shopping)"
            r"\s+(?:for|to)|interested in|in the market for|i (?:need|want)(?: to get)?|"
            r"we (?:need|want)|i(?:'d| would) like(?: to (?:get|have|find))?|"
            r"do you (?:sell|carry|offer|do))\s+(?P<obj>[^.?!,;\n]{2,80})",
            re.IGNORECASE,
        ),
    ),
    (
        "purchase",
        re.compile(
            r"\b(?:buy|purchase|order|sign up for|subscribe to|book|reserve|rent|hire|"
            r"make (?:a|an) (?:reservation|booking|appointment|order))\b"
            r"\s*(?P<obj>[^.?!,;\n]{0,80})",
            re.IGNORECASE,
        ),
    ),
    (
        "upgrade",
        re.compile(
            r"\b(?:upgrade|switch(?:ing)? (?:to|plans?)|add (?:a|another) (?:line|user|seat)|"
            r"renew|more (?:data|storage|seats|users))\b\s*(?P<obj>[^.?!,;\n]{0,80})",
            re.IGNORECASE,
        ),
    ),
    (
        "quote",
        re.compile(
            r"\b(?:quote|estimate|proposal)s?\b(?:\s+(?:for|on)\s+(?P<obj>[^.?!,;\n]{2,80}))?",
            re.IGNORECASE,
        ),
    ),
    (
        "price",
        re.compile(
            r"\b(?:how much (?:is|are|does|do|would|will|for)?|price|prices|pricing|cost|costs|"
            r"rates?|fees?|discount|deal|cheap(?:er|est)?|afford)\b\s*(?P<obj>[^.?!,;\n]{0,80})",
            re.IGNORECASE,
        ),
    ),
    (
        "availability",
        re.compile(
            r"\b(?:do you have|have you got|is there (?:a|an|any)|are there (?:any)?|"
            r"in stock|availab(?:le|ility)|any openings|any (?:rooms|tables|slots|seats) free)"
            r"\s*(?P<obj>[^.?!,;\n]{0,80})",
            re.IGNORECASE,
        ),
    ),
)

# Sentences that look like a signal but are not interest in buying: complaints and account care.
_NOT_INTENT = re.compile(
    r"\b(?:refund|cancel|charged twice|overcharged|dispute|complain|broken|not working|"
    r"doesn'?t work|suspended|hacked|locked out|password)\b",
    re.IGNORECASE,
)

_WH_START = re.compile(
    r"^\s*(?:(?:and|so|ok(?:ay)?|great|alright|right|sure|perfect|also|now),?\s+)*"
    r"(?:what|which|when|where|how|why|who|whom|for what|at what|on what|in what|to what|"
    r"from what|with whom|do you|does|did you|are you|is it|is this|would you|will you|"
    r"could you|can you|have you|any)\b",
    re.IGNORECASE,
)
_TELL_ME = re.compile(
    r"\b(?:let (?:me|us) know|tell (?:me|us)|share|describe|walk me through)\b", re.IGNORECASE
)
_BUDGET = re.compile(
    r"\b(?:budget|price range|spend|how much (?:are|were|would) you|price point|afford)\b",
    re.IGNORECASE,
)
_TIMELINE = re.compile(
    r"\b(?:when|how soon|timeline|time ?frame|by what date|what (?:day|date|time)|"
    r"what time|which day|deadline|start date|move in|arriv|leav|depart)",
    re.IGNORECASE,
)
_NEED_WORDS = re.compile(
    r"\b(?:looking for|need|needs|require|requirements|want|prefer|preference|kind of|type of|"
    r"sort of|size|model|version|platform|device|how many|how often|"
    r"what (?:is|was|are) (?:the|your) (?:issue|problem|goal|reason|situation|error)|"
    r"use (?:it|this) for|happen|happening|"
    r"issue|problem|error|symptom|which|what|where|who|any particular|specific|special)\b",
    re.IGNORECASE,
)
# Questions an agent asks that do not uncover the need: identity, openers, closers, confirmations.
_NOT_DISCOVERY = re.compile(
    r"\b(?:your (?:full |first |last )?name|who am i speaking|who(?:'s| is) calling|"
    r"phone|mobile|number|e-?mail|account|pin\b|password|date of birth|birthday|dob|maiden|"
    r"security|postcode|zip|address|booking id|reference|anything else|something else|"
    r"how (?:can|may|could) (?:i|we) (?:help|assist)|what can i do for you|help you with today|"
    r"is that (?:correct|right|ok|okay)|"
    r"(?:can|shall|should|may) i (?:book|reserve|confirm|go ahead|proceed|put|place|transfer)|"
    r"would you like (?:me|us) to|do you want me to|"
    r"(?:continue|play|keep) playing|next question|how are you|still there|hear me)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Signal:
    """A buying signal in a customer turn; ``need`` is a short phrase when one can be read."""

    kind: SignalKind
    turn: int
    quote: str
    need: str


@dataclass(frozen=True, slots=True)
class DiscoveryQuestion:
    """An agent question that uncovers the need, the budget or the timeline."""

    topic: Topic
    turn: int
    quote: str


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, sentence) pairs; cheap and good enough for quotes and question tests."""
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if sentence:
            yield match.start(), sentence


def clip(text: str, limit: int = QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_around(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end], clipped to QUOTE_MAX characters."""
    left = max(text.rfind(mark, 0, start) for mark in ".?!\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".?!\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return clip(text[left:right].strip())


def need_phrase(raw: str | None) -> str:
    """Cut the object of a signal down to a short need: at most eight words, no filler."""
    if not raw:
        return ""
    stop = _NEED_STOP.search(raw)
    phrase = raw[: stop.start()] if stop else raw
    phrase = _LEADING_FILLER.sub("", phrase.strip())
    return " ".join(phrase.split()[:8]).strip(" -'\"")


def turn_signals(turn: Turn, index: int) -> list[Signal]:
    found: list[Signal] = []
    for _, sentence in sentences(turn.text):
        if _NOT_INTENT.search(sentence):
            continue
        for kind, pattern in _SIGNAL_PATTERNS:
            match = pattern.search(sentence)
            if match:
                need = need_phrase(match.group("obj"))
                found.append(Signal(kind, index, clip(sentence), need))
                break
    return found


def buying_signals(conv: Conversation) -> list[Signal]:
    """Every buying signal the customer gave, in turn order."""
    out: list[Signal] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "customer":
            out.extend(turn_signals(turn, index))
    return out


def main_need(signals: list[Signal]) -> str:
    """The need in a short phrase: the most direct signal that names an object wins."""
    rank = {kind: i for i, (kind, _) in enumerate(_SIGNAL_PATTERNS)}
    named = [s for s in signals if s.need]
    if not named:
        return ""
    return min(named, key=lambda s: (rank[s.kind], s.turn)).need


def is_question(sentence: str) -> bool:
    return sentence.endswith("?") or bool(_WH_START.match(sentence))


def question_topic(sentence: str) -> Topic | None:
    """The discovery topic of one agent sentence, or None when it is not a discovery question."""
    asks = is_question(sentence) or bool(_TELL_ME.search(sentence))
    if not asks or _NOT_DISCOVERY.search(sentence):
        return None
    if _BUDGET.search(sentence):
        return "budget"
    if _TIMELINE.search(sentence):
        return "timeline"
    if _NEED_WORDS.search(sentence):
        return "need"
    return None


def discovery_questions(conv: Conversation) -> list[DiscoveryQuestion]:
    """Agent questions about the need, budget or timeline, one per sentence, in turn order."""
    out: list[DiscoveryQuestion] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent":
            continue
        for _, sentence in sentences(turn.text):
            topic = question_topic(sentence)
            if topic is not None:
                out.append(DiscoveryQuestion(topic, index, clip(sentence)))
    return out
