"""Finding customers from whatever a person types: a name, a company, an e-mail or a phone.

One function, ``search_customers``, serves the customer list, the API, the desk and the
top-bar search, so they all agree on what matches and in which order. It works with plain
``icontains`` and a digits-only comparison today; full-text indexes can replace its insides
later without any caller changing.

Phones are stored in E.164 (``+13315550119``), so a typed number is reduced to its digits and
looked for inside the stored digits: "0119", "555-01", "(331) 555" and "331.555.0119" all find
the same customer. A complete number also counts as an exact match and ranks first.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from everytouch.customers.contacts import (
    InvalidContact,
    default_region,
    looks_like_email,
    normalise,
)
from everytouch.customers.models import ContactKind, ContactPoint, Customer

# Longer input is cut, not refused: a pasted paragraph still searches for its beginning.
MAX_QUERY = 200
# Each word is one more condition in the SQL; a sentence of them helps nobody.
MAX_WORDS = 6
# Fewer digits than this match half the book; "555" is the shortest useful fragment.
MIN_DIGITS = 3

_NOT_DIGIT = re.compile(r"\D+", re.ASCII)
# What people put between the digits of a phone number, and nothing else.
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]*\d[\d\s().+\-/]*$", re.ASCII)
# "#301": how the app writes a record's number ("already belongs to Rosa Delgado (#301)").
_RECORD_NUMBER = re.compile(r"^#\s*(\d{1,18})$", re.ASCII)

# Ranks, best first: an exact phone or e-mail is the person on the line.
EXACT, NAME_PREFIX, WORD_PREFIX, OTHER = range(4)


def clean_query(raw: str) -> str:
    """What a search box sends, made safe to search with: control characters (NUL breaks
    PostgreSQL) dropped, whitespace collapsed, at most ``MAX_QUERY`` characters."""
    printable = "".join(" " if unicodedata.category(c).startswith("C") else c for c in raw)
    return " ".join(printable.split())[:MAX_QUERY].strip()


def digits_of(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def record_number(text: str) -> int | None:
    """The number in "#301", or None if ``text`` is not a record number."""
    found = _RECORD_NUMBER.match(text)
    return int(found.group(1)) if found else None


def is_phone_like(text: str) -> bool:
    """Whether ``text`` is only a (part of a) phone number: digits and the usual separators."""
    return bool(_PHONE_LIKE.match(text))


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers matching a name, company, e-mail or phone typed in any format, best first.

    Order: the record's own number ("#301") or an exact phone or e-mail, then names starting
    with the query, then names with a word starting with it (or a company starting with it),
    then the rest; by name within each. An empty query lists everyone by name. Merged-away
    records never appear.
    """
    qs = Customer.objects.filter(merged_into__isnull=True).select_related("owner")
    text = clean_query(query)
    if not text:
        return qs.order_by("name", "id")
    exact = _exact(text)
    qs = qs.filter(_matches(text) | exact).annotate(search_rank=_rank(text, exact))
    return qs.order_by("search_rank", "name", "id")


def _contact(kind: ContactKind, **lookup: str) -> Q:
    points = ContactPoint.objects.filter(customer=OuterRef("pk"), kind=kind, **lookup)
    return Q(Exists(points))


def _nothing() -> Q:
    return Q(pk__in=[])


def _exact(text: str) -> Q:
    """The customer whose number ("#301") or complete phone or e-mail this is."""
    number = record_number(text)
    if number is not None:
        return Q(pk=number)
    if not looks_like_email(text) and not is_phone_like(text):
        return _nothing()
    try:
        found = normalise(text)
    except InvalidContact:
        return _nothing()
    return _contact(found.kind, value=found.value)


def _matches(text: str) -> Q:
    """A phone-looking query is a number (or a company like "3M" or "7-Eleven"); anything
    else must find every one of its words somewhere in the customer."""
    if is_phone_like(text):
        return _phone_digits(text) | _text_match(text)
    match = Q()
    for word in text.split(" ")[:MAX_WORDS]:
        match &= _word_match(word)
    return match


def _text_match(text: str) -> Q:
    return Q(name__icontains=text) | Q(company__icontains=text)


def _word_match(word: str) -> Q:
    match = _text_match(word) | _contact(ContactKind.EMAIL, value__icontains=word)
    if is_phone_like(word):
        match |= _phone_digits(word)
    return match


def _phone_digits(text: str) -> Q:
    """Stored E.164 digits containing the typed digits; a national trunk prefix ("0" in
    "020 7946", "8" in Russia) is tried without it too, since E.164 never stores it."""
    digits = digits_of(text)
    if len(digits) < MIN_DIGITS:
        return _nothing()
    match = _contact(ContactKind.PHONE, value__contains=digits)
    national = _without_trunk_prefix(digits)
    if national != digits and len(national) >= MIN_DIGITS:
        match |= _contact(ContactKind.PHONE, value__contains=national)
    return match


def _without_trunk_prefix(digits: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(default_region())
    prefix = metadata.national_prefix if metadata is not None else None
    if prefix and digits.startswith(prefix):
        return digits[len(prefix) :]
    return digits


def _rank(text: str, exact: Q) -> Case:
    return Case(
        When(exact, then=Value(EXACT)),
        When(name__istartswith=text, then=Value(NAME_PREFIX)),
        When(Q(name__icontains=f" {text}") | Q(company__istartswith=text), then=Value(WORD_PREFIX)),
        default=Value(OTHER),
        output_field=IntegerField(),
    )
