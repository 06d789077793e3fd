"""Buying signals and the need (customer turns); discovery questions (agent turns).

Every pattern is a bounded alternation of literal words: no nested quantifiers, so the cost of
matching is linear in the text whatever the input (hypothesis tests feed adversarial text).
The costly ones are written in lower case and run on the folded sentence (see _fold.py): the
same matches as IGNORECASE on the sentence, several times faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from everytouch.analysis._fold import at_word_start, by_first_letter, folded, lower_pattern
from everytouch.analysis._words import letter_runs, letters
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.intent import wants_to_acquire

SignalKind = Literal["price", "availability", "looking_for", "purchase", "upgrade", "quote"]
Topic = Literal["need", "budget", "timeline"]

QUOTE_MAX = 160


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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

# What a customer may "need" or "want" that is not something to buy: help, information, a fix,
# or a verb naming a change to something they already have ("I want update my app").
_NOT_WANTED = (
    r"(?:#|my|our|your|to|it|this|that|them|(?:(?:a|an|some|more|the|any) )?(?:help|proof|money|"
    r"details|directions|trivia|towels|time)|a copy|info|information|"
    r"assistance|an update|updates?|software updates?|a refund|the status|a replacement|"
    r"directions|the weather|weather|money|more time|at least|\d+ (?:more )?minutes|consent|"
    r"verification|a verification|the key|a key|an? extension|from|someone|somebody|a way|"
    r"reimburs\w*|a reimburs\w*|insurance proof|an? insurance proof|a proof|bill|current bill|"
    r"know|change|update|fix|fixing|check|see|report|reporting|close|cancel|remove|reset|"
    r"recover|apply|talk|speak|ask|confirm|transfer|delete|modify|replace|return|track|"
    r"access|an answer|answers|a response|support|clarification|(?:window|aisle|middle) seat)\b"
)
_NOT_AVAILABLE = (
    r" ?(?:\w+ )?(?:way|thing|one|body|where|how|chance|reason|issue|problem|update|e-?mail|number|"
    r"option|setting|fix|news|error|outage|limit|delay)"
)
_OFFERING = (
    r"(?:(?:cable|internet|phone|tv|broadband|wifi|data|mobile) ?(?:services?|connections?|plans?|"
    r"packages?)|(?:services?|connections?|subscriptions?|policy|policies)\b(?! (?:is|was|has|"
    r"keeps|stopped|down))|(?:plane |flight |air )?tickets?|keyboards?|musical \w+)"
)
_MENU = (
    r"(?:pizzas?|burgers?|cheeseburgers?|big macs?|fries|nuggets|sandwich(?:es)?|salads?|"
    r"sodas?|cokes?|coca colas?|pepsis?|lemonades?|coffees?|lattes?|cappuccinos?|beers?|"
    r"wines?|milkshakes?|shakes?|desserts?|cookies?|cakes?|ice creams?|sundaes?|wraps?|"
    r"tacos?|burritos?|meals?|combos?|breakfasts?|wings|hot ?dogs?|bagels?|muffins?|teas?|"
    r"donuts?|doughnuts?|smoothies?|juices?|agua frescas?|brownies?|toppings?)\b"
)

# The \b(?:...) starts of the upgrade, price and availability patterns, each alternative
# opening with its letter (at_word_start) so the engine skips ahead; in the order of the \b forms
# (_SIGNAL_FLAT), whose matches they find (the tests hold them to that).
_UPGRADE_STARTS = (
    "upgrade",
    "switch(?:ing)? (?:to|plans?)",
    "add (?:a|another) (?:line|user|seat)",
    "renew",
    "more (?:data|storage|seats|users)",
)
_PRICE_STARTS = (
    "how much (?:is|are|does|do|would|will|for)?",
    "price",
    "prices",
    "pricing",
    "cost",
    "costs",
    *(f"{w} (?:you|it) charge" for w in ("do", "would", "will", "does")),
    "rates?",
    "fees?",
    "discount",
    "deal",
    "cheap(?:er|est)?",
    "afford",
)
_NOT_DETAILS = (
    r"(?! (?:any )?(?:more |other |further )?(?:details|info|information|idea|questions|help|"
    r"time|updates?)\b)"
)
_TAKING_NEW = (
    r" (?:you|the \w+) (?:taking|accepting) (?:on )?new (?:patients|clients|customers|members|"
    r"students|bookings)"
)
_AVAILABILITY_STARTS = (
    "do you have" + _NOT_DETAILS, "have you got" + _NOT_DETAILS,
    *(f"{w} there (?:a|an|any)\\b(?!" + _NOT_AVAILABLE + ")" for w in ("is", "are")),
    "in stock", "availab(?:le|ility)", "any openings", "any (?:rooms|tables|slots|seats) free",
    *(f"{w} you (?:fit|squeeze) (?:me|us|him|her|them) in" for w in ("can", "could")),
    "are" + _TAKING_NEW, "is" + _TAKING_NEW,
)  # fmt: skip
# "looking_for", each alternative opening with its letter (at_word_start) so the engine skips
# ahead: the same matches as _LOOKING_FOR_FLAT, the \b form (the tests hold it to that).
_LOOKING = r"\s+(?:looking|searching|shopping)\s+(?:for|to)"
_WANT = (
    r" (?:just |really |also |only )?(?:need|want(?:ed|s)?|(?:'?d|would) (?:like|love)|"
    r"like to (?:have|get|order))"
)
_WOULD_LIKE = r"['\u2019]d (?:really |also )?(?:like|love)"
_TO_WHAT = (
    r"(?: to (?:buy|by|order|get|book|purchase|purchased|rent|reserve|hire|try|start|add|"
    r"find|have|sign ?up for|subscribe to|set up|open|connect|need)"
    r"| to(?= (?:a|an|new|some|\d+|one|two|three)\b| (?:\w+ )?" + _OFFERING + r"))?"
)
_GET = r" (?:i|we) (?:get|have|order)"
_LOOKING_FOR_STARTS = (
    "i(?:'?m| am| was)" + _LOOKING,
    "we(?:'?re| are| were)" + _LOOKING,
    "interested in",
    "in the market for",
    "i(?:" + _WANT + "|" + _WOULD_LIKE + ")" + _TO_WHAT,
    "we(?:" + _WANT + "|" + _WOULD_LIKE + ")" + _TO_WHAT,
    "in need of",
    "can" + _GET,
    "could" + _GET,
    "may" + _GET,
    r"i['\u2019]ll (?:have|take|get)",
    "do you (?:sell|carry|offer|do|stock|deliver|make|print|install|cater)",
)
_LOOKING_FOR_TAIL = r"\s+(?P<obj>(?!" + _NOT_WANTED + r")[^.?!,;\n]{2,80})"
_LOOKING_FOR_FLAT = (
    r"\b(?:(?:i'?m|i am|we'?re|we are|i was|we were)" + _LOOKING + "|interested in|"
    r"in the market for|(?:(?:i|we)" + _WANT + r"|(?:i|we)" + _WOULD_LIKE + ")" + _TO_WHAT + "|"
    r"in need of|(?:can|could|may)" + _GET + r"|i['\u2019]ll (?:have|take|get)|"
    r"do you (?:sell|carry|offer|do|stock|deliver|make|print|install|cater))" + _LOOKING_FOR_TAIL
)

# Order matters for the need phrase: the first kinds name the need most directly.
_SIGNAL_PATTERNS: tuple[tuple[SignalKind, re.Pattern[str]], ...] = (
    (
        "looking_for",
        lower_pattern(r"(?:" + at_word_start(_LOOKING_FOR_STARTS) + ")" + _LOOKING_FOR_TAIL),
    ),
    (
        "purchase",
        # \b before the look-behinds: the same test at the same place, but it fails inside a
        # word before the seven look-behinds are tried there.
        lower_pattern(
            r"\b(?<!\bmy )(?<!\byour )(?<!\bthe )(?<!\bthis )(?<!\bthat )(?<!\ban )(?<!\bof )"
            r"(?:(?:buy|purchase|order|sign(?:ing)? ?up|subscribe|book|reserve|rent|hire)\b"
            r"(?!\s*$)(?!\s+(?:id|number|no|details|status|history|confirmation|went|was|has|is|"
            r"\d{3}|have a|year)\b)|"
            r"(?:make|place) (?:a|an) (?:reservation|booking|appointment|order)|"
            r"(?:schedule|set up|arrange) (?:a|an) (?:\w+ )?"
            r"(?:appointment|viewing|visit|tour|consultation)|"
            r"(?:plan|organi[sz]e|throw|make) (?:a|an|my|our) (?:\w+ )?"
            r"(?:party|event|trip|wedding)|"
            r"(?:search|look) (?:for )?(?:a |an |some |the )?(?:\w+ ){0,2}"
            r"(?:flights?|hotels?|rooms?|apartments?|tickets?|tables?|rental cars?))\b"
            r"\s*(?P<obj>[^.?!,;\n]{0,80})",
        ),
    ),
    (
        # A job asked of a trade ("could you print 300 flyers"): a quantity or an article must
        # follow, so "could you make it work" is not a signal.
        "purchase",
        lower_pattern(
            r"(?:"
            + at_word_start(("can", "could", "would"))
            + r") you (?:please )?(?:print|make|deliver|install|cater|build|"
            r"design|paint)(?: (?:me|us))? (?P<obj>(?:\d+|a|an|some|two|three|four|five|ten|"
            r"twenty|fifty|hundred) [^.?!,;\n]{2,80})",
        ),
    ),
    (
        "purchase",
        lower_pattern(
            r"\b(?<!\bmy )(?<!\bour )(?<!\bthe )(?<!\byour )"
            r"(?:new (?:\w+ ){0,2}(?P<obj>" + _OFFERING + r"|orders?)|"
            r"(?:get|find|suggest|recommend|choose|pick|best|good|cheap\w*) (?:me )?"
            r"(?:a |an |the |some )?(?:good |best |new |better |cheap\w* )?(?:\w+ ){0,2}"
            r"(?:plans?|packages?|deals?)|"
            r"^(?:(?:a|an|new|need|want) )?(?:\w+ )?" + _OFFERING + r")\b",
        ),
    ),
    (
        "purchase",
        lower_pattern(
            r"(?:^|\b(?:want|need|like|have|get|add|with|and|also|plus|please|give me)\s+|"
            r"^(?:\d+|a|an|one|two|three|four|five|six|ten|some|large|medium|small)\s+)"
            r"(?P<obj>(?:\w+ ){0,3}" + _MENU + r")",
        ),
    ),
    (
        "upgrade",
        lower_pattern(
            r"(?:" + at_word_start(_UPGRADE_STARTS) + r")\b\s*(?P<obj>[^.?!,;\n]{0,80})",
        ),
    ),
    (
        "quote",
        lower_pattern(
            r"(?:" + at_word_start(("quote", "estimate", "proposal")) + r")s?\b"
            r"(?:\s+(?:for|on)\s+(?P<obj>[^.?!,;\n]{2,80}))?",
        ),
    ),
    (
        "price",
        lower_pattern(
            r"(?:" + at_word_start(_PRICE_STARTS) + r")\b\s*(?P<obj>[^.?!,;\n]{0,80})",
        ),
    ),
    (
        "availability",
        lower_pattern(
            r"(?:" + at_word_start(_AVAILABILITY_STARTS) + ")"
            r"\s*(?P<obj>[^.?!,;\n]{0,80})",
        ),
    ),
)

# Sentences that look like a signal but are not interest in buying: a problem with something
# the customer already has, account care, refunds, complaints, or something bought in the past.
# Grouped by first letter (by_first_letter): the pattern is only a yes/no test, and a flat
# alternation of ninety phrases is tried phrase by phrase at every word of every sentence.
_NOT_INTENT_PHRASES = (
    r"refund\w*", r"cancel\w*", "charged", "overcharged", "dispute", r"complain\w*", "broken",
    "not working", "suspended", "hacked", "locked", "password", "boarding pass", "my seat",
    "seat assignment", "window seat", "aisle seat", "middle seat", "proof", "copy of", "claim",
    "balance", "statement", "expenses?", r"reimburs\w*", "transfer money", "my address",
    "status", "lost", "stolen", r"replace\w*", "stop",
    *(f"{w}['\u2019]?t" for w in ("can", "couldn", "won", "wouldn", "doesn", "didn", "isn")),
    "wasn['\u2019]?t",
    "cannot", "can not", "did not", "don['\u2019]?t own", "unable", r"fail\w*", r"error\w*",
    "issues?", "problems?", r"glitch\w*", r"crash\w*", "stuck", "disabled",
    "never (?:arrived|came|received)", r"expir\w*", "cracked", "damaged", "defective",
    "gouging", r"profiteer\w*", "outrageous", r"exploit\w*", "verification", "2 ?step",
    "two.step", r"recover\w*", "reset", "fix", "repair", "back", "already", "recently",
    "i own", "we own", "owned", "says", "appears", "bills?", "billing", r"chang\w*",
    r"updat\w*", "down", "slow", "outage", "i (?:have|had) (?:order|book)",
    "we (?:have|had) (?:order|book)", r"press\w*", r"click\w*", r"tap\w*", "signed in",
    "logged in", "log ?in", "sign ?in", "practices", "illegal", "legal", r"shame\w*",
    r"disgust\w*", "ridiculous", r"scam\w*", "unacceptable", "awful", "terrible",
    *(
        f"{w}(?:'ve|\u2019ve| have| had)? (?:just )?(?:bought|purchased|ordered|booked|paid|"
        "subscribed|signed up)"
        for w in ("i", "we")
    ),
    "made (?:a|the|my) purchase", "my (?:purchase|order|booking|reservation)",
)  # fmt: skip
_NOT_INTENT = lower_pattern(r"\b(?:" + by_first_letter(_NOT_INTENT_PHRASES) + r")\b")
# Price and availability words only signal interest when the customer asks about them;
# in a statement they describe what the customer already pays for or has.
_ASKING = lower_pattern(
    r"\?|^\s*(?:what|which|how|do|does|is|are|can|could|would|will|any)\b|"
    r"\b(?:know|tell me|let me know|give me|send me|show me|wondering|interested|looking|"
    r"inquire|enquire|whether)\b",
)
_ASKED_KINDS = frozenset({"price", "availability"})
_CLAUSE_MARKS = ",;:"

_WH_START = lower_pattern(
    r"^\s*(?:(?:and|so|ok(?:ay)?|great|alright|right|sure|perfect|also|now|uh|um),?\s+)*"
    r"(?:what|which|when|where|how|why|who|whom|for what|at what|on what|in what|to what|"
    r"from what|with whom|do you|does|did you|are you|is it|is this|would you|will you|"
    r"could you|can you|have you|any)\b",
)
# A wh-question asks for something open; offers and confirmations are yes/no questions.
_OPEN_START = lower_pattern(
    r"^\s*(?:(?:and|so|ok(?:ay)?|great|alright|right|sure|perfect|also|now|uh|um),?\s+)*"
    r"(?:(?:for|at|on|in|to|from|with) )?(?:what|which|when|where|how many|how much|how long|"
    r"how often|why|who|whom)\b",
)
# Where speech was transcribed without punctuation, a question starts mid-"sentence".
_MID_QUESTION = lower_pattern(
    r"\b(?:(?:what|which|when|where|how many|how much|how long)(?! to\b)|do you|did you|have you|"
    r"are you|is it|is this|could you|can you)\b",
)
_PUNCTUATED = re.compile(r"[.?!,;:()]")
_VIA_FORM = lower_pattern(
    r"\b(?:through|via|using|in|on|with|at) (?:this|the|our) (?:form|page|portal)\b",
)
_TAG = re.compile(r"\[[a-z ]{1,20}\]", re.IGNORECASE)
_TELL_ME = lower_pattern(
    r"\b(?:(?:let|tell) (?:me|us) (?:know )?"
    r"(?:more|what|which|the|if|whether|about|how|when|where|your)|"
    r"(?:need|like|want|love) to know|walk (?:me|us) through|fill (?:me|us) in)\b",
)
# A request phrased as an instruction ("share the serial number", "DM us more details"): it
# is discovery when it asks for details of the problem or need, not for a channel or feedback.
_REQUEST = lower_pattern(
    r"(?:^|\bplease\s+|\bpls\s+|\bkindly\s+|\b(?:can|could|would|will) you\s+(?:please\s+)?|"
    r",\s*|\band\s+|\bjust\s+|\bthen\s+)"
    r"(?P<verb>send|share|provide|give|dm|direct message|tell|describe|explain|specify|include|"
    r"attach|post|reply with)\b(?P<rest>[^.?!]{0,100})",
)
_DETAIL = lower_pattern(
    r"\b(?:details?|detailed|reports?|info|information|screenshots?|screen ?shots?|photos?|"
    r"pictures?|videos?|"
    r"errors?|messages? you|serial|models?|versions?|steps you|description|colou?rs?|type|"
    r"kind|more|what|which|how|when|where|whether|if|exact|specific|issue|problem|name of|"
    r"brand|make|device|platform|browser|happening|happened|situation|symptoms?|examples?)\b",
)
_NOT_DETAIL = lower_pattern(
    r"^\s*(?:you|with you)\b|\byour (?:contact |personal |account )?details\b|"
    r"\b(?:feedback|suggestions?|ideas?|thoughts|contact|"
    r"(?:this|the|a|our) form|portal)\b",
)
_ALWAYS_ASKS = frozenset({"describe", "explain"})
# The words without which _REQUEST, _TRIED, _SIGN_OFF and _ACT cannot match; a sentence that
# is no question needs one of _ASK_WORDS to be a request at all.
_REQUEST_WORDS = _words(
    "send share provide give dm direct tell describe explain specify include attach post reply"
)
_TRIED_WORDS = _words("tried try able follow followed checked")
_ASK_WORDS = _REQUEST_WORDS | _TRIED_WORDS | _words("let know walk fill")
_SIGN_OFF_WORDS = _words(
    "hope let anything something any anymore did does has will would mind feel here glad luck "
    "notice see seeing noticed noticing"
)
_ACT_WORDS = _words("can could would will follow following")
_IDENTITY_WORDS = _words(
    "name speaking calling phone mobile number email mail account pin password date birth "
    "birthday dob maiden security postcode zip address booking reference help assist do today "
    "playing continue play keep next how still hear id pet old age url username user gamertag "
    "handle search"
)
_BUDGET_WORDS = _words("budget range spend much point afford")
# "Have you tried restarting it?" asks what the customer has done about the problem, even
# when it names the password or the account it is about.
_TRIED = lower_pattern(
    r"\b(?:have you (?:already |also )?(?:tried|been able|followed)|"
    r"did you (?:already |also )?(?:try|follow)|"
    r"(?:are|were) you able to|have you (?:already )?checked)\b",
)
# Sign-offs and offers of more help: they close the matter rather than ask about it.
_SIGN_OFF = lower_pattern(
    r"\b(?:hope (?:this|that|it) (?:helps|clarifies|answers|makes sense)|"
    r"let (?:me|us) know (?:if|how|whether|when|once|should)\b[^.?!]{0,40}?"
    r"(?:helps?|helpful|goes|went|works?|worked|outcome|results?|need|questions?|anything|"
    r"resolved?|resolves|fixed|clears? up|sorted|else|persists?|occurs|continues)\b|"
    r"let (?:me|us) know the (?:outcome|results?)|anything else|something else|"
    r"any (?:other|more|further) (?:help|questions|assistance)|any ?more help|"
    r"(?:did|does|has|will) (?:that|this|it) (?:help|work|resolve|fix)|mind if (?:i|we)|"
    r"feel free|here to help|glad to help|any luck|"
    r"(?:notice|see|seeing|noticed|noticing) any (?:improvement|change|difference)|"
    r"(?:would|will) you (?:require|need|like) (?:any )?(?:more|further|additional) (?:detailed )?"
    r"(?:instructions|help|information|assistance|directions))\b",
)
# Instructions to act: the agent tells the customer what to do, in the form of a question.
_ACT_YOU = (
    r" you (?:mind |please |pls |kindly )*(?:try|go through|"
    r"check(?:ing)? out|follow(?:ing)?|visit|head|use|install|reinstall|restart|update|clear|"
    r"reset|sign out|log out|refer|take a look|look at|read|see if|contact|reach out|call)\b"
)
_ACT_STEPS = r"follow(?:ing)? (?:the|these) steps"
# Every alternative opens with a letter (at_word_start) so the engine skips ahead: the same
# matches as _ACT_FLAT, the \b form (the tests hold it to that).
_ACT = lower_pattern(
    at_word_start(tuple(w + _ACT_YOU for w in ("can", "could", "would", "will"))) + "|" + _ACT_STEPS
)
_ACT_FLAT = r"\b(?:can|could|would|will)" + _ACT_YOU + "|" + _ACT_STEPS
# Asking about the problem itself outweighs a mention of an account or e-mail in passing.
_SITUATION = lower_pattern(
    r"\b(?:what(?:'s| is) (?:going on|happening)|what happens|tell (?:me|us) more|"
    r"more (?:details|info|information)|error|happening)\b",
)
_ASIDE = re.compile(r"\bwithout (?:revealing|posting|sharing|including)[^,.;]{0,80}", re.I)
_BUDGET = lower_pattern(
    r"\b(?:budget|price range|spend|how much (?:are|were|would) you|price point|afford)\b",
)
_TIMELINE = lower_pattern(
    r"\b(?:when|how soon|timeline|time ?frame|by what date|what (?:day|date|time)|"
    r"what time|which day|deadline|start date|move in|arriv|leav|depart)",
)
# Identity and lookup asks, greetings and closers: never discovery, whatever their form.
_NOT_DISCOVERY = lower_pattern(
    r"\b(?:your (?:full |first |last )?name|who am i speaking|who(?:'s| is) calling|"
    r"phone|mobile|number|e-?mail|account|pin\b|password|date of birth|birthday|dob|maiden|"
    r"security|postcode|zip|address|booking id|reference|"
    r"how (?:can|may|could) (?:i|we) (?:help|assist)|what can i do for you|help you with today|"
    r"(?:continue|play|keep) playing|next question|how are you|still there|hear me|"
    r"\bid\b|pet you had|name of (?:the|your) pet|how old are you|your age|url|user ?name|"
    r"gamertag|handle|search for any more)\b",
)
# Offers and confirmations: yes/no questions about what the agent may do, not about the need.
_OFFER = lower_pattern(
    r", (?:correct|right)\s*\?|\b(?:is (?:that|this) (?:correct|right|ok|okay)|"
    r"(?:can|shall|should|may) i (?:book|reserve|confirm|go ahead|proceed|put|place|transfer)|"
    r"would you like (?:me|us|for me) to|do you want me to|"
    r"would you like to (?:change|search|try|add|continue|look|file|schedule|proceed)|"
    r"if (?:they|it|this|that|those) help)\b",
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


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``sentences(text)`` without their offsets: findall builds no match
    objects, so this costs about a third less, and most callers need no offsets."""
    body = text.strip()
    head = body[:-1]
    # No sentence mark but perhaps the last character (seven turns in ten): the text is one
    # sentence, and the pieces findall would cut from the whitespace around it are empty.
    if "." not in head and "?" not in head and "!" not in head and "\n" not in head:
        return [body] if body else []
    return [sentence for sentence in map(str.strip, _SENTENCE.findall(text)) if sentence]


def clip(text: str, limit: int = QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_around(text: str, start: int, end: int) -> str:
    """The sentence(s) holding text[start:end], clipped to QUOTE_MAX characters."""
    left = max(text.rfind(mark, 0, start) for mark in ".?!\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".?!\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return clip(text[left:right].strip())


def _written(text: str, match: re.Match[str], group: str) -> str | None:
    """A group of a match on folded(text), as it is written in the text."""
    start, end = match.span(group)
    return None if start < 0 else text[start:end]


def need_phrase(raw: str | None) -> str:
    """Cut the object of a signal down to a short need: at most eight words, no filler."""
    if not raw:
        return ""
    stop = _NEED_STOP.search(raw)
    phrase = raw[: stop.start()] if stop else raw
    phrase = _LEADING_FILLER.sub("", phrase.strip())
    return " ".join(phrase.split()[:8]).strip(" -'\"")


# Each pattern above holds at least one of its trigger words (same order): a pattern is only
# tried on a sentence holding one, and a turn holding none is skipped after one cheap split into
# words. The patterns cost far more to try than the split.
_MENU_WORDS = frozenset(
    w[:cut] for w in re.findall(r"[a-z]+", _MENU.replace("?", "")) for cut in (None, -1)
) | _words("hotdog hotdogs tea")
_OFFERING_WORDS = _words(
    "cable internet phone tv broadband wifi data mobile service services connection connections "
    "subscription subscriptions policy policies ticket tickets keyboard keyboards musical"
)
_PATTERN_TRIGGERS: tuple[frozenset[str], ...] = (
    _words(
        "looking searching shopping interested market need needs want wanted wants like love "
        "get have order take sell carry offer do stock deliver make print install cater"
    )
    | _OFFERING_WORDS,
    _words(
        "buy purchase order sign signup signing subscribe book reserve rent hire reservation "
        "booking appointment viewing visit tour consultation party event trip wedding search look"
    ),
    _words("print make deliver install cater build design paint"),
    _words("new plan plans package packages deal deals orders") | _OFFERING_WORDS,
    _MENU_WORDS,
    _words("upgrade switch switching add renew data storage seats users"),
    _words("quote quotes estimate estimates proposal proposals"),
    _words(
        "much price prices pricing cost costs rate rates fee fees discount deal cheap cheaper "
        "cheapest afford charge"
    ),
    _words(
        "have got there stock available availability openings rooms tables slots seats fit "
        "squeeze taking accepting"
    ),
)
_TRIGGERS = frozenset().union(*_PATTERN_TRIGGERS)


def may_signal(text: str) -> bool:
    """False when no signal pattern can match the text (none of the trigger words is in it)."""
    return not _TRIGGERS.isdisjoint(letters(text))


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around sentence[start:end]: a run-on holds a problem and a request apart."""
    left = max(sentence.rfind(mark, 0, start) for mark in _CLAUSE_MARKS) + 1
    rights = [i for i in (sentence.find(mark, end) for mark in _CLAUSE_MARKS) if i != -1]
    return sentence[left : min(rights) if rights else len(sentence)]


def sentence_signal(
    sentence: str, words: Sequence[str] | None = None
) -> tuple[SignalKind, str] | None:
    """The first kind of buying signal in one customer sentence and its need phrase.

    ``words`` are the sentence's ``[a-z]+`` words of its lower case, when already split.
    """
    if words is None:
        words = letters(sentence)
    # Each pattern's triggers are some of _TRIGGERS, so testing them against the few trigger
    # words present says the same as testing them against every word of the sentence.
    present = _TRIGGERS.intersection(words)
    if not present:  # most sentences of a turn with a trigger word have none
        return None
    return _signal_in(sentence, present)


def _signal_in(sentence: str, present: frozenset[str]) -> tuple[SignalKind, str] | None:
    """sentence_signal, given trigger words that include every one in the sentence: a pattern
    none of whose triggers is present cannot match, and one that is tried in vain finds
    nothing, so extra words change nothing but the time."""
    excluded: bool | None = None  # the exclusions are costly: read them once a pattern matched
    low = folded(sentence)
    for (kind, pattern), triggers in zip(_SIGNAL_PATTERNS, _PATTERN_TRIGGERS, strict=True):
        if triggers.isdisjoint(present):
            continue
        match = pattern.search(low)
        if not match or (kind in _ASKED_KINDS and not _ASKING.search(low)):
            continue
        if excluded is None:
            excluded = bool(_NOT_INTENT.search(low))
        if excluded:
            clause = _clause(sentence, match.start(), match.end())
            if clause == sentence or _NOT_INTENT.search(folded(clause)):
                continue
        return kind, need_phrase(_written(sentence, match, "obj"))
    return None


def turn_signals(turn: Turn, index: int) -> list[Signal]:
    return [Signal(kind, index, quote, need) for kind, quote, need in _text_signals(turn.text)]


def _text_signals(text: str) -> list[tuple[SignalKind, str, str]]:
    """(kind, quote, need) for each buying signal in one customer turn's text."""
    found: list[tuple[SignalKind, str, str]] = []
    words = letter_runs(text)  # split by extract_contacts before: a cache hit
    present = _TRIGGERS.intersection(words)
    if not present:  # as may_signal(text)
        return found
    split = sentence_texts(text)
    # A turn of one sentence has the same words as the sentence: the rest is whitespace or empty.
    words_of_one = words if len(split) == 1 else None
    for sentence in split:
        if words_of_one is not None:
            signal = sentence_signal(sentence, words_of_one)
        else:
            # A sentence's trigger words are among its turn's and in it as substrings: the
            # substring tests give them (and perhaps a few more) without splitting it again.
            lower = sentence.lower()
            held = frozenset(filter(lower.__contains__, present))
            signal = _signal_in(sentence, held) if held else None
        if signal:
            found.append((signal[0], clip(sentence), signal[1]))
    return found


def buying_signals(conv: Conversation) -> list[Signal]:
    """Every buying signal the customer gave, in turn order."""
    out: list[Signal] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "customer":
            found = _customer_signals(turn.text)
            if found:
                out.extend(Signal(kind, index, quote, need) for kind, quote, need in found)
    return out


# Keyed by the turn's own text, like the agent-turn caches below: customers repeat themselves
# less than agents do, but short answers ("yes please", "I'd like to book a table") recur.
CUSTOMER_TURN_CACHE = 4096


@lru_cache(maxsize=CUSTOMER_TURN_CACHE)
def _customer_signals(text: str) -> tuple[tuple[SignalKind, str, str], ...]:
    """The turn's rule signals when the learned model reads it as wanting something new
    (intent.py), else none. Only turns with a rule signal are scored by the model, and its
    verdict, like the signals, depends on the text alone: cached with them."""
    found = _text_signals(text)
    return tuple(found) if found and wants_to_acquire(text) else ()


def main_need(signals: list[Signal]) -> str:
    """The need in a short phrase: the most direct signal that names an object wins."""
    rank: dict[SignalKind, int] = {}
    for i, (kind, _) in enumerate(_SIGNAL_PATTERNS):
        rank.setdefault(kind, i)
    named = [s for s in signals if s.need]
    if not named:
        return ""
    return min(named, key=lambda s: (rank[s.kind], s.turn)).need


def is_question(sentence: str) -> bool:
    return _is_question(folded(sentence))


def _is_question(low: str) -> bool:
    return low.endswith("?") or bool(_WH_START.match(low))


def _asks_for_details(sentence: str, low: str) -> bool | None:
    """True or False when the sentence (``low`` folded) holds an instruction-form request (for
    details of the problem, or for something else); None when it holds none."""
    verdict = None
    for match in _REQUEST.finditer(low):
        rest = match.group("rest")
        verb = sentence[match.start("verb") : match.end("verb")].lower()
        if _NOT_DETAIL.search(rest):
            verdict = False
        elif verb in _ALWAYS_ASKS or _DETAIL.search(rest):
            return True
        else:
            verdict = False
    return verdict


def _clause_topic(sentence: str) -> Topic | None:
    # Each costly pattern is tried only when the sentence holds one of its words.
    words = frozenset(letters(sentence))
    low = folded(sentence)
    question = _is_question(low)
    if not question and words.isdisjoint(_ASK_WORDS):
        return None  # most agent sentences are statements
    if not words.isdisjoint(_SIGN_OFF_WORDS) and _SIGN_OFF.search(low):
        return None
    if words.isdisjoint(_TRIED_WORDS) or not _TRIED.search(low):
        open_question = bool(_OPEN_START.match(low))
        details = None
        if not open_question and not words.isdisjoint(_REQUEST_WORDS):
            details = _asks_for_details(sentence, low)
        if details is False:
            return None
        if details is None and not question and (not _TELL_ME.search(low) or _VIA_FORM.search(low)):
            return None
        if not words.isdisjoint(_ACT_WORDS) and _ACT.search(low):
            return None
        identity = not words.isdisjoint(_IDENTITY_WORDS) and _NOT_DISCOVERY.search(low)
        if identity and not _SITUATION.search(low):
            return None
        if not open_question and _OFFER.search(low):
            return None
    if not words.isdisjoint(_BUDGET_WORDS) and _BUDGET.search(low):
        return "budget"
    if _TIMELINE.search(low):
        return "timeline"
    return "need"


def question_topic(sentence: str) -> Topic | None:
    """The discovery topic of one agent sentence, or None when it is not a discovery question."""
    if "ithout" in sentence:  # "Without" or "without"
        sentence = _ASIDE.sub("", sentence)
    if "[" in sentence:
        sentence = _TAG.sub(" ", sentence).strip()
    topic = _clause_topic(sentence)
    if topic is not None or _PUNCTUATED.search(sentence):
        return topic
    for match in _MID_QUESTION.finditer(folded(sentence)):  # unpunctuated speech
        if match.start() and (topic := _clause_topic(sentence[match.start() :])):
            return topic
    return None


def discovery_in_text(text: str) -> Iterator[tuple[Topic, str]]:
    """(topic, sentence) for each discovery question in one agent turn; links are blanked
    first because their dots and question marks would split sentences."""
    if "://" in text or "www." in text:
        text = _LINK.sub("(link)", text)
    for sentence in sentence_texts(text):
        topic = question_topic(sentence)
        if topic is not None:
            yield topic, sentence


def discovery_questions(conv: Conversation) -> list[DiscoveryQuestion]:
    """Agent questions about the need, budget or timeline, one per sentence, in turn order."""
    out: list[DiscoveryQuestion] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "agent":
            found = _discovery_in_turn(turn.text)
            if found:  # most agent turns ask none: no generator for them
                out.extend(DiscoveryQuestion(t, index, quote) for t, quote in found)
    return out


# Agents repeat their phrasings (scripts, templates, canned replies): on STAR three agent turns
# in four were said, word for word, within the last 4,096 agent turns. Bounded, so a corpus read
# twice gains little (78% of hits the first time, 79% the second).
AGENT_TURN_CACHE = 4096


@lru_cache(maxsize=AGENT_TURN_CACHE)
def _discovery_in_turn(text: str) -> tuple[tuple[Topic, str], ...]:
    """(topic, quote) for each discovery question in one agent turn; cached (see above)."""
    return tuple((topic, clip(sentence)) for topic, sentence in discovery_in_text(text))
