from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import IdField, OwnerChoiceField, desk_users
from everytouch.customers.actions import MERGE_FIELDS, MergeChoices
from everytouch.customers.fields import clean_email_field, clean_phone_field
from everytouch.customers.models import ContactKind, ContactPoint, Customer


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


class ContactForm(forms.Form):
    """Correct one phone or e-mail: the field is read as the kind it is, with that kind's errors."""

    value = forms.CharField(max_length=254)

    def __init__(self, point: ContactPoint, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.point = point
        is_phone = point.kind == ContactKind.PHONE
        self.fields["value"].label = "Phone" if is_phone else "E-mail"
        self.fields["value"].widget.input_type = "tel" if is_phone else "email"

    def clean_value(self) -> str:
        raw = self.cleaned_data["value"]
        if self.point.kind == ContactKind.PHONE:
            return clean_phone_field(raw)
        return clean_email_field(raw)


class MergeForm(forms.Form):
    """Pick the other record by its number (or from a suggestion, which sends the same field)."""

    other = IdField(label="Customer number", help_text="e.g. 1234")

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


def _shown(customer: Customer, name: str) -> str:
    if name == "owner":
        return display_name(customer.owner) if customer.owner else "nobody"
    return str(getattr(customer, name)) or "(blank)"


class MergePreviewForm(forms.Form):
    """The confirmation: which record survives and, for each field that differs, whose value."""

    other = IdField(widget=forms.HiddenInput)
    survivor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep record")

    def __init__(self, first: Customer, second: Customer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        pair = (first, second)
        self.fields["survivor"].choices = [(c.pk, f"#{c.pk} {c.display_name}") for c in pair]  # type: ignore[attr-defined]
        self.initial.setdefault("survivor", first.pk)
        self.initial.setdefault("other", second.pk)
        for name in self.differing():
            choices = [(c.pk, f"{_shown(c, name)} (#{c.pk})") for c in pair]
            label = name.capitalize()
            self.fields[name] = forms.TypedChoiceField(
                coerce=int, choices=choices, widget=forms.RadioSelect, label=label
            )
            source = first if getattr(first, f"{name}_id" if name == "owner" else name) else second
            self.initial.setdefault(name, source.pk)

    def differing(self) -> list[str]:
        attrs = [("owner_id" if n == "owner" else n, n) for n in MERGE_FIELDS]
        return [n for a, n in attrs if getattr(self.first, a) != getattr(self.second, a)]

    def clean_other(self) -> int:
        if self.cleaned_data["other"] != self.second.pk:
            raise forms.ValidationError("The preview was for another record: open it again.")
        return int(self.cleaned_data["other"])

    def survivor_and_merged(self) -> tuple[Customer, Customer]:
        if self.cleaned_data["survivor"] == self.first.pk:
            return self.first, self.second
        return self.second, self.first

    def choices(self) -> MergeChoices:
        picked = {n: self.cleaned_data[n] for n in self.differing()}
        return MergeChoices(**picked)
