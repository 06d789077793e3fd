from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.web_kit import IdField, OwnerChoiceField, desk_users
from everytouch.customers.fields import clean_email_field, clean_phone_field
from everytouch.interactions.models import Channel, Direction


class DeskForm(forms.Form):
    """The one form a rep fills in while talking: who it is, what they need, what happened."""

    customer_id = IdField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.CharField(max_length=254, required=False, label="E-mail")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.CALL)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.INBOUND)
    need = forms.CharField(max_length=300, required=False, label="What do they need?")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_phone(self) -> str:
        return clean_phone_field(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return clean_email_field(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        identified = data.get("customer_id") or any(
            data.get(f) for f in ("name", "company", "phone", "email")
        )
        if not identified:
            raise forms.ValidationError(
                "Who is it? Give at least a name, a company, a phone or an e-mail."
            )
        if not (data.get("need") or data.get("summary")):
            raise forms.ValidationError("Say what the touch was about (need or summary).")
        return data


class TransferForm(forms.Form):
    to_user = OwnerChoiceField(queryset=User.objects.none(), label="Transfer to")
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, exclude: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = desk_users()
        if exclude is not None:
            users = users.exclude(pk=exclude.pk)
        self.fields["to_user"].queryset = users  # type: ignore[attr-defined]
