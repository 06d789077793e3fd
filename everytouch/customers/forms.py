from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.access import DESK_ROLES
from everytouch.accounts.people import display_name
from everytouch.customers.contacts import InvalidContact, normalise_email, normalise_phone
from everytouch.customers.models import Customer


def desk_users() -> Any:
    return User.objects.filter(is_active=True, profile__role__in=DESK_ROLES).order_by(
        "first_name", "username"
    )


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


def clean_phone_field(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_phone(value)
    except InvalidContact as exc:
        raise forms.ValidationError(str(exc)) from exc


def clean_email_field(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_email(value)
    except InvalidContact as exc:
        raise forms.ValidationError(str(exc)) from exc


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
