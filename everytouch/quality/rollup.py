"""The weekly rollup the dashboards read, kept exact as scorecards are stored and retired.

A touch counts through its one current, scored, real (not call-in test) scorecard. When
``actions.score`` stores a card it calls ``apply(retired, new)`` in the same transaction:
the retired card's counts come off and the new card's go on, so the rollup never drifts from
the outcomes and no nightly job is needed. ``rebuild`` recomputes it all from the outcomes
(tests compare the two; the benchmark loads with it).

"Contact details captured on buying calls" is the reserved row ``CONTACT_CHECK``: every
scored buying call counts once, as passed when the conversation holds the caller's phone or
e-mail (the extracted lead's ``phone`` or ``email``), else as failed. A number in hand is
what a salesperson can call back; a rep who asked and was refused did not capture one.

"Not scored" is the reserved row ``NOT_SCORED_CHECK``: every current touch that could not be
scored counts once in ``not_applicable`` (it neither passed nor failed anything), so the
dashboards show how many there are without counting scorecards on every view.

Every count goes on two rows: its channel's and the all-channels row (channel ``ALL_CHANNELS``,
the empty string). Most views ask for every channel, and summing a quarter of the rows is what
keeps a year of a hundred reps' dashboard quick; a view of one channel reads that channel's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from everytouch.business_time import business_tz
from everytouch.quality.models import CheckOutcome, CheckStatus, CheckWeek, Scorecard, ScoreState
from everytouch.redaction import redacted

# Check ids in a playbook are identifiers; a leading "*" can never clash with one.
RESERVED_PREFIX = "*"
CONTACT_CHECK = "*contact_captured"
NOT_SCORED_CHECK = "*not_scored"
ALL_CHANNELS = ""  # no channel is named "": the row of a week's touches on every channel
FIELD_OF = {
    CheckStatus.PASS: "passed",
    CheckStatus.FAIL: "failed",
    CheckStatus.NA: "not_applicable",
}


class Key(NamedTuple):
    week: date
    rep_id: int | None
    team_id: int | None
    channel: str
    check_id: str


Deltas = dict[Key, dict[str, int]]


def week_of(moment: datetime) -> date:
    """The Monday of ``moment``'s week in the business time zone."""
    day = moment.astimezone(business_tz()).date()
    return day - timedelta(days=day.weekday())


def counts(card: Scorecard) -> bool:
    """Whether a card may count at all: scored, and a real touch rather than a test call."""
    return card.state == ScoreState.SCORED and not card.is_test


def captured(result: Mapping[str, Any]) -> bool:
    lead = result.get("lead") or {}
    return bool(lead.get("phone") or lead.get("email"))


def _count(deltas: Deltas, key: Key, field: str, n: int) -> None:
    """Add ``n`` to ``field`` of ``key``'s row and of its all-channels row."""
    deltas[key][field] += n
    if key.channel != ALL_CHANNELS:
        deltas[key._replace(channel=ALL_CHANNELS)][field] += n


def _key(card: Scorecard, check_id: str) -> Key:
    return Key(week_of(card.started_at), card.rep_id, card.team_id, card.channel, check_id)


def _statuses(card: Scorecard, outcomes: Iterable[CheckOutcome] | None) -> list[tuple[str, str]]:
    if outcomes is not None:
        return [(o.check_id, o.status) for o in outcomes]
    return list(CheckOutcome.objects.filter(scorecard=card).values_list("check_id", "status"))


def _add(
    deltas: Deltas, card: Scorecard, sign: int, outcomes: Iterable[CheckOutcome] | None = None
) -> None:
    if card.state == ScoreState.NOT_SCORED and not card.is_test:
        _count(deltas, _key(card, NOT_SCORED_CHECK), "not_applicable", sign)
    if not counts(card):
        return
    for check_id, status in _statuses(card, outcomes):
        _count(deltas, _key(card, check_id), FIELD_OF[CheckStatus(status)], sign)
    if card.buying_intent:
        field = "passed" if captured(card.result) else "failed"
        _count(deltas, _key(card, CONTACT_CHECK), field, sign)


def apply(
    old: Scorecard | None, new: Scorecard, new_outcomes: Iterable[CheckOutcome] | None = None
) -> None:
    """Take the retired current card ``old`` off the rollup and put ``new`` on it.

    ``new_outcomes`` are ``new``'s outcomes when the caller has them in hand (it just stored
    them), which saves reading them back.
    """
    deltas: Deltas = defaultdict(lambda: defaultdict(int))
    if old is not None:
        _add(deltas, old, -1)
    _add(deltas, new, +1, new_outcomes)
    changes = [
        (key, tuple(deltas[key][name] for name in COUNTS))
        for key in sorted(deltas, key=_sort_key)
        if any(deltas[key].values())
    ]
    if changes:
        _upsert(changes)


COUNTS = ("passed", "failed", "not_applicable")


def _sort_key(key: Key) -> tuple[date, int, int, str, str]:
    return (key.week, key.rep_id or 0, key.team_id or 0, key.channel, key.check_id)


def _upsert(changes: list[tuple[Key, tuple[int, ...]]]) -> None:
    """Add every change in one statement: a new row where there is none, else onto its counts.

    One statement per scorecard rather than one per row: scoring a touch changes a dozen rows
    or more, and a statement each was a fifth of the scoring job. The rows go in key order, so
    two scorers lock shared rows in the same order and never wait on each other in a cycle.
    The conflict target is the unique index ``uniq_check_week`` (its NULLs coalesced to 0).
    """
    table = CheckWeek._meta.db_table
    columns = (*Key._fields, *COUNTS)
    marks = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(changes))
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTS)
    names = ", ".join(columns)
    sql = (
        f"INSERT INTO {table} ({names}) VALUES {marks}"  # noqa: S608 - our own names
        " ON CONFLICT (week, COALESCE(rep_id, 0), COALESCE(team_id, 0), channel, check_id)"
        f" DO UPDATE SET {added}"
    )
    # The week as Django stores a date (SQLite keeps text), not left to the driver's adapters.
    week = connection.ops.adapt_datefield_value
    params = [v for key, counts in changes for v in (week(key.week), *key[1:], *counts)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- rebuilding ----------------------------------------------------------------------------------


Tally = dict[Key, tuple[int, int, int]]


def _current() -> Q:
    return Q(is_current=True, is_test=False, state=ScoreState.SCORED)


def _outcome_rows() -> QuerySet[CheckOutcome, dict[str, Any]]:
    scoped = CheckOutcome.objects.filter(
        scorecard__is_current=True, scorecard__is_test=False, scorecard__state=ScoreState.SCORED
    )
    fields = ("scorecard__rep", "scorecard__team", "scorecard__channel", "check_id", "status")
    monday = TruncWeek("scorecard__started_at", tzinfo=business_tz())
    return (
        scoped.annotate(monday=monday).values("monday", *fields).annotate(n=Count("id")).order_by()
    )


def _tally_checks(deltas: Deltas) -> None:
    for row in _outcome_rows():
        key = Key(
            week_of(row["monday"]),
            row["scorecard__rep"],
            row["scorecard__team"],
            row["scorecard__channel"],
            row["check_id"],
        )
        _count(deltas, key, FIELD_OF[CheckStatus(row["status"])], row["n"])


def _tally_contacts(deltas: Deltas) -> None:
    buying = Scorecard.objects.filter(_current(), buying_intent=True).order_by()
    fields = ("started_at", "rep_id", "team_id", "channel", "result")
    for started_at, rep_id, team_id, channel, result in buying.values_list(*fields).iterator(
        chunk_size=2000
    ):
        key = Key(week_of(started_at), rep_id, team_id, channel, CONTACT_CHECK)
        _count(deltas, key, "passed" if captured(result) else "failed", 1)


def _tally_not_scored(deltas: Deltas) -> None:
    cards = Scorecard.objects.filter(is_current=True, is_test=False, state=ScoreState.NOT_SCORED)
    fields = ("started_at", "rep_id", "team_id", "channel")
    for started_at, rep_id, team_id, channel in (
        cards.order_by().values_list(*fields).iterator(chunk_size=2000)
    ):
        key = Key(week_of(started_at), rep_id, team_id, channel, NOT_SCORED_CHECK)
        _count(deltas, key, "not_applicable", 1)


def _as_tally(deltas: Deltas) -> Tally:
    out: Tally = {}
    for key, c in deltas.items():
        if c["passed"] or c["failed"] or c["not_applicable"]:
            out[key] = (c["passed"], c["failed"], c["not_applicable"])
    return out


def compute() -> Tally:
    """The rollup as the current outcomes say it should be, counted from scratch."""
    deltas: Deltas = defaultdict(lambda: defaultdict(int))
    _tally_checks(deltas)
    _tally_contacts(deltas)
    _tally_not_scored(deltas)
    return _as_tally(deltas)


def stored() -> Tally:
    """The rollup as kept; rows that fell back to zero count as absent."""
    rows = CheckWeek.objects.exclude(passed=0, failed=0, not_applicable=0)
    fields = ("week", "rep_id", "team_id", "channel", "check_id")
    return {
        Key(*row[:5]): (row[5], row[6], row[7])
        for row in rows.values_list(*fields, "passed", "failed", "not_applicable")
    }


@transaction.atomic
def rebuild() -> int:
    """Replace the rollup with ``compute()``; the number of rows written."""
    tally = compute()
    CheckWeek.objects.all().delete()
    rows = (
        CheckWeek(**key._asdict(), passed=p, failed=f, not_applicable=n)
        for key, (p, f, n) in tally.items()
    )
    CheckWeek.objects.bulk_create(redacted(rows), batch_size=2000)
    return len(tally)
