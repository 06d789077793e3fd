"""What the quality dashboards show, read from the weekly rollup (``CheckWeek``).

Every figure is a sum of rollup rows, and every list behind a figure selects the same current,
scored, real scorecards over the same whole weeks, so a number and its list always agree: the
list's length is taken from the rollup rather than counted again over millions of rows.
Dates round out to whole weeks (Monday to Sunday, business time zone), the rollup's grain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from everytouch.accounts.people import display_name
from everytouch.business_time import business_tz
from everytouch.quality import actions
from everytouch.quality.models import (
    CheckOutcome,
    CheckStatus,
    CheckWeek,
    Playbook,
    Scorecard,
    ScoreState,
)
from everytouch.quality.rollup import CONTACT_CHECK, NOT_SCORED_CHECK
from everytouch.staff.models import Team

DEFAULT_WEEKS = 12
# A check needs this many applicable results in the period to rank among the worst: a 0 of 1
# says nothing about a rep.
MIN_APPLICABLE = 10
WORST = 3
EXAMPLES = 3
STATUSES = ("pass", "fail")


@dataclass(frozen=True)
class Filters:
    """The period (whole weeks) and who, as the dashboard's form or a link asked for it."""

    since: date
    until: date
    team_id: int | None = None
    rep_id: int | None = None
    channel: str = ""

    @property
    def first_week(self) -> date:
        return week_of_day(self.since)

    @property
    def last_week(self) -> date:
        return week_of_day(self.until)

    def start(self) -> datetime:
        return datetime.combine(self.first_week, time(), tzinfo=business_tz())

    def end(self) -> datetime:
        return datetime.combine(self.last_week + timedelta(days=7), time(), tzinfo=business_tz())

    def weeks(self) -> list[date]:
        count = (self.last_week - self.first_week).days // 7 + 1
        return [self.first_week + timedelta(days=7 * i) for i in range(count)]

    def query(self) -> dict[str, str]:
        """The filters as GET parameters, for links to the conversations behind a number."""
        params = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.team_id:
            params["team"] = str(self.team_id)
        if self.rep_id:
            params["rep"] = str(self.rep_id)
        if self.channel:
            params["channel"] = self.channel
        return params


def week_of_day(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(weeks=DEFAULT_WEEKS), today


@dataclass(frozen=True)
class Rate:
    """N of M: how many applicable results passed."""

    passed: int = 0
    failed: int = 0

    @property
    def applicable(self) -> int:
        return self.passed + self.failed

    @property
    def percent(self) -> float | None:
        return None if not self.applicable else 100 * self.passed / self.applicable

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.passed + other.passed, self.failed + other.failed)


# --- the rollup ----------------------------------------------------------------------------------


def rollup_scope(f: Filters) -> QuerySet[CheckWeek]:
    # No channel asked for reads the all-channels rows (rollup.ALL_CHANNELS, the empty string).
    rows = CheckWeek.objects.filter(
        week__gte=f.first_week, week__lte=f.last_week, channel=f.channel
    )
    if f.team_id:
        rows = rows.filter(team_id=f.team_id)
    if f.rep_id:
        rows = rows.filter(rep_id=f.rep_id)
    return rows


def _grouped(f: Filters, *by: str) -> list[tuple[Any, ...]]:
    """The rollup summed per ``by``: rows of ``(*by, passed, failed)``.

    Run on the cursor rather than through the queryset: a year of a hundred reps' figures is
    tens of thousands of rows, and Django's per-value converters cost more than the query.
    Only a ``week`` comes back as text (on SQLite); every other value is already a number or
    a string.
    """
    rows = (
        rollup_scope(f)
        .values(*by)
        .annotate(p=Sum("passed"), x=Sum("failed"))
        .order_by()
        .values_list(*by, "p", "x")
    )
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
    if "week" not in by:
        return found
    at = by.index("week")
    return [(*row[:at], _day(row[at]), *row[at + 1 :]) for row in found]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def rate_of(f: Filters, check_id: str, status: str = "") -> int:
    """How many results a list of ``check_id`` (with ``status``, or both) has: the rollup's."""
    total = rollup_scope(f).filter(check_id=check_id).aggregate(p=Sum("passed"), x=Sum("failed"))
    passed, failed = total["p"] or 0, total["x"] or 0
    return {"pass": passed, "fail": failed}.get(status, passed + failed)


@dataclass
class Series:
    label: str
    points: dict[date, Rate] = field(default_factory=dict)
    query: str = ""  # the filters as an encoded query string, for the links of its dots


@dataclass
class CheckRow:
    check_id: str
    title: str
    total: Rate
    series: list[Series]
    by_team: dict[int | None, Rate]
    by_rep: dict[int | None, Rate]


@dataclass
class Board:
    filters: Filters
    contact: Rate
    checks: list[CheckRow]
    teams: dict[int | None, str]
    reps: dict[int | None, str]
    worst: list[tuple[CheckRow, list[Scorecard]]]
    not_scored: int

    @property
    def weeks(self) -> list[date]:
        return self.filters.weeks()


def check_titles() -> dict[str, str]:
    """Each check id's title in the playbooks in use (a team's own may rename one)."""
    titles: dict[str, str] = {}
    for playbook in Playbook.objects.select_related("active_version").order_by("-is_default"):
        if playbook.active_version is None:
            continue
        try:
            spec = actions.compiled(playbook.active_version)
        except ValueError:
            continue
        for check in spec.checks:
            titles.setdefault(check.id, check.title)
    return titles


Names = dict[int | None, str]


def _names(teams: Iterable[int | None], reps: Iterable[int | None]) -> tuple[Names, Names]:
    teams, reps = set(teams), set(reps)
    team_names: Names = dict(Team.objects.filter(pk__in=teams - {None}).values_list("pk", "name"))
    rep_names: Names = {u.pk: display_name(u) for u in User.objects.filter(pk__in=reps - {None})}
    # Touches logged without a rep (an import, say) still count, under their own row.
    if None in teams:
        team_names[None] = "No team"
    if None in reps:
        rep_names[None] = "Nobody"
    return _by_name(team_names), _by_name(rep_names)


def _by_name(names: Names) -> Names:
    return dict(sorted(names.items(), key=lambda item: item[1]))


Cells = dict[str, dict[Any, Rate]]
WeekCells = dict[str, dict[Any, dict[date, Rate]]]


def _nested() -> WeekCells:
    return defaultdict(lambda: defaultdict(dict))


TEAM_WEEK = ("check_id", "team_id", "week")
REP = ("check_id", "rep_id")
REP_WEEK = ("check_id", "rep_id", "week")
# What GROUPING(team_id, rep_id, week) says of a row of each of those sets: a bit is 1 where the
# set leaves that column out.
_GROUPING_BITS = {TEAM_WEEK: 0b010, REP: 0b101, REP_WEEK: 0b100}


def _sums(f: Filters, sets: Sequence[tuple[str, ...]]) -> list[list[tuple[Any, ...]]]:
    """The rollup summed per each of ``sets`` (rows of ``(*by, passed, failed)``), in order.

    PostgreSQL sums them all in one pass over the period's rows (GROUPING SETS), which halves
    the dashboard's database time at a year of a hundred reps; SQLite has no GROUPING SETS, so
    there it is a query per set.
    """
    scope = rollup_scope(f)
    # GROUPING() names every column of the sets: fine for the board's two or three sets, not
    # for one, and one set gains nothing from them anyway.
    if connections[scope.db].vendor != "postgresql" or len(sets) < 2:
        return [_grouped(f, *by) for by in sets]
    compiler = scope.query.get_compiler(scope.db)
    where, params = compiler.compile(scope.query.where)
    grouping = ", ".join(f"({', '.join(by)})" for by in sets)
    sql = (
        "SELECT GROUPING(team_id, rep_id, week), check_id, team_id, rep_id, week,"  # noqa: S608
        f" SUM(passed), SUM(failed) FROM {CheckWeek._meta.db_table} WHERE {where}"
        f" GROUP BY GROUPING SETS ({grouping})"
    )
    with connections[scope.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    columns = {"check_id": 1, "team_id": 2, "rep_id": 3, "week": 4}
    pick = {_GROUPING_BITS[by]: itemgetter(*(columns[c] for c in by), 5, 6) for by in sets}
    out: dict[int, list[tuple[Any, ...]]] = {_GROUPING_BITS[by]: [] for by in sets}
    for row in found:
        out[row[0]].append(pick[row[0]](row))
    return [out[_GROUPING_BITS[by]] for by in sets]


def _team_week_cells(rows: Iterable[tuple[Any, ...]]) -> tuple[Cells, WeekCells]:
    sums: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    weekly = _nested()
    for check_id, team_id, week, passed, failed in rows:
        rate = Rate(passed or 0, failed or 0)
        weekly[check_id][team_id][week] = rate
        total = sums[check_id][team_id]
        total[0] += rate.passed
        total[1] += rate.failed
    totals: Cells = {
        check_id: {team_id: Rate(p, x) for team_id, (p, x) in by_team.items()}
        for check_id, by_team in sums.items()
    }
    return totals, weekly


def _rep_cells(rows: Iterable[tuple[Any, ...]]) -> Cells:
    totals: Cells = defaultdict(dict)
    for check_id, rep_id, passed, failed in rows:
        totals[check_id][rep_id] = Rate(passed or 0, failed or 0)
    return totals


def _rep_week_cells(rows: Iterable[tuple[Any, ...]]) -> WeekCells:
    weekly = _nested()
    for check_id, rep_id, week, passed, failed in rows:
        weekly[check_id][rep_id][week] = Rate(passed or 0, failed or 0)
    return weekly


def _series(
    f: Filters, weekly: dict[Any, dict[date, Rate]], names: Names, param: str
) -> list[Series]:
    out = []
    for key in sorted(weekly, key=lambda k: names.get(k, "")):
        query = {**f.query(), param: str(key)} if key else f.query()
        out.append(Series(names.get(key, str(key)), weekly[key], urlencode(query)))
    return out


def _order(check_ids: Iterable[str], titles: dict[str, str]) -> list[str]:
    known = list(titles)
    return sorted(check_ids, key=lambda c: (known.index(c) if c in known else len(known), c))


def board(f: Filters) -> Board:
    """Everything the dashboard page shows for these filters."""
    by_rep_series = bool(f.team_id or f.rep_id)
    summed = _sums(f, (TEAM_WEEK, REP, REP_WEEK) if by_rep_series else (TEAM_WEEK, REP))
    team_totals, team_weeks = _team_week_cells(summed[0])
    rep_totals = _rep_cells(summed[1])
    weekly, param = (_rep_week_cells(summed[2]), "rep") if by_rep_series else (team_weeks, "team")
    contact = sum(team_totals.pop(CONTACT_CHECK, {}).values(), Rate())
    for reserved in (CONTACT_CHECK, NOT_SCORED_CHECK):
        team_totals.pop(reserved, None)
        rep_totals.pop(reserved, None)
        weekly.pop(reserved, None)
    teams = {t for cells in team_totals.values() for t in cells}
    reps = {r for cells in rep_totals.values() for r in cells}
    team_names, rep_names = _names(teams, reps)
    titles = check_titles()
    rows = [
        CheckRow(
            check_id,
            titles.get(check_id, check_id),
            sum(team_totals[check_id].values(), Rate()),
            _series(f, weekly[check_id], rep_names if by_rep_series else team_names, param),
            dict(team_totals[check_id]),
            dict(rep_totals[check_id]),
        )
        for check_id in _order(team_totals, titles)
    ]
    return Board(f, contact, rows, team_names, rep_names, _worst(f, rows), not_scored_count(f))


def _worst(f: Filters, rows: Sequence[CheckRow]) -> list[tuple[CheckRow, list[Scorecard]]]:
    ranked = [r for r in rows if r.total.applicable >= MIN_APPLICABLE and r.total.failed]
    ranked.sort(key=lambda r: (r.total.percent or 0.0, r.check_id))
    return [(r, list(conversations(f, r.check_id, "fail")[:EXAMPLES])) for r in ranked[:WORST]]


# --- the scorecards behind a number --------------------------------------------------------------


def _in_scope(cards: QuerySet[Scorecard], f: Filters) -> QuerySet[Scorecard]:
    cards = cards.filter(is_current=True, is_test=False, started_at__gte=f.start())
    cards = cards.filter(started_at__lt=f.end())
    if f.team_id:
        cards = cards.filter(team_id=f.team_id)
    if f.rep_id:
        cards = cards.filter(rep_id=f.rep_id)
    if f.channel:
        cards = cards.filter(channel=f.channel)
    return cards


def _captured() -> Q:
    # The rollup's test (rollup.captured) in SQL: the extracted lead has a phone or an e-mail.
    return ~Q(result__lead__phone=None) | ~Q(result__lead__email=None)


def conversations(f: Filters, check_id: str, status: str = "") -> QuerySet[Scorecard]:
    """The scorecards behind one figure: ``check_id`` passed, failed, or either ("")."""
    cards = _in_scope(Scorecard.objects.filter(state=ScoreState.SCORED), f)
    if check_id == CONTACT_CHECK:
        cards = cards.filter(buying_intent=True)
        if status:
            cards = cards.filter(_captured()) if status == "pass" else cards.exclude(_captured())
    else:
        statuses = [status] if status else list(STATUSES)
        outcome = CheckOutcome.objects.filter(
            scorecard=OuterRef("pk"), check_id=check_id, status__in=statuses
        )
        cards = cards.filter(Exists(outcome))
    return cards.select_related("interaction", "rep", "team").order_by("-started_at", "-id")


def not_scored_count(f: Filters) -> int:
    """How many touches in scope could not be scored: the rollup's count of ``not_scored``."""
    rows = rollup_scope(f).filter(check_id=NOT_SCORED_CHECK)
    return rows.aggregate(n=Sum("not_applicable"))["n"] or 0


def not_scored(f: Filters) -> QuerySet[Scorecard]:
    """The touches in scope that could not be scored, each with the reason."""
    cards = _in_scope(Scorecard.objects.filter(state=ScoreState.NOT_SCORED), f)
    return cards.select_related("interaction", "rep", "team").order_by("-started_at", "-id")


def status_label(status: str) -> str:
    return str(CheckStatus(status).label) if status else "Pass or fail"


# --- the report (CLI) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    rep: str
    check_id: str
    title: str
    rate: Rate


def report(f: Filters) -> list[ReportRow]:
    """Per rep and check, N of M over the filters' weeks; buying calls' contact row first."""
    cells = _rep_cells(_sums(f, (REP,))[0])
    reps = {rep for by_rep in cells.values() for rep in by_rep}
    rep_names = _names((), reps)[1]
    titles = {CONTACT_CHECK: "Contact details captured on buying calls", **check_titles()}
    reserved = (CONTACT_CHECK, NOT_SCORED_CHECK)
    order = [CONTACT_CHECK, *_order([c for c in cells if c not in reserved], titles)]
    rows = [
        ReportRow(rep_names[rep], check_id, titles.get(check_id, check_id), rate)
        for check_id in order
        for rep, rate in cells.get(check_id, {}).items()
        if rate.applicable
    ]
    return sorted(rows, key=lambda r: (r.rep, order.index(r.check_id)))
