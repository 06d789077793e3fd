"""Directory and availability changes. Departures live in ../departures, messages in ../messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.business_time import written_moment
from everytouch.redaction import redacted
from everytouch.staff.models import Absence, Employment, StaffMember, Status, Team


class StaffError(ValueError):
    """A directory or availability change that cannot be made; the message says why."""


def ensure_staff(user: User) -> StaffMember:
    """Everyone with a login has a directory entry; it is created on first need."""
    member, _ = StaffMember.objects.get_or_create(user=user)
    return member


def ensure_directory() -> int:
    """Give everyone with a role a directory entry; how many were missing.

    Entries are made when a role is given (``accounts.hooks.role_given``); this sweep catches
    people given a role some other way (a raw insert, an old database), so read paths never
    have to create rows.
    """
    missing = User.objects.filter(is_active=True, profile__isnull=False, staff__isnull=True)
    made = StaffMember.objects.bulk_create(redacted(StaffMember(user=u) for u in missing))
    return len(made)


def _tags(values: list[str]) -> list[str]:
    return sorted({v.strip().lower() for v in values if v.strip()})


@dataclass
class StaffDetails:
    title: str = ""
    team: Team | None = None
    extension: str = ""
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    start_date: date | None = None


@transaction.atomic
def update_details(member: StaffMember, details: StaffDetails) -> StaffMember:
    member.title = details.title.strip()
    member.team = details.team
    member.extension = details.extension.strip()
    member.skills = _tags(details.skills)
    member.languages = _tags(details.languages)
    member.start_date = details.start_date
    member.save(update_fields=["title", "team", "extension", "skills", "languages", "start_date"])
    return member


def _check_backup(member: StaffMember, backup: StaffMember | None) -> None:
    if backup is None:
        return
    if backup.pk == member.pk:
        raise StaffError("someone cannot be their own backup")
    if backup.employment != Employment.ACTIVE or not backup.user.is_active:
        raise StaffError(f"{backup.name} is not an active member of staff")


@transaction.atomic
def set_backup(member: StaffMember, backup: StaffMember | None) -> StaffMember:
    _check_backup(member, backup)
    member.backup = backup
    member.save(update_fields=["backup"])
    return member


@transaction.atomic
def set_status(
    member: StaffMember, status: Status, until: datetime | None = None, reason: str = ""
) -> StaffMember:
    if until is not None and until <= timezone.now():
        raise StaffError("the 'until' time is in the past")
    if status == Status.AVAILABLE:
        until, reason = None, ""
    member.status, member.status_until, member.status_reason = status, until, reason.strip()
    member.save(update_fields=["status", "status_until", "status_reason"])
    return member


@transaction.atomic
def schedule_absence(
    member: StaffMember,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    backup: StaffMember | None = None,
) -> Absence:
    """Book an out-of-office period; overlapping periods are refused, not merged silently."""
    if ends_at <= starts_at:
        raise StaffError("an absence must end after it starts")
    if ends_at <= timezone.now():
        raise StaffError("that absence is already over")
    _check_backup(member, backup)
    # Lock the person's row so two overlapping bookings cannot both pass the check.
    StaffMember.objects.select_for_update().filter(pk=member.pk).first()
    clash = member.absences.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if clash is not None:
        start, end = written_moment(clash.starts_at), written_moment(clash.ends_at)
        raise StaffError(f"overlaps the absence from {start} to {end}")
    return Absence.objects.create(
        staff=member, starts_at=starts_at, ends_at=ends_at, reason=reason.strip(), backup=backup
    )


@transaction.atomic
def cancel_absence(absence: Absence) -> None:
    absence.delete()


@transaction.atomic
def set_working_hours(
    member: StaffMember, start: time, end: time, days: list[int], time_zone: str = ""
) -> StaffMember:
    if end <= start:
        raise StaffError("working hours must end after they start")
    if any(d not in range(7) for d in days):
        raise StaffError("working days are 0 (Monday) to 6 (Sunday)")
    member.work_start, member.work_end = start, end
    member.work_days, member.time_zone = sorted(set(days)), time_zone
    member.save(update_fields=["work_start", "work_end", "work_days", "time_zone"])
    return member
