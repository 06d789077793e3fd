from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from everytouch.accounts.access import (
    DESK_ROLES,
    STAFF_ROLES,
    can_use_desk,
    get_visible_or_404,
    require_role,
)
from everytouch.accounts.web_kit import paginate
from everytouch.customers.actions import (
    ContactConflict,
    CustomerData,
    find_contact,
    log_access,
    resolve,
)
from everytouch.customers.contacts import InvalidContact, Normalised, format_phone, normalise
from everytouch.customers.models import ContactKind, Customer
from everytouch.interactions import actions
from everytouch.interactions.forms import DeskForm, TransferForm
from everytouch.interactions.models import Channel, Direction, Interaction, Transfer
from everytouch.staff.directory.routing import decide
from everytouch.staff.models import StaffMember


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    query = request.GET.get("q", "")[:254]
    context = {"q": query, "transferred": _transferred_to(user), **_lookup_context(user, query)}
    return render(request, "desk/desk.html", context)


def _transferred_to(user: User) -> list[Transfer]:
    """Recent touches handed to this rep, with everything already captured, so they don't re-ask."""
    since = timezone.now() - timedelta(hours=24)
    qs = Transfer.objects.filter(to_user=user, created_at__gte=since)
    return list(qs.select_related("interaction__customer", "from_user").order_by("-created_at")[:5])


@login_required
@require_GET
def desk_lookup(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    query = request.GET.get("q", "")[:254]
    return render(request, "desk/_pop.html", _lookup_context(user, query))


def _lookup_context(user: User, query: str) -> dict[str, object]:
    """The screen pop: who this is (or a new-caller form prefilled with what was typed)."""
    if not query.strip():
        return {"state": "empty"}
    try:
        found = normalise(query)
    except InvalidContact as exc:
        return {"state": "invalid", "error": str(exc)}
    point = find_contact(found)
    if point is None:
        initial = _new_caller_initial(found)
        missing = [m for m in actions.missing_details(None) if m not in initial]
        form = DeskForm(initial=initial)
        return {"state": "new", "form": form, "missing": missing, "people": _askable_people()}
    customer = resolve(point.customer)
    log_access(user, customer, "screen_pop")
    return _known_caller_context(customer)


def _new_caller_initial(found: Normalised) -> dict[str, str]:
    if found.kind == ContactKind.EMAIL:
        return {"email": found.value}
    return {"phone": format_phone(found.value)}


def _known_caller_context(customer: Customer) -> dict[str, object]:
    form = DeskForm(initial={"customer_id": customer.pk, "name": customer.name})
    contacts = list(customer.contacts.all())
    return {
        "state": "known",
        "customer": customer,
        "form": form,
        "phones": [format_phone(c.value) for c in contacts if c.kind == ContactKind.PHONE],
        "emails": [c.value for c in contacts if c.kind == ContactKind.EMAIL],
        "recent": customer.interactions.select_related("handled_by")[:5],
        "missing": actions.missing_details(customer),
        "route": decide(customer),
        "people": _askable_people(),
    }


def _askable_people() -> list[StaffMember]:
    """Everyone a caller might ask for, including people who left (the desk says who took over)."""
    return list(StaffMember.objects.select_related("user").order_by("user__first_name"))


@login_required
@require_GET
def desk_ask(request: HttpRequest) -> HttpResponse:
    """The caller asks for someone: where they are, who covers, and where to put the call."""
    require_role(request.user, DESK_ROLES)
    customer = _form_customer(request.GET.get("customer_id", ""))
    member_id = request.GET.get("person", "")
    member = StaffMember.objects.filter(pk=int(member_id)).first() if member_id.isdigit() else None
    decision = decide(customer, asked_for=member.user if member else None)
    context = {"route": decision, "customer": customer, "asked": member}
    return render(request, "desk/_route.html", context)


@login_required
@require_GET
def desk_missing(request: HttpRequest) -> HttpResponse:
    """The live checklist: recomputed from what the form holds right now."""
    require_role(request.user, DESK_ROLES)
    customer = _form_customer(request.GET.get("customer_id", ""))
    missing = set(actions.missing_details(customer, request.GET.get("need", "")))
    for field in ("name", "phone", "email"):
        if request.GET.get(field, "").strip():
            missing.discard(field)
    ordered = [item for item in actions.CHECKLIST if item in missing]
    return render(request, "desk/_missing.html", {"missing": ordered})


def _form_customer(raw_id: str) -> Customer | None:
    if not raw_id.isdigit():
        return None
    customer = Customer.objects.filter(pk=int(raw_id)).first()
    return resolve(customer) if customer else None


@login_required
@require_POST
def desk_log(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    form = DeskForm(request.POST)
    if form.is_valid():
        customer = _form_customer(str(form.cleaned_data["customer_id"] or ""))
        try:
            interaction = actions.capture_at_desk(customer, _details(form), _data(form), user)
        except (ContactConflict, actions.InvalidInteraction) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Logged.")
            assert interaction.customer_id is not None
            return redirect("customer_detail", pk=interaction.customer_id)
    customer = _form_customer(request.POST.get("customer_id", ""))
    context: dict[str, object] = {
        "q": "",
        "state": "known" if customer else "new",
        "form": form,
        "people": _askable_people(),
    }
    if customer is not None:
        context.update(_known_caller_context(customer), form=form)
    context["missing"] = actions.missing_details(customer, request.POST.get("need", ""))
    return render(request, "desk/desk.html", context, status=400)


def _details(form: DeskForm) -> CustomerData:
    data = form.cleaned_data
    return CustomerData(
        name=data["name"], company=data["company"], contacts=[data["phone"], data["email"]]
    )


def _data(form: DeskForm) -> actions.InteractionData:
    data = form.cleaned_data
    return actions.InteractionData(
        channel=Channel(data["channel"]),
        direction=Direction(data["direction"]),
        need=data["need"],
        summary=data["summary"],
    )


@login_required
@require_GET
def interaction_list(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    qs = Interaction.objects.select_related("customer", "handled_by")
    channel = request.GET.get("channel", "")
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    if request.GET.get("mine") == "1":
        qs = qs.filter(handled_by=user)
    page = paginate(request, qs)
    context = {"page": page, "channel": channel, "channels": Channel.choices}
    return render(request, "interactions/list.html", context)


@login_required
@require_GET
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_visible_or_404(request.user, qs, pk, STAFF_ROLES)
    if interaction.customer is not None:
        log_access(require_role(request.user, STAFF_ROLES), interaction.customer, "interaction")
    context = {
        "interaction": interaction,
        "turns": interaction.turns.all(),
        "transfers": interaction.transfers.select_related("from_user", "to_user"),
        "transfer_form": TransferForm(exclude=interaction.handled_by),
        "can_work": can_use_desk(request.user),
    }
    return render(request, "interactions/detail.html", context)


@login_required
@require_POST
def interaction_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_visible_or_404(request.user, qs, pk, DESK_ROLES)
    user = require_role(request.user, DESK_ROLES)
    form = TransferForm(request.POST, exclude=interaction.handled_by)
    if form.is_valid():
        try:
            actions.transfer(
                interaction, form.cleaned_data["to_user"], form.cleaned_data["reason"], user
            )
        except actions.InvalidInteraction as exc:
            messages.error(request, str(exc))
            return redirect("interaction_detail", pk=pk)
        messages.success(request, "Transferred. Everything captured goes with the customer.")
        return redirect("interaction_detail", pk=pk)
    context = {
        "interaction": interaction,
        "turns": interaction.turns.all(),
        "transfers": interaction.transfers.select_related("from_user", "to_user"),
        "transfer_form": form,
        "can_work": True,
    }
    return render(request, "interactions/detail.html", context, status=400)
