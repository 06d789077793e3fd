"""Call-in test campaigns in the browser: plan them, hand out tester links, record tests and
read the report.

Managers and owners plan; trainers may look. Reps get 403 for the list and 404 for a
campaign: a rep must not learn that they are being tested. The tester page needs no login,
only its private, single-use link.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from everytouch.accounts.access import (
    MANAGER_ROLES,
    can_manage,
    get_visible_or_404,
    require_role,
)
from everytouch.accounts.web_kit import paginate
from everytouch.quality import campaigns
from everytouch.quality.forms_campaigns import CampaignForm, LinkForm, TestForm, initial_for
from everytouch.quality.models import Campaign, TesterLink

TESTS_PER_PAGE = 25


def _posted(request: HttpRequest) -> Any:
    # Bound on every POST, even an empty one, so it is refused (400) rather than shown again.
    return request.POST if request.method == "POST" else None


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(request.user, campaigns.with_people(), pk, campaigns.VIEWERS)


# --- planning ------------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, campaigns.VIEWERS)
    page = paginate(request, campaigns.campaign_list())
    context = {"page": page, "can_manage": can_manage(user)}
    return render(request, "quality/campaigns/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, MANAGER_ROLES)
    form = CampaignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.create_campaign(form.data_for_action(), user)
        except campaigns.CampaignError as exc:
            form.refuse(exc)
        else:
            messages.success(request, f"Campaign created: {campaign.name}")
            return redirect("campaign_detail", pk=campaign.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "campaign": None}
    return render(request, "quality/campaigns/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    require_role(request.user, MANAGER_ROLES)
    form = CampaignForm(_posted(request), initial=initial_for(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.update_campaign(campaign, form.data_for_action())
        except campaigns.CampaignError as exc:
            form.refuse(exc)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaign_detail", pk=campaign.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "quality/campaigns/form.html", context, status=status)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return _detail(request, campaign, LinkForm(), raw_token="")


def _detail(
    request: HttpRequest, campaign: Campaign, link_form: LinkForm, raw_token: str, status: int = 200
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    link_url = reverse("tester_link", args=[raw_token]) if raw_token else ""
    context: dict[str, Any] = {
        "campaign": campaign,
        "page": paginate(request, campaigns.tests_of(campaign), TESTS_PER_PAGE),
        "links": campaign.links.order_by("-created_at", "-id"),
        "link_form": link_form,
        "link_url": request.build_absolute_uri(link_url) if link_url else "",
        "can_manage": can_manage(user),
        "can_record": campaigns.may_record(user, campaign),
        "now": timezone.now(),
    }
    return render(request, "quality/campaigns/detail.html", context, status=status)


@login_required
@require_POST
def campaign_link_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A private link for an outside shopper; the raw link is on this answer and nowhere else."""
    campaign = _campaign(request, pk)
    require_role(request.user, MANAGER_ROLES)
    form = LinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, raw = campaigns.create_link(
                campaign, data["label"], data["expires_on"], timezone.now()
            )
        except campaigns.CampaignError as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            return _detail(request, campaign, LinkForm(), raw_token=raw)
    return _detail(request, campaign, form, raw_token="", status=400)


# --- recording -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_test_new(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = require_role(request.user, campaigns.VIEWERS)
    if not campaigns.may_record(user, campaign):
        raise PermissionDenied("Only this campaign's testers and managers record its tests.")
    form = TestForm(campaign, _posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            test = campaigns.record_test(campaign, form.data_for_action(), tester=user)
        except campaigns.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _recorded_message(test.scorecard))
            return redirect("campaign_detail", pk=campaign.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "campaign": campaign, "public": False}
    return render(request, "quality/campaigns/test_form.html", context, status=status)


def _recorded_message(card: Any) -> str:
    if card is not None and card.reason:
        return f"Test recorded, not scored: {card.reason}"
    return "Test recorded and scored."


@require_http_methods(["GET", "POST"])
def tester_link(request: HttpRequest, token: str) -> HttpResponse:
    """An outside shopper's page: the scenarios and the form, nothing else of the campaign."""
    link = campaigns.link_for(token)
    if link is None:
        return _link_gone(request, "This link is not valid. Check that it was copied whole.", 404)
    refusal = campaigns.link_refusal(link, timezone.now())
    if refusal:
        return _link_gone(request, refusal, 410)
    campaign = campaigns.with_people().get(pk=link.campaign_id)
    form = TestForm(campaign, _posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _record_by_link(request, campaign, link, form)
    status = 400 if form.is_bound else 200
    context = {"form": form, "campaign": campaign, "public": True}
    return _private(render(request, "quality/campaigns/tester.html", context, status=status))


def _record_by_link(
    request: HttpRequest, campaign: Campaign, link: TesterLink, form: TestForm
) -> HttpResponse:
    now = timezone.now()
    try:
        campaigns.record_test(campaign, form.data_for_action(), link=link, now=now)
    except campaigns.CampaignError as exc:
        link.refresh_from_db()
        if campaigns.link_refusal(link, now):
            return _link_gone(request, str(exc), 410)
        form.add_error(None, str(exc))
        context = {"form": form, "campaign": campaign, "public": True}
        return _private(render(request, "quality/campaigns/tester.html", context, status=400))
    return _private(render(request, "quality/campaigns/tester_done.html"))


def _private(response: HttpResponse) -> HttpResponse:
    # A secret URL: no shared cache may keep it, no search engine may index it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_gone(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    context = {"reason": reason}
    return _private(render(request, "quality/campaigns/link_gone.html", context, status=status))


# --- the report ----------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    report = campaigns.campaign_report(campaign)
    return render(request, "quality/campaigns/report.html", {"report": report})
