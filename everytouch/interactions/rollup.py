"""Touches each user handled per UTC hour and per UTC day, kept in step by database triggers.

The early warning counts every rep's touches week by week for eight weeks: at five million
touches that was a count of some 400,000 rows per page view (a quarter of a second on
PostgreSQL). Here the same counts are sums over a few thousand rollup rows.

Weeks start at the business's local midnight, which is not a UTC day boundary and, in a few
time zones (India, Nepal, parts of Australia), not even an hour boundary. So a time range is
split (``split``) into whole UTC days (the day rows), the whole hours at its two ends (the hour
rows) and what is left of an hour at either end, counted from the touches themselves. The
result is exactly the count of touches in the range.

The rows are kept by triggers on ``interactions_interaction`` (insert; delete; update of
``handled_by_id`` or ``started_at``), like the search index (``customers.textindex``), so every
write path counts: the actions, ``bulk_create``, erasure, raw SQL. A row is never deleted: a
count can fall to 0. Buckets are floor(seconds since 1970 / 3600), in UTC.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import pairwise
from typing import Any

from django.db import connection, migrations
from django.db.models import Count, IntegerField, QuerySet, Sum, Value

from everytouch.customers.textindex import among, vendor_sql_operation
from everytouch.interactions.models import HandledCount, Interaction

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY_HOURS = 24


def hour_floor(moment: datetime) -> int:
    """The hour bucket ``moment`` falls in (exact: timedelta division is integer arithmetic)."""
    return (moment - EPOCH) // HOUR


def hour_ceil(moment: datetime) -> int:
    """The first hour bucket that starts at or after ``moment``."""
    return -((EPOCH - moment) // HOUR)


def at_hour(bucket: int) -> datetime:
    return EPOCH + bucket * HOUR


@dataclass(frozen=True)
class Split:
    """A time range [low, high) as day rows, hour rows and raw stretches of touches."""

    days: tuple[int, int] | None
    hours: tuple[tuple[int, int], ...]
    raw: tuple[tuple[datetime, datetime], ...]


def split(low: datetime, high: datetime) -> Split:
    """[low, high) split so that each touch in it is counted once, by the cheapest source.

    ``days`` and ``hours`` are [first, last) ranges of hour buckets (the day rows' buckets are
    multiples of 24); ``raw`` are the stretches under an hour at either end, empty when the
    range starts and ends on whole hours.
    """
    if high <= low:
        return Split(None, (), ())
    first, last = hour_ceil(low), hour_floor(high)
    if first >= last:
        return Split(None, (), ((low, high),))
    raw = tuple((a, b) for a, b in ((low, at_hour(first)), (at_hour(last), high)) if a < b)
    day_first = -(-first // DAY_HOURS) * DAY_HOURS
    day_last = last // DAY_HOURS * DAY_HOURS
    if day_first >= day_last:
        return Split(None, ((first, last),), raw)
    hours = tuple((a, b) for a, b in ((first, day_first), (day_last, last)) if a < b)
    return Split((day_first, day_last), hours, raw)


# --- counting -------------------------------------------------------------------------------


def handled_counts(users: list[int], bounds: list[datetime]) -> dict[tuple[int, int], int]:
    """Touches each of ``users`` handled per range: {(user id, k): count} for the range from
    ``bounds[k]`` to ``bounds[k + 1]``; a pair with no touch is left out.

    One query, a UNION ALL of grouped sums (and, off the hour, counts of touches), each a range
    read of an index in user order. The ids are literals (``among``), not a parameter each.
    """
    sums: list[tuple[int, int, int, int]] = []
    raw: list[tuple[int, datetime, datetime]] = []
    for k, (low, high) in enumerate(pairwise(bounds)):
        pieces = split(low, high)
        sums += [(k, 1, first, last) for first, last in pieces.hours]
        if pieces.days is not None:
            sums.append((k, DAY_HOURS, *pieces.days))
        raw += [(k, a, b) for a, b in pieces.raw]
    rows = itertools.chain(
        union_of(partial(_rows_sum, users), (WEEK_MARK, SPAN_MARK, *START_MARKS), sums),
        union_of(partial(_touches_count, users), (WEEK_MARK, *TIME_MARKS), raw),
    )
    counts: dict[tuple[int, int], int] = {}
    for user, k, n in rows:
        if n:
            counts[user, k] = counts.get((user, k), 0) + int(n)
    return counts


# SQLite refuses a compound SELECT of more than 500 parts: a long look-back is asked in pieces.
COMPOUND_LIMIT = 400


def union_rows(parts: list[QuerySet[Any]]) -> Iterator[Any]:
    """The rows of every part: one UNION ALL query per ``COMPOUND_LIMIT`` parts."""
    for i in range(0, len(parts), COMPOUND_LIMIT):
        first, *rest = parts[i : i + COMPOUND_LIMIT]
        yield from first.union(*rest, all=True) if rest else first


# Values no real part holds, for ``union_of``. Each fits its column (Django turns a comparison
# with a number out of a column's range into "nothing" or "everything" before compiling): a week
# number (no column), a span (a small positive number; real ones are 1 and 24), hour buckets
# (negative: before 1970), and instants no record has.
WEEK_MARK = -1_987_654_321
SPAN_MARK = 32_001
START_MARKS = (-1_987_654_322, -1_987_654_323)
TIME_MARKS = (
    datetime(1901, 2, 3, 4, 5, 6, 7_891, tzinfo=UTC),
    datetime(1901, 2, 3, 4, 5, 6, 7_892, tzinfo=UTC),
)


def union_of(
    build: Callable[..., QuerySet[Any]], marks: tuple[Any, ...], values: Sequence[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``build(*args)`` for every ``args`` in ``values``, in UNION ALL queries
    (``COMPOUND_LIMIT`` parts each), the part built and compiled once.

    Building and compiling a queryset costs Django the better part of a millisecond: the early
    warning asked for some fifty parts that differ only in their numbers and instants, a third
    of its CPU. ``build(*marks)`` is compiled once, and each mark's parameter is replaced by the
    part's own value. A mark must be a value the part holds nowhere else; if one cannot be found
    among the parameters (the compiler folded it away), each part is built as before.
    """
    if not values:
        return
    sql, params = build(*marks).query.sql_with_params()
    prepared = [_prepared(m) for m in marks]
    slots = [_slot(p, prepared) for p in params]
    if {s for s in slots if s is not None} != set(range(len(marks))) or "ORDER BY" in sql:
        yield from union_rows([build(*args) for args in values])
        return
    with connection.cursor() as cursor:
        for i in range(0, len(values), COMPOUND_LIMIT):
            chunk = values[i : i + COMPOUND_LIMIT]
            every = [
                p if s is None else _prepared(part[s], p)
                for part in chunk
                for p, s in zip(params, slots, strict=True)
            ]
            cursor.execute(" UNION ALL ".join([sql] * len(chunk)), every)
            yield from cursor.fetchall()


def _prepared(value: Any, like: Any = None) -> Any:
    """``value`` as the compiler passes it, in place of the parameter ``like``: a datetime as the
    column's (a UTC string on SQLite), a number in the same wrapper (psycopg's ``Int4`` for a
    ``Value`` on PostgreSQL)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(like, int) and type(like) is not int:
        return type(like)(value)
    return value


def _slot(param: Any, marks: list[Any]) -> int | None:
    return next((i for i, m in enumerate(marks) if isinstance(param, type(m)) and param == m), None)


def _week(k: int) -> Value:
    return Value(k, output_field=IntegerField())


def _rows_sum(users: list[int], k: int, span: int, first: int, last: int) -> QuerySet[Any]:
    qs = HandledCount.objects.filter(
        among(HandledCount, users, "user_id"), span=span, start__gte=first, start__lt=last
    )
    grouped = qs.order_by().values("user_id").annotate(week_n=_week(k), total=Sum("n"))
    return grouped.values_list("user_id", "week_n", "total")


def _touches_count(users: list[int], k: int, low: datetime, high: datetime) -> QuerySet[Any]:
    mine = Interaction.objects.filter(among(Interaction, users, "handled_by_id"))
    return counted_in_range(mine, "handled_by", "started_at", k, low, high)


def counted_in_range(
    qs: QuerySet[Any], user_field: str, time_field: str, k: int, low: datetime, high: datetime
) -> QuerySet[Any]:
    """Rows of ``qs`` per user from ``low`` to ``high`` as (user, k, count): one part of a
    ``union_rows``, a range read of a (user, time) index in user order."""
    in_range = qs.order_by().filter(**{f"{time_field}__gte": low, f"{time_field}__lt": high})
    # COUNT(*), not COUNT(id): PostgreSQL can then count from a (user, time) index alone.
    grouped = in_range.values(user_field).annotate(week_n=_week(k), total=Count("*"))
    rows: QuerySet[Any] = grouped.values_list(user_field, "week_n", "total")
    return rows


# --- schema (the migration that adds the rollup runs these) ---------------------------------


@dataclass(frozen=True)
class Rollup:
    """The triggers that keep ``table`` (user_id, span, start, n) in step with ``source``."""

    table: str
    source: str
    user: str
    at: str

    trigger_events = ("insert", "update", "delete")

    def trigger_names(self) -> list[str]:
        return [f"{self.table}_{event}" for event in self.trigger_events]

    def create_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [*self._sqlite_triggers(), *self.fill_sql(vendor)]
        if vendor == "postgresql":
            return [*self._pg_triggers(), *self.fill_sql(vendor)]
        return []

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {name}" for name in self.trigger_names()]
        if vendor == "postgresql":
            return [
                *(f"DROP TRIGGER IF EXISTS {n} ON {self.source}" for n in self.trigger_names()),
                f"DROP FUNCTION IF EXISTS {self.table}_count()",
                f"DROP FUNCTION IF EXISTS {self.table}_add(bigint, timestamptz, integer)",
            ]
        return []

    def fill_sql(self, vendor: str) -> list[str]:
        """Empty the rollup and count every row of ``source`` into it (one pass per span)."""
        statements = [f"DELETE FROM {self.table}"]  # noqa: S608 -- constants, never input
        for span in (1, DAY_HOURS):
            bucket = self._bucket(vendor, self.at, span)
            statements.append(
                f"INSERT INTO {self.table} (user_id, span, start, n)"  # noqa: S608
                f" SELECT {self.user}, {span}, {bucket} AS bucket, COUNT(*) FROM {self.source}"
                f" WHERE {self.user} IS NOT NULL GROUP BY {self.user}, bucket"
            )
        return statements

    def operation(self) -> migrations.RunPython:
        """The migration step that adds the triggers and counts what is there already."""
        return vendor_sql_operation(self.create_sql, self.drop_sql)

    def rebuild(self) -> None:
        """Recount from the touches (after a bulk load that ran without the triggers)."""
        with connection.cursor() as cursor:
            for statement in self.fill_sql(connection.vendor):
                cursor.execute(statement)

    @staticmethod
    def _bucket(vendor: str, column: str, span: int) -> str:
        """SQL for the first hour of the ``span``-hour bucket ``column`` falls in (floored)."""
        if vendor == "postgresql":
            return f"(floor(extract(epoch from {column}) / {3600 * span})::bigint * {span})"
        # Whole seconds: the first 19 characters of Django's 'YYYY-MM-DD HH:MM:SS.ffffff'. Left
        # to SQLite, whose clock counts milliseconds, 23:59:59.999999 rounds up into the next
        # day. Seconds from julianday(), rounded (the double is exact to far under a second):
        # unixepoch() needs SQLite 3.38, newer than some LTS systems ship, and strftime('%s')
        # cannot be used (Django turns a %s in a migration's SQL into a parameter). SQLite's
        # integer division truncates toward zero, so a date before 1970 is floored by hand.
        days = f"(julianday(substr({column}, 1, 19)) - 2440587.5)"
        epoch = f"CAST(round({days} * 86400) AS INTEGER)"
        size = 3600 * span
        floored = f"({epoch} - ((({epoch}) % {size}) + {size}) % {size})"
        return f"({floored} / 3600)"

    def _sqlite_triggers(self) -> list[str]:
        def bucket(row: str, span: int) -> str:
            return self._bucket("sqlite", f"{row}.{self.at}", span)

        def add(row: str) -> str:
            return " ".join(
                f"INSERT INTO {self.table} (user_id, span, start, n)"
                f" SELECT {row}.{self.user}, {span}, {bucket(row, span)}, 1"
                f" WHERE {row}.{self.user} IS NOT NULL"
                " ON CONFLICT (user_id, span, start) DO UPDATE SET n = n + 1;"
                for span in (1, DAY_HOURS)
            )

        # A decrement only updates: a row that is gone (the table emptied first, as a flush
        # may) is not brought back as -1.
        def remove(row: str) -> str:
            return " ".join(
                f"UPDATE {self.table} SET n = n - 1 WHERE user_id = {row}.{self.user}"  # noqa: S608
                f" AND span = {span} AND start = {bucket(row, span)};"
                for span in (1, DAY_HOURS)
            )

        changed = f"old.{self.user} IS NOT new.{self.user} OR old.{self.at} IS NOT new.{self.at}"
        return [
            f"CREATE TRIGGER {self.table}_insert AFTER INSERT ON {self.source}"
            f" BEGIN {add('new')} END",
            f"CREATE TRIGGER {self.table}_update AFTER UPDATE ON {self.source} WHEN {changed}"
            f" BEGIN {remove('old')} {add('new')} END",
            f"CREATE TRIGGER {self.table}_delete AFTER DELETE ON {self.source}"
            f" BEGIN {remove('old')} END",
        ]

    def _pg_triggers(self) -> list[str]:
        hour = self._bucket("postgresql", "p_at", 1)
        day = self._bucket("postgresql", "p_at", DAY_HOURS)
        # Table and column names are this module's constants, never user input.
        signature = f"{self.table}_add(p_user bigint, p_at timestamptz, p_delta integer)"
        add = (
            f"CREATE FUNCTION {signature}"  # noqa: S608
            " RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
            " IF p_user IS NULL THEN RETURN; END IF;"
            # A decrement only updates: a row that is gone (the table emptied first) is not
            # brought back as -1. The hour row before the day row, always: two writers lock
            # them in one order.
            " IF p_delta < 0 THEN"
            f" UPDATE {self.table} SET n = n + p_delta WHERE user_id = p_user"
            f" AND (span, start) IN ((1, {hour}), ({DAY_HOURS}, {day})); RETURN; END IF;"
            f" INSERT INTO {self.table} (user_id, span, start, n)"
            f" VALUES (p_user, 1, {hour}, p_delta), (p_user, {DAY_HOURS}, {day}, p_delta)"
            f" ON CONFLICT (user_id, span, start) DO UPDATE SET n = {self.table}.n + EXCLUDED.n;"
            " END $$"
        )
        count = (
            f"CREATE FUNCTION {self.table}_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF TG_OP <> 'INSERT' THEN"
            f" PERFORM {self.table}_add(OLD.{self.user}, OLD.{self.at}, -1); END IF;"
            " IF TG_OP <> 'DELETE' THEN"
            f" PERFORM {self.table}_add(NEW.{self.user}, NEW.{self.at}, 1); END IF;"
            " RETURN NULL; END $$"
        )
        run = f"FOR EACH ROW EXECUTE FUNCTION {self.table}_count()"
        changed = (
            f"OLD.{self.user} IS DISTINCT FROM NEW.{self.user}"
            f" OR OLD.{self.at} IS DISTINCT FROM NEW.{self.at}"
        )
        return [
            add,
            count,
            f"CREATE TRIGGER {self.table}_insert AFTER INSERT ON {self.source} {run}",
            f"CREATE TRIGGER {self.table}_update AFTER UPDATE OF {self.user}, {self.at}"
            f" ON {self.source} FOR EACH ROW WHEN ({changed})"
            f" EXECUTE FUNCTION {self.table}_count()",
            f"CREATE TRIGGER {self.table}_delete AFTER DELETE ON {self.source} {run}",
        ]


HANDLED = Rollup(
    "interactions_handledcount", "interactions_interaction", "handled_by_id", "started_at"
)
