"""Promotion pages: the list (current and upcoming, or past), and managers' create, edit, delete.

Everyone with a role may read them (reps see the current ones at the desk too); managers and
owners change them. Outsiders get 403 for the list and 404 for a single promotion.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from everytouch.accounts.access import (
    MANAGER_ROLES,
    STAFF_ROLES,
    can_manage,
    get_visible_or_404,
    require_role,
)
from everytouch.accounts.web_kit import paginate
from everytouch.quality import promotions
from everytouch.quality.forms_promotions import PromotionForm, initial_of
from everytouch.quality.models import Promotion

SHOWS = ("current", "past")


@login_required
@require_GET
def promotion_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    show = request.GET.get("show", "current")
    if show not in SHOWS:
        return HttpResponse("show: use current or past.", status=400)
    day = promotions.today()
    page = paginate(request, promotions.listed(show, day))
    context = {"page": page, "show": show, "today": day, "can_edit": can_manage(request.user)}
    return render(request, "quality/promotion_list.html", context)


def _form_page(
    request: HttpRequest, form: PromotionForm, promotion: Promotion | None = None
) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {"form": form, "promotion": promotion}
    return render(request, "quality/promotion_form.html", context, status=status)


def _refuse(form: PromotionForm, exc: promotions.PromotionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@login_required
@require_http_methods(["GET", "POST"])
def promotion_new(request: HttpRequest) -> HttpResponse:
    require_role(request.user, MANAGER_ROLES)
    day = promotions.today()
    # Not ``request.POST or None``: an empty POST is a submitted form, answered with its errors.
    posted = request.POST if request.method == "POST" else None
    form = PromotionForm(posted, initial={"valid_from": day, "valid_to": day})
    if request.method == "POST" and form.is_valid():
        try:
            promotion = promotions.create_promotion(form.data_out())
        except promotions.PromotionError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"Promotion {promotion.name} saved.")
            return redirect("promotion_list")
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def promotion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_visible_or_404(request.user, Promotion.objects.all(), pk, MANAGER_ROLES)
    posted = request.POST if request.method == "POST" else None
    form = PromotionForm(posted, initial=initial_of(promotion))
    if request.method == "POST" and form.is_valid():
        try:
            promotions.update_promotion(promotion, form.data_out())
        except promotions.PromotionError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"Promotion {promotion.name} saved.")
            return redirect("promotion_list")
    return _form_page(request, form, promotion)


@login_required
@require_POST
def promotion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_visible_or_404(request.user, Promotion.objects.all(), pk, MANAGER_ROLES)
    name = promotion.name
    promotions.delete_promotion(promotion)
    messages.success(request, f"Promotion {name} deleted; scorecards already stored keep it.")
    return redirect("promotion_list")
