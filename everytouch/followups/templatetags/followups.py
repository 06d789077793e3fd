"""Template helpers: a customer's open promises, a manager-only link, the early warning's rows."""

from __future__ import annotations

from datetime import date

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from everytouch.accounts.access import can_manage
from everytouch.business_time import written_day
from everytouch.followups.actions import STILL_TO_DO
from everytouch.followups.models import Commitment
from everytouch.followups.warnings import RepReport, Week

register = template.Library()

DESK_PROMISES = 5


@register.simple_tag
def open_promises(customer_id: int, limit: int = DESK_PROMISES) -> list[Commitment]:
    """The customer's promises still to keep (missed ones too), soonest first."""
    qs = Commitment.objects.filter(customer_id=customer_id, status__in=STILL_TO_DO)
    return list(qs.select_related("owner").order_by("due_at", "pk")[:limit])


@register.filter
def manages(user: User | AnonymousUser) -> bool:
    """Owners and managers: for links to manager-only pages."""
    return can_manage(user)


@register.simple_tag
def week_rows(report: RepReport) -> SafeString:
    """The early warning's table rows for one rep.

    Built here rather than by template tags: eight weeks of four measures for a hundred reps
    is thousands of template nodes, which took longer than counting the weeks. Only the rep's
    name and the formatted days are text; they are escaped once, everything else is a number.
    """
    name = conditional_escape(report.user.first_name or report.user.username)
    rows = "".join(_week_row(week, name, _day(week.start)) for week in report.weeks)
    return mark_safe(rows)  # noqa: S308 - escaped above; the rest are numbers and our markup


def _day(start: date) -> str:
    # What the ``day`` filter writes for a date; written_day formats each day once, not once per
    # rep (eight weeks are shown for every rep).
    return conditional_escape(written_day(start))


_RED = ' class="error"'


def _one_place(value: float) -> str:
    """``floatformat:"-1"`` for a percentage (one decimal, none when it is .0), without the
    Decimal arithmetic that made it the dearest part of the page."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _week_row(week: Week, name: str, day_text: str) -> str:
    muted = "" if week.worked else f' class="muted" title="Before {name} started"'
    before = "" if week.worked else ' <span class="muted">(before starting)</span>'
    if week.kept_pct is None:
        kept = '<span class="muted">none due</span>'
    else:
        kept = f"{_one_place(week.kept_pct)}% ({week.kept}/{week.due})"
    cells = "".join(
        f"\n    <td{_RED if measure in week.below else ''}>{content}</td>"
        for measure, content in (
            ("contacts", week.contacts),
            ("leads", week.leads),
            ("meetings", week.meetings),
            ("kept_pct", kept),
        )
    )
    return f"<tr{muted}>\n    <td>{day_text}{before}</td>{cells}\n  </tr>"
