"""Form-field cleaning for contact details, shared by every form that takes a phone or e-mail."""

from __future__ import annotations

from django import forms

from everytouch.customers.contacts import InvalidContact, normalise_email, normalise_phone


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
