from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from everytouch.accounts.access import (
    DESK_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    can_manage,
    can_use_desk,
    get_visible_or_404,
    require_role,
)
from everytouch.accounts.models import Role
from everytouch.accounts.web_kit import paginate
from everytouch.customers import actions
from everytouch.customers.contacts import format_phone
from everytouch.customers.forms import CustomerForm, MergeForm
from everytouch.customers.models import ContactKind, Customer


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    query = request.GET.get("q", "")[:200]
    page = paginate(request, actions.search_customers(query).order_by("name", "id"))
    return render(request, "customers/list.html", {"page": page, "q": query})


def _customer(request: HttpRequest, pk: int, roles: frozenset[Role]) -> Customer:
    qs = Customer.objects.select_related("owner", "merged_into")
    return get_visible_or_404(request.user, qs, pk, roles)


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk, STAFF_ROLES)
    if customer.is_merged:
        return redirect("customer_detail", pk=actions.resolve(customer).pk)
    actions.log_access(require_role(request.user, STAFF_ROLES), customer, "view")
    events = paginate(request, customer.events.select_related("actor"), 30)
    context = {
        "customer": customer,
        "phones": [
            format_phone(c.value) for c in customer.contacts.all() if c.kind == ContactKind.PHONE
        ],
        "emails": [c.value for c in customer.contacts.all() if c.kind == ContactKind.EMAIL],
        "events": events,
        "interactions": customer.interactions.select_related("handled_by")[:10],
        "can_edit": can_use_desk(request.user),
        "can_merge": can_manage(request.user),
    }
    return render(request, "customers/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk, DESK_ROLES)
    user = require_role(request.user, DESK_ROLES)
    initial = {"name": customer.name, "company": customer.company, "notes": customer.notes}
    form = CustomerForm(request.POST or None, initial={**initial, "owner": customer.owner})
    if request.method == "POST" and form.is_valid():
        data = actions.CustomerData(
            name=form.cleaned_data["name"],
            company=form.cleaned_data["company"],
            notes=form.cleaned_data["notes"],
            owner=form.cleaned_data["owner"],
            contacts=[form.cleaned_data["add_phone"], form.cleaned_data["add_email"]],
        )
        try:
            actions.update_customer(customer, data, user)
        except actions.ContactConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Saved.")
            return redirect("customer_detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    context = {"customer": customer, "form": form}
    return render(request, "customers/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    keep = _customer(request, pk, MANAGER_ROLES)
    user = require_role(request.user, MANAGER_ROLES)
    form = MergeForm(keep, request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        actions.merge_customers(keep, other, user)
        messages.success(request, f"Merged {other.display_name} into {keep.display_name}.")
        return redirect("customer_detail", pk=keep.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/merge.html", {"customer": keep, "form": form}, status=status)
