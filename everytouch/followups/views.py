"""Follow-ups in the browser: my day, recording promises, transcript suggestions, cadences,
the private calendar feed and the early-warning dashboard.

Anyone with a role sees their own day and calendar (a trainer can promise a session too);
desk roles record promises; managers edit the cadence plan and see the early warning. Outsiders
get 403 for pages and 404 for single records; the .ics feed needs no login, only its token.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from everytouch import bounds
from everytouch.accounts.access import (
    DESK_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    get_visible_or_404,
    may_act_for,
    require_role,
)
from everytouch.accounts.people import display_name
from everytouch.accounts.redirects import safe_next
from everytouch.customers.actions import log_bulk_access, resolve
from everytouch.customers.models import Customer
from everytouch.followups import actions, ical, warnings
from everytouch.followups.forms import CadenceForm, CommitmentForm, local_input, steps_text
from everytouch.followups.models import CalendarFeed, Commitment
from everytouch.interactions.models import Interaction

# --- my day --------------------------------------------------------------------------------------


@login_required
@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    day = actions.my_day(user, timezone.now())
    log_bulk_access(user, "list", len(day.overdue + day.today + day.upcoming), "promises")
    return render(request, "followups/my_day.html", {"day": day})


@login_required
@require_POST
def commitment_done(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Commitment.objects.select_related("customer")
    commitment = get_visible_or_404(request.user, qs, pk, STAFF_ROLES)
    user = require_role(request.user, STAFF_ROLES)
    if not may_act_for(user, commitment.owner_id):
        # Someone else's promise: as if it did not exist, like other people's messages.
        raise Http404("No such promise.")
    actions.complete_commitment(commitment, user)
    messages.success(request, f"Done: {commitment.what}")
    return redirect(safe_next(request, reverse("my_day")))


# --- recording -----------------------------------------------------------------------------------


def _customer_or_404(raw: str) -> Customer:
    pk = bounds.parse_id(raw)
    if pk is None:
        raise Http404("Pick a customer first.")
    return resolve(get_object_or_404(Customer, pk=pk))


def _interaction(raw: str, customer: Customer) -> Interaction | None:
    pk = bounds.parse_id(raw)
    if pk is None:
        return None
    interaction = get_object_or_404(Interaction, pk=pk)
    if interaction.customer is None or resolve(interaction.customer).pk != customer.pk:
        raise Http404("That interaction is not this customer's.")
    return interaction


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, DESK_ROLES)
    params = request.POST if request.method == "POST" else request.GET
    customer = _customer_or_404(params.get("customer", ""))
    source = _interaction(params.get("interaction", ""), customer)
    if request.method == "GET":
        initial = {"owner": user, "what": request.GET.get("what", "")[: actions.MAX_WHAT]}
        initial["due_at"] = request.GET.get("due", "")
        form = CommitmentForm(initial=initial)
    else:
        form = CommitmentForm(request.POST)
        if form.is_valid():
            return _record(request, form, customer, source, user)
    context = {"form": form, "customer": customer, "interaction": source}
    status = 400 if form.is_bound else 200
    return render(request, "followups/commitment_form.html", context, status=status)


def _record(
    request: HttpRequest,
    form: CommitmentForm,
    customer: Customer,
    source: Interaction | None,
    user: User,
) -> HttpResponse:
    data = form.cleaned_data
    try:
        commitment = actions.record_commitment(
            customer, data["owner"], data["what"], data["due_at"], user, source
        )
    except actions.CommitmentError as exc:
        form.add_error(None, str(exc))
        context = {"form": form, "customer": customer, "interaction": source}
        return render(request, "followups/commitment_form.html", context, status=400)
    messages.success(request, f"Promise recorded for {display_name(commitment.owner)}.")
    if source is not None:
        return redirect("interaction_commitments", pk=source.pk)
    return redirect("customer_detail", pk=customer.pk)


@login_required
@require_GET
def interaction_commitments(request: HttpRequest, pk: int) -> HttpResponse:
    """Promises the analyzer heard in the transcript, each to confirm (or edit) and record."""
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_visible_or_404(request.user, qs, pk, DESK_ROLES)
    suggestions = actions.commitments_from_interaction(interaction)
    rows = [(s, local_input(s.due_at)) for s in suggestions]
    recorded = interaction.commitments.select_related("owner")
    context: dict[str, Any] = {"interaction": interaction, "rows": rows, "recorded": recorded}
    return render(request, "followups/suggestions.html", context)


# --- cadence plans -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cadence_plan(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, MANAGER_ROLES)
    plan = actions.default_plan()
    form = CadenceForm(request.POST or None, initial={"steps": steps_text(plan.steps)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_plan_steps(plan, form.cleaned_data["steps"], user)
        except actions.CommitmentError as exc:
            form.add_error("steps", str(exc))
        else:
            messages.success(request, "Cadence plan saved. It applies to leads won from now on.")
            return redirect("cadence_plan")
    status = 400 if form.is_bound else 200
    return render(request, "followups/cadence.html", {"plan": plan, "form": form}, status=status)


# --- calendar feed -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in {"create", "rotate"}:
            raw = ical.issue_feed(user)
            feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[raw]))
        elif action == "revoke":
            ical.revoke_feed(user)
            messages.success(request, "Calendar link revoked: the old link no longer works.")
            return redirect("calendar_settings")
        else:
            return HttpResponse("Unknown action.", status=400)
    has_feed = CalendarFeed.objects.filter(user=user).exists()
    context = {"feed_url": feed_url, "has_feed": has_feed}
    return render(request, "followups/calendar.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics a calendar app polls: the token is the only credential, so no login."""
    user = ical.feed_user(token)
    if user is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    name = f"Everytouch follow-ups: {display_name(user)}"
    body = ical.calendar_text(ical.feed_commitments(user, now), name, now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="everytouch.ics"'
    # A secret URL: no shared cache may keep it, no search engine may index it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- early warning -------------------------------------------------------------------------------


@login_required
@require_GET
def early_warning(request: HttpRequest) -> HttpResponse:
    require_role(request.user, MANAGER_ROLES)
    reports = warnings.early_warning(timezone.now())
    rules = warnings.rules()
    context = {
        "reports": reports,
        "rules": rules,
        "floors": [(warnings.LABELS[m], rules.floors[m]) for m in warnings.MEASURES],
        "flagged": [r for r in reports if r.flags],
        "summary": warnings.summary(reports, rules),
    }
    return render(request, "followups/early_warning.html", context)
