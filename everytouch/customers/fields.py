"""Cleaning contact details where they come in: form fields and JSON API schema fields.

Each field knows which kind it holds. A value is never sorted into phone or e-mail by its
look (an '@'), so an e-mail field given a number, or a phone field given an address, is refused
naming that field instead of being stored as the other kind.
"""

from __future__ import annotations

from typing import Annotated

from django import forms
from pydantic import AfterValidator, Field

from everytouch.customers.contacts import InvalidContact, normalise_email, normalise_phone

# The longest e-mail address there is (RFC 5321); no phone number comes near it.
MAX_CONTACT_LENGTH = 254


def clean_phone_field(value: str) -> str:
    """The number in E.164, '' when blank; a form error that says why when it is no number."""
    if not value.strip():
        return ""
    try:
        return normalise_phone(value)
    except InvalidContact as exc:
        raise forms.ValidationError(str(exc)) from exc


def clean_email_field(value: str) -> str:
    """The normalised address, '' when blank; a form error that says why when it is invalid."""
    if not value.strip():
        return ""
    try:
        return normalise_email(value)
    except InvalidContact as exc:
        raise forms.ValidationError(str(exc)) from exc


def _api_phone(value: str) -> str:
    # InvalidContact is a ValueError, which pydantic reports against the field and index.
    return normalise_phone(value.strip()) if value.strip() else ""


def _api_email(value: str) -> str:
    return normalise_email(value) if value.strip() else ""


# For API schemas: the value in E.164 or as a normalised address, '' when blank.
ApiPhone = Annotated[
    str,
    Field(max_length=MAX_CONTACT_LENGTH, description="A phone number in any format"),
    AfterValidator(_api_phone),
]
ApiEmail = Annotated[
    str,
    Field(max_length=MAX_CONTACT_LENGTH, description="An e-mail address"),
    AfterValidator(_api_email),
]
