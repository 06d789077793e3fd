"""Spoken digits and e-mail addresses, as people say them and speech recognisers write them.

"five five five, oh one two three" -> "5550123"; "double seven" -> "77";
"jane dot doe at gmail dot com" -> "jane.doe@gmail.com".
Every pattern here matches in linear time: repeated groups alternate between disjoint character
classes, so a failed match can never be re-split in more than one way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from everytouch.analysis._fold import folded, lower_pattern

_UNITS: dict[str, str] = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_TEENS: dict[str, str] = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
_TENS: dict[str, str] = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
_REPEATS: dict[str, int] = {"double": 2, "triple": 3}

_WORDS = sorted([*_UNITS, *_TEENS, *_TENS, *_REPEATS, "hundred"], key=len, reverse=True)
NUMBER_WORDS = frozenset(_WORDS)


def _trie(words: list[str]) -> str:
    """One alternation as a tree of shared prefixes: "f(?:i(?:ve|fty)|our)" for "five|fifty|four".

    Python's regex engine tries each branch of a flat alternation in turn at every position; the
    tree fails after one letter at most places. Followed by \b, it matches what the flat one does.
    """
    tree: dict[str, dict[str, Any]] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict[str, dict[str, Any]]) -> str:
    alts = [re.escape(char) + _branches(sub) for char, sub in sorted(node.items()) if char]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body


_TOKEN = r"(?:\d+|" + _trie(_WORDS) + r"\b)"
# A run of number words and digit groups, separated by spaces, commas, dashes or dots.
SPOKEN_RUN = re.compile(r"\b" + _TOKEN + r"(?:[\s,.\-]{1,3}" + _TOKEN + r")+", re.IGNORECASE)
# The same, for folded text (_fold.py): the same matches, several times faster.
_SPOKEN_RUN_FOLDED = lower_pattern(SPOKEN_RUN.pattern)
# Cheap test before the run pattern: is there any number word at all?
HAS_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
# The same test on lower-cased ASCII text, with the words as a tree of prefixes and no case
# folding: several times faster than the flat, case-insensitive alternation above.
_NUMBER_WORD_LOWER = re.compile(r"\b(?:" + _trie(_WORDS) + r")\b")
_RUN_TOKEN = re.compile(r"\d+|[a-z]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DigitRun:
    digits: str
    start: int
    end: int


def spoken_digit_runs(text: str) -> list[DigitRun]:
    """Runs of spoken (or mixed spoken and written) digits, converted to digit strings."""
    return spoken_runs(text) if has_number_word(text) else []


def spoken_runs(text: str, low: str | None = None) -> list[DigitRun]:
    """`spoken_digit_runs` for a text already known to hold a number word; ``low`` is
    folded(text) when the caller has it."""
    runs: list[DigitRun] = []
    for match in _SPOKEN_RUN_FOLDED.finditer(folded(text) if low is None else low):
        digits = words_to_digits(_RUN_TOKEN.findall(text, match.start(), match.end()))
        if digits:
            runs.append(DigitRun(digits, match.start(), match.end()))
    return runs


def has_number_word(text: str, lower: str | None = None) -> bool:
    """Is any number word ("five", "oh", "double", ...) in the text, as a whole word?"""
    if text.isascii():
        return _NUMBER_WORD_LOWER.search(text.lower() if lower is None else lower) is not None
    # Case-insensitive matching folds a few non-ASCII letters ("\u017f" is an "s"): the regex.
    return HAS_NUMBER_WORD.search(text) is not None


def words_to_digits(tokens: list[str]) -> str:
    """Digits for a list of number tokens ("double", "seven", "twenty", "three", "45", ...)."""
    out: list[str] = []
    repeat = 1
    i = 0
    while i < len(tokens):
        word = tokens[i].lower()
        i += 1
        if word in _REPEATS:
            repeat = _REPEATS[word]
            continue
        piece, i = _piece(word, tokens, i, out)
        out.append(piece * repeat)
        repeat = 1
    return "".join(out)


def _piece(word: str, tokens: list[str], i: int, out: list[str]) -> tuple[str, int]:
    if word.isdigit():
        return word, i
    if word in _UNITS:
        return _UNITS[word], i
    if word in _TEENS:
        return _TEENS[word], i
    if word == "hundred":
        # "eight hundred" is 800; a bare "hundred" is 100.
        return ("00", i) if out else ("100", i)
    nxt = tokens[i].lower() if i < len(tokens) else ""
    if nxt in _UNITS and _UNITS[nxt] != "0":
        return _TENS[word] + _UNITS[nxt], i + 1
    return _TENS[word] + "0", i


# --- e-mail ---------------------------------------------------------------------------------

_TLDS = (
    "com|net|org|edu|gov|io|co|uk|us|in|de|fr|ca|au|info|biz|me|ai|nl|es|it|ch|se|no|dk|fi|"
    "ie|nz|jp|br|mx|ru|pl|be|at"
)
_LABEL = r"[a-z0-9][a-z0-9\-]{0,62}"
# "jane dot doe at gmail dot com", "j underscore doe at acme dot co dot uk"
SPOKEN_EMAIL = re.compile(
    r"\b(?P<local>[a-z0-9]{1,64}(?:\s+(?:dot|underscore|dash|hyphen|period)\s+[a-z0-9]{1,64}){0,4})"
    r"\s+at\s+"
    r"(?P<domain>" + _LABEL + r"(?:\s*(?:\bdot\b|\.)\s*" + _LABEL + r"){0,3})"
    r"\s*(?:\bdot\b|\.)\s*(?P<tld>" + _TLDS + r")\b",
    re.IGNORECASE,
)
# The same, for folded text (_fold.py): the same matches, several times faster. It opens with
# the user part's first character and tests \b after it (a look-behind), so the engine skips
# from one letter or digit to the next instead of trying every position; and a run of letters
# and digits is never given back (possessive): only a space can follow one, so no shorter run
# could match where the whole one did not. The tests hold it to SPOKEN_EMAIL's matches.
SPOKEN_EMAIL_FOLDED = lower_pattern(
    r"(?P<local>[a-z0-9](?<!\w[a-z0-9])[a-z0-9]{0,63}+"
    r"(?:\s+(?:dot|underscore|dash|hyphen|period)\s+[a-z0-9]{1,64}+){0,4})"
    r"\s+at\s+"
    r"(?P<domain>" + _LABEL + r"(?:\s*(?:\bdot\b|\.)\s*" + _LABEL + r"){0,3})"
    r"\s*(?:\bdot\b|\.)\s*(?P<tld>" + _TLDS + r")\b"
)
_SEPARATORS = {"dot": ".", "period": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
_SPOKEN_SEP = re.compile(r"\s*\b(dot|period|underscore|dash|hyphen)\b\s*|\s*\.\s*", re.IGNORECASE)

# Mail providers a speech recogniser glues onto the user part once "at" and "dot" are lost:
# "kavigmailcom", "robin 45 gmailcom", "jmooreyahoocom". Plain "xyzcom" stays unread: too
# many ordinary words end in "com".
_PROVIDERS = (
    "gmail|googlemail|gamil|gmial|gmai|gmil|gmal|gmaill|gmaail|gaiml|yahoo|ymail|yamil|hotmail|"
    "outlook|msn|aol|icloud|protonmail|gmx|rediffmail|zoho|yandex|comcast|sbcglobal|verizon|"
    "optonline|earthlink|bellsouth|rocketmail|live|att|mail"
)
# The big providers' typing slips ("gmaicom", "gaimlcom") are common enough to read.
_PROVIDER_SPELLING = {
    "gamil": "gmail",
    "gmial": "gmail",
    "gmai": "gmail",
    "gmil": "gmail",
    "gmal": "gmail",
    "gmaill": "gmail",
    "gmaail": "gmail",
    "gaiml": "gmail",
    "yamil": "ymail",
}
# "ramgmail": a glued address with the ".com" of the biggest providers left unsaid.
_IMPLIED_TLD = frozenset(["gmail", "yahoo", "hotmail", "outlook"])
GLUED_EMAIL = re.compile(
    r"(?P<provider>" + _PROVIDERS + r")(?:\s?(?P<tld>com|net|org|couk|coin|co|in|de|fr)\b|\b)",
    re.IGNORECASE,
)
_PROVIDER_NAMES = tuple(_PROVIDERS.split("|"))


def glued_email_matches(text: str) -> list[re.Match[str]]:
    """`GLUED_EMAIL.finditer(text)`, trying the pattern only where a provider's name starts.

    Scanning for ~35 names at every position is the slow part; `str.find` for each is not.
    """
    if not text.isascii():  # lower() may shift positions, and case folding is wider: scan
        return list(GLUED_EMAIL.finditer(text))
    lower = text.lower()
    starts: set[int] = set()
    for name in _PROVIDER_NAMES:
        at = lower.find(name)
        while at >= 0:
            starts.add(at)
            at = lower.find(name, at + 1)
    matches: list[re.Match[str]] = []
    end = 0
    for start in sorted(starts):
        if start >= end:
            m = GLUED_EMAIL.match(text, start)
            if m is not None:
                matches.append(m)
                end = m.end()
    return matches


# Cheap gate for GLUED_EMAIL: one of these is in every text it can match.
GLUED_HINTS = ("com", "net", "org", "mail", "yahoo", "outlook", "gmai", "gmil", "gmal", "gaiml")
_LOCAL_WORD = re.compile(r"[a-z0-9]{1,40}", re.IGNORECASE)
# Words that end the user part when walking back from the provider: "my email is robin 45 gmailcom".
_LOCAL_STOP = frozenset(
    [
        "is",
        "id",
        "email",
        "mail",
        "address",
        "and",
        "my",
        "its",
        "it's",
        "the",
        "at",
        "e",
        "mailid",
        "emailid",
        "no",
        "yes",
        "sure",
        "ok",
        "okay",
    ]
)


def glued_local_part(text: str, provider_start: int) -> str:
    """The user part in front of a glued provider: the same word, plus up to two short words."""
    head = text[max(0, provider_start - 90) : provider_start]
    words = head.split(" ")
    glued = words.pop() if words else ""
    parts: list[str] = []
    # "robin 45 gmailcom" spreads the user part over words; "kavigmailcom" keeps it in one.
    while not glued and words and len(parts) < 2:
        word = words.pop()
        if _LOCAL_WORD.fullmatch(word) is None or word.lower() in _LOCAL_STOP:
            break
        # A 10-digit group in front of the address is a phone number said just before it.
        if word.isdigit() and len(word) > 6:
            break
        parts.append(word)
    parts.reverse()
    local = "".join(parts) + glued
    return local if _LOCAL_WORD.fullmatch(local or "-") else ""


def spoken_email_value(text: str, match: re.Match[str]) -> str:
    """The address, lower-case, for a SPOKEN_EMAIL_FOLDED match on folded(text): its parts
    are read from the text as written."""
    local, domain, tld = (text[slice(*match.span(group))] for group in ("local", "domain", "tld"))
    local = _SPOKEN_SEP.sub(lambda m: _SEPARATORS.get((m.group(1) or ".").lower(), "."), local)
    domain = _SPOKEN_SEP.sub(".", domain)
    return f"{local.replace(' ', '')}@{domain.replace(' ', '')}.{tld}".lower()


def glued_email_value(local: str, provider: str, tld: str | None) -> str:
    """The address for a glued e-mail: "robin45", "gmail", "com" -> "robin45@gmail.com"."""
    provider = _PROVIDER_SPELLING.get(provider.lower(), provider.lower())
    tld = {"couk": "co.uk", "coin": "co.in"}.get((tld or "com").lower(), (tld or "com").lower())
    return f"{local.lower()}@{provider}.{tld}"


def implied_tld_ok(provider: str, glued: bool) -> bool:
    """A provider with no ".com" after it is an address only when glued to its user part."""
    return glued and provider.lower() in _IMPLIED_TLD
