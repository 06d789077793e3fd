"""The quality dashboards: pass rates by check, rep, team and week, and the touches behind them.

Managers, owners and trainers see everyone (trainers coach from these figures); a rep sees
only their own, whatever the link asks for. Outsiders get 403. Every page only reads.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from everytouch.accounts.access import STAFF_ROLES, has_role, require_role
from everytouch.accounts.web_kit import PAGE_SIZE, DayField, OwnerChoiceField
from everytouch.interactions.models import Channel
from everytouch.quality import actions, dashboards
from everytouch.quality.dashboards import Filters
from everytouch.quality.models import Scorecard
from everytouch.quality.rollup import CONTACT_CHECK, captured
from everytouch.staff.models import Team

SEES_EVERYONE = actions.SEES_EVERY_REP


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    since = DayField(required=False, label="From", widget=DATE)
    until = DayField(required=False, label="To", widget=DATE)
    team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False)
    rep = OwnerChoiceField(User.objects.none(), required=False)
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    week = DayField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(profile__role__in=STAFF_ROLES)
        self.fields["rep"].queryset = staff.order_by("first_name", "username")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data


def _filters(data: dict[str, Any], viewer: User) -> Filters:
    default_since, default_until = dashboards.default_period(timezone.localdate())
    since, until = data.get("since") or default_since, data.get("until") or default_until
    if data.get("week"):
        since = until = data["week"]
    team, rep = data.get("team"), data.get("rep")
    f = Filters(since, until, team.pk if team else None, rep.pk if rep else None, data["channel"])
    # A rep's own figures only, whatever the form or a link asked for.
    return f if has_role(viewer, SEES_EVERYONE) else replace(f, rep_id=viewer.pk)


def _form_and_filters(request: HttpRequest) -> tuple[FilterForm, Filters | None]:
    viewer = require_role(request.user, STAFF_ROLES)
    form = FilterForm(request.GET)
    return form, (_filters(form.cleaned_data, viewer) if form.is_valid() else None)


def _page(
    request: HttpRequest, template: str, form: FilterForm, status: int = 200, **extra: Any
) -> HttpResponse:
    sees_everyone = has_role(request.user, SEES_EVERYONE)
    context = {"form": form, "sees_everyone": sees_everyone, "bad": status == 400, **extra}
    return render(request, template, context, status=status)


@login_required
@require_GET
def quality_dashboard(request: HttpRequest) -> HttpResponse:
    form, f = _form_and_filters(request)
    if f is None:
        return _page(request, "quality/dashboards/dashboard.html", form, 400)
    return _page(
        request,
        "quality/dashboards/dashboard.html",
        form,
        board=dashboards.board(f),
        query=f.query(),
        query_string=urlencode(f.query()),
        contact_check=CONTACT_CHECK,
        min_applicable=dashboards.MIN_APPLICABLE,
    )


class Counted:
    """A queryset whose length the rollup already knows, so paging does not count it again."""

    def __init__(self, items: Any, count: int) -> None:
        self.items, self._count = items, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.items[index]


def _counted_page(request: HttpRequest, cards: Any, count: int) -> Page[Scorecard]:
    """The asked-for page of ``cards``, whose length the rollup gave as ``count``."""
    counted: Any = Counted(cards, count)
    return Paginator(counted, PAGE_SIZE).get_page(request.GET.get("page"))


def _check_params(request: HttpRequest) -> tuple[str, str, str]:
    """The check and status asked for, or an error message."""
    check, status = request.GET.get("check", "").strip(), request.GET.get("status", "")
    if not check or len(check) > 64:
        return check, status, "Name a check (?check=asked_phone)."
    if status not in ("", *dashboards.STATUSES):
        return check, status, "Status must be pass or fail."
    return check, status, ""


def _status_of(card: Scorecard, check: str) -> str:
    if check == CONTACT_CHECK:
        return "captured" if captured(card.result) else "not captured"
    found = card.result.get("checks", {}).get(check, {})
    return str(found.get("status", ""))


@login_required
@require_GET
def quality_conversations(request: HttpRequest) -> HttpResponse:
    template = "quality/dashboards/conversations.html"
    form, f = _form_and_filters(request)
    check, status, error = _check_params(request)
    if f is None or error:
        return _page(request, template, form, 400, error=error)
    cards = dashboards.conversations(f, check, status)
    page = _counted_page(request, cards, dashboards.rate_of(f, check, status))
    return _page(
        request,
        template,
        form,
        page=page,
        rows=[(card, _status_of(card, check)) for card in page],
        title=_title(check),
        status_asked=status,
        filters=f,
        keep={**f.query(), "check": check, "status": status},
    )


def _title(check: str) -> str:
    if check == CONTACT_CHECK:
        return "Contact details captured on buying calls"
    return dashboards.check_titles().get(check, check)


@login_required
@require_GET
def quality_not_scored(request: HttpRequest) -> HttpResponse:
    template = "quality/dashboards/not_scored.html"
    form, f = _form_and_filters(request)
    if f is None:
        return _page(request, template, form, 400)
    page = _counted_page(request, dashboards.not_scored(f), dashboards.not_scored_count(f))
    return _page(request, template, form, page=page, filters=f, keep=f.query())
