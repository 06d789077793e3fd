"""Redacting payment card numbers before text is stored.

Callers read card numbers out over the phone and paste them into chats; a contact log is no
place to keep them (PCI DSS). A run of 13-19 digits, optionally grouped by spaces or dashes,
that passes the Luhn check is replaced by ``[card ending 1234]``. Digit runs that fail Luhn
(phone numbers, most order and account numbers) are left alone; a 13+ digit account number
that happens to pass Luhn is redacted too, which is the safe side to err on.
"""

from __future__ import annotations

import re

# Bounded repetition and no nested quantifiers: linear time on any input.
_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _replace(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    if not luhn_valid(digits) or len(set(digits)) == 1:
        return match.group()
    return f"[card ending {digits[-4:]}]"


def redact_card_numbers(text: str) -> str:
    """``text`` with every Luhn-valid card number replaced; anything else unchanged."""
    if sum(c.isdigit() for c in text) < 13:
        return text
    return _CANDIDATE.sub(_replace, text)
