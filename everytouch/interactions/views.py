from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from everytouch import bounds
from everytouch.accounts.access import (
    DESK_ROLES,
    STAFF_ROLES,
    can_manage,
    can_use_desk,
    get_visible_or_404,
    require_role,
)
from everytouch.accounts.listing import Sorting
from everytouch.accounts.web_kit import paginate
from everytouch.customers.actions import (
    ContactConflict,
    CustomerData,
    find_contact,
    log_access,
    log_bulk_access,
    resolve,
)
from everytouch.customers.contacts import InvalidContact, Normalised, format_phone, normalise
from everytouch.customers.models import ContactKind, Customer
from everytouch.customers.search import search_customers
from everytouch.interactions import actions
from everytouch.interactions.forms import DeskForm, TransferForm
from everytouch.interactions.models import Channel, Direction, Interaction, Transfer
from everytouch.staff.directory.routing import decide
from everytouch.staff.models import StaffMember

# How many customers a name or part of a number offers at the desk; the customer list has more.
CANDIDATES = 8
# Typed this many digits, the rep meant a whole number: say why it is not one.
NUMBER_DIGITS = 7
# The customer search matches part of a number from this many digits on.
PARTIAL_DIGITS = 3


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    query = request.GET.get("q", "")[:254]
    context = {
        "q": query,
        "transferred": _transferred_to(user),
        "logged": _just_logged(user, request.GET.get("logged", "")),
        **_lookup_context(user, query, request.GET.get("customer", "")),
    }
    return render(request, "desk/desk.html", context)


def _transferred_to(user: User) -> list[Transfer]:
    """Recent touches handed to this rep, with everything already captured, so they don't re-ask."""
    since = timezone.now() - timedelta(hours=24)
    qs = Transfer.objects.filter(to_user=user, created_at__gte=since)
    return list(qs.select_related("interaction__customer", "from_user").order_by("-created_at")[:5])


def _just_logged(user: User, raw_id: str) -> Interaction | None:
    """The touch this rep just logged, confirmed on the desk they stay on (only their own)."""
    pk = bounds.parse_id(raw_id)
    if pk is None:
        return None
    qs = Interaction.objects.select_related("customer").filter(handled_by=user)
    return qs.filter(pk=pk).first()


@login_required
@require_GET
def desk_lookup(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    query = request.GET.get("q", "")[:254]
    context = _lookup_context(user, query, request.GET.get("customer", ""))
    return render(request, "desk/_pop.html", context)


def _lookup_context(user: User, query: str, picked: str = "") -> dict[str, object]:
    """The screen pop: who this is, the customers a name or part of a number matches, or a
    new-caller form prefilled with what was typed."""
    chosen = _form_customer(picked)
    if chosen is not None:
        log_access(user, chosen, "screen_pop")
        return {"q": query, **_known_caller_context(chosen, user)}
    if not query.strip():
        return {"q": query, "state": "empty"}
    try:
        found = normalise(query)
    except InvalidContact as exc:
        return {"q": query, **_search_context(query, str(exc), user)}
    point = find_contact(found)
    if point is None:
        return {"q": query, **_new_caller_context(_new_caller_initial(found), user)}
    customer = resolve(point.customer)
    log_access(user, customer, "screen_pop")
    return {"q": query, **_known_caller_context(customer, user)}


def _search_context(query: str, error: str, user: User) -> dict[str, object]:
    """Not a full phone or e-mail: the customers it matches by name, company or part of a number."""
    qs = search_customers(query).prefetch_related("contacts").order_by("name", "id")
    matches = list(qs[: CANDIDATES + 1])
    if matches:
        more = len(matches) > CANDIDATES
        return {"state": "candidates", "candidates": matches[:CANDIDATES], "more": more}
    # A nearly-whole phone or e-mail is a typo, whose reason helps; a name is a new caller.
    if "@" in query or sum(c.isdigit() for c in query) >= NUMBER_DIGITS:
        return {"state": "invalid", "error": error}
    if not any(c.isalpha() for c in query):
        return {"state": "invalid", "error": _digits_hint(query)}
    return {**_new_caller_context({"name": query.strip()}, user), "nomatch": True}


def _digits_hint(query: str) -> str:
    if sum(c.isdigit() for c in query) < PARTIAL_DIGITS:
        return f"Type at least {PARTIAL_DIGITS} digits of the caller's number, or their name."
    return f"No number on file contains “{query.strip()}”: type more of it, or all of it."


def _new_caller_context(initial: dict[str, str], user: User) -> dict[str, object]:
    missing = [m for m in actions.missing_details(None) if m not in initial]
    return {
        "state": "new",
        "form": DeskForm(initial=initial),
        "missing": missing,
        "route": decide(None, viewer=user),
        "people": _askable_people(),
    }


def _new_caller_initial(found: Normalised) -> dict[str, str]:
    if found.kind == ContactKind.EMAIL:
        return {"email": found.value}
    return {"phone": format_phone(found.value)}


def _known_caller_context(customer: Customer, user: User) -> dict[str, object]:
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
        "route": decide(customer, viewer=user),
        "people": _askable_people(),
    }


def _askable_people() -> list[StaffMember]:
    """Everyone a caller might ask for, including people who left (the desk says who took over)."""
    return list(StaffMember.objects.select_related("user").order_by("user__first_name"))


@login_required
@require_GET
def desk_ask(request: HttpRequest) -> HttpResponse:
    """The caller asks for someone: where they are, who covers, and where to put the call."""
    user = require_role(request.user, DESK_ROLES)
    customer = _form_customer(request.GET.get("customer_id", ""))
    member_id = bounds.parse_id(request.GET.get("person", ""))
    member = StaffMember.objects.filter(pk=member_id).first() if member_id else None
    decision = decide(customer, asked_for=member.user if member else None, viewer=user)
    context = {"route": decision, "customer": customer, "asked": member}
    return render(request, "desk/_route.html", context)


@login_required
@require_GET
def desk_missing(request: HttpRequest) -> HttpResponse:
    """The live checklist: recomputed from what the form holds right now."""
    require_role(request.user, DESK_ROLES)
    customer = _form_customer(request.GET.get("customer_id", ""))
    return render(request, "desk/_missing.html", {"missing": _still_missing(customer, request.GET)})


def _still_missing(customer: Customer | None, typed: QueryDict) -> list[str]:
    """What the record lacks, less what the form already holds."""
    missing = set(actions.missing_details(customer, typed.get("need", "")))
    for field in ("name", "phone", "email"):
        if typed.get(field, "").strip():
            missing.discard(field)
    return [item for item in actions.CHECKLIST if item in missing]


def _form_customer(raw_id: str) -> Customer | None:
    pk = bounds.parse_id(raw_id)
    if pk is None:
        return None
    customer = Customer.objects.filter(pk=pk).first()
    return resolve(customer) if customer else None


@login_required
@require_POST
def desk_log(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    form = DeskForm(request.POST)
    conflict: ContactConflict | None = None
    if form.is_valid():
        customer = _form_customer(str(form.cleaned_data["customer_id"] or ""))
        try:
            interaction = actions.capture_at_desk(customer, _details(form), _data(form), user)
        except ContactConflict as exc:
            conflict = exc
        except actions.InvalidInteraction as exc:
            form.add_error(None, str(exc))
        else:
            # Back to the desk, the touch confirmed and the lookup empty for the next caller.
            return redirect(f"{reverse('desk')}?logged={interaction.pk}")
    return _desk_log_refused(request, user, form, conflict)


def _desk_log_refused(
    request: HttpRequest, user: User, form: DeskForm, conflict: ContactConflict | None
) -> HttpResponse:
    """The desk again with what was typed kept: the lookup, the form and why it was refused."""
    customer = _form_customer(request.POST.get("customer_id", ""))
    context: dict[str, object] = {
        "q": request.POST.get("q", "")[:254],
        "state": "known" if customer else "new",
        "form": form,
        "people": _askable_people(),
    }
    if customer is not None:
        context.update(_known_caller_context(customer, user), form=form)
    context["missing"] = _still_missing(customer, request.POST)
    if conflict is not None:
        context["conflict"] = _conflict_context(conflict, customer, user)
    return render(request, "desk/desk.html", context, status=400)


def _conflict_context(
    conflict: ContactConflict, customer: Customer | None, user: User
) -> dict[str, object]:
    """Who already has the phone or e-mail, and the way out: open them, or merge the two."""
    value = conflict.value
    shown = value if "@" in value else format_phone(value)
    other = resolve(conflict.customer)
    same = customer is not None and other.pk == customer.pk
    return {
        "value": shown,
        "other": other,
        "customer": customer,
        "can_merge": customer is not None and not same and can_manage(user),
    }


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
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(handled_by=user)
    sort = INTERACTION_SORT.parse(request.GET.get("sort"))
    page = paginate(request, qs.order_by(*sort.order_by()))
    log_bulk_access(user, "list", len(page), "interactions")
    context = {
        "page": page,
        "channel": channel,
        "channels": Channel.choices,
        "mine": mine,
        "sort": sort,
    }
    return render(request, "interactions/list.html", context)


# The list's columns; ``?sort=`` anything else gives the default (newest first).
INTERACTION_SORT = Sorting(
    columns={
        "when": ("started_at", "id"),
        "channel": ("channel", "-started_at", "-id"),
        "customer": ("customer__name", "-started_at", "-id"),
        "handled_by": ("handled_by__first_name", "handled_by__last_name", "-started_at", "-id"),
    },
    default="-when",
    descending_first=frozenset({"when"}),
)


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
