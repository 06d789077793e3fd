"""The demo plan: what to create, as plain data, from a seed.

Pure: no database access and no side effects. A seeded ``random.Random`` and a fixed ``now``
give the same plan every time; the loader turns it into rows. It speaks the models' vocabulary
(``Role``, ``Channel``, ``Direction``, ``Speaker``) rather than copying those choices here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from everytouch.accounts.models import Role
from everytouch.demo.data import (
    AREA_CODES,
    BUSINESS,
    COMPANY_PATTERNS,
    CUSTOMERS_AT_FULL_SIZE,
    DAYS_OF_HISTORY,
    DEFAULT_SEED,
    FIRST_NAMES,
    HABITS,
    INTERACTIONS_AT_FULL_SIZE,
    LAST_NAMES,
    MAX_SIZE,
    MODELS,
    PEOPLE,
    PLACES,
    PROMOTION,
    TITLES,
    TOPICS,
    TRANSFER_REASONS,
    Topic,
)
from everytouch.interactions.models import Channel, Direction, Speaker


class DemoError(ValueError):
    """The demo cannot be loaded here (e.g. a demo username is already taken)."""


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: Role
    title: str
    team: str  # "sales", "service" or "office": who takes which kind of call

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


STAFF: tuple[DemoPerson, ...] = tuple(
    DemoPerson(username, first, last, Role(role), title, team)
    for username, first, last, role, title, team in PEOPLE
)


# --- the plan (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCustomer:
    name: str
    company: str
    owner: str | None
    notes: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class PlannedTurn:
    speaker: Speaker
    text: str
    start: float


@dataclass(frozen=True)
class PlannedInteraction:
    customer: int | None  # index into DemoPlan.customers; None for a caller who hung up
    channel: Channel
    direction: Direction
    started_at: datetime
    ended_at: datetime | None
    handled_by: str
    summary: str
    need: str
    turns: tuple[PlannedTurn, ...]
    transferred_to: str | None = None
    transfer_reason: str = ""


@dataclass(frozen=True)
class DemoPlan:
    customers: tuple[PlannedCustomer, ...]
    interactions: tuple[PlannedInteraction, ...]


def _staff_in(team: str) -> list[DemoPerson]:
    return [s for s in STAFF if s.team == team and s.role in (Role.REP, Role.MANAGER)]


Facts = dict[str, str]


def _facts(rng: random.Random) -> Facts:
    """The details one conversation is about, so its need, summary and transcript agree."""
    model, model2 = rng.sample(MODELS, 2)
    return {
        "model": model,
        "model2": model2,
        "day": rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        "n": str(rng.randint(2, 8)),
        "code": str(rng.randint(2000, 9999)),
        "volume": f"{rng.choice((3, 5, 8, 10, 15, 20)) * 1000:,}",
        "months": str(rng.randint(2, 9)),
    }


def _company(rng: random.Random) -> str:
    s, s2 = rng.sample(LAST_NAMES, 2)
    return rng.choice(COMPANY_PATTERNS).format(s=s, s2=s2, p=rng.choice(PLACES))


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:24]


def _email(first: str, last: str, company: str, rng: random.Random, taken: set[str]) -> str:
    local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", first)).lower()
    local = "".join(ch for ch in local if ch.isalnum() or ch == ".")
    email = f"{local}@{_slug(company)}.example"
    suffix = 2
    while email in taken:
        email = f"{local}{suffix}@{_slug(company)}.example"
        suffix += 1
    taken.add(email)
    return email


def _phone_pool(rng: random.Random) -> list[str]:
    pool = [f"+1{area}55501{n:02d}" for area in AREA_CODES for n in range(100)]
    rng.shuffle(pool)
    return pool


def _customer(
    rng: random.Random, pool: list[str], emails: set[str], start: datetime
) -> PlannedCustomer:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = _company(rng)
    # Real records are incomplete: some callers never gave a name or an e-mail.
    name = "" if rng.random() < 0.04 else f"{first} {last}"
    phones = tuple(pool.pop() for _ in range(2 if rng.random() < 0.25 else 1))
    has_email = bool(name) and rng.random() < 0.85
    email = (_email(first, last, company, rng, emails),) if has_email else ()
    sales = [s.username for s in _staff_in("sales")]
    owner = None if rng.random() < 0.05 else rng.choice([*sales, sales[-1], sales[-2]])
    notes = _notes(rng)
    created = start + timedelta(days=rng.randint(0, 140), minutes=rng.randint(0, 8 * 60))
    return PlannedCustomer(name, company, owner, notes, phones, email, created)


def _notes(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return ""
    title = rng.choice(TITLES)
    return f"{title[0].upper()}{title[1:]}. {rng.choice(HABITS)}".strip()


@dataclass(frozen=True)
class _Calendar:
    """The working days of the history, oldest first, in the business time zone."""

    days: tuple[date, ...]
    tz: tzinfo

    @classmethod
    def before(cls, now: datetime, tz: tzinfo) -> _Calendar:
        today = now.astimezone(tz).date()
        back = (today - timedelta(days=n) for n in range(DAYS_OF_HISTORY, 0, -1))
        return cls(tuple(d for d in back if d.weekday() < 5), tz)

    def moment(self, rng: random.Random) -> datetime:
        # Exactly one draw for the day, whatever the calendar's length: the random stream (and
        # so every name and conversation) stays the same whichever day the demo is loaded on.
        day = self.days[int(rng.random() * len(self.days))]
        minute = rng.randint(8 * 60, 17 * 60 + 30)
        return datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), self.tz)


def _handler(topic: Topic, owner: str | None, rng: random.Random) -> str:
    if owner and topic.team == "sales" and rng.random() < 0.7:
        return owner
    team = topic.team if topic.team != "office" else rng.choice(("sales", "service"))
    people = _staff_in(team)
    # Reps take most touches; managers step in now and then.
    weights = [1 if s.role == Role.MANAGER else 4 for s in people]
    return rng.choices(people, weights)[0].username


def _channel(rng: random.Random) -> Channel:
    return rng.choices(list(Channel), weights=[50, 25, 15, 10])[0]


def _direction(channel: Channel, rng: random.Random) -> Direction:
    outbound = 0.5 if channel == Channel.VISIT else 0.25
    return Direction.OUTBOUND if rng.random() < outbound else Direction.INBOUND


def _duration(channel: Channel, rng: random.Random) -> timedelta | None:
    minutes = {Channel.CALL: (2, 15), Channel.CHAT: (4, 20), Channel.VISIT: (20, 75)}
    if channel not in minutes:
        return None
    low, high = minutes[channel]
    return timedelta(minutes=rng.randint(low, high), seconds=rng.randint(0, 59))


# --- transcripts ---------------------------------------------------------------------------


def _spoken_phone(e164: str) -> str:
    return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"


def _greeting(channel: Channel, agent: DemoPerson) -> str:
    if channel == Channel.CHAT:
        return f"Hi, you're chatting with {agent.first_name} at Brightline. How can I help?"
    return f"Thank you for calling {BUSINESS}, this is {agent.first_name}. How can I help you?"


def _contact_turns(customer: PlannedCustomer, rng: random.Random) -> list[tuple[Speaker, str]]:
    # Reps skip these often enough for the quality scorecards to have something to find.
    turns: list[tuple[Speaker, str]] = []
    if customer.name and rng.random() < 0.7:
        turns.append((Speaker.AGENT, "I can help with that. May I have your name, please?"))
        turns.append((Speaker.CUSTOMER, f"Sure, it's {customer.name} at {customer.company}."))
    if rng.random() < 0.55:
        turns.append((Speaker.AGENT, "And what's the best number to reach you?"))
        turns.append((Speaker.CUSTOMER, _spoken_phone(customer.phones[0])))
    if customer.emails and rng.random() < 0.45:
        turns.append((Speaker.AGENT, "What e-mail should I send the confirmation to?"))
        turns.append((Speaker.CUSTOMER, f"{customer.emails[0]}"))
    return turns


def _script(
    topic: Topic,
    customer: PlannedCustomer,
    agent: DemoPerson,
    channel: Channel,
    facts: Facts,
    rng: random.Random,
) -> list[tuple[Speaker, str]]:
    lines: list[tuple[Speaker, str]] = [(Speaker.AGENT, _greeting(channel, agent))]
    lines.append((Speaker.CUSTOMER, rng.choice(topic.opening).format(**facts)))
    lines += _contact_turns(customer, rng)
    lines.append((Speaker.AGENT, topic.question[0]))
    lines.append((Speaker.CUSTOMER, topic.question[1].format(**facts)))
    if topic.team == "sales" and rng.random() < 0.35:
        lines.append((Speaker.AGENT, f"Good to know: {PROMOTION}."))
    if rng.random() < 0.75:
        lines.append((Speaker.AGENT, rng.choice(topic.next_step).format(**facts)))
    lines.append((Speaker.CUSTOMER, rng.choice(("Great, thanks.", "Perfect.", "OK, thank you."))))
    lines.append((Speaker.AGENT, "Thanks for contacting Brightline. Have a good day!"))
    return lines


def _timed(lines: list[tuple[Speaker, str]], rng: random.Random) -> tuple[PlannedTurn, ...]:
    turns: list[PlannedTurn] = []
    clock = 0.0
    for speaker, text in lines:
        turns.append(PlannedTurn(speaker, text, round(clock, 1)))
        clock += 1.5 + len(text) / 15 + rng.random() * 3
    return tuple(turns)


# --- interactions --------------------------------------------------------------------------


def _staff(username: str) -> DemoPerson:
    return next(s for s in STAFF if s.username == username)


def _transfer(topic: Topic, handler: str, rng: random.Random) -> tuple[str, str | None, str]:
    """Sometimes the wrong team picks up first: return (first handler, transferred to, why)."""
    wrong = [s for s in STAFF if s.role == Role.REP and s.team != topic.team]
    if topic.team == "office" or rng.random() > 0.08 or not wrong:
        return handler, None, ""
    return rng.choice(wrong).username, handler, rng.choice(TRANSFER_REASONS[topic.team])


def _hang_up(rng: random.Random, calendar: _Calendar) -> PlannedInteraction:
    started = calendar.moment(rng)
    need = "Price of the {model}".format(**_facts(rng))
    summary = "Caller asked the price and hung up before giving a name or number."
    handler = rng.choice([s.username for s in STAFF if s.role == Role.REP])
    ended = started + timedelta(minutes=1, seconds=rng.randint(0, 59))
    return PlannedInteraction(
        None, Channel.CALL, Direction.INBOUND, started, ended, handler, summary, need, ()
    )


def _interaction(
    rng: random.Random,
    customers: Sequence[PlannedCustomer],
    weights: list[float],
    calendar: _Calendar,
) -> PlannedInteraction:
    index = rng.choices(range(len(customers)), weights)[0]
    customer = customers[index]
    topic = rng.choice(TOPICS)
    channel = _channel(rng)
    started = max(calendar.moment(rng), customer.created_at)
    duration = _duration(channel, rng)
    handler = _handler(topic, customer.owner, rng)
    first, transferred_to, reason = _transfer(topic, handler, rng)
    facts = _facts(rng)
    turns: tuple[PlannedTurn, ...] = ()
    if channel in (Channel.CALL, Channel.CHAT) and rng.random() < 0.155:
        turns = _timed(_script(topic, customer, _staff(handler), channel, facts, rng), rng)
    return PlannedInteraction(
        customer=index,
        channel=channel,
        direction=Direction.INBOUND if transferred_to else _direction(channel, rng),
        started_at=started,
        ended_at=started + duration if duration else None,
        handled_by=first,
        summary=rng.choice(topic.summaries).format(**facts),
        need=rng.choice(topic.needs).format(**facts),
        turns=turns,
        transferred_to=transferred_to,
        transfer_reason=reason,
    )


def _size(size: float, full: int) -> int:
    return max(1, round(full * size))


def plan_demo(seed: int = DEFAULT_SEED, size: float = 1.0, now: datetime | None = None) -> DemoPlan:
    """The demo business as plain data; the same seed, size and ``now`` give the same plan."""
    if not 0 < size <= MAX_SIZE:
        raise DemoError(f"size must be above 0 and at most {MAX_SIZE}")
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    tz = timezone.get_default_timezone()
    pool, emails = _phone_pool(rng), set[str]()
    # Customers were added before the history starts, during (roughly) office hours.
    day = (now.astimezone(tz) - timedelta(days=DAYS_OF_HISTORY + 150)).date()
    start = datetime.combine(day, time(9), tz)
    customers = tuple(
        _customer(rng, pool, emails, start) for _ in range(_size(size, CUSTOMERS_AT_FULL_SIZE))
    )
    # A few customers call all the time, most rarely: that is what a real book looks like.
    weights = [rng.paretovariate(1.2) for _ in customers]
    calendar = _Calendar.before(now, tz)
    interactions = tuple(
        _hang_up(rng, calendar)
        if rng.random() < 0.03
        else _interaction(rng, customers, weights, calendar)
        for _ in range(_size(size, INTERACTIONS_AT_FULL_SIZE))
    )
    return DemoPlan(customers, tuple(sorted(interactions, key=lambda i: i.started_at)))
