"""Departures in the browser: start one, hand everything over, complete it. Managers only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from everytouch.accounts.access import MANAGER_ROLES, get_visible_or_404, require_role
from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import DayField
from everytouch.customers.models import Customer
from everytouch.staff.departures import actions
from everytouch.staff.directory.actions import StaffError
from everytouch.staff.models import Departure, DepartureStatus, Employment, StaffMember

ROWS_SHOWN = 50
PAST_SHOWN = 50
STRATEGY_CHOICES = [
    ("all", "Everything to one person"),
    ("round_robin", "Round robin across the people ticked below"),
    ("by_company", "By company: each company's customers to one of the people ticked below"),
]
UNKNOWN = {"invalid_choice": "no such person (id %(value)s)"}


class PersonField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class PeopleField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class StartForm(forms.Form):
    effective_on = DayField(
        label="Last day (effective date)", widget=forms.DateInput(attrs={"type": "date"})
    )


class HandoverForm(forms.Form):
    strategy = forms.ChoiceField(choices=STRATEGY_CHOICES, initial="all", widget=forms.RadioSelect)
    # Any existing user is accepted here so the action, not the form, says why someone cannot
    # take over (departed, leaving, no role); only eligible people are offered.
    to = PersonField(
        queryset=User.objects.all(),
        required=False,
        label="Hand everything to",
        error_messages=UNKNOWN,
    )
    recipients = PeopleField(
        # Ordered, so round robin deals in the order the list shows on every database.
        queryset=User.objects.order_by("pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Split between",
        error_messages={
            "invalid_choice": UNKNOWN["invalid_choice"],
            "invalid_pk_value": UNKNOWN["invalid_choice"],
        },
    )

    def __init__(self, leaver: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(u.pk, display_name(u)) for u in actions.eligible_recipients(leaver)]
        to, recipients = self.fields["to"], self.fields["recipients"]
        assert isinstance(to, PersonField) and isinstance(recipients, PeopleField)
        to.choices = [("", "—"), *people]
        recipients.choices = people


# --- lookups ------------------------------------------------------------------------------------


def _departure(request: HttpRequest, pk: int) -> Departure:
    qs = Departure.objects.select_related("staff__user", "successor", "opened_by")
    return get_visible_or_404(request.user, qs, pk, MANAGER_ROLES)


def _staying() -> QuerySet[StaffMember]:
    qs = StaffMember.objects.filter(
        employment=Employment.ACTIVE, user__is_active=True, user__profile__isnull=False
    )
    return qs.select_related("user")


def _row_url(row: Model) -> str:
    if isinstance(row, Customer):
        return reverse("customer_detail", args=[row.pk])
    get_url = getattr(row, "get_absolute_url", None)
    return str(get_url()) if callable(get_url) else ""


def _plan_rows(plan: dict[str, actions.PlanPart]) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "count": part.count,
            "rows": [(str(r), _row_url(r)) for r in part.rows],
            "more": max(0, part.count - len(part.rows)),
        }
        for label, part in plan.items()
    ]


def _detail(
    request: HttpRequest,
    departure: Departure,
    form: HandoverForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    leaver = departure.staff.user
    is_open = departure.status == DepartureStatus.OPEN
    plan = actions.handover_plan(departure, ROWS_SHOWN) if is_open else {}
    counts = {label: part.count for label, part in plan.items()}
    context = {
        "departure": departure,
        "leaver": leaver,
        "is_open": is_open,
        "plan": _plan_rows(plan),
        "blocked": actions.still_owned(leaver, counts) if is_open else "",
        "backing_up": departure.staff.backing_up.select_related("user"),
        "form": form or HandoverForm(leaver),
        "error": error,
    }
    return render(request, "staff/departure_detail.html", context, status=status)


# --- views --------------------------------------------------------------------------------------


@login_required
@require_GET
def departure_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, MANAGER_ROLES)
    departures = Departure.objects.select_related("staff__user", "successor")
    context = {
        "open": departures.filter(status=DepartureStatus.OPEN).order_by("effective_on", "pk"),
        "past": departures.exclude(status=DepartureStatus.OPEN)[:PAST_SHOWN],
        "staying": _staying(),
    }
    return render(request, "staff/departure_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def departure_start(request: HttpRequest, member_id: int) -> HttpResponse:
    qs = StaffMember.objects.select_related("user")
    member = get_visible_or_404(request.user, qs, member_id, MANAGER_ROLES)
    actor = require_role(request.user, MANAGER_ROLES)
    pending = member.departures.filter(status=DepartureStatus.OPEN).first()
    if pending is not None:
        return redirect("departure_detail", pk=pending.pk)
    form = StartForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        effective_on: date = form.cleaned_data["effective_on"]
        try:
            departure = actions.open_departure(member, effective_on, actor)
        except StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{member.name} is leaving on {effective_on:%-d %B %Y}.")
            return redirect("departure_detail", pk=departure.pk)
    status = 400 if request.method == "POST" else 200
    context = {"member": member, "form": form}
    return render(request, "staff/departure_start.html", context, status=status)


@login_required
@require_GET
def departure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _departure(request, pk))


@login_required
@require_POST
def departure_handover(request: HttpRequest, pk: int) -> HttpResponse:
    departure = _departure(request, pk)
    actor = require_role(request.user, MANAGER_ROLES)
    form = HandoverForm(departure.staff.user, request.POST)
    if not form.is_valid():
        return _detail(request, departure, form, status=400)
    data = form.cleaned_data
    try:
        moved = actions.hand_over(
            departure,
            to=data["to"],
            strategy=data["strategy"],
            recipients=list(data["recipients"]),
            actor=actor,
        )
    except StaffError as exc:
        return _detail(request, departure, form, error=str(exc), status=400)
    done = actions.count_phrase(moved) or "Nothing was left to move"
    successor = display_name(departure.successor) if departure.successor else "nobody"
    messages.success(request, f"Handed over: {done}. {successor} now looks after their callers.")
    return redirect("departure_detail", pk=departure.pk)


@login_required
@require_POST
def departure_complete(request: HttpRequest, pk: int) -> HttpResponse:
    departure = _departure(request, pk)
    actor = require_role(request.user, MANAGER_ROLES)
    try:
        actions.complete_departure(departure, actor)
    except StaffError as exc:
        return _detail(request, departure, error=str(exc), status=400)
    messages.success(request, f"{departure.staff.name} has departed and can no longer log in.")
    return redirect("departure_detail", pk=departure.pk)


@login_required
@require_POST
def departure_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    departure = _departure(request, pk)
    actor = require_role(request.user, MANAGER_ROLES)
    try:
        actions.cancel_departure(departure, actor)
    except StaffError as exc:
        return _detail(request, departure, error=str(exc), status=400)
    messages.success(request, f"{departure.staff.name} is staying; the departure is cancelled.")
    return redirect("departure_detail", pk=departure.pk)


urlpatterns: list[URLPattern] = [
    path("staff/departures/", departure_list, name="departure_list"),
    path("staff/<int:member_id>/depart/", departure_start, name="departure_start"),
    path("staff/departures/<int:pk>/", departure_detail, name="departure_detail"),
    path("staff/departures/<int:pk>/handover/", departure_handover, name="departure_handover"),
    path("staff/departures/<int:pk>/complete/", departure_complete, name="departure_complete"),
    path("staff/departures/<int:pk>/cancel/", departure_cancel, name="departure_cancel"),
]
