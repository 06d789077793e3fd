"""A customer's data rights on the web: download everything as JSON, erase after a typed check."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from everytouch.accounts.access import get_visible_or_404, require_role
from everytouch.customers.actions import resolve
from everytouch.customers.models import Customer
from everytouch.privacy import actions


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label="Type the customer number to confirm", max_length=20, strip=True
    )

    def __init__(self, customer: Customer, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.customer = customer

    def clean_confirm(self) -> str:
        typed: str = self.cleaned_data["confirm"].lstrip("#")
        if typed != str(self.customer.pk):
            raise forms.ValidationError(f"Type {self.customer.pk} to erase this customer.")
        return typed


@login_required
@require_GET
def customer_export(request: HttpRequest, pk: int) -> HttpResponse:
    # Not allowed to export is "no such customer here" (404), as for every customer page.
    found = get_visible_or_404(request.user, Customer.objects.all(), pk, actions.EXPORT_ROLES)
    customer, user = resolve(found), require_role(request.user, actions.EXPORT_ROLES)
    document = actions.export_customer(customer, user)
    body = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"customer-{customer.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, Customer.objects.all(), pk, actions.ERASE_ROLES)
    customer, user = resolve(found), require_role(request.user, actions.ERASE_ROLES)
    if actions.is_erased(customer):
        messages.info(request, "This customer was already erased.")
        return redirect("customer_detail", pk=customer.pk)
    form = EraseForm(customer, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.erase_customer(customer, user)
        messages.success(request, f"Customer #{customer.pk} was erased.")
        return redirect("customer_detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    context = {"customer": customer, "form": form}
    return render(request, "customers/erase.html", context, status=status)
