from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.web_kit import IdField, OwnerChoiceField, desk_users
from everytouch.leads.models import Stage
from everytouch.leads.webhooks import EVENTS


class LeadForm(forms.Form):
    customer_id = IdField(widget=forms.HiddenInput)
    need = forms.CharField(max_length=300, label="What do they need?")
    product_interest = forms.CharField(max_length=200, required=False)
    budget = forms.CharField(max_length=100, required=False)
    timeline = forms.CharField(max_length=100, required=False)
    owner = OwnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Sales owner",
        empty_label="Default (the customer's owner, else the sales default)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = desk_users()  # type: ignore[attr-defined]


class HandOffForm(forms.Form):
    to = OwnerChoiceField(queryset=User.objects.none(), label="Hand off to")

    def __init__(self, *args: Any, exclude: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = desk_users()
        if exclude is not None:
            users = users.exclude(pk=exclude.pk)
        self.fields["to"].queryset = users  # type: ignore[attr-defined]


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    lost_reason = forms.CharField(max_length=300, required=False, label="Why lost?")


class EndpointForm(forms.Form):
    url = forms.CharField(
        max_length=500,
        label="URL",
        help_text="http:// or https://, at a public address (not 127.0.0.1 or 10.x)",
    )
    events = forms.MultipleChoiceField(
        choices=[(e, e) for e in EVENTS],
        initial=list(EVENTS),
        widget=forms.CheckboxSelectMultiple,
    )
