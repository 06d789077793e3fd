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
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"]{1,2000}", re.IGNORECASE)
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
            r"\s+(?:for|to)|interested in|in the market for|"
            r"(?:i|we) (?:need|want|(?:'?d|would) (?:like|love)|like to (?:have|get|order))"
            r"(?: to (?:buy|order|get|book|purchase|rent|reserve|hire|try|start|add|find|have|"
            r"sign up for|subscribe to|set up|open))?|"
            r"(?:can|could|may) (?:i|we) (?:get|have|order)|i['\u2019]ll (?:have|take|get)|"
            r"do you (?:sell|carry|offer|do))\s+(?P<obj>(?!(?:my|our|your|to|help|proof|a copy|"
            r"some help|info|information|assistance|an update|a refund|the status|a replacement)\b)"
            r"[^.?!,;\n]{2,80})",
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
    r"doesn'?t work|suspended|hacked|locked out|password|boarding pass|my seat|seat assignment|"
    r"proof of|copy of|claim|balance|statement|expense|reimburse|transfer money|my address|"
    r"status|lost|stolen|replace|stop)\b",
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
    r"\b(?:(?:let|tell) (?:me|us) (?:know )?(?!how it goes|if you have|if (?:this|that|it) help)"
    r"(?:more|what|which|the|if|whether|about|how|when|where|your)|"
    r"(?:need|like|want|love) to know|(?:^|please |you |us )(?:describe|share|send)|"
    r"walk (?:me|us) through|more (?:details|info|information) (?:about|on))\b",
    re.IGNORECASE,
)
# Asking about the problem itself outweighs a mention of an account or e-mail in passing.
_SITUATION = re.compile(
    r"\b(?:what(?:'s| is) (?:going on|happening)|what happens|tell (?:me|us) more|"
    r"more (?:details|info|information)|error|happening)\b",
    re.IGNORECASE,
)
_ASIDE = re.compile(r"\bwithout (?:revealing|posting|sharing|including)[^,.;]{0,80}", re.I)
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
    r"(?:continue|play|keep) playing|next question|how are you|still there|hear me|"
    r"\bid\b|pet you had|name of (?:the|your) pet|"
    r"would you like to (?:change|search|try|add|continue|look)|search for any more|"
    r"(?:can|could|would) you (?:please |pls )?try|are you able to|follow(?:ing)? (?:the|these) "
    r"steps|if (?:they|it|this|that|those) help)\b",
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


_ANY_SIGNAL = re.compile(
    "|".join(f"(?:{p.pattern})".replace("(?P<obj>", "(?:") for _, p in _SIGNAL_PATTERNS), re.I
)


def turn_signals(turn: Turn, index: int) -> list[Signal]:
    found: list[Signal] = []
    if not _ANY_SIGNAL.search(turn.text):  # one scan of the turn saves six per sentence
        return found
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
    sentence = _ASIDE.sub("", sentence)
    asks = is_question(sentence) or bool(_TELL_ME.search(sentence))
    if not asks:
        return None
    if _NOT_DISCOVERY.search(sentence) and not _SITUATION.search(sentence):
        return None
    if _BUDGET.search(sentence):
        return "budget"
    if _TIMELINE.search(sentence):
        return "timeline"
    return "need"


def discovery_in_text(text: str) -> Iterator[tuple[Topic, str]]:
    """(topic, sentence) for each discovery question in one agent turn; links are blanked
    first because their dots and question marks would split sentences."""
    if "://" in text or "www." in text:
        text = _LINK.sub("(link)", text)
    for _, sentence in sentences(text):
        topic = question_topic(sentence)
        if topic is not None:
            yield topic, sentence


def discovery_questions(conv: Conversation) -> list[DiscoveryQuestion]:
    """Agent questions about the need, budget or timeline, one per sentence, in turn order."""
    out: list[DiscoveryQuestion] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "agent":
            out.extend(
                DiscoveryQuestion(t, index, clip(s)) for t, s in discovery_in_text(turn.text)
            )
    return out
