"""Demo data: Brightline Office Systems, a copier and printer dealer in the Chicago area.

Generation is split in two: ``plan_demo`` is pure (a seeded ``random.Random`` and a fixed
``now`` give the same plan every time) and ``load_demo`` writes a plan with ``bulk_create`` so
the full demo loads in a few seconds. Because ``bulk_create`` bypasses the actions, the loader
writes the same timeline events the actions would (customer created, contact added,
interaction logged, transferred), with the same summaries.

Phone numbers are 555-01xx numbers, which are reserved for fiction and still valid for
``phonenumbers``; e-mail domains end in ``.example`` (RFC 2606), so nobody real is contacted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from everytouch.accounts.models import Profile, Role
from everytouch.customers.models import (
    ContactKind,
    ContactPoint,
    Customer,
    EventKind,
    TimelineEvent,
)
from everytouch.interactions.actions import summary_line
from everytouch.interactions.models import (
    Channel,
    Direction,
    Interaction,
    Speaker,
    Transfer,
    Turn,
)
from everytouch.staff.actions import StaffDetails, ensure_staff, set_backup, update_details
from everytouch.staff.models import StaffMember, Team

DEFAULT_SEED = 2024
# Public on purpose: `everytouch demo` prints it next to the demo logins.
DEMO_PASSWORD = "brightline-demo"  # noqa: S105
BUSINESS = "Brightline Office Systems"
CUSTOMERS_AT_FULL_SIZE = 300
INTERACTIONS_AT_FULL_SIZE = 2000
MAX_SIZE = 2.0
DAYS_OF_HISTORY = 182


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


STAFF: tuple[DemoPerson, ...] = (
    DemoPerson("olivia", "Olivia", "Brightman", Role.OWNER, "Owner", "office"),
    DemoPerson("marcus", "Marcus", "Webb", Role.MANAGER, "Sales manager", "sales"),
    DemoPerson("dana", "Dana", "Okafor", Role.MANAGER, "Service manager", "service"),
    DemoPerson("priya", "Priya", "Raman", Role.REP, "Sales rep", "sales"),
    DemoPerson("jake", "Jake", "Sullivan", Role.REP, "Sales rep", "sales"),
    DemoPerson("luis", "Luis", "Ortega", Role.REP, "Service coordinator", "service"),
    DemoPerson("kim", "Kim", "Nguyen", Role.REP, "Service coordinator", "service"),
    DemoPerson("grace", "Grace", "Holloway", Role.TRAINER, "Trainer", "office"),
)
# The directory: team names and managers, routing skills (matched against a caller's topic),
# languages, and who covers for whom.
TEAMS = {
    "sales": ("Sales", "marcus"),
    "service": ("Service", "dana"),
    "office": ("Office", "olivia"),
}
SKILLS = {
    "sales": ("copiers", "printers", "leases", "quotes", "pricing", "contracts"),
    "service": ("repairs", "toner", "jams", "scanning", "network", "supplies"),
    "office": ("billing", "invoices"),
}
LANGUAGES = {"luis": ("english", "spanish"), "priya": ("english", "hindi")}
BACKUPS = {"priya": "jake", "jake": "priya", "luis": "kim", "kim": "luis", "marcus": "dana"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Andrew Emily Joshua Donna Kevin Michelle "
    "Brian Carol George Amanda Timothy Melissa Ronald Deborah Jason Stephanie Ryan Rebecca "
    "Jacob Laura Gary Sharon Nicholas Cynthia Eric Kathleen Tanisha Amy Raj Angela Wei Anna "
    "Miguel Rosa Tomasz Agnieszka Hiroshi Aisha Darnell Fatima Omar Yolanda Ivan Keisha"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Kowalski Nowak Patel Shah Kim Park Chen Wang O'Brien Murphy Sullivan Schmidt Novak "
    "Jablonski Okafor Mensah Washington Jefferson Brooks Reyes Morales Ortiz Gutierrez Kaur"
)
PLACES = (
    "Lakeview",
    "Oak Park",
    "Riverside",
    "Evanston",
    "Naperville",
    "Elmhurst",
    "Wheaton",
    "Park Ridge",
    "Skokie",
    "Glenview",
    "Hinsdale",
    "Downers Grove",
    "Lombard",
    "Berwyn",
    "Schaumburg",
    "Des Plaines",
    "Wicker Park",
    "Lincoln Square",
    "Hyde Park",
    "Logan Square",
    "North Shore",
    "West Loop",
    "Fox Valley",
    "Prairie",
)
# {s}/{s2}: surnames, {p}: a place. Offices that print a lot: the dealer's customers.
COMPANY_PATTERNS = (
    "{s} Family Dental",
    "{p} Dental Care",
    "{s} & {s2} LLP",
    "{s} Law Group",
    "{s} CPA Group",
    "{s} Tax & Accounting",
    "{p} Realty",
    "{p} Pediatrics",
    "{p} Physical Therapy",
    "{p} Montessori School",
    "{p} Tool & Die",
    "{s} Fabrication",
    "{s} Insurance Agency",
    "{p} Community Church",
    "{s} Auto Body",
    "{s} Architects",
    "{p} Veterinary Clinic",
    "{s} Property Management",
    "{p} Title Company",
    "{p} Animal Hospital",
    "{s} & Sons Plumbing",
    "{p} Public Library Friends",
    "{s} Engineering",
    "{p} Chiropractic",
)
TITLES = (
    "office manager",
    "owner",
    "practice manager",
    "operations manager",
    "IT coordinator",
    "controller",
    "administrative assistant",
    "managing partner",
)
HABITS = (
    "",
    "Prefers e-mail.",
    "Best reached before 10 am.",
    "Invoices go to the main office.",
    "Decides with the partners; allow time for quotes.",
    "Ask for them by name at the front desk.",
)
AREA_CODES = (312, 773, 872, 630, 331, 847, 224, 708, 815, 779)
MODELS = (
    "bizhub C300i",
    "bizhub C450i",
    "imageRUNNER ADVANCE DX C3930i",
    "Ricoh IM C3000",
    "Sharp BP-70C31",
    "LaserJet Enterprise M611",
    "Brother HL-L6210DW",
    "VersaLink C415",
    "TASKalfa 3554ci",
)
PROMOTION = "this month new bizhub leases come with a year of toner included"


@dataclass(frozen=True)
class Topic:
    team: str
    needs: tuple[str, ...]
    summaries: tuple[str, ...]
    opening: tuple[str, ...]  # what the customer says first in a transcript
    question: tuple[str, str]  # the rep's qualifying question and the customer's answer
    next_step: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "service",
        ("Toner reorder for the {model}", "Black and cyan toner for the {model}"),
        (
            "Ordered {n} black toner cartridges for the {model}; ships tomorrow.",
            "Toner shipped under the service contract, no charge.",
        ),
        ("Hi, we're almost out of toner for our {model}.", "I need to order toner again."),
        ("Which colours are low?", "Black for sure, and the cyan is at about ten percent."),
        ("I've put the order in; it ships tomorrow and you'll get tracking by e-mail.",),
    ),
    Topic(
        "service",
        ("Paper jams on the {model} in tray 2", "Streaks on copies from the {model}"),
        (
            "Booked a technician for {day}. Error code C{code}.",
            "Walked the customer through clearing the fuser area; jam fixed on the phone.",
        ),
        ("Our {model} keeps jamming and it's driving everyone crazy.", "The copier is down."),
        ("Is there an error code on the screen?", "It says C{code}, I think."),
        (
            "I've booked a technician for {day} morning.",
            "If it jams again today, call me back directly and I'll send someone out.",
        ),
    ),
    Topic(
        "sales",
        ("Quote for a new color copier, about {volume} pages a month", "Replace the old copier"),
        (
            "Sent a quote for the {model} with a 60-month lease.",
            "Discussed the {model} versus the {model2}; customer wants a demo first.",
        ),
        ("We're looking at replacing our copier.", "How much is a new color copier?"),
        ("Roughly how many pages do you print a month?", "Around {volume}, mostly black."),
        (
            "I'll send the quote over by end of day tomorrow.",
            "Can I book you in for a demo at our showroom on {day}?",
        ),
    ),
    Topic(
        "sales",
        ("Lease renewal for the {model}", "Lease buyout question on the {model}"),
        (
            "Lease ends in {months} months; offered an upgrade to the {model2}.",
            "Explained the buyout amount and the renewal options.",
        ),
        ("Our lease is coming up and I'm not sure what our options are.",),
        ("When does the current lease end?", "In about {months} months, I think."),
        ("I'll pull up your contract and e-mail you both options today.",),
    ),
    Topic(
        "sales",
        ("Desktop laser printers for {n} new hires", "Printers for the new front desk"),
        ("Quoted {n} Brother HL-L6210DW printers with setup.", "Customer will buy online."),
        ("We're hiring and need a few more printers.",),
        ("How many desks are we talking about?", "{n} to start with."),
        ("I'll put together a quote with delivery and setup included.",),
    ),
    Topic(
        "service",
        ("Scan-to-email stopped working", "New laptop can't find the {model}"),
        (
            "Updated the SMTP password on the {model}; scan-to-email works again.",
            "Installed the driver remotely and printed a test page.",
        ),
        ("Scanning to e-mail stopped working this morning.", "My laptop can't see the printer."),
        ("Did anyone change the e-mail password recently?", "Oh, yes, IT changed it Monday."),
        ("I'll have our network tech call you within the hour.",),
    ),
    Topic(
        "office",
        ("Question about the overage charge on the last invoice", "Update billing address"),
        (
            "Explained the meter-read overage; customer printed {volume} extra pages.",
            "Updated the billing contact and re-sent the invoice.",
        ),
        ("There's a charge on our invoice I don't understand.",),
        ("Do you have the invoice number handy?", "It's INV-{code}."),
        ("I'll e-mail you the meter readings so you can check them.",),
    ),
    Topic(
        "sales",
        ("Service contract renewal", "Add the new printer to the service contract"),
        (
            "Renewed the service contract for another year at the same rate.",
            "Added the {model} to the existing contract.",
        ),
        ("Our service contract is up for renewal.",),
        ("Are you happy with the response times this year?", "Mostly, yes."),
        ("I'll send the renewal for e-signature today.",),
    ),
)
TRANSFER_REASONS = {
    "sales": ("Wants pricing on a new lease", "Asked for their account manager"),
    "service": ("Service question", "Machine is down, needs a technician"),
    "office": ("Billing question",),
}


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


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCounts:
    staff: int
    customers: int
    interactions: int
    transcripts: int
    transfers: int

    def summary(self) -> str:
        return (
            f"{self.staff} staff, {self.customers} customers, {self.interactions} interactions "
            f"({self.transcripts} with transcripts, {self.transfers} transferred)"
        )


def is_loaded() -> bool:
    return User.objects.filter(username=STAFF[0].username).exists()


def _create_staff() -> dict[str, User]:
    taken = list(User.objects.filter(username__in=[s.username for s in STAFF]))
    if taken:
        names = ", ".join(u.username for u in taken)
        raise DemoError(f"demo usernames already taken: {names}")
    # One hash for the shared demo password: hashing it eight times would take seconds.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=s.username,
            first_name=s.first_name,
            last_name=s.last_name,
            email=f"{s.username}@brightline.example",
            password=password,
            is_staff=s.role == Role.OWNER,
            is_superuser=s.role == Role.OWNER,
        )
        for s in STAFF
    )
    Profile.objects.bulk_create(
        Profile(user=u, role=s.role) for u, s in zip(users, STAFF, strict=True)
    )
    return {u.username: u for u in users}


def _create_directory(users: dict[str, User], now: datetime) -> None:
    """Teams, titles, extensions, skills and backups, through the staff app's actions."""
    teams = {
        key: Team.objects.get_or_create(name=name, defaults={"manager": users[manager]})[0]
        for key, (name, manager) in TEAMS.items()
    }
    members: dict[str, StaffMember] = {}
    for index, person in enumerate(STAFF):
        details = StaffDetails(
            title=person.title,
            team=teams[person.team],
            extension=str(101 + index),
            skills=list(SKILLS[person.team]),
            languages=list(LANGUAGES.get(person.username, ("english",))),
            # The owner founded the business nine years ago; the others joined since.
            start_date=(now - timedelta(days=365 * 9 - 300 * index)).date(),
        )
        members[person.username] = update_details(ensure_staff(users[person.username]), details)
    for username, backup in BACKUPS.items():
        set_backup(members[username], members[backup])


def _event(
    customer: Customer,
    kind: EventKind,
    summary: str,
    at: datetime,
    actor: User | None,
    data: dict[str, object],
) -> TimelineEvent:
    return TimelineEvent(
        customer=customer, kind=kind, summary=summary[:500], happened_at=at, actor=actor, data=data
    )


def _customer_events(
    customer: Customer, plan: PlannedCustomer, actor: User | None
) -> list[TimelineEvent]:
    at = plan.created_at
    events = [_event(customer, EventKind.CUSTOMER_CREATED, "Customer created", at, actor, {})]
    for kind, value in _contacts(plan):
        data: dict[str, object] = {"kind": kind.value, "value": value}
        events.append(
            _event(customer, EventKind.CONTACT_ADDED, f"Added {kind} {value}", at, actor, data)
        )
    return events


def _contacts(plan: PlannedCustomer) -> list[tuple[ContactKind, str]]:
    phones = [(ContactKind.PHONE, p) for p in plan.phones]
    return phones + [(ContactKind.EMAIL, e) for e in plan.emails]


def _create_customers(plans: Sequence[PlannedCustomer], users: dict[str, User]) -> list[Customer]:
    customers = Customer.objects.bulk_create(
        Customer(
            name=p.name,
            company=p.company,
            notes=p.notes,
            owner=users[p.owner] if p.owner else None,
        )
        for p in plans
    )
    for customer, plan in zip(customers, plans, strict=True):
        customer.created_at = customer.updated_at = plan.created_at
    Customer.objects.bulk_update(customers, ["created_at", "updated_at"], batch_size=500)
    ContactPoint.objects.bulk_create(
        ContactPoint(customer=c, kind=kind, value=value)
        for c, p in zip(customers, plans, strict=True)
        for kind, value in _contacts(p)
    )
    TimelineEvent.objects.bulk_create(
        event
        for c, p in zip(customers, plans, strict=True)
        for event in _customer_events(c, p, c.owner)
    )
    return customers


def _interaction_row(
    plan: PlannedInteraction, customers: Sequence[Customer], users: dict[str, User]
) -> Interaction:
    return Interaction(
        customer=customers[plan.customer] if plan.customer is not None else None,
        channel=plan.channel,
        direction=plan.direction,
        started_at=plan.started_at,
        ended_at=plan.ended_at,
        handled_by=users[plan.transferred_to or plan.handled_by],
        summary=plan.summary,
        need=plan.need,
    )


def _transfer_rows(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> tuple[list[Transfer], list[TimelineEvent]]:
    transfers: list[Transfer] = []
    events: list[TimelineEvent] = []
    for row, plan in pairs:
        if plan.transferred_to is None:
            continue
        first, to = users[plan.handled_by], users[plan.transferred_to]
        transfers.append(
            Transfer(interaction=row, from_user=first, to_user=to, reason=plan.transfer_reason)
        )
        if row.customer is not None:
            at = plan.started_at + timedelta(seconds=40)
            summary = f"Transferred to {to.get_full_name()}: {plan.transfer_reason}"
            data: dict[str, object] = {"interaction_id": row.pk, "reason": plan.transfer_reason}
            events.append(_event(row.customer, EventKind.TRANSFERRED, summary, at, first, data))
    return transfers, events


def _logged_events(
    pairs: list[tuple[Interaction, PlannedInteraction]], users: dict[str, User]
) -> list[TimelineEvent]:
    return [
        _event(
            row.customer,
            EventKind.INTERACTION_LOGGED,
            summary_line(row),
            row.started_at,
            users[plan.handled_by],
            {"interaction_id": row.pk},
        )
        for row, plan in pairs
        if row.customer is not None
    ]


def _create_interactions(
    plans: Sequence[PlannedInteraction], customers: Sequence[Customer], users: dict[str, User]
) -> None:
    rows = Interaction.objects.bulk_create(_interaction_row(p, customers, users) for p in plans)
    pairs = list(zip(rows, plans, strict=True))
    Interaction.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=F("started_at"))
    Turn.objects.bulk_create(
        Turn(interaction=row, index=i, speaker=t.speaker, text=t.text, start=t.start)
        for row, plan in pairs
        for i, t in enumerate(plan.turns)
    )
    transfers, transfer_events = _transfer_rows(pairs, users)
    Transfer.objects.bulk_create(transfers)
    for transfer in transfers:
        transfer.created_at = transfer.interaction.started_at + timedelta(seconds=40)
    Transfer.objects.bulk_update(transfers, ["created_at"], batch_size=500)
    TimelineEvent.objects.bulk_create([*_logged_events(pairs, users), *transfer_events])


@transaction.atomic
def load_demo(
    seed: int = DEFAULT_SEED,
    size: float = 1.0,
    now: datetime | None = None,
    *,
    with_activity: bool = True,
) -> DemoCounts:
    """Write the demo business into the database, all or nothing."""
    plan = plan_demo(seed, size, now)
    users = _create_staff()
    _create_directory(users, (now or timezone.now()))
    customers = _create_customers(plan.customers, users)
    _create_interactions(plan.interactions, customers, users)
    TimelineEvent.objects.filter(customer__in=customers).update(created_at=F("happened_at"))
    if with_activity:
        from everytouch.demo_activity import load_activity

        # Open work is about today whatever ``now`` the history was planned around: the
        # actions refuse promises due in the past, as they should.
        load_activity(users, timezone.now())
    return DemoCounts(
        staff=len(STAFF),
        customers=len(customers),
        interactions=len(plan.interactions),
        transcripts=sum(1 for p in plan.interactions if p.turns),
        transfers=sum(1 for p in plan.interactions if p.transferred_to),
    )
