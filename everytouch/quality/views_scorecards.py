"""Scorecards in the browser: the page, reviews, acknowledgement, disputes, agreement.

Managers, owners and trainers see every scorecard; a rep sees only the scorecards of touches
they handled (another rep's is a 404, as if it did not exist); outsiders see nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from everytouch.accounts.access import (
    DESK_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    get_visible_or_404,
    has_role,
    require_role,
)
from everytouch.accounts.web_kit import paginate
from everytouch.customers.actions import log_access
from everytouch.interactions.models import Interaction
from everytouch.quality import actions, reviews, scorecard_page
from everytouch.quality.forms_scorecards import DisputeForm, ResolveForm, ReviewForm, zero_based
from everytouch.quality.models import CheckStatus, Dispute, Scorecard
from everytouch.quality.reviews import REVIEWER_ROLES, ReviewError, Verdict


def _interaction(request: HttpRequest, pk: int) -> tuple[User, Interaction]:
    qs = Interaction.objects.select_related("customer", "handled_by")
    interaction = get_visible_or_404(request.user, qs, pk, STAFF_ROLES)
    return require_role(request.user, STAFF_ROLES), interaction


def _visible_card(user: User, pk: int) -> Scorecard:
    card = get_object_or_404(Scorecard.objects.select_related("interaction"), pk=pk)
    if not reviews.may_see(user, card) or card.interaction is None:
        raise Http404("No such scorecard.")
    return card


@login_required
@require_GET
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    user, interaction = _interaction(request, pk)
    card = actions.current_scorecard(interaction)
    handler = interaction.handled_by_id
    if card is not None and not reviews.may_see(user, card):
        raise Http404("No such scorecard.")
    if card is None and not (has_role(user, REVIEWER_ROLES) or handler == user.pk):
        raise Http404("No such scorecard.")
    if interaction.customer is not None:
        log_access(user, interaction.customer, "scorecard")
    return render(request, "quality/scorecards/detail.html", _context(user, interaction, card))


def _context(user: User, interaction: Interaction, card: Scorecard | None) -> dict[str, object]:
    outcomes = list(card.outcomes.all()) if card is not None else []
    turns = list(interaction.turns.all())
    return {
        "interaction": interaction,
        "card": card,
        "turns": scorecard_page.transcript(turns, outcomes),
        "checks": scorecard_page.check_rows(card, outcomes) if card is not None else [],
        "promises": scorecard_page.promise_links(card, interaction) if card is not None else [],
        "lead": card.result.get("lead", {}) if card is not None else {},
        "is_reviewer": has_role(user, REVIEWER_ROLES),
        "is_rep": card is not None and card.rep_id == user.pk,
        "can_work": has_role(user, DESK_ROLES),
        "verdicts": CheckStatus.choices,
    }


def _back(card: Scorecard) -> HttpResponse:
    assert card.interaction_id is not None
    return redirect("scorecard", pk=card.interaction_id)


def _refuse(request: HttpRequest, card: Scorecard, reason: str) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    assert card.interaction is not None
    context = _context(user, card.interaction, card) | {"error": reason}
    return render(request, "quality/scorecards/detail.html", context, status=400)


@login_required
@require_POST
def scorecard_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    card = _visible_card(user, pk)
    if not has_role(user, REVIEWER_ROLES):
        raise Http404("No such scorecard.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _refuse(request, card, _first_error(form))
    data = form.cleaned_data
    verdict = Verdict(
        data["check_id"], data["status"], data["comment"], zero_based(data["evidence_turn"])
    )
    try:
        reviews.review_check(card, verdict, user)
    except ReviewError as exc:
        return _refuse(request, card, str(exc))
    messages.success(request, "Review saved.")
    return _back(card)


def _first_error(form: ReviewForm | DisputeForm | ResolveForm) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label or field if field in form.fields else field
        return f"{label}: {errors[0]}"
    return "The form is not valid."


@login_required
@require_POST
def scorecard_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    card = _visible_card(user, pk)
    try:
        actions.acknowledge(card, user)
    except actions.QualityError as exc:
        return _refuse(request, card, str(exc))
    messages.success(request, "Scorecard acknowledged.")
    return _back(card)


@login_required
@require_POST
def scorecard_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    card = _visible_card(user, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return _refuse(request, card, _first_error(form))
    try:
        reviews.dispute_check(
            card, form.cleaned_data["check_id"], form.cleaned_data["reason"], user
        )
    except ReviewError as exc:
        return _refuse(request, card, str(exc))
    messages.success(request, "Dispute sent to your manager.")
    return _back(card)


# --- disputes ------------------------------------------------------------------------------------


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    page = paginate(request, reviews.open_disputes(user).order_by("created_at", "id"))
    context = {"page": page, "can_resolve": has_role(user, MANAGER_ROLES), "form": ResolveForm()}
    return render(request, "quality/scorecards/disputes.html", context)


@login_required
@require_POST
def dispute_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Dispute.objects.select_related("scorecard")
    dispute = get_visible_or_404(request.user, qs, pk, MANAGER_ROLES)
    user = require_role(request.user, MANAGER_ROLES)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("dispute_list")
    data = form.cleaned_data
    verdict = Verdict(
        dispute.check_id, data["status"], data["comment"], zero_based(data["evidence_turn"])
    )
    try:
        reviews.resolve_dispute(dispute, verdict, user)
    except ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("dispute_list")
    messages.success(request, "Dispute resolved.")
    return redirect("dispute_list")


# --- agreement and training examples -------------------------------------------------------------


@login_required
@require_GET
def agreement(request: HttpRequest) -> HttpResponse:
    require_role(request.user, REVIEWER_ROLES)
    return render(request, "quality/scorecards/agreement.html", {"rows": reviews.agreement()})


@login_required
@require_GET
def training_examples(request: HttpRequest, check_id: str) -> StreamingHttpResponse:
    require_role(request.user, REVIEWER_ROLES)
    lines = (line + "\n" for line in reviews.labelled_examples(check_id))
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="{check_id}.labels.jsonl"'
    return response
