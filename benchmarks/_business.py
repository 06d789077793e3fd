"""A large, deterministic business for the page budget benchmark, loaded in bulk.

A million customers with phones and e-mails (the identify benchmark's generator), five million
touches with their turns over two years, leads, promises, scorecards with their outcomes and
weekly rollup, taken messages, notifications and the timeline events the app writes for them,
handled by 100 staff (an owner, managers, trainers and reps in teams).

The staff, teams and the default playbook are made through the app's own code (there are a
hundred of them); everything else goes straight into the tables (multi-row INSERTs on SQLite, COPY
on PostgreSQL), because building it through the actions would take a day and the benchmark
measures reads. Row ``i`` of every table is a pure function of ``i``, so ids line up without
lookups: interaction ``i`` belongs to customer ``customer_of(i)`` and happened at ``when(i)``.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from benchmarks._dataset import COMPANIES, FIRST, LAST, Numbers, email, insert_many

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Bump when the generated rows change, so a cached database built by older code is not reused.
BUSINESS_VERSION = 2
BATCH = 50_000
SPAN = timedelta(days=730)
CHANNELS = ("call", "email", "chat", "visit")
CHANNEL_WEIGHTS = (0.6, 0.2, 0.15, 0.05)
TURN_TEXTS = (
    ("agent", "Acme Office, how can I help?"),
    ("customer", "I need a quote for toner."),
    ("agent", "Of course, may I have your name and number?"),
    ("customer", "Thanks, that is all."),
)
SUMMARIES = (
    "Asked about toner prices",
    "Order status",
    "Quote for standing desks",
    "Invoice question",
    "Delivery date changed",
    "Printer repair booked",
)
NEEDS = ("10 standing desks", "toner for 5 printers", "office chairs", "a copier lease", "paper")
PROMISES = ("Call back with a quote", "Send the invoice copy", "Confirm the delivery date")
ABOUT = ("Please call back about the order", "Wants a quote", "Invoice is wrong", "Visit booked")
NOT_SCORED = 0.02
SETVAL = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"


@dataclass(frozen=True)
class Sizes:
    customers: int
    interactions: int
    leads: int
    promises: int
    scorecards: int
    messages: int
    notifications: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def n(full: int) -> int:
            return max(100, round(full * scale))

        return cls(
            customers=n(1_000_000),
            interactions=n(5_000_000),
            leads=n(100_000),
            promises=n(200_000),
            # A scored touch in 25 (the newest year's, one in 12.5): each card has about 20
            # outcomes, so this is four million outcome rows beside the weekly rollup.
            scorecards=n(200_000),
            messages=n(50_000),
            notifications=n(200_000),
        )

    def key(self) -> str:
        return "-".join(str(v) for v in asdict(self).values())


# --- the staff -------------------------------------------------------------------------------

OWNERS, MANAGERS, TRAINERS, REPS, TEAMS = 1, 6, 3, 90, 6
PASSWORD = "bench-pages"  # noqa: S105 - a benchmark database's shared login


@dataclass(frozen=True)
class Cast:
    owner: int
    managers: list[int]
    trainers: list[int]
    reps: list[int]
    team_of: dict[int, int]
    version_id: int
    checks: list[tuple[str, str, bool]]  # id, title, only on buying calls

    @property
    def everyone(self) -> list[int]:
        return [self.owner, *self.managers, *self.trainers, *self.reps]


def make_cast() -> Cast:
    """100 staff with roles, directory entries and teams, and the default playbook."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from benchmarks.quality_dashboards import _checks
    from everytouch.accounts.models import Profile, Role
    from everytouch.quality.actions import ensure_default_playbook
    from everytouch.staff.directory.actions import ensure_directory
    from everytouch.staff.models import StaffMember, Team

    password = make_password(PASSWORD)  # one hash for all: hashing 100 times takes a minute
    plan = (
        [("owner", "Olive", "Owner", Role.OWNER)]
        + [(f"manager{i}", "Mona", f"Manager{i}", Role.MANAGER) for i in range(1, MANAGERS + 1)]
        + [(f"trainer{i}", "Tara", f"Trainer{i}", Role.TRAINER) for i in range(1, TRAINERS + 1)]
        + [(f"rep{i}", FIRST[i % len(FIRST)], f"Rep{i}", Role.REP) for i in range(1, REPS + 1)]
    )
    users = User.objects.bulk_create(
        User(username=u, first_name=f, last_name=last, email=f"{u}@acme.example", password=password)
        for u, f, last, _ in plan
    )
    Profile.objects.bulk_create(
        Profile(user=u, role=p[3]) for u, p in zip(users, plan, strict=True)
    )
    ensure_directory()
    managers = users[1 : 1 + MANAGERS]
    teams = [
        Team.objects.create(name=f"Team {t + 1}", manager=managers[t % MANAGERS])
        for t in range(TEAMS)
    ]
    reps = users[1 + MANAGERS + TRAINERS :]
    team_of = {u.pk: teams[i % TEAMS].pk for i, u in enumerate(reps)}
    for user in reps:
        StaffMember.objects.filter(user=user).update(
            team_id=team_of[user.pk], title="Sales rep", extension=str(100 + user.pk)
        )
    for i, user in enumerate(managers):
        StaffMember.objects.filter(user=user).update(team_id=teams[i % TEAMS].pk, title="Manager")
    version = ensure_default_playbook()
    return Cast(
        owner=users[0].pk,
        managers=[u.pk for u in managers],
        trainers=[u.pk for u in users[1 + MANAGERS : 1 + MANAGERS + TRAINERS]],
        reps=[u.pk for u in reps],
        team_of=team_of,
        version_id=version.pk,
        checks=_checks(version),
    )


def user(pk: int) -> User:
    from django.contrib.auth.models import User

    return User.objects.get(pk=pk)


def cast_of_built() -> Cast:
    """The cast of an already built database."""
    from django.contrib.auth.models import User

    from benchmarks.quality_dashboards import _checks
    from everytouch.quality.actions import ensure_default_playbook
    from everytouch.staff.models import StaffMember

    def ids(prefix: str) -> list[int]:
        qs = User.objects.filter(username__startswith=prefix).order_by("pk")
        return list(qs.values_list("pk", flat=True))

    reps = ids("rep")
    teams = dict(StaffMember.objects.filter(user_id__in=reps).values_list("user_id", "team_id"))
    version = ensure_default_playbook()
    return Cast(
        owner=User.objects.get(username="owner").pk,
        managers=ids("manager"),
        trainers=ids("trainer"),
        reps=reps,
        team_of={k: v for k, v in teams.items() if v is not None},
        version_id=version.pk,
        checks=_checks(version),
    )


# --- writing rows ----------------------------------------------------------------------------


class Sink:
    """Rows straight into a table: multi-row INSERTs on SQLite, COPY (text format) on PostgreSQL.

    Values are given as the database's text (``stamp`` formats datetimes per backend), ints,
    floats or None; booleans as 1/0, which both accept.
    """

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw: Any = connection.connection
        self.tables: list[str] = []
        if self.vendor == "sqlite":
            # A gigabyte of page cache: the indexes on customer ids are written in random
            # order, and SQLite's default 2 MB cache would send most of those writes to disk.
            self.raw.execute("PRAGMA cache_size=-1048576")

    def stamp(self, moment: datetime) -> str:
        if self.vendor == "sqlite":
            # Django keeps SQLite datetimes as naive UTC text.
            return moment.replace(tzinfo=None).isoformat(sep=" ")
        return moment.isoformat(sep=" ")

    def write(self, table: str, columns: str, rows: Iterable[tuple[object, ...]]) -> int:
        self.tables.append(table)
        if self.vendor == "postgresql":
            return self._copy(table, columns, rows)
        # Many rows per INSERT: with the customer search triggers, one row per statement is
        # several times slower (``insert_many``).
        into = f"{table} ({columns})"
        count = 0
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                insert_many(self.raw, into, batch)
                count, batch = count + len(batch), []
        insert_many(self.raw, into, batch)
        return count + len(batch)

    def _copy(self, table: str, columns: str, rows: Iterable[tuple[object, ...]]) -> int:
        # Text COPY built here: psycopg adapting every value would double the load time. Our
        # generated texts hold no tab, newline or backslash, so no escaping is needed.
        count = 0
        lines: list[str] = []
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            for row in rows:
                lines.append("\t".join("\\N" if v is None else str(v) for v in row))
                if len(lines) == BATCH:
                    cp.write("\n".join(lines) + "\n")
                    count, lines = count + len(lines), []
            if lines:
                cp.write("\n".join(lines) + "\n")
        return count + len(lines)

    def run(self, statements: list[str]) -> None:
        for statement in statements:
            self.raw.execute(statement)

    def finish(self) -> None:
        if self.vendor == "postgresql":
            with self.raw.cursor() as cur:
                for table in dict.fromkeys(self.tables):
                    cur.execute(SETVAL.format(table=table))


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(", ", ": "))


# --- the business ----------------------------------------------------------------------------


def _mix(i: int) -> int:
    x = (i + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class Business:
    """Who and when of every generated row, as pure functions of the row's index."""

    def __init__(self, sizes: Sizes, cast: Cast, now: datetime) -> None:
        self.sizes, self.cast, self.now = sizes, cast, now
        self.start = now - SPAN
        self.numbers = Numbers(sizes.customers)
        self.lead_every = sizes.interactions // sizes.leads
        self.promise_every = sizes.interactions // sizes.promises
        # Scorecards cover the newest touches, one in ``score_every``.
        self.score_every = max(1, (sizes.interactions // 2) // sizes.scorecards)

    def when(self, i: int, count: int) -> datetime:
        return self.start + SPAN * (i / count)

    def customer_of(self, i: int) -> int:
        # 7919 is prime and so coprime to any customer count here: every customer gets touches.
        return (i * 7919 + 13) % self.sizes.customers + 1

    def rep_of(self, i: int) -> int:
        # A mixing hash (splitmix64's finaliser): any stride of touches (every 50th has a lead)
        # spreads over every rep, as ``i % reps`` or a bare multiplication would not.
        reps = self.cast.reps
        return reps[_mix(i) % len(reps)]

    def owner_of_customer(self, c: int) -> int | None:
        return self.cast.reps[c % len(self.cast.reps)] if c % 10 < 7 else None

    def lead_source(self, j: int) -> int:
        """The index of the touch lead ``j`` came from."""
        return j * self.lead_every + self.lead_every // 2

    def promise_source(self, j: int) -> int:
        return j * self.promise_every + 3

    def scored(self, j: int) -> int:
        """The index of the touch scorecard ``j`` scores (newest first)."""
        return self.sizes.interactions - 1 - j * self.score_every


def build(sizes: Sizes, cast: Cast, log: Callable[[str], None]) -> None:
    """Fill the tables in one transaction (SQLite would otherwise sync after every batch)."""
    from django.db import transaction

    business = Business(sizes, cast, datetime.now(UTC).replace(microsecond=0))
    with transaction.atomic():
        sink = Sink()
        for step in (
            customers,
            interactions,
            turns,
            leads,
            promises,
            scorecards,
            messages,
            notifications,
            timeline,
        ):
            started = time.monotonic()
            count = step(sink, business)
            log(f"{step.__name__}: {count:,} rows in {time.monotonic() - started:.0f}s")
        sink.finish()


def customers(sink: Sink, b: Business) -> int:
    n = b.sizes.customers

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(n):
            c = i + 1
            at = sink.stamp(b.when(i, n))
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
            yield (c, name, COMPANIES[i % len(COMPANIES)], b.owner_of_customer(c), "", at, at)

    def contacts() -> Iterator[tuple[object, ...]]:
        for i in range(n):
            at = sink.stamp(b.when(i, n))
            yield (2 * i + 1, i + 1, "phone", b.numbers.phone(i), "", at)
            yield (2 * i + 2, i + 1, "email", email(i), "", at)

    columns = "id, name, company, owner_id, notes, created_at, updated_at"
    count = sink.write("customers_customer", columns, rows())
    columns = "id, customer_id, kind, value, label, created_at"
    return count + sink.write("customers_contactpoint", columns, contacts())


def interactions(sink: Sink, b: Business) -> int:
    n = b.sizes.interactions
    rng = random.Random(5)
    choices = rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=4096)

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(n):
            started = b.when(i, n)
            at, ended = sink.stamp(started), sink.stamp(started + timedelta(minutes=4))
            need = NEEDS[i % len(NEEDS)] if i % b.lead_every == b.lead_every // 2 else ""
            direction = "outbound" if i % 4 == 0 else "inbound"
            yield (
                i + 1,
                b.customer_of(i),
                choices[i % 4096],
                direction,
                at,
                ended,
                b.rep_of(i),
                SUMMARIES[i % len(SUMMARIES)],
                need,
                ended,
                at,
            )

    columns = (
        "id, customer_id, channel, direction, started_at, ended_at, handled_by_id, summary,"
        " need, analysed_at, created_at"
    )
    from everytouch.interactions.rollup import HANDLED

    # The rollup's triggers would add two upserts per row: it is counted once at the end.
    sink.run(HANDLED.drop_sql(sink.vendor))
    count = sink.write("interactions_interaction", columns, rows())
    sink.run(HANDLED.create_sql(sink.vendor))
    return count


def turn_count(i: int) -> int:
    return 2 + i % 3  # 2, 3 or 4 turns: three on average


def turns(sink: Sink, b: Business) -> int:
    def rows() -> Iterator[tuple[object, ...]]:
        pk = 0
        for i in range(b.sizes.interactions):
            for t in range(turn_count(i)):
                pk += 1
                speaker, text = TURN_TEXTS[t]
                yield (pk, i + 1, t, speaker, text, float(t * 5))

    columns = 'id, interaction_id, "index", speaker, text, start'
    return sink.write("interactions_turn", columns, rows())


def lead_stage(created: datetime, now: datetime, j: int) -> str:
    if now - created > timedelta(days=60):
        return ("won", "lost", "lost")[j % 3]
    return ("new", "contacted", "qualified", "meeting_set", "won", "lost")[j % 6]


def leads(sink: Sink, b: Business) -> int:
    n = b.sizes.interactions

    def rows() -> Iterator[tuple[object, ...]]:
        for j in range(b.sizes.leads):
            i = b.lead_source(j)
            created = b.when(i, n)
            stage = lead_stage(created, b.now, j)
            closed = stage in ("won", "lost")
            at = sink.stamp(created)
            later = sink.stamp(created + timedelta(days=3))
            need = NEEDS[i % len(NEEDS)]
            yield (
                j + 1,
                b.customer_of(i),
                i + 1,
                need,
                need.lower(),
                "",
                "",
                "",
                stage,
                "Went elsewhere" if stage == "lost" else "",
                b.rep_of(i),
                b.rep_of(i),
                at,
                sink.stamp(created + timedelta(minutes=5 + j % 240)) if j % 10 else None,
                later,
                later if closed else None,
            )

    def activities() -> Iterator[tuple[object, ...]]:
        for j in range(b.sizes.leads):
            i = b.lead_source(j)
            data = _json({"stage": "new"})
            yield (
                j + 1,
                j + 1,
                "created",
                b.rep_of(i),
                "Lead created",
                data,
                sink.stamp(b.when(i, n)),
            )

    columns = (
        "id, customer_id, source_interaction_id, need, need_key, product_interest, budget,"
        " timeline, stage, lost_reason, owner_id, created_by_id, created_at, first_response_at,"
        " last_activity_at, closed_at"
    )
    count = sink.write("leads_lead", columns, rows())
    columns = "id, lead_id, kind, actor_id, summary, data, created_at"
    return count + sink.write("leads_leadactivity", columns, activities())


def promises(sink: Sink, b: Business) -> int:
    n = b.sizes.interactions

    def rows() -> Iterator[tuple[object, ...]]:
        for j in range(b.sizes.promises):
            i = b.promise_source(j)
            made = b.when(i, n)
            due = made + timedelta(days=1 + j % 3, hours=j % 8)
            if due > b.now:
                status, done = "open", None
            else:
                status = "missed" if j % 7 == 0 else "done"
                done = sink.stamp(due - timedelta(hours=1)) if status == "done" else None
            rep = b.rep_of(i)
            yield (
                j + 1,
                b.customer_of(i),
                rep,
                PROMISES[j % len(PROMISES)],
                sink.stamp(due),
                i + 1,
                status,
                rep,
                "",
                None,
                None,
                done,
                sink.stamp(made),
            )

    columns = (
        "id, customer_id, owner_id, what, due_at, source_interaction_id, status, created_by_id,"
        " cadence_key, reminded_at, escalated_at, done_at, created_at"
    )
    return sink.write("followups_commitment", columns, rows())


Rollup = dict[tuple[str, int, int, str, str], list[int]]


def scorecards(sink: Sink, b: Business) -> int:
    from everytouch.quality.rollup import ALL_CHANNELS, CONTACT_CHECK, NOT_SCORED_CHECK, week_of

    n, cast = b.sizes.interactions, b.cast
    rng = random.Random(10)
    choices = random.Random(5).choices(CHANNELS, CHANNEL_WEIGHTS, k=4096)
    skill = {(r, c[0]): rng.uniform(0.15, 0.95) for r in cast.reps for c in cast.checks}
    rollup: Rollup = defaultdict(lambda: [0, 0, 0])
    slot = {"pass": 0, "fail": 1, "n/a": 2}
    outcomes: list[tuple[object, ...]] = []
    weeks: dict[date, str] = {}

    def cards() -> Iterator[tuple[object, ...]]:
        for j in range(b.sizes.scorecards):
            i = b.scored(j)
            if i < 0:
                return
            rep, channel, started = b.rep_of(i), choices[i % 4096], b.when(i, n)
            team = cast.team_of[rep]
            scored = rng.random() >= NOT_SCORED
            buying = scored and i % 2 == 0
            captured = buying and rng.random() < 0.5
            statuses = []
            if scored:
                for check_id, title, buying_only in cast.checks:
                    if (buying_only and not buying) or rng.random() < 0.08:
                        status = "n/a"
                    else:
                        status = "pass" if rng.random() < skill[rep, check_id] else "fail"
                    statuses.append((check_id, title, status))
                    outcomes.append((j + 1, check_id, title, status))
            applicable = [s for _, _, s in statuses if s != "n/a"]
            score = (
                round(100 * applicable.count("pass") / len(applicable), 1) if applicable else None
            )
            lead = {"buying_intent": buying, "phone": "+13125550142" if captured else None}
            result = {
                "lead": {**lead, "email": None},
                "checks": {c: {"status": s} for c, _, s in statuses},
            }
            at = sink.stamp(started)
            yield (
                j + 1,
                i + 1,
                cast.version_id,
                "scored" if scored else "not_scored",
                "" if scored else "no transcript",
                score,
                _json(result) if scored else "{}",
                rep,
                team,
                channel,
                at,
                0,
                1,
                int(buying),
                at,
            )
            week_date = week_of(started)
            week = weeks.setdefault(week_date, week_date.isoformat())
            for ch in (channel, ALL_CHANNELS):
                for check_id, _, status in statuses:
                    rollup[week, rep, team, ch, check_id][slot[status]] += 1
                if buying:
                    rollup[week, rep, team, ch, CONTACT_CHECK][0 if captured else 1] += 1
                if not scored:
                    rollup[week, rep, team, ch, NOT_SCORED_CHECK][2] += 1

    columns = (
        "id, interaction_id, playbook_version_id, state, reason, score, result, rep_id, team_id,"
        " channel, started_at, is_test, is_current, buying_intent, created_at"
    )
    count = sink.write("quality_scorecard", columns, cards())
    count += sink.write(
        "quality_checkoutcome",
        "id, scorecard_id, check_id, title, status, confidence, evidence",
        ((k + 1, *o, 0.9, "[]") for k, o in enumerate(outcomes)),
    )
    return count + sink.write(
        "quality_checkweek",
        "id, week, rep_id, team_id, channel, check_id, passed, failed, not_applicable",
        ((k + 1, *key, *c) for k, (key, c) in enumerate(rollup.items())),
    )


def messages(sink: Sink, b: Business) -> int:
    m = b.sizes.messages
    staff = b.cast.reps + b.cast.managers

    def rows() -> Iterator[tuple[object, ...]]:
        for k in range(m):
            created = b.when(k, m)
            c = (k * 104_729) % b.sizes.customers
            recent = b.now - created < timedelta(days=7)
            status = ("open", "acknowledged", "done")[k % 3] if recent else "done"
            to = staff[k % len(staff)]
            yield (
                k + 1,
                c + 1,
                f"{FIRST[c % len(FIRST)]} {LAST[(c // len(FIRST)) % len(LAST)]}",
                b.numbers.phone(c),
                "",
                ABOUT[k % len(ABOUT)],
                ("low", "normal", "normal", "high")[k % 4],
                to,
                to,
                staff[(k + 1) % len(staff)],
                status,
                0,
                None,
                sink.stamp(created + timedelta(minutes=30)) if status != "open" else None,
                sink.stamp(created),
            )

    columns = (
        "id, customer_id, caller_name, callback_number, callback_email, about, urgency,"
        " intended_for_id, owner_id, taken_by_id, status, escalation_level, escalate_at,"
        " acknowledged_at, created_at"
    )
    return sink.write("staff_takenmessage", columns, rows())


def notifications(sink: Sink, b: Business) -> int:
    m = b.sizes.notifications
    everyone = b.cast.everyone

    def rows() -> Iterator[tuple[object, ...]]:
        for k in range(m):
            created = b.when(k, m)
            read = (
                sink.stamp(created + timedelta(hours=1))
                if b.now - created > timedelta(days=3)
                else None
            )
            yield (
                k + 1,
                everyone[k % len(everyone)],
                f"Promise due: {PROMISES[k % len(PROMISES)]}",
                "/my-day/",
                f"bench-{k}",
                None,
                read,
                sink.stamp(created),
            )

    columns = "id, user_id, text, url, key, emailed_at, read_at, created_at"
    return sink.write("staff_notification", columns, rows())


def timeline(sink: Sink, b: Business) -> int:
    """The events the actions would have written: created, touches, leads, promises."""
    n = b.sizes.interactions

    def rows() -> Iterator[tuple[object, ...]]:
        pk = 0
        nc = b.sizes.customers
        for i in range(nc):
            pk += 1
            at = sink.stamp(b.when(i, nc))
            yield (pk, i + 1, "customer_created", at, None, "Customer created", "{}", at)
        for i in range(n):
            pk += 1
            at = sink.stamp(b.when(i, n))
            data = '{"interaction_id": %d}' % (i + 1)  # noqa: UP031 - five million of them
            summary = SUMMARIES[i % len(SUMMARIES)]
            yield (pk, b.customer_of(i), "interaction_logged", at, b.rep_of(i), summary, data, at)
        for j in range(b.sizes.leads):
            pk += 1
            i = b.lead_source(j)
            at = sink.stamp(b.when(i, n))
            data = _json({"lead_id": j + 1})
            summary = f"Lead: {NEEDS[i % len(NEEDS)]}"
            yield (pk, b.customer_of(i), "lead_created", at, b.rep_of(i), summary, data, at)
        for j in range(b.sizes.promises):
            pk += 1
            i = b.promise_source(j)
            at = sink.stamp(b.when(i, n))
            data = _json({"commitment_id": j + 1})
            summary = f"Promised: {PROMISES[j % len(PROMISES)]}"
            yield (pk, b.customer_of(i), "commitment_made", at, b.rep_of(i), summary, data, at)

    columns = "id, customer_id, kind, happened_at, actor_id, summary, data, created_at"
    return sink.write("customers_timelineevent", columns, rows())


def analyse(log: Callable[[str], None]) -> None:
    """Fresh statistics for the planner on PostgreSQL (and its visibility map); none on SQLite."""
    from django.db import connection

    started = time.monotonic()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw: Any = connection.connection
        autocommit = raw.autocommit
        raw.autocommit = True
        try:
            raw.execute("VACUUM ANALYZE")
        finally:
            raw.autocommit = autocommit
    else:
        # No ANALYZE on SQLite: the app never runs it, so an installation has no statistics,
        # and the benchmark should plan as it would. (ANALYZE with a row limit, tried first,
        # gave estimates bad enough that the newest-first touch list sorted all 5,000,000 rows.)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS sqlite_stat1")
            cur.execute("DROP TABLE IF EXISTS sqlite_stat4")
    log(f"analyse: {time.monotonic() - started:.0f}s")


def make_extras(cast: Cast) -> None:
    """The few records the quality and staff pages name: a test campaign, an offer, a leaver."""
    from django.utils import timezone

    from everytouch.quality.campaigns import CampaignData, create_campaign
    from everytouch.quality.promotions import PromotionData, create_promotion
    from everytouch.staff.departures.actions import open_departure
    from everytouch.staff.models import StaffMember

    today = timezone.localdate()
    manager, rep = user(cast.managers[0]), user(cast.reps[0])
    briefs = ("Ask the price of toner", "Ask for a quote on desks")
    data = CampaignData("Spring call-in test", today, today + timedelta(days=14), briefs, (rep,))
    create_campaign(data, manager).testers.add(user(cast.trainers[0]))
    offer = PromotionData("Toner week", today, today + timedelta(days=7), ("toner",), "Mention it.")
    create_promotion(offer)
    leaver = StaffMember.objects.get(user_id=cast.reps[-1])
    open_departure(leaver, today + timedelta(days=30), manager)
