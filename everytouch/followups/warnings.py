"""Early warning for new hires: weekly activity per rep, and who has been below a floor too long.

Per rep and ISO week (Monday to Sunday in the business time zone):

- contacts handled: interactions whose ``handled_by`` is the rep;
- leads created: leads whose ``created_by`` is the rep (what they brought in, not what they
  were handed: a lead handed to them counts for whoever logged it);
- meetings set: stage changes to "meeting set" the rep made (``LeadActivity`` of kind "stage"
  with ``data["to"] == "meeting_set"``, by ``actor``);
- follow-ups kept on time: of the rep's promises due that week (and already due), the share
  done by their due time. A week with no promise due has no percentage and is never "below".

A rep is flagged for a measure when every one of the last N complete weeks they worked
(weeks starting on or after the day they joined: their start date in the staff directory, else
the day their login was made) is below its floor. Floors and N come from
``EVERYTOUCH_EARLY_WARNING`` (see ``DEFAULT_RULES``); a floor of 0 turns a measure off.

A week is "below" only when the rep worked it, and the page's colours, its flags and its
summary sentence all read that one set (``Week.below``), so they cannot disagree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from everytouch.accounts.models import Role
from everytouch.business_time import business_tz
from everytouch.customers.textindex import among
from everytouch.followups.models import Commitment, CommitmentStatus
from everytouch.interactions.rollup import (
    TIME_MARKS,
    WEEK_MARK,
    counted_in_range,
    handled_counts,
    union_of,
)
from everytouch.leads.models import Lead, LeadActivity, Stage
from everytouch.staff.models import Employment, StaffMember

MEASURES = ("contacts", "leads", "meetings", "kept_pct")
LABELS = {
    "contacts": "contacts handled",
    "leads": "leads created",
    "meetings": "meetings set",
    "kept_pct": "follow-ups kept on time (%)",
}
DEFAULT_RULES: dict[str, Any] = {
    "weeks": 4,
    "floors": {"contacts": 10, "leads": 1, "meetings": 1, "kept_pct": 80},
}
SHOWN_WEEKS = 8


@dataclass(frozen=True)
class Rules:
    weeks: int
    floors: dict[str, float]


def rules() -> Rules:
    raw: dict[str, Any] = settings.EVERYTOUCH_EARLY_WARNING
    floors = {**DEFAULT_RULES["floors"], **raw.get("floors", {})}
    weeks = int(raw.get("weeks", DEFAULT_RULES["weeks"]))
    return Rules(weeks=max(weeks, 1), floors={k: float(floors[k]) for k in MEASURES})


@dataclass
class Week:
    start: date
    contacts: int = 0
    leads: int = 0
    meetings: int = 0
    due: int = 0
    kept: int = 0
    # False for a week before the rep started: shown, never below a floor.
    worked: bool = True
    below: set[str] = field(default_factory=set)

    @property
    def kept_pct(self) -> float | None:
        return None if self.due == 0 else round(100 * self.kept / self.due, 1)

    def value(self, measure: str) -> float | None:
        return self.kept_pct if measure == "kept_pct" else float(getattr(self, measure))


@dataclass(frozen=True)
class Flag:
    measure: str
    weeks: int
    floor: float

    @property
    def text(self) -> str:
        unit = "%" if self.measure == "kept_pct" else ""
        return f"{LABELS[self.measure]} below {self.floor:g}{unit} for {self.weeks} weeks running"


@dataclass
class RepReport:
    user: User
    weeks: list[Week]
    flags: list[Flag]

    @property
    def weeks_below(self) -> int:
        return sum(1 for w in self.weeks if w.below)


# --- weeks ---------------------------------------------------------------------------------------


def week_start(moment: datetime) -> date:
    local = moment.astimezone(business_tz()).date()
    return local - timedelta(days=local.weekday())


def week_starts(now: datetime, count: int) -> list[date]:
    """The last ``count`` complete weeks before the current one, oldest first."""
    current = week_start(now)
    return [current - timedelta(weeks=n) for n in range(count, 0, -1)]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=business_tz())


# --- counting (one grouped query per measure) ---------------------------------------------------


Counts = dict[tuple[int, date], int]


def _by_week(counts: dict[tuple[int, int], int], bounds: list[datetime]) -> Counts:
    """{(user, k): n} as {(user, first day of week k): n}."""
    # Each bound's local day once, not once per count (thousands at a hundred reps).
    days = [bound.astimezone(business_tz()).date() for bound in bounds]
    return {(user, days[k]): n for (user, k), n in counts.items()}


def _grouped(qs: QuerySet[Any], user_field: str, time_field: str, bounds: list[datetime]) -> Counts:
    """Rows of ``qs`` per (user, week), the weeks running from ``bounds[k]`` to ``bounds[k + 1]``.

    One query, a UNION ALL of one grouped count per week: each part is a range read of a
    (user, time) index, already in user order, so nothing is sorted. Grouping by a CASE over
    the week boundaries instead had SQLite evaluate the CASE and sort every row of eight weeks
    (hundreds of thousands of touches at a hundred reps); TruncWeek was worse still, a Python
    function per row.
    """

    def part(k: int, low: datetime, high: datetime) -> QuerySet[Any]:
        return counted_in_range(qs, user_field, time_field, k, low, high)

    ranges = [(k, low, high) for k, (low, high) in enumerate(itertools.pairwise(bounds))]
    rows = union_of(part, (WEEK_MARK, *TIME_MARKS), ranges)
    return _by_week({(user, week): n for user, week, n in rows}, bounds)


def activity_counts(users: list[int], first: date, end: datetime) -> dict[str, Counts]:
    """Each measure's count per (user id, week start) between ``first`` and ``end``."""
    last = end.astimezone(business_tz()).date()
    weeks = max(1, -(-(last - first).days // 7))
    bounds = [_midnight(first + timedelta(weeks=n)) for n in range(weeks)] + [end]
    meetings = LeadActivity.objects.filter(kind=LeadActivity.Kind.STAGE, data__to=Stage.MEETING_SET)
    # The ids written into the SQL as one literal list each (``among``): as parameters, Django
    # compiled and psycopg parsed some 3,600 placeholders per view, 60 ms of CPU at 90 reps.
    due = Commitment.objects.filter(among(Commitment, users, "owner_id"))
    kept = due.filter(status=CommitmentStatus.DONE, done_at__lte=F("due_at"))
    return {
        # From the stored hourly and daily rollup (interactions.rollup): counting the touches
        # themselves read some 400,000 rows per view at five million touches.
        "contacts": _by_week(handled_counts(users, bounds), bounds),
        "leads": _grouped(
            Lead.objects.filter(among(Lead, users, "created_by_id")),
            "created_by",
            "created_at",
            bounds,
        ),
        "meetings": _grouped(
            meetings.filter(among(LeadActivity, users, "actor_id")), "actor", "created_at", bounds
        ),
        "due": _grouped(due, "owner", "due_at", bounds),
        "kept": _grouped(kept, "owner", "due_at", bounds),
    }


# --- flags ---------------------------------------------------------------------------------------


def _is_below(week: Week, measure: str, floor: float) -> bool:
    value = week.value(measure)
    return floor > 0 and value is not None and value < floor


def flags_for(weeks: list[Week], rule: Rules) -> list[Flag]:
    """Measures below their floor in each of the last N complete weeks the rep worked."""
    worked = [w for w in weeks if w.worked]
    recent = worked[-rule.weeks :]
    if len(recent) < rule.weeks:
        return []
    return [
        Flag(measure, rule.weeks, rule.floors[measure])
        for measure in MEASURES
        if all(measure in w.below for w in recent)
    ]


def _weeks_of(
    user_id: int, joined: date, starts: list[date], counts: dict[str, Counts], rule: Rules
) -> list[Week]:
    weeks = []
    for start in starts:
        key = (user_id, start)
        week = Week(
            start,
            contacts=counts["contacts"].get(key, 0),
            leads=counts["leads"].get(key, 0),
            meetings=counts["meetings"].get(key, 0),
            due=counts["due"].get(key, 0),
            kept=counts["kept"].get(key, 0),
            worked=start >= joined,
        )
        if week.worked:
            week.below = {m for m in MEASURES if _is_below(week, m, rule.floors[m])}
        weeks.append(week)
    return weeks


def reps() -> QuerySet[User]:
    """Reps who work here now: the people the dashboard watches."""
    qs = User.objects.filter(is_active=True, profile__role=Role.REP).select_related("staff")
    return qs.exclude(staff__employment=Employment.DEPARTED).order_by("first_name", "username")


def joined_on(user: User) -> date:
    """The day the rep started: the directory's start date, else the day the login was made."""
    try:
        # Loaded with ``reps()``'s select_related: no query per rep when the page lists them.
        start: date | None = user.staff.start_date
    except StaffMember.DoesNotExist:
        start = None
    return start or user.date_joined.astimezone(business_tz()).date()


def early_warning(now: datetime, users: Iterable[User] | None = None) -> list[RepReport]:
    """Weekly measures for each rep over the last weeks, flagged reps first."""
    rule = rules()
    people = list(users if users is not None else reps())
    starts = week_starts(now, max(SHOWN_WEEKS, rule.weeks))
    counts = activity_counts([u.pk for u in people], starts[0], _midnight(week_start(now)))
    reports = []
    for user in people:
        weeks = _weeks_of(user.pk, joined_on(user), starts, counts, rule)
        reports.append(RepReport(user, weeks, flags_for(weeks, rule)))
    return sorted(reports, key=lambda r: not r.flags)


def summary(reports: list[RepReport], rule: Rules) -> str:
    """The page's one-sentence verdict, from the same weeks that colour its tables."""
    if not reports:
        return "No reps yet."
    total = len(reports)
    flagged = sum(1 for r in reports if r.flags)
    running = f"below a floor for {rule.weeks} {_weeks(rule.weeks)} running"
    if flagged:
        return f"{flagged} of {total} {_reps(total)} {running}."
    some = sum(1 for r in reports if r.weeks_below)
    if some:
        return (
            f"Nobody is {running}, but {some} of {total} {_reps(total)} had a week below one "
            "(in red)."
        )
    return "Every rep is at or above every floor in every week shown."


def _weeks(n: int) -> str:
    return "week" if n == 1 else "weeks"


def _reps(n: int) -> str:
    return "rep" if n == 1 else "reps"
