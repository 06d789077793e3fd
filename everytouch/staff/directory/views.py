"""The directory: who is in, busy or away and until when, who covers for whom."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from everytouch.accounts.access import (
    MANAGER_ROLES,
    STAFF_ROLES,
    can_manage,
    get_visible_or_404,
    may_act_for,
    require_role,
)
from everytouch.accounts.web_kit import paginate
from everytouch.staff.directory import actions
from everytouch.staff.directory.availability import availability, away_message, with_current_absence
from everytouch.staff.directory.forms import AbsenceForm, DetailsForm, StatusForm, split_tags
from everytouch.staff.models import Employment, StaffMember, Status


def _members(query: str, show_departed: bool) -> QuerySet[StaffMember]:
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    if not show_departed:
        qs = qs.exclude(employment=Employment.DEPARTED)
    if query:
        words = Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query)
        words |= Q(user__username__icontains=query) | Q(title__icontains=query)
        words |= Q(team__name__icontains=query) | Q(skills__icontains=query.lower())
        qs = qs.filter(words)
    return qs


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    query = request.GET.get("q", "").strip()[:100]
    now = timezone.now()
    members = with_current_absence(_members(query, request.GET.get("departed") == "1"), now)
    page = paginate(request, members, 50)
    rows = [(m, availability(m, now)) for m in page.object_list]
    context = {"page": page, "rows": rows, "q": query}
    return render(request, "staff/directory.html", context)


def _member(request: HttpRequest, pk: int) -> StaffMember:
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    return get_visible_or_404(request.user, qs, pk, STAFF_ROLES)


def _member_context(member: StaffMember, user: User) -> dict[str, object]:
    now = timezone.now()
    return {
        "member": member,
        "avail": availability(member, now),
        "away": away_message(member, now),
        "absences": member.absences.filter(ends_at__gt=now).select_related("backup__user"),
        "covering_for": member.backing_up.select_related("user"),
        "can_edit": may_act_for(user, member.user_id),
        "can_manage": can_manage(user),
    }


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    user = require_role(request.user, STAFF_ROLES)
    context = _member_context(member, user)
    context.update(
        status_form=StatusForm(
            member,
            initial={
                "status": member.status,
                "until": member.status_until,
                "reason": member.status_reason,
                "backup": member.backup,
            },
        ),
        absence_form=AbsenceForm(member),
        details_form=DetailsForm(initial=_details_initial(member)),
    )
    return render(request, "staff/member.html", context)


def _details_initial(member: StaffMember) -> dict[str, object]:
    return {
        "title": member.title,
        "team": member.team,
        "extension": member.extension,
        "skills": ", ".join(member.skills),
        "languages": ", ".join(member.languages),
        "start_date": member.start_date,
        "work_start": member.work_start,
        "work_end": member.work_end,
        "time_zone": member.time_zone,
    }


def _rerender(
    request: HttpRequest, member: StaffMember, user: User, **forms: object
) -> HttpResponse:
    context = _member_context(member, user)
    context.update(
        status_form=StatusForm(member),
        absence_form=AbsenceForm(member),
        details_form=DetailsForm(initial=_details_initial(member)),
    )
    context.update(forms)
    return render(request, "staff/member.html", context, status=400)


def _editable(request: HttpRequest, pk: int) -> tuple[StaffMember, User]:
    member = _member(request, pk)
    user = require_role(request.user, STAFF_ROLES)
    if not may_act_for(user, member.user_id):
        raise PermissionDenied("Only the person themselves or a manager can change this.")
    return member, user


@login_required
@require_POST
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member, user = _editable(request, pk)
    form = StatusForm(member, request.POST)
    if form.is_valid():
        try:
            _save_status(member, form)
        except actions.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Availability updated.")
            return redirect("staff_member", pk=member.pk)
    return _rerender(request, member, user, status_form=form)


@transaction.atomic
def _save_status(member: StaffMember, form: StatusForm) -> None:
    data = form.cleaned_data
    actions.set_backup(member, data["backup"])
    actions.set_status(member, Status(data["status"]), data["until"], data["reason"])


@login_required
@require_POST
def member_absence(request: HttpRequest, pk: int) -> HttpResponse:
    member, user = _editable(request, pk)
    form = AbsenceForm(member, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.schedule_absence(
                member, data["starts_at"], data["ends_at"], data["reason"], data["backup"]
            )
        except actions.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Absence booked.")
            return redirect("staff_member", pk=member.pk)
    return _rerender(request, member, user, absence_form=form)


@login_required
@require_POST
def absence_cancel(request: HttpRequest, pk: int, absence_id: int) -> HttpResponse:
    member, _ = _editable(request, pk)
    absence = get_object_or_404(member.absences, pk=absence_id)
    actions.cancel_absence(absence)
    messages.success(request, "Absence cancelled.")
    return redirect("staff_member", pk=member.pk)


@login_required
@require_POST
def member_details(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    user = require_role(request.user, MANAGER_ROLES)
    form = DetailsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        details = actions.StaffDetails(
            title=data["title"],
            team=data["team"],
            extension=data["extension"],
            skills=split_tags(data["skills"]),
            languages=split_tags(data["languages"]),
            start_date=data["start_date"],
        )
        actions.update_details(member, details)
        actions.set_working_hours(
            member, data["work_start"], data["work_end"], member.work_days, data["time_zone"]
        )
        messages.success(request, "Details saved.")
        return redirect("staff_member", pk=member.pk)
    return _rerender(request, member, user, details_form=form)


urlpatterns: list[URLPattern] = [
    path("staff/", directory, name="staff_directory"),
    path("staff/<int:pk>/", member_detail, name="staff_member"),
    path("staff/<int:pk>/status/", member_status, name="staff_status"),
    path("staff/<int:pk>/absences/", member_absence, name="staff_absence"),
    path(
        "staff/<int:pk>/absences/<int:absence_id>/cancel/",
        absence_cancel,
        name="staff_absence_cancel",
    ),
    path("staff/<int:pk>/details/", member_details, name="staff_details"),
]
