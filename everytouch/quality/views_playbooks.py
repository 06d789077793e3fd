"""Playbook pages: the list, one playbook with its versions, the editor, activation, re-scoring.

Everyone with a role may read the playbooks (a rep should know what they are scored on);
managers and owners create, edit, activate and re-score. Outsiders get 403 for pages and 404
for single playbooks, versions and re-score runs, like every other record.
"""

from __future__ import annotations

from typing import Any

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
from everytouch.quality import actions
from everytouch.quality import playbooks as books
from everytouch.quality.forms_playbooks import NewPlaybookForm, RescoreForm, TeamForm, VersionForm
from everytouch.quality.models import Playbook, PlaybookVersion, RescoreRun
from everytouch.quality.promotions import today

VERSIONS_PER_PAGE = 20


def _refused(form: Any, exc: books.PlaybookEditError) -> list[tuple[int, str, bool]]:
    """Put the refusal on its field; the numbered text with the faulty line, if one is named."""
    where = f"line {exc.line}: " if exc.line else ""
    form.add_error(exc.field if exc.field in form.fields else None, f"{where}{exc}")
    text = form.data.get("text", "") if exc.line else ""
    return books.numbered(text, exc.line) if text else []


# --- the list and a new playbook -----------------------------------------------------------------


@login_required
@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    # A fresh install has no stored default until the first touch is scored; show it anyway.
    actions.ensure_default_playbook()
    page = paginate(request, books.playbooks())
    context = {"page": page, "can_edit": can_manage(request.user)}
    return render(request, "quality/playbook_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def playbook_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, MANAGER_ROLES)
    teams = books.free_teams()
    if request.method == "GET":
        form = NewPlaybookForm(teams=teams, initial={"text": books.starting_text()})
        return render(request, "quality/playbook_new.html", {"form": form})
    form = NewPlaybookForm(request.POST, teams=teams)
    listing: list[tuple[int, str, bool]] = []
    if form.is_valid():
        data = form.cleaned_data
        new = books.NewPlaybook(
            data["name"], data["team"], data["text"], data["note"], data["activate"]
        )
        try:
            playbook = books.create_playbook(new, user)
        except books.PlaybookEditError as exc:
            listing = _refused(form, exc)
        else:
            messages.success(request, f"Playbook {playbook.name} saved as version 1.")
            return redirect("playbook_detail", pk=playbook.pk)
    context = {"form": form, "listing": listing}
    return render(request, "quality/playbook_new.html", context, status=400)


# --- one playbook --------------------------------------------------------------------------------


def _playbook(request: HttpRequest, pk: int, roles: Any = STAFF_ROLES) -> Playbook:
    qs = Playbook.objects.select_related("team", "active_version")
    return get_visible_or_404(request.user, qs, pk, roles)


def _detail(
    request: HttpRequest, playbook: Playbook, status: int = 200, **forms: Any
) -> HttpResponse:
    manager = can_manage(request.user)
    versions = paginate(request, books.versions_of(playbook), VERSIONS_PER_PAGE)
    context = {
        "playbook": playbook,
        "versions": versions,
        "rows": [(v, books.ScorecardCount(v.scorecard_count)) for v in versions],  # type: ignore[attr-defined]
        "can_edit": manager,
        "team_form": forms.get("team_form")
        or TeamForm(teams=books.free_teams(playbook), initial={"team": playbook.team_id}),
        "rescore_form": forms.get("rescore_form") or RescoreForm(initial={"since": today()}),
        "rescores": books.recent_rescores(playbook) if manager else [],
    }
    return render(request, "quality/playbook_detail.html", context, status=status)


@login_required
@require_GET
def playbook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _playbook(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = _playbook(request, pk, MANAGER_ROLES)
    user = require_role(request.user, MANAGER_ROLES)
    if request.method == "GET":
        latest = playbook.active_version or playbook.versions.order_by("-number").first()
        form = VersionForm(initial={"text": latest.text if latest else books.starting_text()})
        return render(request, "quality/playbook_edit.html", {"playbook": playbook, "form": form})
    form = VersionForm(request.POST)
    listing: list[tuple[int, str, bool]] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = books.save_text(playbook, data["text"], user, data["note"], data["activate"])
        except books.PlaybookEditError as exc:
            listing = _refused(form, exc)
        else:
            messages.success(request, _saved(version, data["activate"]))
            return redirect("playbook_detail", pk=playbook.pk)
    context = {"playbook": playbook, "form": form, "listing": listing}
    return render(request, "quality/playbook_edit.html", context, status=400)


def _saved(version: PlaybookVersion, active: bool) -> str:
    if active:
        return f"Version {version.number} saved; new touches are scored with it."
    return f"Version {version.number} saved. It is not active until you activate it."


@login_required
@require_POST
def playbook_team(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = _playbook(request, pk, MANAGER_ROLES)
    form = TeamForm(request.POST, teams=books.free_teams(playbook))
    if form.is_valid():
        try:
            books.set_team(playbook, form.cleaned_data["team"])
        except books.PlaybookEditError as exc:
            form.add_error("team", str(exc))
        else:
            messages.success(request, "Team saved.")
            return redirect("playbook_detail", pk=playbook.pk)
    return _detail(request, playbook, 400, team_form=form)


# --- versions ------------------------------------------------------------------------------------


def _version(request: HttpRequest, pk: int, roles: Any = STAFF_ROLES) -> PlaybookVersion:
    qs = PlaybookVersion.objects.select_related("playbook__active_version", "created_by")
    return get_visible_or_404(request.user, qs, pk, roles)


def _version_page(
    request: HttpRequest, version: PlaybookVersion, error: str = "", status: int = 200
) -> HttpResponse:
    before = books.previous_version(version)
    context = {
        "version": version,
        "playbook": version.playbook,
        "lines": books.numbered(version.text),
        "before": before,
        "changes": books.changes(before, version),
        "scorecards": books.version_scorecards(version),
        "can_edit": can_manage(request.user),
        "error": error,
    }
    return render(request, "quality/playbook_version.html", context, status=status)


@login_required
@require_GET
def playbook_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, _version(request, pk))


@login_required
@require_POST
def playbook_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, MANAGER_ROLES)
    try:
        books.activate_version(version)
    except books.PlaybookEditError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        return _version_page(request, version, f"Not activated: {where}{exc}", 400)
    messages.success(request, f"Version {version.number} is active for new touches.")
    return redirect("playbook_detail", pk=version.playbook_id)


# --- re-scoring ----------------------------------------------------------------------------------


@login_required
@require_POST
def playbook_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = _playbook(request, pk, MANAGER_ROLES)
    user = require_role(request.user, MANAGER_ROLES)
    form = RescoreForm(request.POST)
    if form.is_valid():
        try:
            run = books.start_rescore(playbook, form.cleaned_data["since"], user)
        except books.PlaybookEditError as exc:
            form.add_error("since", str(exc))
        else:
            return redirect("rescore_detail", pk=run.pk)
    return _detail(request, playbook, 400, rescore_form=form)


@login_required
@require_GET
def rescore_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = RescoreRun.objects.select_related("playbook", "started_by")
    run = get_visible_or_404(request.user, qs, pk, MANAGER_ROLES)
    # htmx polls the progress bar alone until the run has finished.
    template = "quality/_rescore_progress.html" if request.htmx else "quality/rescore.html"  # type: ignore[attr-defined]
    return render(request, template, {"run": run})
