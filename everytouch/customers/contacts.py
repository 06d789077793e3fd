"""Normalising what people type into a phone or e-mail field.

One canonical form per contact point (E.164 phones, lower-cased e-mails) is what lets
``identify`` find a customer whatever format the number was typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from email_validator import EmailNotValidError, validate_email

from everytouch.customers.models import ContactKind


class InvalidContact(ValueError):
    """A phone or e-mail that cannot be normalised; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Normalised:
    kind: ContactKind
    value: str


def default_region() -> str:
    return str(settings.EVERYTOUCH_PHONE_REGION)


def normalise_phone(raw: str, region: str | None = None) -> str:
    region = region or default_region()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidContact(f"{raw!r} is not a valid phone number for region {region}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidContact(f"{raw!r} is not a valid phone number for region {region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidContact(f"{raw!r} is not a valid e-mail address: {exc}") from exc
    # The local part is case-sensitive in theory; in practice nobody relies on it and treating
    # Jane@ and jane@ as two customers is the bigger harm.
    return info.normalized.lower()


def looks_like_email(raw: str) -> bool:
    return "@" in raw


def normalise(raw: str, region: str | None = None) -> Normalised:
    """Normalise a phone number or e-mail address, deciding which it is by the '@'."""
    raw = raw.strip()
    if not raw:
        raise InvalidContact("enter a phone number or an e-mail address")
    if len(raw) > 254:
        raise InvalidContact("a phone number or e-mail address is at most 254 characters")
    if looks_like_email(raw):
        return Normalised(ContactKind.EMAIL, normalise_email(raw))
    return Normalised(ContactKind.PHONE, normalise_phone(raw, region))


def format_phone(e164: str) -> str:
    """A phone for people to read: national format at home, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == default_region():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
