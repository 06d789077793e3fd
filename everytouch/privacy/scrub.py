"""The words that identify a customer, and removing them from text and JSON.

Free text written about a customer (a summary, a promise, a turn) is replaced whole by the
erasure. Text that is mostly about something else (a notice, a transfer reason, a stored API
answer) keeps its shape and loses only the words that identify the customer: the name, the
company and every phone and e-mail the customer ever had, in the forms people write them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import phonenumbers

from everytouch.customers.contacts import format_phone

ERASED = "[erased]"
# Shorter words would match inside ordinary ones ("Al" in "Also") wherever text is searched.
MIN_SEARCH_LENGTH = 4


def phone_forms(e164: str) -> set[str]:
    """+13315550119 as people also write it: (331) 555-0119, 3315550119, 13315550119."""
    forms = {e164, e164.lstrip("+"), format_phone(e164)}
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return forms
    forms.add(str(number.national_number))
    forms.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    return forms


def words_for(texts: Iterable[str]) -> frozenset[str]:
    """Each non-blank value, plus every written form of the ones that are E.164 phones."""
    words: set[str] = set()
    for text in texts:
        value = text.strip()
        if not value:
            continue
        words.add(value)
        if value.startswith("+") and value[1:].isdigit():
            words |= phone_forms(value)
    return frozenset(words)


def _pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first, so "Jane Doe" goes whole before "Jane" could leave "[erased] Doe".
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


class Scrubber:
    """Replaces a customer's identifying words in text and in JSON values."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self._pattern = _pattern(words)

    def text(self, value: str) -> str:
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(ERASED, value)

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value

    def searchable(self) -> list[str]:
        """The words long enough to look for across a whole table without false matches."""
        return sorted(w for w in self.words if len(w) >= MIN_SEARCH_LENGTH)


CODE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def codes_only(data: Any) -> Any:
    """Keep numbers, ids and code words ("won", "phone"); drop every other string.

    A timeline event's data holds ids and states, which reports may read, beside values
    (old and new phones, texts) which are the customer's data.
    """
    if isinstance(data, dict):
        return {key: codes_only(item) for key, item in data.items()}
    if isinstance(data, list):
        return [codes_only(item) for item in data]
    if isinstance(data, str):
        return data if CODE.match(data) else ERASED
    return data
