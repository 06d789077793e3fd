"""The stored hourly/daily count of touches per user: kept by triggers, read by the early warning.

Every count is checked against the plain count of the touches themselves, on whichever database
the suite runs on, after every kind of write the app or an operator makes.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet
from hypothesis import given
from hypothesis import strategies as st

from everytouch.customers.models import Customer
from everytouch.interactions.models import Channel, HandledCount, Interaction
from everytouch.interactions.rollup import (
    DAY_HOURS,
    HANDLED,
    TIME_MARKS,
    WEEK_MARK,
    at_hour,
    counted_in_range,
    handled_counts,
    hour_ceil,
    hour_floor,
    split,
    union_of,
    union_rows,
)
from everytouch.testing import make_customer

MOMENTS = st.datetimes(
    min_value=datetime(1965, 1, 1), max_value=datetime(2045, 1, 1), timezones=st.just(UTC)
)


def covered(low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches ``split`` counts, as datetimes, in order."""
    pieces = split(low, high)
    parts = [(at_hour(a), at_hour(b)) for a, b in pieces.hours] + list(pieces.raw)
    if pieces.days is not None:
        parts.append((at_hour(pieces.days[0]), at_hour(pieces.days[1])))
    return sorted(parts)


@given(MOMENTS, MOMENTS)
def test_a_split_covers_its_range_exactly_once_and_counts_under_an_hour_raw(
    a: datetime, b: datetime
) -> None:
    low, high = min(a, b), max(a, b)
    parts = covered(low, high)
    if low == high:
        assert parts == []
        return
    assert parts[0][0] == low
    assert parts[-1][1] == high
    assert all(x[1] == y[0] for x, y in itertools.pairwise(parts))  # no gap, no overlap
    pieces = split(low, high)
    assert all(end - start < timedelta(hours=1) for start, end in pieces.raw)
    if pieces.days is not None:
        assert pieces.days[0] % DAY_HOURS == 0 and pieces.days[1] % DAY_HOURS == 0
        # Whole days are never counted hour by hour.
        assert all(end - start < DAY_HOURS for start, end in pieces.hours)


@given(MOMENTS)
def test_hour_buckets_floor_and_ceil_exactly(moment: datetime) -> None:
    assert at_hour(hour_floor(moment)) <= moment < at_hour(hour_floor(moment) + 1)
    assert at_hour(hour_ceil(moment) - 1) < moment <= at_hour(hour_ceil(moment))


# --- the triggers, on the database ---------------------------------------------------------

# Instants that stress the buckets: on the hour, a microsecond either side of one, around a
# UTC midnight, India's half-hour midnight, before 1970 and a DST change in New York.
EDGES = [
    datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 2, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 1, 18, 30, tzinfo=UTC),  # midnight in Kolkata
    datetime(2026, 3, 1, 18, 29, 59, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # just after New York springs forward
    datetime(1969, 12, 31, 23, 30, tzinfo=UTC),
    datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),
]


def touch(customer: Customer, rep: User | None, at: datetime) -> Interaction:
    return Interaction.objects.create(
        customer=customer, channel=Channel.CALL, started_at=at, handled_by=rep
    )


def plain(users: list[int], bounds: list[datetime]) -> dict[tuple[int, int], int]:
    """What the rollup must answer: the touches counted one by one."""
    counts: dict[tuple[int, int], int] = {}
    for k, (low, high) in enumerate(itertools.pairwise(bounds)):
        for user in users:
            n = Interaction.objects.filter(
                handled_by=user, started_at__gte=low, started_at__lt=high
            ).count()
            if n:
                counts[user, k] = n
    return counts


def weeks_from(start: datetime, zone: str, count: int = 9) -> list[datetime]:
    local = start.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [local.date() + timedelta(weeks=n) for n in range(count)]
    return [datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(zone)) for d in days]


def stored() -> dict[tuple[int, int, int], int]:
    return {
        (row.user_id, row.span, row.start): row.n for row in HandledCount.objects.all() if row.n
    }


def expected_rows() -> dict[tuple[int, int, int], int]:
    rows: dict[tuple[int, int, int], int] = {}
    for user, at in Interaction.objects.exclude(handled_by=None).values_list(
        "handled_by", "started_at"
    ):
        hour = hour_floor(at)
        for key in ((user, 1, hour), (user, DAY_HOURS, hour // DAY_HOURS * DAY_HOURS)):
            rows[key] = rows.get(key, 0) + 1
    return rows


@pytest.fixture
def customer(db: None) -> Customer:
    return make_customer("Ivo Quill", (), company="")


@pytest.mark.django_db
def test_it_has_the_triggers_after_migrate() -> None:
    # An AlterField that rebuilds the table on SQLite drops its triggers (docs/architecture.md).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [HANDLED.source]
            )
        names = {row[0] for row in cursor.fetchall()}
    assert set(HANDLED.trigger_names()) <= names


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_counts_equal_to_the_touches(
    customer: Customer, rep: User, rep2: User
) -> None:
    rng = random.Random(7)
    base = datetime(2026, 2, 20, tzinfo=UTC)
    moments = EDGES + [base + timedelta(seconds=rng.randrange(40 * 86400)) for _ in range(60)]
    made = [touch(customer, rng.choice([rep, rep2, None]), at) for at in moments]
    Interaction.objects.bulk_create(
        [Interaction(customer=customer, channel=Channel.CHAT, started_at=at, handled_by=rep2)
         for at in EDGES]
    )  # fmt: skip
    assert stored() == expected_rows()
    # Moved to another rep, to another time, both, and to nobody; by save() and by update().
    made[0].handled_by = rep2
    made[0].save()
    made[1].started_at += timedelta(days=3, minutes=7)
    made[1].save(update_fields=["started_at"])
    Interaction.objects.filter(pk=made[2].pk).update(handled_by=None)
    Interaction.objects.filter(pk__in=[m.pk for m in made[3:9]]).update(
        handled_by=rep, started_at=base
    )
    made[10].summary = "an edit that moves nothing"
    made[10].save()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE interactions_interaction SET handled_by_id = %s WHERE id = %s",
            [rep.pk, made[11].pk],
        )
    Interaction.objects.filter(pk__in=[m.pk for m in made[20:30]]).delete()
    made[30].delete()
    assert stored() == expected_rows()
    users = [rep.pk, rep2.pk]
    for zone in ("UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"):
        bounds = weeks_from(base - timedelta(days=3), zone)
        assert handled_counts(users, bounds) == plain(users, bounds), zone
    old = [datetime(1969, 6, 1, tzinfo=UTC), datetime(1969, 12, 31, 23, 45, tzinfo=UTC),
           datetime(1970, 1, 2, tzinfo=UTC)]  # fmt: skip
    assert handled_counts(users, old) == plain(users, old)


@pytest.mark.django_db
def test_a_rebuild_counts_what_the_triggers_counted(
    customer: Customer, rep: User, rep2: User
) -> None:
    for n, at in enumerate(EDGES * 3):
        touch(customer, (rep, rep2)[n % 2], at + timedelta(minutes=n))
    kept = stored()
    HandledCount.objects.all().delete()
    HANDLED.rebuild()
    assert stored() == kept == expected_rows()


@pytest.mark.django_db
def test_a_range_within_one_hour_counts_the_touches_themselves(
    customer: Customer, rep: User
) -> None:
    at = datetime(2026, 3, 2, 10, 20, tzinfo=UTC)
    touch(customer, rep, at)
    touch(customer, rep, at + timedelta(minutes=30))
    bounds = [at, at + timedelta(minutes=30), at + timedelta(minutes=31)]
    assert handled_counts([rep.pk], bounds) == {(rep.pk, 0): 1, (rep.pk, 1): 1}
    assert handled_counts([], bounds) == {}
    assert handled_counts([rep.pk], [at]) == {}


@pytest.mark.django_db
def test_the_database_puts_any_instant_in_the_hour_and_day_python_does(
    customer: Customer, rep: User
) -> None:
    # Across 85 years, to the microsecond, on the hour and a microsecond off it: the SQL
    # bucket (SQLite's day count, PostgreSQL's epoch) must agree with hour_floor exactly.
    rng = random.Random(11)
    low, span = datetime(1960, 1, 1, tzinfo=UTC), 85 * 365 * 86400
    moments = [low + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
               for _ in range(150)]  # fmt: skip
    on_hours = [at_hour(hour_floor(m)) for m in moments[:50]]
    moments += on_hours + [m - timedelta(microseconds=1) for m in on_hours]
    Interaction.objects.bulk_create(
        [Interaction(customer=customer, channel=Channel.CALL, started_at=m, handled_by=rep)
         for m in moments]
    )  # fmt: skip
    assert stored() == expected_rows()


@pytest.mark.django_db
def test_a_long_look_back_is_asked_in_pieces_sqlite_accepts(customer: Customer, rep: User) -> None:
    # 120 weeks in a half-hour zone: five parts a week, 600 in all, past SQLite's 500.
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(40):
        touch(customer, rep, start + timedelta(days=19 * n, hours=n % 24, minutes=n))
    bounds = weeks_from(start, "Asia/Kolkata", count=121)
    assert handled_counts([rep.pk], bounds) == plain([rep.pk], bounds)


def _per_user_and_range(k: int, low: datetime, high: datetime) -> QuerySet[Any]:
    return counted_in_range(Interaction.objects.all(), "handled_by", "started_at", k, low, high)


@pytest.mark.django_db
def test_one_compiled_part_answers_for_every_range_as_separate_parts_do(
    customer: Customer, rep: User, rep2: User
) -> None:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    for n in range(60):
        touch(customer, (rep, rep2)[n % 2], start + timedelta(hours=37 * n, minutes=n))
    bounds = weeks_from(start, "Asia/Kathmandu", count=450)  # past the compound limit
    ranges = [(k, low, high) for k, (low, high) in enumerate(itertools.pairwise(bounds))]
    built: list[tuple[Any, ...]] = []

    def build(*args: Any) -> QuerySet[Any]:
        built.append(args)
        return _per_user_and_range(*args)

    fast = sorted(union_of(build, (WEEK_MARK, *TIME_MARKS), ranges))
    assert built == [(WEEK_MARK, *TIME_MARKS)]  # compiled once, not once per range
    one_by_one = sorted(union_rows([_per_user_and_range(*r) for r in ranges]))
    assert fast == one_by_one
    assert sum(n for _, _, n in fast) == 60


@pytest.mark.django_db
def test_a_part_that_drops_a_mark_is_built_range_by_range(customer: Customer, rep: User) -> None:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    touch(customer, rep, start + timedelta(days=1))
    ranges = [(0, start, start + timedelta(days=7)), (1, start, start + timedelta(days=2))]
    built: list[tuple[Any, ...]] = []

    def ignores_high(k: int, low: datetime, high: datetime) -> QuerySet[Any]:
        built.append((k, low, high))
        return _per_user_and_range(k, low, start + timedelta(days=7))

    rows = sorted(union_of(ignores_high, (WEEK_MARK, *TIME_MARKS), ranges))
    assert rows == [(rep.pk, 0, 1), (rep.pk, 1, 1)]
    assert len(built) == 1 + len(ranges)


@pytest.mark.django_db
def test_the_touch_counts_compile_each_kind_of_part_once(
    customer: Customer, rep: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rollup sums (hour and day rows) and raw counts (Kolkata's half hours) both take the one-
    # compilation path: the part-by-part path is not asked for.
    from everytouch.interactions import rollup

    start = datetime(2026, 1, 5, tzinfo=UTC)
    for n in range(30):
        touch(customer, rep, start + timedelta(hours=11 * n, minutes=7 * n))
    bounds = weeks_from(start, "Asia/Kolkata", count=5)
    expected = plain([rep.pk], bounds)

    def refuse(parts: Any) -> Any:
        raise AssertionError("built part by part")

    monkeypatch.setattr(rollup, "union_rows", refuse)
    assert handled_counts([rep.pk], bounds) == expected
    assert sum(expected.values()) == 30
