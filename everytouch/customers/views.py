from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

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
from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import paginate
from everytouch.customers import actions
from everytouch.customers.contacts import InvalidContact, format_phone
from everytouch.customers.forms import ContactForm, CustomerForm, MergeForm, MergePreviewForm
from everytouch.customers.models import ContactKind, ContactPoint, Customer


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
    contacts = list(customer.contacts.all())
    phones = [c for c in contacts if c.kind == ContactKind.PHONE]
    emails = [c for c in contacts if c.kind == ContactKind.EMAIL]
    context = {
        "customer": customer,
        "phones": phones,
        "emails": emails,
        # The desk finds a caller by phone or e-mail: either one opens this customer there.
        "desk_query": next((c.value for c in [*phones, *emails]), ""),
        "duplicates": actions.find_duplicates(customer),
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


def _contact(request: HttpRequest, pk: int, contact_id: int) -> tuple[ContactPoint, User]:
    customer = _customer(request, pk, DESK_ROLES)
    if customer.is_merged:
        raise Http404("This customer was merged into another.")
    point = get_object_or_404(customer.contacts.all(), pk=contact_id)
    point.customer = customer
    return point, require_role(request.user, DESK_ROLES)


def _shown(point: ContactPoint) -> str:
    return format_phone(point.value) if point.kind == ContactKind.PHONE else point.value


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    """Correct a mistyped phone or e-mail; a value that is another customer's is refused."""
    point, user = _contact(request, pk, contact_id)
    form = ContactForm(point, request.POST or None, initial={"value": _shown(point)})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.correct_contact(point, form.cleaned_data["value"], user)
        except actions.ContactConflict as exc:
            conflict = exc.customer
            owner = f"{exc.customer.display_name} (#{exc.customer.pk})"
            form.add_error("value", f"This already belongs to {owner}.")
        except InvalidContact as exc:
            form.add_error("value", str(exc))
        else:
            messages.success(request, "Corrected.")
            return redirect("customer_detail", pk=pk)
    return _contact_page(request, point, form, conflict)


def _contact_page(
    request: HttpRequest,
    point: ContactPoint,
    form: ContactForm,
    conflict: Customer | None = None,
    error: str = "",
) -> HttpResponse:
    context = {
        "customer": point.customer,
        "point": point,
        "form": form,
        "conflict": conflict,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/contact.html", context, status=status)


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    point, user = _contact(request, pk, contact_id)
    try:
        actions.remove_contact(point, user)
    except actions.ContactRequired as exc:
        form = ContactForm(point, initial={"value": _shown(point)})
        return _contact_page(request, point, form, error=str(exc))
    messages.success(request, "Removed.")
    return redirect("customer_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the other record, then preview side by side and confirm; nothing merges on a GET."""
    first = _customer(request, pk, MANAGER_ROLES)
    user = require_role(request.user, MANAGER_ROLES)
    if first.is_merged:
        return redirect("customer_merge", pk=actions.resolve(first).pk)
    data = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or "other" in data
    pick = MergeForm(first, data if bound else None)
    if not pick.is_valid():
        return _merge_pick(request, first, pick)
    second = pick.cleaned_data["other"]
    form = MergePreviewForm(first, second, request.POST or None)
    if request.method == "POST" and form.is_valid():
        keep, gone = form.survivor_and_merged()
        try:
            actions.merge_customers(keep, gone, user, form.choices())
        except ValueError as exc:
            form.add_error(None, f"Nothing was merged: {exc}.")
        else:
            messages.success(request, f"Merged #{gone.pk} into #{keep.pk} {keep.display_name}.")
            return redirect("customer_detail", pk=keep.pk)
    context = {"customer": first, "other": second, "form": form, "rows": _merge_rows(form)}
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/merge_preview.html", context, status=status)


def _merge_pick(request: HttpRequest, customer: Customer, pick: MergeForm) -> HttpResponse:
    context = {
        "customer": customer,
        "form": pick,
        "duplicates": actions.find_duplicates(customer),
    }
    status = 400 if pick.is_bound else 200
    return render(request, "customers/merge.html", context, status=status)


def _merge_rows(form: MergePreviewForm) -> list[tuple[str, str, str]]:
    """Label, first record's value, second record's value: the side-by-side table."""
    first, second = form.first, form.second
    rows = [
        ("Name", first.name, second.name),
        ("Company", first.company, second.company),
        ("Owner", display_name(first.owner), display_name(second.owner)),
        ("Notes", first.notes, second.notes),
    ]
    return [(label, a or "—", b or "—") for label, a, b in rows]
