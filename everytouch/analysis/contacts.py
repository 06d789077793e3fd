"""Contact details the customer gave in a conversation: names, phones, e-mails, account numbers.

Only customer turns are read; the agent turn before each one tells what the customer is
answering ("May I have your name?" -> a bare "Jane Doe" is a name). Written and spoken forms
are both read: "555-0123", "five five five oh one two three", "double seven", "jane dot doe at
gmail dot com" and speech-recogniser output with the punctuation gone ("kavigmailcom").

Cheap tests run first and the slow parts (phonenumbers) only see candidates, so a turn with no
digit, no number word, no "@" and no name cue costs a handful of regex searches.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile
from typing import Literal

import phonenumbers

from everytouch.analysis import _names, _spoken, number_kind
from everytouch.analysis._asked import IdentityDetail, asked_details
from everytouch.analysis._fold import any_of, folded, lower_pattern
from everytouch.analysis._words import letter_runs
from everytouch.analysis.conversation import Conversation

ContactKind = Literal["name", "phone", "email", "account"]
QUOTE_LIMIT = 200

# A digit followed by digits, each with up to three separators in between: one parse only.
# The start is matched first and the look-behind checked after it ("+", "(" or a digit with
# no letter, digit or "+" before it): the same matches as a look-behind in front, which the
# regex engine would try at every position of the turn.
_WRITTEN_NUMBER = re.compile(
    r"(?:\+(?<![\w+]\+)\(?\d|\((?<![\w+]\()\d|\d(?<![\w+]\d))(?:[\s().\-/]{0,3}\d){2,24}(?!\d)"
)
_HAS_DIGIT = re.compile(r"\d")
# _HAS_DIGIT for ASCII text, where \d is [0-9]: a range test per character instead of a Unicode
# database lookup, a third fewer instructions.
_HAS_ASCII_DIGIT = re.compile(r"[0-9]")
_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63}){1,6}",
)
# The cues of a number run on folded text (_fold.py): the same matches as IGNORECASE.
_PHONE_CUE = lower_pattern(
    r"\b(?:phone|ph|mobile|mob|cell|cellphone|telephone|tel|call\s+me|reach\s+me|text\s+me|"
    r"whatsapp|landline|home|work|office|fax|desk|sms|contact)(?:\s+(?:number|no|num|nr|#))?\b",
)
# "Number" alone names a phone in most conversations, but also a card, a code or a password:
# it makes a phone of digits of a phone's length only.
# "No" is the abbreviation only right before the digits: "contact no 6457", not "no, it's 6457".
_NUMBER_CUE = lower_pattern(r"\b(?:contact|number|num|nr)\b|\bno\b(?=\W{0,3}(?:is\W{1,3})?$)")
# Letters typed in front of the digits make an identifier: "JHV 5612894564", "kjh 5896247560".
_CODE_PREFIX = re.compile(r"(?:^|[\s:#])([A-Za-z]{3,4})\W{0,2}$")
_ACCOUNT_AFTER = re.compile(
    r"\W{0,3}(?:(?:is|in|this|that|the|my|of|for|from|to)\s+){0,2}"
    r"(?:account|acct|a/c|savings|checking)\b",
    re.IGNORECASE,
)
# Not after abbreviations such as "acct. no. 123": the next word is a capital or a long word.
_SENTENCE_BREAK = re.compile(r"[!?]\s+|\.\s+(?=[A-Z]|[a-z]{3,})")
_DATE_DIGITS = re.compile(
    r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d\d|"
    r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:19|20)\d\d|"
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
)
_ACCOUNT_CUE = lower_pattern(
    r"\b(?:account|acct|a/c|ac|order|booking|reservation|reference|ref|confirmation|customer|"
    r"member|membership|policy|claim|ticket|case|invoice|tracking|loyalty|client|id)"
    r"(?:\s+(?:number|no|num|nr|#))?\b",
)
# Numbers that are neither: card numbers, PINs, social security, dates, amounts.
_OTHER_CUE = lower_pattern(
    r"\b(?:card|credit|debit|pin|ssn|social|security|zip|postcode|postal|code|born|birth|dob|"
    r"date|room|flight|seat|price|cost|amount|total|balance|dollars|bucks|usd|password|"
    r"passcode|year|report)(?:\s+(?:number|no|num|nr|#))?\b",
)
# Every match of _ACCOUNT_VALUE holds one of these (in ASCII text, where lower() is exact).
_ACCOUNT_WORDS = (
    "ac", "a/c", "order", "booking", "reservation", "reference", "confirmation", "customer",
    "member", "policy", "claim", "ticket", "case", "invoice", "tracking", "loyalty", "client",
)  # fmt: skip
_ACCOUNT_HINT = any_of(_ACCOUNT_WORDS)  # one search for them all
_ACCOUNT_VALUE = re.compile(
    r"\b(?:account|acct|a/c|ac|order|booking|reservation|reference|confirmation|customer|member|"
    r"membership|policy|claim|ticket|case|invoice|tracking|loyalty|client)\s*"
    r"(?:number|no|num|nr|#|id|code|ref)?\.?\s*(?:is|was|:|=|-)?\s*#?\s*"
    r"(?P<value>[A-Za-z0-9\-]{0,20}\d[A-Za-z0-9\-]{0,20})\b",
    re.IGNORECASE,
)
# The name cues run on folded text (_fold.py): the same matches as IGNORECASE on the text, and
# several times faster.
_NAME_CUE_STRONG = lower_pattern(
    r"\bmy\s+(?:full\s+|first\s+|last\s+|sur|given\s+)?name(?:'s|\s+is|:)?\s+|"
    r"\b(?:full\s+|first\s+|last\s+)?name(?:'s|\s+is|:)\s*|\bthe\s+name\s+is\s+|"
    r"\b(?:you\s+can\s+)?call\s+me\s+|\bname\s+(?:on|under)\s+the\s+\w+\s+is\s+|"
    r"^\W*(?:(?:full|first|last)\s+)?name\s+(?!of\b)",
)
# "I am", "I'm" and "it's ... from": one \b and one "i" for both. No two of the alternatives can
# match at one place, so the matches are those of the three cues written apart.
_I_CUE = (
    r"(?:(?:\s+am|'m|\u2019m|m)\s+|"
    r"t(?:'s|\u2019s|\s+is)\s+(?=\S+(?:\s+\S+)?\s+(?:from|at|with|calling)\b))"
)
_THIS_IS_CUE = r"\W*(?:(?:hi|hello|hey|good\s+\w+)\W+)?this\s+is\s+"
_NAME_CUE_WEAK = lower_pattern(r"\bi" + _I_CUE + r"|^" + _THIS_IS_CUE)
# _NAME_CUE_WEAK in two halves, for speed (_weak_cues finds the same matches). The "i" cues with
# the "i" first and \b as a look-behind after it: the same test at the same place, since "i" is
# a word character, but a pattern that opens with a letter lets the engine jump from one "i" to
# the next, where one that opens with \b is tried at every position. "This is" only at the start.
_NAME_CUE_I = lower_pattern(r"i(?<!\wi)" + _I_CUE)
_NAME_CUE_THIS_IS = lower_pattern(_THIS_IS_CUE)
# "My city name is Davis", "company name: Acme": a name, but not the customer's. Only whether
# it matches is read: one \b in front of the alternatives lets the engine skip each by its
# first letter.
_OTHER_OWNER = lower_pattern(
    r"\b(?:(?:city|town|company|business|firm|shop|store|user|pet|dog|cat|host|doctor|street|"
    r"hotel|restaurant|venue|file|product|brand|school|app|software|model|mother|father|wife|"
    r"husband|son|daughter|friend|account|bank|village|state|country)(?:'s|s)?\s*$|"
    r"mother'?s\s+maiden\s*$)",
)
_NAME_HERE = lower_pattern(r"^\W*(?P<name>[^\W\d_]{2,30}(?:\s+[^\W\d_]{2,30})?)\s+here\b")
_FILLER = lower_pattern(
    r"^(?:\W*(?:sure|yes|yeah|yep|ok|okay|of\s+course|hi|hello|hey|it'?s|it\u2019s|it\s+is|"
    r"this\s+is|"
    r"i\s+am|i'?m|my\s+name\s+is|name\s+is|my\s+name'?s|the\s+name\s+is|um+|uh+|so|well|"
    r"certainly|absolutely|no\s+problem|me)\b)+\W*",
)
# The weak cue cannot match without a match of this gate pattern. It opens with "i" or "t", as a
# search for the words "it", "i am", "i'm" or "this is" would, so it costs no more than that
# search, and lets few turns through where "it" alone lets a third.
_WEAK_CUE_GATE = lower_pattern(r"i(?:['\u2019]|m\s|\s+am)|this\s+is|it(?:['\u2019]|\s+is)")
_TITLE = re.compile(r"\s*(?:mr|mrs|ms|miss|mx|dr)\b\.?\s*", re.IGNORECASE)
_NAME_IS_MY_NAME = lower_pattern(
    r"^\W*(?P<name>[^\W\d_]{2,30}(?:\s+[^\W\d_]{2,30}){0,2})\s+is\s+my\s+(?:full\s+)?name\b",
)
_CLAUSE_END = re.compile(r"[,.;!?\n]|\s+and\s+|\s+but\s+|$", re.IGNORECASE)
_TAIL_OK = frozenset(
    ["and", "please", "thanks", "thank", "you", "thx", "ok", "okay", "sure", "here"]
)
_WORD = re.compile(r"[^\W_][\w'\u2019\-]*|\d+")


@dataclass(frozen=True, slots=True)
class ContactFinding:
    kind: ContactKind
    value: str
    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: ContactKind
    value: str
    start: int
    end: int


def extract_contacts(conv: Conversation, region: str = "US") -> list[ContactFinding]:
    """Names, phones (E.164), e-mails and account numbers that the customer gave, in order."""
    if not any(t.speaker == "agent" for t in conv.turns):
        return _blind_contacts(conv, region)
    asked: frozenset[IdentityDetail] = frozenset()
    findings: list[ContactFinding] = []
    question: str | None = None  # the last agent turn, read only if a customer turn follows
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "agent":
            question = turn.text
            continue
        if question is not None:
            asked, question = asked_details(question), None
        for kind, value, quote in _turn_contacts(turn.text, asked, region):
            findings.append(ContactFinding(kind, value, index, quote))
    return findings


def _blind_contacts(conv: Conversation, region: str) -> list[ContactFinding]:
    """extract_contacts with no agent turns: the customer's own words stand in for questions."""
    told: frozenset[IdentityDetail] = frozenset()
    told_for = 0
    findings: list[ContactFinding] = []
    earlier: list[str] = []  # customer turns so far, for number_kind
    for index, turn in enumerate(conv.turns):
        for hit in contacts_in_text(turn.text, told, region, True, earlier):
            findings.append(ContactFinding(hit.kind, hit.value, index, _quote(turn.text, hit)))
        earlier.append(turn.text)
        topic = _topic(turn.text)
        if topic:
            told, told_for = topic, TOPIC_TURNS
        elif told_for > 0:
            told_for -= 1
            told = told if told_for else frozenset()
    return findings


# With the agent's side present, a customer turn's contacts depend on its text and the question
# before it alone: keyed by both, as the agent-turn caches are by text. Short answers recur
# across conversations ("yes", a first name, "my name is Ben").
@lru_cache(maxsize=4096)
def _turn_contacts(
    text: str, asked: frozenset[IdentityDetail], region: str
) -> tuple[tuple[ContactKind, str, str], ...]:
    hits = contacts_in_text(text, asked, region)
    if not hits:  # nine turns in ten: no generator for them
        return ()
    return tuple((h.kind, h.value, _quote(text, h)) for h in hits)


# With the agent's side missing, the customer's own words stand in for the unseen question:
# "i want to check my account balance" ... "5411521832" is the account, not a phone. They hold
# for the next few customer turns only.
TOPIC_TURNS = 6
_TOPIC = re.compile(
    r"\b(?:(?P<account>accounts?|acct|policy|claim|balance|transfer|routing)|"
    r"(?P<other>(?:credit|debit)\s+card|card\s+(?:number|no)|ssn|social\s+security|password|"
    r"passcode|police\s+report|report\s+(?:number|no))|"
    r"(?P<phone>phone|mobile|cell|cellphone|contact|call|whatsapp))\b"
)
_TOPIC_DETAILS: dict[str, frozenset[IdentityDetail]] = {
    "account": frozenset({"account", "pin"}),
    "other": frozenset({"security"}),
    "phone": frozenset({"phone"}),
}


def _topic(text: str) -> frozenset[IdentityDetail]:
    last = None
    for m in _TOPIC.finditer(text.lower()):
        last = m.lastgroup
    return _TOPIC_DETAILS[last] if last else frozenset()


def contacts_in_text(
    text: str,
    asked: frozenset[IdentityDetail] = frozenset(),
    region: str = "US",
    blind: bool = False,
    earlier: list[str] | None = None,
) -> list[_Hit]:
    """Contact details in one customer turn; `asked` is what the agent just asked for.

    `blind` says the transcript has no agent turns, so a bare answer may still be a name;
    `earlier` (the customer turns before, given with no agent turns) lets number_kind decide
    what a number with no cue is.
    """
    lower = text.lower()
    ascii = text.isascii()
    # The patterns written in lower case run on this (_fold.py); lower() is folded() in ASCII.
    low = lower if ascii else folded(text)
    emails = _emails(text, lower, low)
    names = _names_in(text, asked, blind, lower, low)
    if names and emails:
        names = [n for n in names if not _overlaps_any(n, emails)]
    has_digit = (_HAS_ASCII_DIGIT if ascii else _HAS_DIGIT).search(text) is not None
    has_word = _may_hold_number_word(text) and _spoken.has_number_word(text, lower)
    # Most turns carry no digit and no number word: no number pattern need run on them.
    numbers = (
        _numbers(text, lower, low, asked, region, emails, has_digit, has_word, earlier)
        if has_digit or has_word
        else []
    )
    if not numbers and len(emails) + len(names) < 2:
        return emails or names
    hits: list[_Hit] = []
    seen: set[tuple[str, str]] = set()
    for hit in [*emails, *numbers, *names]:
        if (hit.kind, hit.value) not in seen:
            seen.add((hit.kind, hit.value))
            hits.append(hit)
    return hits


def _may_hold_number_word(text: str) -> bool:
    """False when no number word can be in the text: in ASCII a whole word is a whole run of
    letters, so it is one of the letter runs, which buying signals split the turn into too."""
    return not text.isascii() or not _spoken.NUMBER_WORDS.isdisjoint(letter_runs(text))


def _quote(text: str, hit: _Hit) -> str:
    text = text.strip()
    if len(text) <= QUOTE_LIMIT:
        return text
    middle = (hit.start + hit.end) // 2
    start = max(0, min(middle - QUOTE_LIMIT // 2, len(text) - QUOTE_LIMIT))
    return text[start : start + QUOTE_LIMIT].strip()


# --- e-mail ---------------------------------------------------------------------------------


def _emails(text: str, lower: str, low: str) -> list[_Hit]:
    hits: list[_Hit] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            value = m.group(0).rstrip(".-").lower()
            if "." in value.rpartition("@")[2]:
                hits.append(_Hit("email", value, m.start(), m.end()))
    if " at " in lower and ("dot" in lower or "." in lower):
        for m in _spoken.SPOKEN_EMAIL_FOLDED.finditer(low):
            hits.append(_Hit("email", _spoken.spoken_email_value(text, m), m.start(), m.end()))
    if _GLUED_HINT.search(lower) is not None:
        hits.extend(_glued_emails(text))
    return hits


# One search instead of ten substring tests: every glued address has one of these in it.
_GLUED_HINT = any_of(_spoken.GLUED_HINTS)


def _glued_emails(text: str) -> Iterator[_Hit]:
    for m in _spoken.glued_email_matches(text):
        glued = m.start() > 0 and text[m.start() - 1].isalnum()
        if m["tld"] is None and not _spoken.implied_tld_ok(m["provider"], glued):
            continue
        local = _spoken.glued_local_part(text, m.start())
        if local:
            value = _spoken.glued_email_value(local, m["provider"], m["tld"])
            yield _Hit("email", value, m.start() - len(local), m.end())


# --- phone and account numbers --------------------------------------------------------------


def _numbers(
    text: str,
    lower: str,
    low: str,
    asked: frozenset[IdentityDetail],
    region: str,
    emails: list[_Hit],
    has_digit: bool,
    has_word: bool,
    earlier: list[str] | None = None,
) -> list[_Hit]:
    runs = _digit_runs(text) if has_digit else []
    if has_word:
        runs += [r for r in _spoken.spoken_runs(text, low) if not _overlaps(r, runs)]
    taken: list[_Hit] = list(emails)
    hits: list[_Hit] = []
    if has_digit and (not text.isascii() or _ACCOUNT_HINT.search(lower) is not None):
        for m in _ACCOUNT_VALUE.finditer(text):
            value = m["value"].replace("-", "").upper()
            if len(value) >= 3 and not _inside(m.start("value"), taken):
                account = _Hit("account", value, m.start("value"), m.end("value"))
                taken.append(account)
                hits.append(account)
    for run in runs:
        if _inside(run.start, taken):
            continue
        hit = _classify(text, run, asked, region, earlier)
        if hit is not None:
            hits.append(hit)
    return hits


def _digit_runs(text: str) -> list[_spoken.DigitRun]:
    runs: list[_spoken.DigitRun] = []
    for m in _WRITTEN_NUMBER.finditer(text):
        runs.extend(_split_run(m))
    return runs


_GROUP = re.compile(r"\d+")
_PHONE_LENGTHS = (7, 10, 11)


def _split_run(m: re.Match[str]) -> list[_spoken.DigitRun]:
    """One run, or a phone-length window of its groups: "ny 13760 3158007478" -> "3158007478"."""
    groups = [
        (g.start() + m.start(), g.end() + m.start(), g.group(0)) for g in _GROUP.finditer(m[0])
    ]
    digits = "".join(g[2] for g in groups)
    if len(groups) < 2 or len(digits) in _PHONE_LENGTHS or len(digits) < 7:
        return [_spoken.DigitRun(digits, m.start(), m.end())]
    window = _phone_window(groups)
    if window is None:
        return [_spoken.DigitRun(digits, m.start(), m.end())]
    return [window]


def _phone_window(groups: list[tuple[int, int, str]]) -> _spoken.DigitRun | None:
    for i in range(len(groups)):
        total = ""
        for start_end_digits in groups[i:]:
            total += start_end_digits[2]
            if len(total) == 10 or (len(total) == 11 and total.startswith("1")):
                return _spoken.DigitRun(total, groups[i][0], start_end_digits[1])
            if len(total) > 11:
                break
    return None


def _overlaps(run: _spoken.DigitRun, runs: list[_spoken.DigitRun]) -> bool:
    return any(run.start < other.end and other.start < run.end for other in runs)


def _inside(position: int, hits: list[_Hit]) -> bool:
    return any(h.start <= position < h.end for h in hits)


def _overlaps_any(hit: _Hit, others: list[_Hit]) -> bool:
    # "selvagmailcom" is an address the recogniser glued together, not a name as well.
    return any(hit.start < o.end and o.start < hit.end for o in others)


def _classify(
    text: str,
    run: _spoken.DigitRun,
    asked: frozenset[IdentityDetail],
    region: str,
    earlier: list[str] | None = None,
) -> _Hit | None:
    raw = text[run.start : run.end]
    # A cue names the number in its own sentence only: "...my bank account. I was to get 1200".
    left = _SENTENCE_BREAK.split(text[max(0, run.start - 60) : run.start])[-1]
    cue = _nearest_cue(left)
    if cue is None and _ACCOUNT_AFTER.match(text, run.end, run.end + 40) is not None:
        cue = "account"
    if cue in (None, "number"):
        cue = _cue_from_question(asked, len(run.digits)) or cue
    if cue in (None, "number") and _not_a_phone(left, raw):
        return None
    if cue is None and earlier is not None and 7 <= len(run.digits) <= 15:
        # No agent side and no cue: a learned reading, not the shape (number_kind.py).
        found = number_kind.is_phone(text, run.start, run.end, run.digits, earlier)
        cue = "phone" if found else "bare"
    if cue == "number" and 7 <= len(run.digits) <= 12:
        cue = "phone"
    if cue in (None, "number") and _looks_like_phone(raw, run.digits):
        cue = "phone"
    if cue == "phone" and 7 <= len(run.digits) <= 15:
        return _Hit(
            "phone", _phone_value(text[run.start : run.end], run.digits, region), run.start, run.end
        )
    if cue == "account" and len(run.digits) >= 4:
        return _Hit("account", run.digits, run.start, run.end)
    return None


def _nearest_cue(left: str) -> str | None:
    """The kind of number named last before it: "phone 555...", "account no 123", "PIN 1234"."""
    best: tuple[int, str] | None = None
    # Ties go to the first: "account number" ends where "number" does and is an account.
    cues = (
        ("account", _ACCOUNT_CUE),
        ("other", _OTHER_CUE),
        ("phone", _PHONE_CUE),
        ("number", _NUMBER_CUE),
    )
    low = folded(left)
    for kind, pattern in cues:
        for m in pattern.finditer(low):
            if best is None or m.end() > best[0]:
                best = (m.end(), kind)
    return None if best is None else best[1]


def _not_a_phone(left: str, raw: str) -> bool:
    """Phone-shaped digits that say they are something else: a code's digits or a date."""
    prefix = _CODE_PREFIX.search(left)
    if prefix is not None and not any(v in prefix[1].lower() for v in "aeiouy"):
        return True
    return any(len(group) == 8 and _DATE_DIGITS.fullmatch(group) for group in _GROUP.findall(raw))


def _cue_from_question(asked: frozenset[IdentityDetail], digits: int) -> str | None:
    # "Account number and PIN?" -> "84318931431": PINs are short, the long number is the account.
    if "account" in asked and "phone" not in asked and digits >= 7:
        return "account"
    if asked & {"pin", "dob", "security", "address"}:
        return "other"
    if "phone" in asked and "account" not in asked:
        return "phone"
    if "account" in asked and "phone" not in asked:
        return "account"
    return None


def _looks_like_phone(raw: str, digits: str) -> bool:
    if raw.startswith("+") or raw.startswith("00"):
        return 8 <= len(digits) <= 15
    return len(digits) == 10 or (len(digits) == 11 and digits.startswith("1"))


def _phone_value(raw: str, digits: str, region: str) -> str:
    """E.164 when the number is possible for the region; else the digits as given."""
    try:
        number = phonenumbers.parse(raw if raw.startswith("+") else digits, region)
    except phonenumbers.NumberParseException:
        return digits
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return digits


# --- names ----------------------------------------------------------------------------------


def _names_in(
    text: str, asked: frozenset[IdentityDetail], blind: bool, lower: str, low: str
) -> list[_Hit]:
    # Substring tests first: most turns hold no cue at all and leave here.
    strong = "name" in lower or "call me" in lower
    weak = _may_hold_weak_cue(text) and _WEAK_CUE_GATE.search(low) is not None
    bare = "name" in asked or (blind and len(text) <= 40)
    if not (strong or weak or bare or "here" in lower):
        return []
    cased = _names.is_cased(text)
    hits: list[_Hit] = []
    if strong:
        hits += _cued_names(text, low, _NAME_CUE_STRONG.finditer(low), cased, strict=False)
    if weak:
        hits += _cued_names(text, low, _weak_cues(low), cased, strict=True)
    if hits:
        return hits
    here = (_NAME_HERE.match(low) if "here" in lower else None) or (
        _NAME_IS_MY_NAME.match(low) if strong else None
    )
    if here is not None:
        start, end = here.span("name")
        name = text[start:end].split()
        words = _names.name_words(name, cased)
        if words and len(words) == len(name):
            return [_Hit("name", _names.title_name(words), start, end)]
    if bare:
        hit = _bare_name(text, low, cased, strict=blind and "name" not in asked)
        if hit is not None:
            return [hit]
    return []


# In ASCII text every weak cue opens with one of these as a whole run of letters ("i" of "i am"
# and "i'm", "im", "it" of "it's" and "it is", "this"), where _WEAK_CUE_GATE also takes "hi'"
# or "with it's": letter runs the turn is split into anyway (a cache hit for the number-word
# test and buying signals) rule out the regex search in a third of the turns.
_WEAK_CUE_WORDS = frozenset(["i", "im", "it", "this"])


def _may_hold_weak_cue(text: str) -> bool:
    return not text.isascii() or not _WEAK_CUE_WORDS.isdisjoint(letter_runs(text))


def _cued_names(
    text: str, low: str, cues: Iterable[re.Match[str]], cased: bool, strict: bool
) -> list[_Hit]:
    """The names after each cue, a match on ``low``, folded(text)."""
    hits: list[_Hit] = []
    for m in cues:
        if _OTHER_OWNER.search(low, max(0, m.start() - 30), m.start()) is not None:
            continue
        hit = _name_after(text, m.end(), cased, strict)
        if hit is not None:
            hits.append(hit)
    return hits


def _weak_cues(low: str) -> Iterator[re.Match[str]]:
    """The matches of _NAME_CUE_WEAK.finditer(low), from its two halves: at the start the "i"
    cues are tried before "this is", as the alternation tries them; after it, only they can
    match."""
    head = None if _NAME_CUE_I.match(low) else _NAME_CUE_THIS_IS.match(low)
    if head is None:
        return _NAME_CUE_I.finditer(low)
    return itertools.chain((head,), _NAME_CUE_I.finditer(low, head.end()))


def _name_after(text: str, position: int, cased: bool, strict: bool) -> _Hit | None:
    title = _TITLE.match(text, position)
    if title is not None:
        position = title.end()
    words = _until_punctuation(text, position)
    chosen = _names.name_words(words, cased, strict)
    if not chosen and cased and not strict:
        # "... for Saturday 1pm my name is ben": capitals elsewhere, none on the name.
        chosen = _names.name_words(words, cased=False, strict=True)
    if not chosen:
        return None
    return _Hit("name", _names.title_name(chosen), position, position + len(" ".join(chosen)))


_PUNCTUATION = re.compile(r"[,.;:!?()\n]")


def _until_punctuation(text: str, position: int) -> list[str]:
    """The words before the first comma or full stop: "Sam, and my number..." -> ["Sam"].

    No word holds one of those marks, so these are the first words of the 80 characters too.
    """
    return _WORD.findall(_PUNCTUATION.split(text[position : position + 80], maxsplit=1)[0])


def _bare_name(text: str, low: str, cased: bool, strict: bool) -> _Hit | None:
    """A turn that is nothing but a name (plus digits or "please"): the answer to "Your name?".

    With the question known, a name that opens the turn as its own clause also counts:
    "Ben, and I'm looking at the Old Town Inn", "John Smith, account number 153531981".
    """
    filler = _FILLER.match(low)  # low: folded(text)
    start = filler.end() if filler is not None else 0
    title = _TITLE.match(text, start)
    if title is not None and title.end() > start:
        start = title.end()
    words = _WORD.findall(text[start : start + 120])
    if not words:
        return None
    chosen = _names.name_words(words, cased, strict=True)
    if not chosen:
        return None
    rest = words[len(chosen) :]
    if strict:
        if not _plausible_unprompted(text[:start], chosen, rest):
            return None
        return _Hit("name", _names.title_name(chosen), start, start + len(" ".join(chosen)))
    whole_turn = all(w.isdigit() or w.lower() in _TAIL_OK for w in rest)
    if not whole_turn and not _own_clause(text, start, chosen):
        return None
    return _Hit("name", _names.title_name(chosen), start, start + len(" ".join(chosen)))


def _own_clause(text: str, start: int, chosen: list[str]) -> bool:
    clause_end = _CLAUSE_END.search(text, start)
    end = clause_end.start() if clause_end is not None else len(text)
    return len(_WORD.findall(text[start:end])) == len(chosen)


_GREETING = re.compile(r"\b(?:hi+|hello|hey|helo|hai)\b", re.IGNORECASE)
_ACKNOWLEDGE = re.compile(r"\b(?:sure|yes|yeah|yep|ok|okay|thanks|thank\s+you)\b", re.I)
_POSTCODE_WORDS = frozenset(["zip", "zipcode", "pincode", "postcode", "pin"])
_ID_WORDS = frozenset(["ssn", "num", "no", "nr", "id", "pw", "pwd", "acc", "acct", "ac"])


def _plausible_unprompted(filler: str, chosen: list[str], rest: list[str]) -> bool:
    """A short turn read as a name with no question before it: "kavisri", "anand ssn 4526".

    Without the question, the shape of the turn decides: a greeting before it addresses the
    agent ("hi jesse"); a short word before digits is a code ("kiu 542"); a word before a five-
    or six-digit number is a place and its postcode ("madurai 625005", "fargo nd 58102").
    """
    if _GREETING.search(filler) is not None:
        return False
    # "sure jesse", "ok sam": an acknowledgement to the agent, by the agent's name.
    if len(chosen) == 1 and _ACKNOWLEDGE.search(filler) is not None:
        return False
    tokens = [w for w in rest if w.lower() not in _TAIL_OK]
    codes = list(takewhile(lambda w: not w.isdigit(), tokens))
    numbers = tokens[len(codes) :]
    if len(chosen) + len(codes) > 3 or not all(w.isdigit() for w in numbers):
        return False
    if not all(_is_code_word(w) for w in codes):
        return False
    if any(w.lower() in _POSTCODE_WORDS for w in codes):
        return False
    digits = "".join(numbers)
    if not digits:
        return not codes
    if len(chosen) == 1 and len(chosen[0]) <= 3:
        return False
    return not (len(digits) in (5, 6) and all(len(w) <= 2 for w in codes))


def _is_code_word(word: str) -> bool:
    lower = word.lower()
    return lower in _ID_WORDS or len(lower) <= 3 or not any(v in lower for v in "aeiouy")
