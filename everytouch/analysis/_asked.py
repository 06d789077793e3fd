"""Which identity details one agent turn asks the customer for.

A sentence asks when it mentions a detail and reads as a request: a question mark, a request
phrase ("may I have", "please", "I need"), or a short verbless list ("Full name, account number
and PIN"). Other people's names ("your doctor's name", "the host's name", "your mother's maiden
name", "the name of your pet") are masked out before looking for the customer's own name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from everytouch.analysis._fold import any_of

IdentityDetail = Literal["name", "phone", "email", "account", "dob", "address", "pin", "security"]

# Substrings (of the lower-cased text) without which no pattern below can match: plain `in`
# tests, or one search for them all (_KEYWORD_HINT), are far cheaper than the patterns.
_KEYWORDS = (
    "name",
    "phone",
    "number",
    "mobile",
    "cell",
    "mail",
    "account",
    "acct",
    "birth",
    "dob",
    "born",
    "address",
    "zip",
    "post",
    "pin",
    "pass",
    "security",
    "maiden",
    "ssn",
    "social",
    "order",
    "booking",
    "reference",
    "confirmation",
    "who",
    "call you",
    "reach you",
    "id",
    "where do you live",
    "old are you",
    "#",
    "code",
    "details",
    "user",
)
_SENTENCE = re.compile(r"[^.?!\n;]+[.?!\n;]*")

_SECURITY = re.compile(
    r"maiden\s+name|security\s+(?:question|answer)|secret\s+(?:question|word|answer)|"
    r"memorable\s+(?:word|date|place|name)|\b(?:pet|dog|cat)(?:'s|s)?\s+name|"
    r"name\s+of\s+(?:the\s+|your\s+)?(?:first\s+|childhood\s+)?(?:pet|dog|cat)|pet\s+you\s+had|"
    r"social\s+security|\bssn\b|\bsocial\s+(?:number|#)|verification\s+(?:code|question)|"
    r"passphrase|(?:first|elementary|high)\s+school|city\s+(?:you\s+were|of)\s+born|"
    r"where\s+were\s+you\s+born",
)
_PIN = re.compile(r"\bpin\b|\bpass\s?code|\bpassword|\bpin\s?number")
_DOB = re.compile(
    r"date\s+of\s+birth|\bbirth\s?date|\bbirthday|\bdob\b|\bd\.o\.b\b|when\s+were\s+you\s+born|"
    r"year\s+of\s+birth|how\s+old\s+are\s+you",
)
_ADDRESS = re.compile(
    r"(?<!e-mail )(?<!email )(?<!e mail )(?<!ip )(?<!web )(?<!website )(?<!mac )\baddress\b|"
    r"\bzip\s?code|\bzip\b|\bpost\s?code|\bpostal\s+code|where\s+do\s+you\s+live|"
    r"(?:street|house)\s+number",
)
_EMAIL = re.compile(r"\be-?\s?mail")
# E-mail as a channel or a message, not the customer's address: "send us an email at LINK",
# "the emails you're getting", "forward them in an email", and a promise to send something by
# e-mail ("I'll e-mail you the quote", "we've emailed you the form"), but not "... e-mail you at?",
# which asks where to.
_EMAIL_NOT_ADDRESS = re.compile(
    r"\b(?:an?|the|this|that|these|those|our|confirmation|verification|multiple|separate|"
    r"by|via|through|over|in)\s+e-?\s?mails?\b(?!\s+(?:address|addy|id)\b)|"
    r"\be-?\s?mail\s+(?:us|me)\b|\be-?\s?mail(?:ed|ing)?\s+you\b(?!\s+at\b)|"
    r"\be-?\s?mails?\s+(?:account|notifications?|settings)\b"
)
# "Without revealing your email address, ...", "please delete the tweet with your email":
# a warning about a detail, not an ask for it.
_PRIVACY = re.compile(
    r"\b(?:without\s+(?:revealing|sharing|including|posting|giving)|"
    r"(?:don'?t|do\s+not|never|avoid)\s+(?:share|sharing|post|posting|include|including|reveal|"
    r"revealing|give|giving)|(?:delete|remove|hide)\s+(?:this|the|that|your)\s+"
    r"(?:tweet|post|comment|reply|message))[^,.?!;]*"
)
# The phone as a channel ("phone support", "over the phone"), or a detail the customer is told
# to change in their settings ("you can change the phone number on your account").
_NOT_ASKED_FOR = re.compile(
    r"\b(?:by|via|over|on|through)\s+(?:the\s+)?(?:tele)?phone\b|"
    r"\b(?:tele)?phone\s*(?:/\s*\w+\s*)?(?:support|line|service|call|calls|app|settings|lines)\b|"
    r"\b(?:check|open|look\s+in|search|see)\s+(?:your|the)\s+(?:e-?\s?mail|inbox)\b|"
    r"\b(?:change|update|edit|remove|add|reset|recover|access\s+to)\s+(?:the|your|an?|that|this)\s+"
    r"(?:\w+\s+)?(?:phone|e-?\s?mail|address|password)"
)
_PRIVACY_WORDS = ("without", "don", "do not", "never", "avoid", "delete", "remove", "hide")
_URL = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_PHONE = re.compile(
    r"\bphone|\bmobile\b|\bcell\b|\bcellphone|\btelephone|\bcontact\s+(?:number|no|#)|"
    r"call-?\s?back\s+number|\bnumber\s+(?:to|where|at\s+which|on\s+which)\s+(?:we|i|you)?\s*"
    r"(?:can\s+)?(?:reach|call|contact)|\b(?:reach|call|contact)\s+you\s+(?:on|at)\b|"
    r"best\s+number",
)
_ACCOUNT = re.compile(
    r"\baccount\s+(?:number|no\b|#|id\b|details)|\bacct\b|"
    r"\b(?:order|booking|reservation|reference|confirmation|customer|member(?:ship)?|policy|"
    r"claim|ticket|case|invoice|tracking|loyalty|card|client)\s+(?:number|no\b|#|id\b|code|"
    r"reference|ref\b)|\buser\s?name|\buser\s+id\b|"
    r"\b(?:what(?:'s|\s+is)|which|have|provide|give\s+me)\s+(?:your|the)\s+account\?",
)
# Somebody else's name: masked before looking for the customer's.
_OTHER_NAME = re.compile(
    r"\b(?:doctor|dr|host|guest|guests|hotel|venue|restaurant|company|business|street|driver|"
    r"pet|dog|cat|his|her|their|friend|wife|husband|son|daughter|child|manager|agent|employee|"
    r"user|apartment|party|store|shop|meeting|maiden|brand|product|city|town|"
    r"file|place|school|team|movie|song|book|game|hospital|clinic|bank|airline|app|software|"
    r"program|device|model|plan)(?:'s|s'|s)?\s+(?:full\s+|first\s+|last\s+)?name"
    r"|\bname\s+of\s+(?:the|a|an|that|this|his|her|their|your)\s+(?!account\b)"
    r"|\b(?:someone|somebody|anyone|person)(?:'s)?\s+(?:else'?s?\s+)?name",
)
# Only whether _NAME and _CONFIRMATION match is read: one \b in front of the alternatives, as
# in _REQUEST below.
_NAME = re.compile(
    r"^\W*name\b|"
    r"\b(?:your\s+(?:full\s+|first\s+|last\s+|given\s+|family\s+|sur)?name\b|"
    r"(?:full|first|last|given|family|sur|customer|caller|contact)\s?name\b|"
    r"name\s+(?:on|for|under)\s+(?:the|your|this)\s+(?:account|booking|reservation|order|card)|"
    r"who\s+(?:am\s+i|i\s+am)\s+(?:speaking|talking|chatting)\b|"
    r"who(?:'s|\s+is)\s+(?:calling|this|speaking)\b|what\s+(?:should|can|may)\s+i\s+call\s+you|"
    r"may\s+i\s+ask\s+who\b|what(?:'s|\s+is)\s+the\s+name\b|get\s+a\s+name\b|"
    r"name\s+please\b|who\s+do\s+i\s+have\s+the\s+pleasure)",
)
# One \b in front of the alternatives, not one in each: the regex engine then skips an
# alternative by its first letter without entering it, several times faster. Only whether it
# matches is read, so the order of the alternatives does not matter.
_REQUEST = re.compile(
    r"^\W*(?:and|also|plus)\s+your\b|"
    r"\b(?:(?:may|can|could|would|will)\s+(?:i|you|we)\b|please\b|provide\b|give\s+me\b|"
    r"tell\s+me\b|(?:i|we)\s+(?:will\s+|would\s+|do\s+|still\s+|also\s+|just\s+)?need\s+"
    r"(?:your|the|you|to|a|an)\b|require|what(?:'s|\s+is|\s+was|\s+are)\b|"
    r"spell|share\b|let\s+me\s+(?:know|have)|enter\b|type\s+in|still\s+need|"
    r"how\s+about|i'?d\s+like\b|which\b|who\b)",
)
_STATEMENT_VERB = re.compile(
    r"\b(?:is|was|are|were|has|have|had|will|can't|cannot|should|must|be|been)\b"
)
# "Is that your PIN?", "Is Katarina Miller your full name?": checking a detail already given;
# "Please check your name and booking ID.": telling the customer what did not match.
_CONFIRMATION = re.compile(
    r"^\W*(?:is|was)\s+(?!there\b)|\b(?:check\s+your\b(?!.*\?)|"
    # A read-back: "So your number is 555-0123, right?", "your name is Ben, correct?".
    r"your\s+(?:[a-z-]+\s+){0,3}(?:is|was)\s+(?:\d|[\w.%+-]+@|[a-z]+(?:\s+[a-z]+)?\s*,?\s*"
    r"(?:correct|right)\b)|(?:is\s+(?:that|this)|that'?s)\s+(?:correct|right)\b|"
    r"read\s+(?:that|it|this)\s+back\b|"
    # A thank-you for a detail given: "Thank you for providing your date of birth."
    r"thanks?(?:\s+you)?(?:\s+so\s+much)?\s+for\s+(?:providing|sharing|giving|confirming|sending|"
    r"verifying|the|that|your)\b(?!.*\?))"
)
# "Name, location, cost, rating?": the search filters for a place; its name, not the customer's.
_SEARCH_FILTER = re.compile(
    r"^\W*name\b(?=[^.?!;]*\b(?:rating|ratings|cost|price|cuisine|stars|food\s+type)\b)"
)

# Each detail's pattern, with substrings one of which every match of it holds: a plain `in`
# test skips most patterns for most sentences.
_DETAIL_PATTERNS: tuple[tuple[IdentityDetail, re.Pattern[str], tuple[str, ...]], ...] = (
    ("security", _SECURITY, ("maiden", "security", "secret", "memorable", "pet", "dog", "cat",
                             "ssn", "social", "verification", "passphrase", "school", "born")),
    ("pin", _PIN, ("pin", "pass")),
    ("dob", _DOB, ("birth", "dob", "d.o.b", "born", "old are you")),
    ("address", _ADDRESS, ("address", "zip", "post", "where do you live", "street", "house")),
    ("email", _EMAIL, ("mail",)),
    ("phone", _PHONE, ("phone", "mobile", "cell", "contact", "call", "number", "reach")),
    ("account", _ACCOUNT, ("account", "acct", "user", "order", "booking", "reservation",
                           "reference", "confirmation", "customer", "member", "policy", "claim",
                           "ticket", "case", "invoice", "tracking", "loyalty", "card", "client")),
)  # fmt: skip
_NAME_WORDS = ("name", "who", "call you")


# Keyed by the turn's own text: contacts and asks both read every agent turn of a conversation,
# so the second reading is a lookup, and agents repeat their phrasing ("May I have your name,
# please?") across many conversations.
@lru_cache(maxsize=8192)
def asked_details(text: str) -> frozenset[IdentityDetail]:
    """The identity details one agent turn asks for."""
    return _asked_in_lower(text.lower())


# Whether a turn holds any keyword at all, in one search: most agent turns hold none, and the
# engine tries the literal alternatives only where one's first character is, where a
# substring test per keyword scans the turn thirty-four times.
_KEYWORD_HINT = any_of(_KEYWORDS)


def _keywords_in(lower: str) -> tuple[str, ...]:
    # filter with a bound method: the `in` tests without a generator's frame.
    return tuple(filter(lower.__contains__, _KEYWORDS))


def _asked_in_lower(lower: str) -> frozenset[IdentityDetail]:
    if _KEYWORD_HINT.search(lower) is None:
        return frozenset()
    present = _keywords_in(lower)
    if "http" in lower or "www." in lower or "@" in lower:
        # A link or a handle is no sentence: its dots would cut it into short "lists".
        lower = _URL.sub(" ", lower)
        present = _keywords_in(lower)
    found: set[IdentityDetail] = set()
    # A sentence holds only keywords its turn holds: test those few, not all of _KEYWORDS.
    for sentence in _SENTENCE.findall(lower):
        if any(map(sentence.__contains__, present)) and _is_request(sentence):
            found |= _sentence_details(sentence)
    return frozenset(found)


def _is_request(sentence: str) -> bool:
    # "Full name, account number and PIN": a short list with no verb is still a request;
    # "Happy birthday!" is not.
    requested = (
        "?" in sentence
        or _REQUEST.search(sentence) is not None
        or (
            len(sentence.split()) <= 8
            and "!" not in sentence
            and _STATEMENT_VERB.search(sentence) is None
        )
    )
    return requested and _CONFIRMATION.search(sentence) is None


def _sentence_details(sentence: str) -> set[IdentityDetail]:
    if "mail" in sentence:
        sentence = _EMAIL_NOT_ADDRESS.sub(" ", sentence)
    if any(map(sentence.__contains__, _PRIVACY_WORDS)) and _PRIVACY.search(sentence) is not None:
        sentence = _PRIVACY.sub(" ", sentence)
    if "phone" in sentence or "mail" in sentence or "address" in sentence or "pass" in sentence:
        sentence = _NOT_ASKED_FOR.sub(" ", sentence)
    holds = sentence.__contains__  # of the sentence as masked above
    found: set[IdentityDetail] = {
        detail
        for detail, pattern, words in _DETAIL_PATTERNS
        if any(map(holds, words)) and pattern.search(sentence)
    }
    if any(map(sentence.__contains__, _NAME_WORDS)):
        rest = _SEARCH_FILTER.sub(" ", _OTHER_NAME.sub(" ", _SECURITY.sub(" ", sentence)))
        if _NAME.search(rest) is not None:
            found.add("name")
    return found


_SECURITY_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("maiden", re.compile(r"maiden", re.IGNORECASE)),
    ("pet", re.compile(r"\b(?:pet|dog|cat)\b", re.IGNORECASE)),
    ("ssn", re.compile(r"\bssn\b|social", re.IGNORECASE)),
    ("school", re.compile(r"school", re.IGNORECASE)),
    ("birthplace", re.compile(r"born", re.IGNORECASE)),
)


_NTH_QUESTION = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|other|another|next|last)\s+(?:security\s+)?question",
    re.IGNORECASE,
)


def security_topics(text: str) -> frozenset[str]:
    """Which security questions a turn asks: asking the pet's name after the mother's maiden
    name is a second question, not a repeat; so is "your second security question"."""
    found = {topic for topic, pattern in _SECURITY_TOPICS if pattern.search(text)}
    if not found:
        nth = _NTH_QUESTION.search(text)
        found = {f"question:{nth.group(1).lower()}" if nth else "question"}
    return frozenset(found)
