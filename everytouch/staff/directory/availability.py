"""Where someone is right now, and the honest away message that says so.

Everything here is computed from the stored status, absences and working hours at the moment
asked, so a message is never stale: it changes when the status or the date changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from everytouch.business_time import written_until
from everytouch.staff.models import Absence, Employment, StaffMember, Status

State = Literal["available", "busy", "away", "out_of_office", "off_hours", "departed"]


@dataclass(frozen=True)
class Availability:
    state: State
    until: datetime | None = None
    reason: str = ""
    backup: StaffMember | None = None

    @property
    def is_available(self) -> bool:
        return self.state == "available"

    @property
    def label(self) -> str:
        return self.state.replace("_", " ")

    @property
    def until_text(self) -> str:
        return until_text(self.until) if self.until else ""


def until_text(moment: datetime) -> str:
    """When someone is back, written one way on every screen and in every away message."""
    return written_until(moment)


def with_current_absence(qs: QuerySet[StaffMember], now: datetime) -> QuerySet[StaffMember]:
    """Load each member's absence at ``now`` with the list: one query, not one per person."""
    current = Absence.objects.filter(starts_at__lte=now, ends_at__gt=now)
    current = current.select_related("backup__user").order_by("pk")
    return qs.prefetch_related(Prefetch("absences", queryset=current, to_attr="current_absences"))


def current_absence(member: StaffMember, now: datetime) -> Absence | None:
    # A list loaded by ``with_current_absence`` was loaded for the same page and moment.
    loaded: list[Absence] | None = getattr(member, "current_absences", None)
    if loaded is not None:
        return loaded[0] if loaded else None
    return member.absences.filter(starts_at__lte=now, ends_at__gt=now).order_by("pk").first()


def _local(member: StaffMember, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(member.tz_name))


def in_working_hours(member: StaffMember, now: datetime) -> bool:
    local = _local(member, now)
    days = set(member.work_days or [])
    return local.weekday() in days and member.work_start <= local.time() < member.work_end


def next_working_start(member: StaffMember, now: datetime) -> datetime | None:
    local = _local(member, now)
    days = set(member.work_days or [])
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        start = datetime.combine(day, member.work_start, tzinfo=local.tzinfo)
        if day.weekday() in days and start > local:
            return start
    return None


def availability(member: StaffMember, now: datetime) -> Availability:
    if member.employment == Employment.DEPARTED:
        return Availability("departed")
    absence = current_absence(member, now)
    if absence is not None:
        backup = absence.backup or member.backup
        return Availability("out_of_office", absence.ends_at, absence.reason, backup)
    manual_active = member.status_until is None or member.status_until > now
    if member.status != Status.AVAILABLE and manual_active:
        state: State = "busy" if member.status == Status.BUSY else "away"
        return Availability(state, member.status_until, member.status_reason, member.backup)
    if not in_working_hours(member, now):
        return Availability("off_hours", next_working_start(member, now), "", member.backup)
    return Availability("available")


def status_phrase(avail: Availability) -> str:
    """Where someone is, as the rest of a sentence: "at a trade show until Wed 2 Dec 2026"."""
    until = f" until {avail.until_text}" if avail.until else ""
    return f"{_phrase(avail)}{until}"


def _phrase(avail: Availability) -> str:
    reason = avail.reason.strip().rstrip(".")
    if avail.state == "busy":
        return reason or "busy"
    if avail.state == "off_hours":
        return "out of the office"
    if reason and reason.split()[0].lower() in {"at", "on", "in", "with", "visiting", "off"}:
        return reason
    return "out of the office" + (f" ({reason})" if reason else "")


def _backup_sentence(member: StaffMember, backup: StaffMember | None) -> str:
    if backup is None or backup.employment == Employment.DEPARTED or backup.pk == member.pk:
        return "Leave a message and it will reach the right person."
    ext = f", ext. {backup.extension}," if backup.extension else ""
    first = member.user.first_name or member.name
    return f"{backup.name}{ext} is looking after {first}'s customers."


def away_message(member: StaffMember, now: datetime) -> str:
    """One honest sentence or two for the desk and the voicemail greeting; '' when available."""
    avail = availability(member, now)
    if avail.is_available:
        return ""
    if avail.state == "departed":
        return f"{member.name} no longer works here."
    first = f"{member.name} is {status_phrase(avail)}."
    return f"{first} {_backup_sentence(member, avail.backup)}"


def away_ssml(member: StaffMember, now: datetime) -> str:
    """The same message as SSML for a phone system's voicemail greeting."""
    text = away_message(member, now) or f"{member.name} is available."
    sentences = [s.strip() for s in text.split(". ") if s.strip()]
    body = "".join(f"<s>{escape(s if s.endswith('.') else s + '.')}</s>" for s in sentences)
    return f'<speak><p>{body}</p><break time="300ms"/></speak>'
