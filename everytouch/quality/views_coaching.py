"""The coaching queue in the browser.

Managers, owners and trainers see every active rep's queue and coach any rep; a rep sees only
their own queue and sessions, read-only. Another rep's page is a 404, as if it did not exist:
coaching notes are private to the rep and those who coach.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from everytouch.accounts.access import STAFF_ROLES, get_visible_or_404, has_role, require_role
from everytouch.accounts.people import display_name
from everytouch.accounts.web_kit import paginate
from everytouch.quality import coaching
from everytouch.quality.actions import QualityError
from everytouch.quality.forms_coaching import SessionForm, WindowForm, local_now


def _window(request: HttpRequest) -> WindowForm:
    return WindowForm(request.GET)


def _reps_for(user: User) -> QuerySet[User]:
    if has_role(user, coaching.COACH_ROLES):
        return coaching.active_reps()
    return coaching.active_reps().filter(pk=user.pk)


def _rep_or_404(request: HttpRequest, rep_id: int) -> User:
    """The rep this page is about, if the viewer may see their coaching; 404 otherwise."""
    rep = get_visible_or_404(request.user, coaching.coachable(), rep_id, STAFF_ROLES)
    if rep.pk != request.user.pk and not has_role(request.user, coaching.COACH_ROLES):
        raise Http404("No such rep.")
    return rep


def _bad_window(
    request: HttpRequest, template: str, window: WindowForm, **extra: Any
) -> HttpResponse:
    # The page repeats what was typed beside the reason it cannot be used.
    days = request.GET.get("days", "")[:10]
    context = {"window": window, "days": days, "min_results": coaching.MIN_RESULTS, **extra}
    return render(request, template, context, status=400)


@login_required
@require_GET
def coaching_queue(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    window = _window(request)
    if not window.is_valid():
        return _bad_window(request, "quality/coaching/queue.html", window)
    page: Page[User] = paginate(request, _reps_for(user))
    context = {
        "window": window,
        "days": window.window(),
        "page": page,
        "queues": coaching.queues(list(page.object_list), window.window()),
        "min_results": coaching.MIN_RESULTS,
        "can_coach": has_role(user, coaching.COACH_ROLES),
    }
    return render(request, "quality/coaching/queue.html", context)


def _rep_page(
    request: HttpRequest, rep: User, form: SessionForm | None = None, status: int = 200
) -> HttpResponse:
    window = _window(request)
    if not window.is_valid():
        return _bad_window(request, "quality/coaching/rep.html", window, rep=rep)
    can_coach = has_role(request.user, coaching.COACH_ROLES)
    checks = coaching.checks_seen(rep)
    if can_coach and form is None:
        form = SessionForm(checks=checks, initial={"held_at": local_now()})
    sessions: Page[Any] = paginate(request, coaching.sessions_of(rep))
    context = {
        "rep": rep,
        "window": window,
        "days": window.window(),
        "queue": coaching.queues([rep], window.window())[0],
        "min_results": coaching.MIN_RESULTS,
        "compare_days": coaching.COMPARE_DAYS,
        "page": sessions,
        "effects": _labelled(coaching.effects(rep, list(sessions.object_list)), dict(checks)),
        "can_coach": can_coach,
        "form": form if can_coach else None,
    }
    return render(request, "quality/coaching/rep.html", context, status=status)


def _labelled(
    effects: list[coaching.SessionEffect], titles: dict[str, str]
) -> list[tuple[coaching.SessionEffect, list[str]]]:
    """Each session with its covered checks named as the queue names them."""
    return [(e, [titles.get(c, c) for c in e.session.check_ids]) for e in effects]


@login_required
@require_GET
def coaching_rep(request: HttpRequest, rep_id: int) -> HttpResponse:
    return _rep_page(request, _rep_or_404(request, rep_id))


@login_required
@require_POST
def coaching_new(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = _rep_or_404(request, rep_id)
    coach = require_role(request.user, coaching.COACH_ROLES)
    form = SessionForm(request.POST, checks=coaching.checks_seen(rep))
    if not form.is_valid():
        return _rep_page(request, rep, form, status=400)
    data = form.cleaned_data
    try:
        coaching.record_session(rep, coach, data["check_ids"], data["notes"], data["held_at"])
    except QualityError as exc:
        form.add_error(None, str(exc))
        return _rep_page(request, rep, form, status=400)
    messages.success(request, f"Coaching session with {display_name(rep)} recorded.")
    return redirect("coaching_rep", rep_id=rep.pk)
