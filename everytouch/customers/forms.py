from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.web_kit import OwnerChoiceField, desk_users
from everytouch.customers.fields import clean_email_field, clean_phone_field
from everytouch.customers.models import Customer


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    company = forms.CharField(max_length=200, required=False)
    owner = OwnerChoiceField(queryset=User.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    add_phone = forms.CharField(max_length=40, required=False, label="Add a phone")
    add_email = forms.CharField(max_length=254, required=False, label="Add an e-mail")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = desk_users()  # type: ignore[attr-defined]

    def clean_add_phone(self) -> str:
        return clean_phone_field(self.cleaned_data["add_phone"])

    def clean_add_email(self) -> str:
        return clean_email_field(self.cleaned_data["add_email"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in ("name", "company", "add_phone", "add_email")) and (
            self.initial.get("is_new")
        ):
            raise forms.ValidationError("Give at least a name, a company, a phone or an e-mail.")
        return data


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label="Customer number to merge into this one", min_value=1, help_text="e.g. 1234"
    )

    def __init__(self, keep: Customer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep = keep

    def clean_other(self) -> Customer:
        pk = self.cleaned_data["other"]
        other = Customer.objects.filter(pk=pk, merged_into__isnull=True).first()
        if other is None:
            raise forms.ValidationError(f"There is no active customer #{pk}.")
        if other.pk == self.keep.pk:
            raise forms.ValidationError("A customer cannot be merged into itself.")
        return other
