"""Forms of the call-in test campaigns: a campaign, a tester link, one recorded test."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import CountField, DayField, MomentField, desk_users
from everytouch.business_time import business_tz
from everytouch.quality import campaigns
from everytouch.quality.models import Answer, Campaign, Scenario

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A tester's clock may run a little ahead of ours; a call much later than now is a typo.
FUTURE_SLACK = timedelta(minutes=10)


def tester_users() -> QuerySet[User]:
    """Staff who may test: the roles that may see campaigns (never a rep, see VIEWERS)."""
    qs = User.objects.filter(is_active=True, profile__role__in=campaigns.VIEWERS)
    return qs.order_by("first_name", "username")


class PeopleField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120)
    starts_on = DayField(label="Starts on", widget=DATE_INPUT)
    ends_on = DayField(label="Ends on", widget=DATE_INPUT)
    scenarios = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text='One brief per line, e.g. "Ask the price of a toner cartridge and nothing else".',
    )
    reps = PeopleField(
        queryset=desk_users(),
        required=False,
        label="Reps to test",
        widget=forms.CheckboxSelectMultiple,
    )
    lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Lines to test",
        help_text='One per line, e.g. "+1 312 555 0100 (front desk)".',
    )
    testers = PeopleField(
        queryset=tester_users(),
        required=False,
        label="Testers (staff)",
        widget=forms.CheckboxSelectMultiple,
        help_text="Managers, owners and trainers. Outside shoppers get a private link instead.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Re-evaluated per form, so people who joined since start-up can be chosen.
        self.fields["reps"].queryset = desk_users()  # type: ignore[attr-defined]
        self.fields["testers"].queryset = tester_users()  # type: ignore[attr-defined]

    def data_for_action(self) -> campaigns.CampaignData:
        data = self.cleaned_data
        return campaigns.CampaignData(
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            scenarios=campaigns.split_lines(data["scenarios"]),
            reps=tuple(data["reps"]),
            lines=campaigns.split_lines(data["lines"]),
            testers=tuple(data["testers"]),
        )

    def refuse(self, exc: campaigns.CampaignError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, str(exc))


def initial_for(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "scenarios": "\n".join(s.brief for s in campaign.scenarios.all()),
        "reps": list(campaign.reps.all()),
        "lines": "\n".join(campaign.lines),
        "testers": list(campaign.testers.all()),
    }


class LinkForm(forms.Form):
    label = forms.CharField(
        max_length=120, label="Who the link is for", help_text='e.g. "Anna, Shopper Agency"'
    )
    expires_on = DayField(
        required=False,
        label="Expires after",
        widget=DATE_INPUT,
        help_text="Leave empty for 14 days from now.",
    )


class TestForm(forms.Form):
    """One test call; built for one campaign (its scenarios, reps and lines are the choices)."""

    scenario = forms.ModelChoiceField(queryset=Scenario.objects.none(), empty_label=None)
    who = forms.ChoiceField(label="Rep or line tested")
    answer = forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect, label="Answered")
    seconds_to_answer = CountField(
        min_value=0, max_value=3600, required=False, label="Seconds to answer"
    )
    called_at = MomentField(
        label="When",
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text="In the business time zone.",
    )
    transcript_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Transcript",
        help_text='Paste it: one "Agent: ..." or "Customer: ..." line per turn.',
    )
    transcript_file = forms.FileField(
        required=False,
        label="Or upload a transcript file",
        help_text="Plain text, WebVTT, SRT, Everytouch JSON, whisperX or AWS Transcribe JSON.",
    )
    short_form = forms.MultipleChoiceField(
        choices=campaigns.SHORT_FORM_ITEMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="No transcript? What the rep did",
        help_text="Kept with the test, but only a transcript is scored.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, campaign: Campaign, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["scenario"].queryset = campaign.scenarios.all()  # type: ignore[attr-defined]
        self.fields["who"].choices = who_choices(campaign)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("called_at", local_now())

    def clean_called_at(self) -> datetime:
        value: datetime = self.cleaned_data["called_at"]
        if timezone.is_naive(value):
            value = value.replace(tzinfo=business_tz())
        if value > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError("The call cannot be in the future.")
        return value

    def clean_transcript_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("transcript_file")
        if upload is not None and (upload.size or 0) > campaigns.MAX_TRANSCRIPT_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; upload one call at a time.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transcript_text", "").strip() and data.get("transcript_file"):
            raise forms.ValidationError("Paste the transcript or upload a file, not both.")
        return data

    def data_for_action(self) -> campaigns.CallData:
        data = self.cleaned_data
        rep, line = self._who(data["who"])
        return campaigns.CallData(
            scenario=data["scenario"],
            answer=data["answer"],
            called_at=data["called_at"],
            rep=rep,
            line=line,
            seconds_to_answer=data["seconds_to_answer"],
            transcript=self._transcript(),
            short_form=tuple(data["short_form"]),
            notes=data["notes"],
        )

    def _who(self, value: str) -> tuple[User | None, str]:
        kind, _, key = value.partition(":")
        if kind == "rep":
            return self.campaign.reps.get(pk=int(key)), ""
        return None, self.campaign.lines[int(key)]

    def _transcript(self) -> campaigns.Transcript | None:
        upload: UploadedFile | None = self.cleaned_data["transcript_file"]
        if upload is not None:
            return campaigns.read_transcript(upload.read(), upload.name or "transcript.txt")
        text: str = self.cleaned_data["transcript_text"]
        return campaigns.read_transcript(text.encode()) if text.strip() else None


def who_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """``rep:<id>`` for each rep tested, ``line:<index>`` for each line, as the form offers them."""
    reps = [(f"rep:{r.pk}", display_name(r)) for r in campaign.reps.all()]
    lines = [(f"line:{i}", f"Line {line}") for i, line in enumerate(campaign.lines)]
    return reps + lines


def local_now() -> str:
    return timezone.now().astimezone(business_tz()).strftime(LOCAL_FORMAT)
