"""The customer search as it was before the index (a full scan), for benchmarks/search.py.

Kept only so the benchmark can time old and new in the same run; nothing in the app uses it.
"""

from __future__ import annotations

import phonenumbers
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from everytouch.customers.contacts import (
    InvalidContact,
    default_region,
    looks_like_email,
    normalise,
)
from everytouch.customers.models import ContactKind, ContactPoint, Customer
from everytouch.customers.search import (
    EXACT,
    MAX_WORDS,
    MIN_DIGITS,
    NAME_PREFIX,
    OTHER,
    WORD_PREFIX,
    clean_query,
    digits_of,
    is_phone_like,
    record_number,
)


def old_search_customers(query: str) -> QuerySet[Customer]:
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
