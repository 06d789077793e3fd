"""The coaching queue's two forms: the span it looks back over, and a session to record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from everytouch.accounts.web_kit import CountField, MomentField
from everytouch.business_time import business_tz
from everytouch.quality.coaching import MAX_NOTES, MAX_WINDOW_DAYS, WINDOW_DAYS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class WindowForm(forms.Form):
    days = CountField(
        min_value=1, max_value=MAX_WINDOW_DAYS, required=False, label="Last how many days"
    )

    def window(self) -> int:
        return int(self.cleaned_data.get("days") or WINDOW_DAYS)


def local_now() -> str:
    return timezone.now().astimezone(business_tz()).strftime(LOCAL_FORMAT)


class SessionForm(forms.Form):
    check_ids = forms.MultipleChoiceField(
        label="Checks covered",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one check the session covered."},
    )
    notes = forms.CharField(
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write what was covered in the notes."},
    )
    held_at = MomentField(
        label="When it was held",
        required=False,
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text="In the business time zone; empty means now.",
    )

    def __init__(self, *args: Any, checks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["check_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(check_id, f"{title} ({check_id})") for check_id, title in checks]

    def clean_notes(self) -> str:
        notes = str(self.cleaned_data["notes"]).strip()
        if not notes:
            raise forms.ValidationError("Write what was covered in the notes.")
        return notes

    def clean_held_at(self) -> datetime:
        value: datetime | None = self.cleaned_data.get("held_at")
        if value is None:
            return timezone.now()
        if timezone.is_naive(value):
            value = value.replace(tzinfo=business_tz())
        if value > timezone.now():
            raise forms.ValidationError("A session is recorded once held: this time is ahead.")
        return value
