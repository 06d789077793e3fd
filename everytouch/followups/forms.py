from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from everytouch.accounts.access import STAFF_ROLES
from everytouch.accounts.web_kit import MomentField, OwnerChoiceField
from everytouch.business_time import business_tz
from everytouch.followups.actions import MAX_WHAT

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def staff_users() -> Any:
    """Anyone who can own a promise: staff with a role (a trainer can promise a session)."""
    qs = User.objects.filter(is_active=True, profile__role__in=STAFF_ROLES)
    return qs.order_by("first_name", "username")


def local_input(moment: datetime | None) -> str:
    """A due time as the datetime-local input shows it, in the business time zone."""
    return moment.astimezone(business_tz()).strftime(LOCAL_FORMAT) if moment else ""


class CommitmentForm(forms.Form):
    what = forms.CharField(max_length=MAX_WHAT, label="What was promised")
    due_at = MomentField(
        label="Due by",
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text="In the business time zone.",
    )
    owner = OwnerChoiceField(queryset=staff_users(), label="Who keeps it")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Re-evaluated per form, so people who joined since start-up can be chosen.
        self.fields["owner"].queryset = staff_users()  # type: ignore[attr-defined]

    def clean_due_at(self) -> datetime:
        value: datetime = self.cleaned_data["due_at"]
        if timezone.is_naive(value):
            value = value.replace(tzinfo=business_tz())
        return value


_STEP_LINE = re.compile(r"^\s*(?P<days>\d{1,5})\s*(?:days?)?\s*[:|\-]?\s*(?P<what>.+?)\s*$")


def parse_steps(text: str) -> list[dict[str, Any]]:
    """One step per line, "days what": "7 Thank-you call". Blank lines are skipped."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _STEP_LINE.match(line)
        if match is None:
            raise forms.ValidationError(
                f'line {number}: write the days, then what to do, e.g. "7 Thank-you call"'
            )
        steps.append({"after_days": int(match["days"]), "what": match["what"]})
    return steps


def steps_text(steps: list[dict[str, Any]]) -> str:
    return "\n".join(f"{s['after_days']} {s['what']}" for s in steps)


class CadenceForm(forms.Form):
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text='One step per line: days after the sale, then what to do ("30 Check-in call").',
    )

    def clean_steps(self) -> list[dict[str, Any]]:
        return parse_steps(self.cleaned_data["steps"])
