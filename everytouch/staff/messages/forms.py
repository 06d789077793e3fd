"""The take-a-message form; the action decides who owns it and whether it can be called back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import IdField
from everytouch.customers.actions import resolve
from everytouch.customers.models import Customer
from everytouch.staff.messages.actions import MAX_ABOUT
from everytouch.staff.models import Urgency


def recipients() -> QuerySet[User]:
    """Everyone with a role, including people who left: a caller may still ask for them."""
    qs = User.objects.filter(profile__isnull=False).select_related("profile")
    return qs.order_by("-is_active", "first_name", "last_name", "username")


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = display_name(obj)
        return name if obj.is_active else f"{name} (left)"


class MessageForm(forms.Form):
    intended_for = PersonChoiceField(queryset=recipients(), label="For")
    caller_name = forms.CharField(max_length=200, required=False, label="Who called")
    callback_number = forms.CharField(max_length=40, required=False, label="Call-back number")
    callback_email = forms.CharField(max_length=254, required=False, label="Call-back e-mail")
    about = forms.CharField(max_length=MAX_ABOUT, widget=forms.Textarea, label="What about")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL)
    customer_id = IdField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A fresh queryset per form, so someone added a minute ago is offered.
        self.fields["intended_for"].queryset = recipients()  # type: ignore[attr-defined]

    def clean_customer_id(self) -> Customer | None:
        pk = self.cleaned_data.get("customer_id")
        if pk is None:
            return None
        customer = Customer.objects.filter(pk=pk).first()
        if customer is None:
            raise forms.ValidationError(f"no customer with id {pk}")
        return resolve(customer)
