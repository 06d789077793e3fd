"""The coaching queue: the checks each rep fails most, with examples, and coaching sessions
with the rep's pass rate on the covered checks before and after.

Every figure counts the automatic results of current, scored, real (non-test) scorecards,
pass and fail only: a check that did not apply says nothing about the rep. Counts are always
shown beside shares, so "failed 2 of 2" is visibly thinner evidence than "failed 20 of 30".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from everytouch.accounts.access import has_role
from everytouch.accounts.models import Role
from everytouch.business_time import business_tz
from everytouch.quality.actions import SEES_EVERY_REP, QualityError
from everytouch.quality.models import (
    CheckOutcome,
    CheckStatus,
    CheckWeek,
    CoachingSession,
    ScoreState,
)
from everytouch.quality.rollup import ALL_CHANNELS, RESERVED_PREFIX, week_of

COACH_ROLES = SEES_EVERY_REP
WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 365
# Below this many pass-or-fail results a fail share is noise, so the check is not ranked.
MIN_RESULTS = 3
TOP_CHECKS = 5
EXAMPLES = 3
# Before and after a session: the same span either side, so the two rates are comparable.
COMPARE_DAYS = 30
MAX_NOTES = 5000


# --- what counts ---------------------------------------------------------------------------------


def counted_outcomes() -> QuerySet[CheckOutcome]:
    """Pass or fail results of current, scored, real scorecards: the only ones that count."""
    return CheckOutcome.objects.filter(
        scorecard__is_current=True,
        scorecard__state=ScoreState.SCORED,
        scorecard__is_test=False,
        status__in=[CheckStatus.PASS, CheckStatus.FAIL],
    )


def _fails() -> Count:
    return Count("id", filter=Q(status=CheckStatus.FAIL))


def share_text(part: int, whole: int) -> str:
    """ "6 of 8 (75%)", or "no results" when there is nothing to divide by."""
    if whole == 0:
        return "no results"
    return f"{part} of {whole} ({round(100 * part / whole)}%)"


# --- the queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One recent conversation where the rep failed the check."""

    scorecard_id: int
    interaction_id: int
    started_at: datetime
    channel: str


@dataclass(frozen=True)
class FailingCheck:
    check_id: str
    title: str
    failed: int
    results: int
    examples: list[Example] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.failed / self.results

    @property
    def percent(self) -> int:
        return round(100 * self.share)


@dataclass(frozen=True)
class RepQueue:
    """One rep's checks to coach, worst first, and how many checks had too few results."""

    rep: User
    checks: list[FailingCheck]
    too_few: int


def window_start(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)


def _first_whole_week(since: datetime) -> datetime:
    """The start of the first whole rollup week (Monday, business time zone) from ``since``."""
    start = datetime.combine(week_of(since), time(), tzinfo=business_tz())
    return start if start >= since else start + timedelta(weeks=1)


Counts = dict[tuple[int, str], list[int]]  # (rep, check) -> [failed, pass-or-fail results]
WeeklyFails = dict[tuple[int, str], dict[date, int]]  # (rep, check) -> {Monday: failed}


def _edge_counts(rep_ids: list[int], since: datetime, until: datetime, counts: Counts) -> None:
    """Add the outcomes from ``since`` up to ``until`` (less than a week) to ``counts``."""
    rows = counted_outcomes().filter(
        scorecard__rep_id__in=rep_ids,
        scorecard__started_at__gte=since,
        scorecard__started_at__lt=until,
    )
    for rep_id, check_id, failed, results in (
        rows.values("scorecard__rep_id", "check_id")
        .annotate(failed=_fails(), results=Count("id"))
        .order_by()
        .values_list("scorecard__rep_id", "check_id", "failed", "results")
    ):
        counts[rep_id, check_id][0] += failed
        counts[rep_id, check_id][1] += results


def _week_counts(rep_ids: list[int], first_week: date, counts: Counts) -> WeeklyFails:
    """Add the rollup's whole weeks from ``first_week`` on (every channel) to ``counts``; each
    pair's failures per week, which say where to look for its latest examples."""
    rows = CheckWeek.objects.filter(
        rep_id__in=rep_ids, channel=ALL_CHANNELS, week__gte=first_week
    ).exclude(check_id__startswith=RESERVED_PREFIX)
    weekly: WeeklyFails = defaultdict(dict)
    for rep_id, check_id, week, failed, passed in (
        rows.values("rep_id", "check_id", "week")
        .annotate(failed=Sum("failed"), passed=Sum("passed"))
        .order_by()
        .values_list("rep_id", "check_id", "week", "failed", "passed")
    ):
        counts[rep_id, check_id][0] += failed
        counts[rep_id, check_id][1] += failed + passed
        weekly[rep_id, check_id][week] = failed
    return weekly


def _titles(check_ids: set[str]) -> dict[str, str]:
    """Each check's title as its newest outcome has it (read back along the primary key).

    One statement of a subquery per check, not a query per check: a dozen round trips were a
    tenth of the coaching queue's time. The check ids are parameters.
    """
    ordered = sorted(check_ids)
    if not ordered:
        return {}
    table = connection.ops.quote_name(CheckOutcome._meta.db_table)
    newest = f"(SELECT title FROM {table} WHERE check_id = %s ORDER BY id DESC LIMIT 1)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([newest] * len(ordered)), ordered)
        found = cursor.fetchone()
    return {check_id: title or check_id for check_id, title in zip(ordered, found, strict=True)}


def _ranked(rows: list[FailingCheck]) -> list[FailingCheck]:
    failing = [c for c in rows if c.failed > 0 and c.results >= MIN_RESULTS]
    failing.sort(key=lambda c: (-c.share, -c.failed, c.check_id))
    return failing[:TOP_CHECKS]


def _by_rep(
    rep_ids: list[int], since: datetime
) -> tuple[dict[int, list[FailingCheck]], WeeklyFails]:
    """Per rep, each check's failed and pass-or-fail results since ``since``; and each pair's
    failures in the window's whole weeks.

    Whole weeks come from the weekly rollup, which keeps exactly these counts as scorecards
    are stored and retired; only the days before the first whole week are counted from the
    outcomes. At a million scorecards a year, counting a month of outcomes took a third of a
    second per page.
    """
    whole_weeks = _first_whole_week(since)
    counts: Counts = defaultdict(lambda: [0, 0])
    _edge_counts(rep_ids, since, whole_weeks, counts)
    weekly = _week_counts(rep_ids, whole_weeks.date(), counts)
    titles = _titles({check_id for _, check_id in counts})
    found: dict[int, list[FailingCheck]] = defaultdict(list)
    for (rep_id, check_id), (failed, results) in sorted(counts.items()):
        if results:
            found[rep_id].append(FailingCheck(check_id, titles[check_id], failed, results))
    return found, weekly


# Where to look for examples first: a check worth coaching usually failed a few times in the
# last day or week, and ranking a month of a busy team's failures took half a second.
EXAMPLE_LOOKS = (timedelta(days=1), timedelta(days=7))


def _examples(
    wanted: set[tuple[int, str]], since: datetime, now: datetime, weekly: WeeklyFails
) -> dict[tuple[int, str], list[Example]]:
    """The latest failing conversations per (rep, check) since ``since``, a query per look.

    A pair with all its examples in a recent look has the same ones as in the whole window;
    only the others are looked for further back, and the last look is the whole window.
    """
    found: dict[tuple[int, str], list[Example]] = {}
    missing = set(wanted)
    for start in [now - back for back in EXAMPLE_LOOKS if now - back > since]:
        latest = _latest_failures(missing, start)
        found.update(latest)
        complete = {pair for pair in missing if len(latest.get(pair, [])) >= EXAMPLES}
        missing -= complete
        if not missing:
            return found
    if missing:
        found.update(_latest_failures(missing, _examples_start(missing, since, weekly)))
    return found


def _examples_start(
    missing: set[tuple[int, str]], since: datetime, weekly: WeeklyFails
) -> datetime:
    """Where the last look for examples may start and still find every pair's latest ones.

    The rollup counts each whole week's failures per rep and check (all channels, the same
    cards the examples come from), so walking a pair's weeks newest first says in which week
    its ``EXAMPLES``-th latest failure lies. The look starts at the earliest such Monday; a
    pair with fewer failures in the whole weeks may have more in the days before them, so
    then it starts at ``since``. At a million scorecards, ranking a month of every listed
    rep's failures took a tenth of a second.
    """
    earliest: date | None = None
    for pair in missing:
        seen, start = 0, None
        for week in sorted(weekly.get(pair, {}), reverse=True):
            seen, start = seen + weekly[pair][week], week
            if seen >= EXAMPLES:
                break
        if seen < EXAMPLES or start is None:
            return since
        earliest = start if earliest is None else min(earliest, start)
    if earliest is None:
        return since
    return max(since, datetime.combine(earliest, time(), tzinfo=business_tz()))


def _latest_failures(
    wanted: set[tuple[int, str]], since: datetime
) -> dict[tuple[int, str], list[Example]]:
    """The latest failing conversations per (rep, check), in one query for all of them."""
    if not wanted:
        return {}
    rep_ids = sorted({rep_id for rep_id, _ in wanted})
    check_ids = sorted({check_id for _, check_id in wanted})
    latest = Window(
        RowNumber(),
        partition_by=[F("scorecard__rep_id"), F("check_id")],
        order_by=[F("scorecard__started_at").desc(), F("scorecard_id").desc()],
    )
    rows = (
        counted_outcomes()
        .filter(
            status=CheckStatus.FAIL,
            scorecard__rep_id__in=rep_ids,
            check_id__in=check_ids,
            scorecard__started_at__gte=since,
            scorecard__interaction__isnull=False,
        )
        .annotate(rank=latest)
        .filter(rank__lte=EXAMPLES)
        .values_list(
            "scorecard__rep_id",
            "check_id",
            "scorecard_id",
            "scorecard__interaction_id",
            "scorecard__started_at",
            "scorecard__channel",
        )
        .order_by("scorecard__rep_id", "check_id", "-scorecard__started_at", "-scorecard_id")
    )
    found: dict[tuple[int, str], list[Example]] = defaultdict(list)
    for rep_id, check_id, card_id, interaction_id, started_at, channel in rows:
        if (rep_id, check_id) in wanted:
            found[(rep_id, check_id)].append(Example(card_id, interaction_id, started_at, channel))
    return found


def queues(reps: list[User], days: int, now: datetime | None = None) -> list[RepQueue]:
    """Each rep's checks to coach over the last ``days`` days; the same few queries for any
    page size (a title per check, and up to three looks for examples)."""
    now = now or timezone.now()
    since = window_start(days, now)
    tallies, weekly = _by_rep([rep.pk for rep in reps], since)
    ranked = {rep.pk: _ranked(tallies.get(rep.pk, [])) for rep in reps}
    wanted = {(rep_id, c.check_id) for rep_id, checks in ranked.items() for c in checks}
    examples = _examples(wanted, since, now, weekly)
    return [
        RepQueue(
            rep=rep,
            checks=[
                _with_examples(c, examples.get((rep.pk, c.check_id), [])) for c in ranked[rep.pk]
            ],
            too_few=sum(1 for c in tallies.get(rep.pk, []) if c.results < MIN_RESULTS),
        )
        for rep in reps
    ]


def _with_examples(check: FailingCheck, examples: list[Example]) -> FailingCheck:
    return FailingCheck(check.check_id, check.title, check.failed, check.results, examples)


# --- who is coached ------------------------------------------------------------------------------


def active_reps() -> QuerySet[User]:
    """The reps a coach works with: active logins with the rep role, by name."""
    qs = User.objects.filter(is_active=True, profile__role=Role.REP)
    return qs.order_by("first_name", "last_name", "username")


def coachable() -> QuerySet[User]:
    """Anyone with the rep role, departed too, so their coaching history stays readable."""
    return User.objects.filter(profile__role=Role.REP)


def checks_seen(rep: User) -> list[tuple[str, str]]:
    """(check id, title) of every check the rep's conversations passed or failed.

    Read from the weekly rollup (every channel): the rep's outcomes themselves can be a
    hundred thousand rows.
    """
    rows = CheckWeek.objects.filter(rep=rep, channel=ALL_CHANNELS).exclude(
        check_id__startswith=RESERVED_PREFIX
    )
    seen = set(rows.filter(Q(passed__gt=0) | Q(failed__gt=0)).values_list("check_id", flat=True))
    titles = _titles(seen)
    return [(check_id, titles[check_id]) for check_id in sorted(seen)]


# --- sessions ------------------------------------------------------------------------------------


def _who_refusal(rep: User, coach: User) -> str:
    if not has_role(coach, COACH_ROLES) or not coach.is_active:
        return "Only a manager, an owner or a trainer can record a coaching session."
    if not has_role(rep, frozenset({Role.REP})):
        return "Only a rep can be coached here."
    return ""


def _refusal(rep: User, coach: User, check_ids: list[str], notes: str, held_at: datetime) -> str:
    """Why this session cannot be recorded, or "" if it can."""
    if who := _who_refusal(rep, coach):
        return who
    if not check_ids:
        return "Choose at least one check the session covered."
    unknown = set(check_ids) - {check_id for check_id, _ in checks_seen(rep)}
    if unknown:
        return f"The rep has no results on: {', '.join(sorted(unknown))}."
    if not notes.strip():
        return "Write what was covered in the notes."
    if held_at > timezone.now():
        return "A session is recorded once it has been held: the time is in the future."
    return ""


def record_session(
    rep: User, coach: User, check_ids: list[str], notes: str, held_at: datetime
) -> CoachingSession:
    """Store one coaching session; QualityError with the reason if it cannot be."""
    why = _refusal(rep, coach, check_ids, notes, held_at)
    if why:
        raise QualityError(why)
    with transaction.atomic():
        return CoachingSession.objects.create(
            rep=rep,
            coach=coach,
            check_ids=sorted(set(check_ids)),
            notes=notes.strip()[:MAX_NOTES],
            held_at=held_at,
        )


@dataclass(frozen=True)
class Rate:
    passed: int
    results: int
    # True while the span is still running (an "after" that has not had its 30 days yet).
    partial: bool = False

    @property
    def text(self) -> str:
        return share_text(self.passed, self.results)


@dataclass(frozen=True)
class SessionEffect:
    session: CoachingSession
    before: Rate
    after: Rate


def _span_counts(session: CoachingSession, now: datetime) -> dict[str, Count]:
    """Four conditional counts for one session: passes and results, before and after."""
    covered = Q(check_id__in=session.check_ids)
    start = session.held_at - timedelta(days=COMPARE_DAYS)
    end = min(session.held_at + timedelta(days=COMPARE_DAYS), now)
    before = covered & Q(
        scorecard__started_at__gte=start, scorecard__started_at__lt=session.held_at
    )
    after = covered & Q(scorecard__started_at__gte=session.held_at, scorecard__started_at__lt=end)
    passed = Q(status=CheckStatus.PASS)
    key = f"s{session.pk}"
    return {
        f"{key}_bp": Count("id", filter=before & passed),
        f"{key}_bn": Count("id", filter=before),
        f"{key}_ap": Count("id", filter=after & passed),
        f"{key}_an": Count("id", filter=after),
    }


def effects(
    rep: User, sessions: list[CoachingSession], now: datetime | None = None
) -> list[SessionEffect]:
    """Each session with the rep's pass rate on its checks before and after: one query."""
    now = now or timezone.now()
    if not sessions:
        return []
    counts: dict[str, Count] = {}
    for session in sessions:
        counts.update(_span_counts(session, now))
    totals = _around(rep, sessions).aggregate(**counts)
    return [_effect(session, totals, now) for session in sessions]


def _around(rep: User, sessions: list[CoachingSession]) -> QuerySet[CheckOutcome]:
    """Only the rows any of the spans can count, so the counts read one rep's few weeks."""
    span = timedelta(days=COMPARE_DAYS)
    return counted_outcomes().filter(
        scorecard__rep=rep,
        check_id__in={check_id for s in sessions for check_id in s.check_ids},
        scorecard__started_at__gte=min(s.held_at for s in sessions) - span,
        scorecard__started_at__lt=max(s.held_at for s in sessions) + span,
    )


def _effect(session: CoachingSession, totals: dict[str, int], now: datetime) -> SessionEffect:
    key = f"s{session.pk}"
    still_running = session.held_at + timedelta(days=COMPARE_DAYS) > now
    return SessionEffect(
        session=session,
        before=Rate(totals[f"{key}_bp"], totals[f"{key}_bn"]),
        after=Rate(totals[f"{key}_ap"], totals[f"{key}_an"], partial=still_running),
    )


def sessions_of(rep: User) -> QuerySet[CoachingSession]:
    return CoachingSession.objects.filter(rep=rep).select_related("coach")
