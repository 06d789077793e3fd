"""The shape of the call: greeting, transfers and redirects, next step offered, promotions."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from everytouch.analysis.conversation import Conversation
from everytouch.analysis.signals import clip, sentences

TransferKind = Literal["transfer", "redirect"]
NextStepKind = Literal["appointment", "quote", "callback", "link", "email", "visit", "message"]

GREETING_TURNS = 2
_GREETING = re.compile(
    r"\b(?:hello|hi|hey|good (?:morning|afternoon|evening|day)|welcome|greetings|howdy|"
    r"thanks? (?:you )?for (?:calling|contacting|reaching out|getting in touch|"
    r"your (?:call|message|e-?mail|patience|tweet))|how (?:can|may|could) (?:i|we) (?:help|assist)|"
    r"what can i do for you|you(?:'ve| have) reached|speaking)\b",
    re.IGNORECASE,
)
_TRANSFER = re.compile(
    r"\b(?:(?:transfer|transferring|put|putting|patch|patching|pass|passing|connect|connecting|"
    r"forward|forwarding|route|routing)\s+(?:you|your call|the call)\b(?:\s+(?:through|over|back))?"
    r"(?:\s+(?:to|with)\b)?|hand (?:you|this) (?:over|off)\b)",
    re.IGNORECASE,
)
_TRANSFER_NOT = re.compile(
    r"\b(?:can'?t|cannot|won'?t|unable to|don'?t need to|no need to)\b", re.I
)
_REDIRECT = re.compile(
    r"\b(?:you(?:'ll| will)? (?:need|have) to (?:call|contact|ring|reach out to|speak (?:to|with)|"
    r"email|go to|visit)|you(?:'d| would) (?:need|have) to (?:call|contact|speak)|"
    r"(?:please|you can|you could|you should|you may want to|try) "
    r"(?:call|contact|ring|reach out to|get in touch with|speak (?:to|with))\s+"
    r"(?:our|the|their|your)?\s*[a-z]+ "
    r"(?:department|team|line|desk|office|number|support|store|branch|provider|bank|carrier)|"
    r"(?:that|this)(?:'s| is) (?:handled by|a different department|not something we handle|"
    r"a question for)|wrong department|different department|another department)",
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]{2,300}", re.IGNORECASE)
_NEXT_STEPS: tuple[tuple[NextStepKind, re.Pattern[str]], ...] = (
    ("appointment", re.compile(
        r"\b(?:(?:book|schedule|set up|arrange|make|reserve)\s+(?:you\s+)?(?:in\s+)?"
        r"(?:an?\s+|the\s+|your\s+)?(?:appointment|meeting|viewing|demo|consultation|visit|call|slot|time|"
        r"reservation|table|room|fitting|test drive|tour)|"
        r"(?:can|shall|should) i (?:book|reserve|schedule)|come in (?:for|on|at)|"
        r"(?:are|is) (?:available|free) (?:at|on)|would you like (?:me )?to (?:book|schedule))",
        re.I)),
    ("quote", re.compile(
        r"\b(?:(?:send|email|get|give|put together|prepare|draw up|work up)\s+(?:you\s+)?"
        r"(?:an?\s+|the\s+)?(?:written\s+|formal\s+|free\s+)?(?:quote|estimate|proposal|quotation))",
        re.I)),
    ("callback", re.compile(
        r"\b(?:call (?:you )?back|ring you back|give you a call|call you (?:tomorrow|today|on|at|"
        r"later|this|next)|(?:get|reach|follow) (?:back )?(?:to|with|up with) you|follow(?:-| )up)",
        re.I)),
    ("email", re.compile(
        r"\b(?:(?:send|email|e-mail|text|mail)\s+(?:you|over)\s+(?:the |an? |some |more )?"
        r"(?:details|info|information|link|brochure|form|confirmation|instructions|summary|"
        r"paperwork|contract|invoice|catalog(?:ue)?))", re.I)),
    ("message", re.compile(
        r"\b(?:dm us|send us a (?:dm|direct message|private message|message)|direct message|"
        r"reach (?:out to )?us (?:via|by|through|in) (?:dm|direct message)|message us|"
        r"(?:contact|reach) us (?:at|via|on|through)|send us an? (?:e-?mail|note|request)|"
        r"submit (?:a|your|the) (?:ticket|request|case|form)|(?:contact|reach out to|call) "
        r"(?:our|the) (?:support|help|customer|care|service|account|billing)[a-z ]{0,20}"
        r"(?:team|line|desk|department|experts))", re.I)),
    ("visit", re.compile(
        r"\b(?:(?:stop|come|drop) (?:by|in)|visit (?:us|our|the)|pop in|see you (?:on|at|then|"
        r"tomorrow))", re.I)),
    ("link", re.compile(
        r"\b(?:here(?:'s| is) (?:the |a )?(?:link|how)|(?:check out|see|visit|follow|go to|head "
        r"(?:over )?to|read|review|refer to|try|use|look at|work through|working through) "
        r"(?:the |this |our |these |that )?(?:following |linked )?(?:link|article|page|guide|"
        r"steps|website|site|help center|support page|faq|locator|troubleshooting|tips|blog|"
        r"instructions|recommendations|announcement|post)|(?:steps|info|details|more|article|guide|"
        r"page|tips|instructions|faq|options?|form) (?:listed |outlined |found )?here|"
        r"(?:this|the following|our) (?:article|guide|page|link|faq) (?:may|might|should|will|"
        r"can|explains|has|covers)|here(?:'s| is| are) (?:an?|the|more|why|what|how|some)|"
        r"(?:with|use|try) (?:these|the following) (?:tips|steps)|more info(?:rmation)?:|"
        r"(?:in|on) this (?:article|page|guide))", re.I)),
)  # fmt: skip
_ANY_TRANSFER = re.compile(f"(?:{_TRANSFER.pattern})|(?:{_REDIRECT.pattern})", re.IGNORECASE)
_ANY_NEXT_STEP = re.compile("|".join(f"(?:{p.pattern})" for _, p in _NEXT_STEPS), re.IGNORECASE)
# Words too common to identify a promotion: "the Spring Sale" is found by {spring, sale}.
_STOP_WORDS = frozenset(
    {"the", "a", "an", "our", "your", "this", "that", "of", "and", "for", "on", "in", "at", "to",
     "with", "new", "current", "big", "great", "special", "offer", "offers", "deal", "deals",
     "promo", "promotion", "promotions", "event"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mention:
    """A turn index and the sentence quoted as evidence."""

    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class Transfer:
    kind: TransferKind
    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class NextStep:
    kind: NextStepKind
    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class Promotion:
    """A current promotion: its name and optional extra phrases that also count as a mention."""

    name: str
    keywords: tuple[str, ...] = ()
    tokens: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", significant_tokens(self.name))


@dataclass(frozen=True, slots=True)
class PromotionMention:
    promotion: str
    turn: int
    quote: str


class PromotionsError(ValueError):
    """A promotions file that cannot be read; the message names the file and the reason."""


def greeting(conv: Conversation) -> Mention | None:
    """The agent's greeting in their first turns, if any."""
    seen = 0
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent":
            continue
        match = _GREETING.search(turn.text)
        if match:
            return Mention(index, clip(_sentence_at(turn.text, match.start())))
        seen += 1
        if seen >= GREETING_TURNS:
            break
    return None


def _sentence_at(text: str, offset: int) -> str:
    for start, sentence in sentences(text):
        if start <= offset < start + len(sentence) + 2:
            return sentence
    return text


def transfers(conv: Conversation) -> list[Transfer]:
    """Transfers ("let me transfer you") and redirects ("you'll need to call billing")."""
    out: list[Transfer] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent" or not _ANY_TRANSFER.search(turn.text):
            continue
        for _, sentence in sentences(turn.text):
            kind = _transfer_kind(sentence)
            if kind is not None:
                out.append(Transfer(kind, index, clip(sentence)))
    return out


def _transfer_kind(sentence: str) -> TransferKind | None:
    if _TRANSFER_NOT.search(sentence):
        return None
    if _TRANSFER.search(sentence):
        return "transfer"
    if _REDIRECT.search(sentence):
        return "redirect"
    return None


def next_steps(conv: Conversation) -> list[NextStep]:
    """Next steps the agent offered: appointment, quote, call back, e-mail, message, visit, link."""
    out: list[NextStep] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent":
            continue
        if _ANY_NEXT_STEP.search(turn.text):
            for _, sentence in sentences(turn.text):
                kind = next_step_kind(sentence)
                if kind is not None:
                    out.append(NextStep(kind, index, clip(sentence)))
        url = _URL.search(turn.text)
        if url and not any(step.turn == index and step.kind == "link" for step in out):
            out.append(NextStep("link", index, clip(turn.text)))
    return out


def next_step_kind(sentence: str) -> NextStepKind | None:
    for kind, pattern in _NEXT_STEPS:
        if pattern.search(sentence):
            return kind
    return None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def significant_tokens(text: str) -> frozenset[str]:
    """The words that identify a promotion: no filler, no years or bare numbers, light stemming."""
    words = _fold(text).split()
    kept = {_stem(w) for w in words if w not in _STOP_WORDS and not w.isdigit()}
    return frozenset(kept) or frozenset(_stem(w) for w in words)


def _mentions(promotion: Promotion, folded: str, words: frozenset[str]) -> bool:
    if promotion.tokens and promotion.tokens <= words:
        return True
    return any(f" {_fold(k).strip()} " in f" {folded} " for k in promotion.keywords if k.strip())


def promotions_mentioned(
    conv: Conversation, promotions: Sequence[Promotion]
) -> list[PromotionMention]:
    """The first sentence in which the agent mentions each promotion ("the spring sale")."""
    found: dict[str, PromotionMention] = {}
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent" or len(found) == len(promotions):
            continue
        for _, sentence in sentences(turn.text):
            folded = " ".join(_fold(sentence).split())
            words = frozenset(_stem(w) for w in folded.split())
            for promo in promotions:
                if promo.name not in found and _mentions(promo, folded, words):
                    found[promo.name] = PromotionMention(promo.name, index, clip(sentence))
    return sorted(found.values(), key=lambda m: m.turn)


def promotions_from_data(data: Any) -> list[Promotion]:
    """Promotions from parsed JSON/YAML: a list of names or of {name, keywords} objects."""
    if isinstance(data, dict) and "promotions" in data:
        data = data["promotions"]
    if not isinstance(data, list):
        raise PromotionsError("expected a list of promotions")
    return [_promotion(item, i) for i, item in enumerate(data)]


def _promotion(item: Any, index: int) -> Promotion:
    if isinstance(item, str) and item.strip():
        return Promotion(item.strip())
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise PromotionsError(f"promotion {index + 1}: expected a name or {{name, keywords}}")
    keywords = item.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise PromotionsError(f"promotion {index + 1}: keywords must be a list of strings")
    return Promotion(item["name"].strip(), tuple(keywords))


def load_promotions(path: Path) -> list[Promotion]:
    """Read a promotions file: YAML or JSON (list of names or objects), or one name per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromotionsError(f"{path}: {exc}") from exc
    try:
        data = _parse_promotions(path, text)
        return promotions_from_data(data)
    except PromotionsError as exc:
        raise PromotionsError(f"{path}: {exc}") from exc


def _parse_promotions(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise PromotionsError(f"line {exc.lineno}: {exc.msg}") from exc
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PromotionsError(str(exc)) from exc
    return _lines(text)


def _lines(text: Iterable[str] | str) -> list[str]:
    lines = text.splitlines() if isinstance(text, str) else list(text)
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
