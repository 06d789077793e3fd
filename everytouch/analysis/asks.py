"""What identity details the agent asked for, and which asks were repeats.

A repeat is an ask for a detail the customer had already given (found by `extract_contacts`,
or answered after an earlier ask): the "asked for my account number three times" failure.
Any customer reply after an ask counts as an answer, since the customer was asked and spoke;
whether the reply was usable is the agent's problem, not the customer's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from everytouch.analysis._asked import IdentityDetail, asked_details, security_topics
from everytouch.analysis.contacts import ContactFinding, extract_contacts
from everytouch.analysis.conversation import Conversation

__all__ = ["Ask", "IdentityDetail", "asked_details", "identity_asks"]

QUOTE_LIMIT = 200


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
    given_at = _first_given(contacts)
    known: set[str] = set()
    pending: set[str] = set()
    asks: list[Ask] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "customer":
            known |= pending
            pending.clear()
            continue
        for detail in sorted(asked_details(turn.text)):
            keys = _keys(detail, turn.text)
            given = bool(keys & known) or given_at.get(detail, len(conv.turns)) < index
            asks.append(Ask(detail, index, turn.text.strip()[:QUOTE_LIMIT], given))
            pending |= keys
    return asks


def _keys(detail: IdentityDetail, text: str) -> set[str]:
    """What was asked, finely enough that a different security question is not a repeat."""
    if detail == "security":
        return {f"security:{topic}" for topic in security_topics(text)}
    return {detail}


def _first_given(contacts: Sequence[ContactFinding]) -> dict[IdentityDetail, int]:
    first: dict[IdentityDetail, int] = {}
    for finding in contacts:
        first.setdefault(finding.kind, finding.turn)
    return first
