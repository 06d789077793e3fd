"""What identity details the agent asked for, and which asks were repeats.

A repeat (docs/analysis-labels.md, `repeated_identity_ask`) is an ask for a detail that had
already been asked or given in this conversation: asked in an earlier agent turn (answered or
not: the customer was asked twice, even after a failed verification or a misheard answer), or
given by the customer - a name, phone, e-mail or account number found among the customer's
contact details (`extract_contacts`), or a PIN or date of birth the customer named. Different
details are not a repeat: the full name after only a first name, or a second, different
security question (the mother's maiden name, then the first pet's name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from everytouch.analysis import _spoken
from everytouch.analysis._asked import IdentityDetail, asked_details, security_topics
from everytouch.analysis.contacts import ContactFinding, extract_contacts
from everytouch.analysis.conversation import Conversation

__all__ = ["Ask", "IdentityDetail", "asked_details", "identity_asks"]

QUOTE_LIMIT = 200

_FULL_NAME = re.compile(r"\b(?:full|last|sur|family)\s?name\b|\bfirst\s+and\s+last\b", re.I)
_REFUSAL = re.compile(
    r"\b(?:don'?t|do\s+not|didn'?t|can'?t|cannot|couldn'?t|won'?t)\s+(?:\w+\s+)?"
    r"(?:know|remember|recall|have|find|give|tell|share|say)\b|"
    r"\bno\s+idea\b|\bnot\s+sure\b|\bforg[oe]t|\bnever\s+had\b|\brather\s+not\b|\bdunno\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")
# PINs are short; a longer number in the reply is the account number asked alongside.
_PIN_ANSWER = re.compile(r"(?<!\d)\d{3,6}(?!\d)")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_ANSWER = re.compile(
    r"\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\b|\b(?:19|20)\d\d\b|(?<!\d)\d{6,8}(?!\d)|"
    rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}",
    re.IGNORECASE,
)
_ACCOUNT_KIND = re.compile(
    r"\b(account|acct|order|booking|reservation|reference|confirmation|customer|member(?:ship)?|"
    r"policy|claim|ticket|case|invoice|tracking|loyalty|card|client|user\s?name|user)\b",
    re.IGNORECASE,
)
_ACCOUNT_KIND_OF = {
    "acct": "account",
    "membership": "member",
    "username": "user",
    "user name": "user",
}


# A PIN or a date of birth the customer names without being asked is given all the same.
_VOLUNTEER_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pin", ("pin ", "pin:", "pin#", "pin is", "passcode")),
    ("dob", ("birth", "born", "dob")),
)


@dataclass(frozen=True, slots=True)
class Ask:
    detail: IdentityDetail
    turn: int
    quote: str
    repeat: bool


def identity_asks(
    conv: Conversation, contacts: Sequence[ContactFinding] | None = None
) -> list[Ask]:
    """Every identity ask by the agent, in order, each marked whether it was a repeat."""
    if contacts is None:
        contacts = extract_contacts(conv)
    found_at = _keys_given_by_turn(contacts)
    seen: set[str] = set()  # asked or given so far
    full_name_given = False
    asks: list[Ask] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "customer":
            given = found_at.get(index)
            if given:  # most customer turns give no contact detail
                full_name_given = full_name_given or "name:full" in given
                if "name" in given and not full_name_given:
                    # Only a first name so far: asking for the full name now asks for more.
                    seen.discard("name:full")
                seen |= given
            seen |= _volunteered(turn.text)
            continue
        found = _turn_asks(turn.text)
        if found is None:
            continue
        quote, keyed, asked = found
        for detail, keys in keyed:
            asks.append(Ask(detail, index, quote, bool(keys) and keys <= seen))
        seen |= asked
    return asks


# Keyed by the agent turn's text, as asked_details is: agents repeat their questions word for
# word, and what a turn asks depends on its text alone.
@lru_cache(maxsize=8192)
def _turn_asks(
    text: str,
) -> tuple[str, tuple[tuple[IdentityDetail, frozenset[str]], ...], frozenset[str]] | None:
    """The quote, each detail asked with its keys, and every key the turn asks, or None."""
    details = asked_details(text)
    if not details:
        return None
    keyed = tuple((detail, frozenset(_keys(detail, text))) for detail in sorted(details))
    asked = frozenset().union(*(keys for _, keys in keyed))
    # The name and the full name, asked and not yet answered, are one detail asked.
    if asked & {"name", "name:full"}:
        asked |= {"name", "name:full"}
    return text.strip()[:QUOTE_LIMIT], keyed, asked


def _keys(detail: IdentityDetail, text: str) -> set[str]:
    """What was asked, finely enough that a different question is not a repeat."""
    if detail == "security":
        return {f"security:{topic}" for topic in security_topics(text)}
    if detail == "name" and _FULL_NAME.search(text) is not None:
        return {"name:full"}
    if detail == "account":
        return _account_keys(text)
    return {detail}


def _account_keys(text: str) -> set[str]:
    """Which identifier: a username, then an order number, are two details, not one asked twice."""
    kinds = {_ACCOUNT_KIND_OF.get(m.lower(), m.lower()) for m in _ACCOUNT_KIND.findall(text)}
    return {f"account:{kind}" for kind in kinds or {"account"}}


def _keys_given_by_turn(contacts: Sequence[ContactFinding]) -> dict[int, set[str]]:
    given: dict[int, set[str]] = {}
    for finding in contacts:
        keys = given.setdefault(finding.turn, set())
        keys |= _account_keys(finding.quote) if finding.kind == "account" else {finding.kind}
        if finding.kind == "name" and len(finding.value.split()) > 1:
            keys.add("name:full")
    return given


def _volunteered(text: str) -> set[str]:
    """Details given unasked, each named by the customer: "Jane Doe, PIN 1596"."""
    lower = text.lower()
    # Every cue holds one of these words: five substring tests, written out (any() over them
    # costs twice as much), rule out most turns for less than half the cost of one regex
    # search for the eight cues.
    hinted = "pin" in lower or "passcode" in lower or "dob" in lower
    if not (hinted or "birth" in lower or "born" in lower):
        return set()
    named = {key for key, words in _VOLUNTEER_CUES if any(map(lower.__contains__, words))}
    return {key for key in named if _answers(key, text)} if named else set()


def _answers(key: str, text: str) -> bool:
    """Does this customer turn give the PIN or date of birth it names?"""
    if _REFUSAL.search(text) is not None and _DIGITS.search(text) is None:
        return False
    if key == "pin":
        return _PIN_ANSWER.search(text) is not None or any(
            3 <= len(run.digits) <= 6 for run in _spoken.spoken_digit_runs(text)
        )
    return _DATE_ANSWER.search(text) is not None
