from __future__ import annotations

from typing import Any

from django import forms

from everytouch.accounts.web_kit import DayField, MomentField
from everytouch.staff.models import StaffMember, Status, Team


class MemberChoiceField(forms.ModelChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        return obj.name + (f" (ext. {obj.extension})" if obj.extension else "")


def _active_members(exclude: StaffMember | None) -> Any:
    qs = StaffMember.objects.filter(employment="active", user__is_active=True).select_related(
        "user"
    )
    return qs.exclude(pk=exclude.pk) if exclude else qs


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    until = MomentField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(max_length=200, required=False)
    backup = MemberChoiceField(queryset=StaffMember.objects.none(), required=False)

    def __init__(self, member: StaffMember, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = _active_members(member)  # type: ignore[attr-defined]


class AbsenceForm(forms.Form):
    starts_at = MomentField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = MomentField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(
        max_length=200, required=False, help_text='e.g. "at a trade show", "on holiday"'
    )
    backup = MemberChoiceField(queryset=StaffMember.objects.none(), required=False)

    def __init__(self, member: StaffMember, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = _active_members(member)  # type: ignore[attr-defined]


class DetailsForm(forms.Form):
    title = forms.CharField(max_length=100, required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    extension = forms.CharField(max_length=10, required=False)
    skills = forms.CharField(required=False, help_text="comma-separated, e.g. billing, leases")
    languages = forms.CharField(required=False, help_text="comma-separated")
    start_date = DayField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    work_start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    work_end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.CharField(max_length=64, required=False)

    def clean_time_zone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = str(self.cleaned_data["time_zone"]).strip()
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise forms.ValidationError(f"{name!r} is not a known time zone") from exc
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            raise forms.ValidationError("Working hours must end after they start.")
        return data


def split_tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.split(",") if t.strip()]
