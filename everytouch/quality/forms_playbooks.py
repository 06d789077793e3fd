"""Forms for the playbook pages: a new playbook, a new version, its team, a re-score."""

from __future__ import annotations

from typing import Any

from django import forms

from everytouch.accounts.web_kit import DayField
from everytouch.quality.playbooks import MAX_TEXT
from everytouch.staff.models import Team

TEXT_HELP = 'YAML, as in docs/analysis.md ("Playbook"). It is checked before it is saved.'


def text_field() -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"})
    return forms.CharField(
        label="Playbook", widget=widget, max_length=MAX_TEXT, strip=False, help_text=TEXT_HELP
    )


def activate_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Score new touches with this version from now on",
    )


class VersionForm(forms.Form):
    text = text_field()
    note = forms.CharField(
        max_length=200, required=False, label="What changed", help_text="Shown in the history."
    )
    activate = activate_field()


class TeamChoiceField(forms.ModelChoiceField[Team]):
    def label_from_instance(self, obj: Team) -> str:
        return obj.name


class NewPlaybookForm(forms.Form):
    name = forms.CharField(max_length=100)
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="No team yet",
        help_text="Touches of this team's reps are scored with it once a version is active.",
    )
    text = text_field()
    note = forms.CharField(max_length=200, required=False, label="What changed")
    activate = activate_field()

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team")

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class RescoreForm(forms.Form):
    since = DayField(
        label="Re-score touches since",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Every touch since that day scored with this playbook, with the active version.",
    )
