"""Generated call transcripts for the scoring benchmark: 8-20 turns, real-looking, varied.

Each call comes from one of a few businesses' scripts with varied names, prices, dates and
phone numbers, and the rep skips the name, phone, e-mail, promotion or next step often enough
that the scorecards have something to find: a benchmark whose every call passes every check
would not exercise the evidence the analyzer stores for a failed check.

Pure Python and seeded, so the same arguments give the same calls on every run and machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks._dataset import Numbers

MIN_TURNS, MAX_TURNS = 8, 20
# One caller in four calls again: identify then finds an existing customer, as it would on a
# real line, instead of every POST creating one.
REPEAT_CALLER = 0.25

FIRST: tuple[str, ...] = ("Maria", "James", "Aisha", "Tom", "Priya", "Lucas", "Hannah", "Omar")
FIRST += ("Grace", "Diego", "Sofia", "Ethan", "Mei", "Noah", "Fatima", "Liam", "Chloe", "Ravi")
LAST: tuple[str, ...] = ("Garcia", "Okafor", "Nguyen", "Schmidt", "Patel", "Rossi", "Kowalski")
LAST += ("Haddad", "Lindqvist", "O'Brien", "Moreau", "Tanaka", "Silva", "Novak", "Brennan")
REPS = ("Dana", "Chris", "Sam", "Jordan", "Alex", "Robin", "Morgan", "Jamie")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MAIL_HOSTS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me")


@dataclass(frozen=True, slots=True)
class Business:
    name: str
    asks: tuple[str, ...]  # the caller's opening question, with {item}
    items: tuple[tuple[str, int, int], ...]  # (item, lowest price, highest price)
    need: str  # the rep's discovery question
    answers: tuple[str, ...]  # the caller's answer to it
    promotion: str
    next_steps: tuple[str, ...]  # with {day} and {time}


BUSINESSES = (
    Business(
        "Brightline Plumbing",
        ("Hi, how much do you charge for {item}?", "I need a quote for {item}, please."),
        (("a water heater install", 900, 2400), ("a drain cleaning", 120, 350)),
        "What's going on at the property, is anything leaking right now?",
        ("It's dripping under the sink since yesterday.", "No leak, the old one is 15 years old."),
        "this month new customers get 10% off any install",
        ("I can book a technician for {day} at {time}.", "I'll call you back {day} by {time}."),
    ),
    Business(
        "Harbor Dental",
        ("Do you take new patients? What does {item} cost?", "How much is {item}?"),
        (("a cleaning and check-up", 90, 220), ("a crown", 800, 1600), ("whitening", 250, 650)),
        "Is this for yourself, and is anything hurting at the moment?",
        ("Just me, nothing hurts, it's been two years.", "For my son, he chipped a tooth."),
        "new patients get their first X-rays free until the end of the month",
        ("I have an opening {day} at {time}, shall I hold it?", "We'll text you {day} by {time}."),
    ),
    Business(
        "Northgate Auto Service",
        ("What would {item} cost on a 2017 Civic?", "Can you give me a price for {item}?"),
        (("a brake job", 180, 560), ("a timing belt", 450, 1100), ("an oil change", 45, 110)),
        "Any warning lights on, or noises when you brake?",
        ("It squeals when I stop.", "The check engine light came on this morning."),
        "we're doing a free tire rotation with any service this week",
        ("Bring it in {day} at {time}.", "I'll have the service desk call you {day} at {time}."),
    ),
    Business(
        "Cedar & Oak Furniture",
        ("Is {item} still in stock, and what's the price?", "How much is {item} delivered?"),
        (("the walnut dining table", 1200, 3200), ("the corner sofa", 1500, 4200)),
        "Which room is it for, and do you have the measurements?",
        ("The living room, about four by five metres.", "Dining room, it needs to seat eight."),
        "delivery is free on orders over $1,000 until Sunday",
        ("I'll e-mail you the fabric samples by {day}.", "Come to the showroom {day} at {time}."),
    ),
)


def _price(rng: random.Random, low: int, high: int) -> str:
    return f"${rng.randrange(low, high + 1, 5):,}"


def _contact_turns(rng: random.Random, name: str, phone: str, email: str) -> list[tuple[str, str]]:
    turns: list[tuple[str, str]] = []
    if rng.random() < 0.65:
        turns += [("agent", "Can I get your name, please?"), ("customer", f"It's {name}.")]
    if rng.random() < 0.55:
        spoken = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
        turns += [("agent", "What's the best number to reach you?"), ("customer", spoken)]
    if rng.random() < 0.4:
        turns += [("agent", "And an e-mail for the quote?"), ("customer", f"Sure, {email}")]
    return turns


def script(rng: random.Random, name: str, phone: str, email: str) -> list[tuple[str, str]]:
    """One call's (speaker, text) turns, between MIN_TURNS and MAX_TURNS."""
    biz = rng.choice(BUSINESSES)
    item, low, high = rng.choice(biz.items)
    rep = rng.choice(REPS)
    turns = [
        ("agent", f"Thank you for calling {biz.name}, this is {rep}, how can I help?"),
        ("customer", rng.choice(biz.asks).format(item=item)),
        ("agent", f"That's usually {_price(rng, low, high)}, depending on the details."),
    ]
    turns += _contact_turns(rng, name, phone, email)
    turns += [("agent", biz.need), ("customer", rng.choice(biz.answers))]
    if rng.random() < 0.4:
        turns.append(("agent", f"Also, {biz.promotion}."))
    if rng.random() < 0.3:
        turns += [("customer", "Is there a warranty?"), ("agent", "Yes, twelve months parts.")]
    if rng.random() < 0.7:
        day, hour = rng.choice(DAYS), rng.randrange(8, 17)
        time = f"{hour % 12 or 12}:{rng.choice(('00', '30'))} {'am' if hour < 12 else 'pm'}"
        turns.append(("agent", rng.choice(biz.next_steps).format(day=day, time=time)))
    turns.append(("customer", rng.choice(("Great, thanks.", "OK, thank you.", "Perfect."))))
    while len(turns) < MIN_TURNS:
        turns.insert(-1, ("agent", "Is there anything else I can help with today?"))
        turns.insert(-1, ("customer", "No, that's everything."))
    turns.append(("agent", f"Thanks for calling {biz.name}. Have a good day!"))
    return turns[:MAX_TURNS]


def payloads(count: int, seed: int = 11, now: datetime | None = None) -> list[dict[str, Any]]:
    """``count`` bodies for ``POST /api/v1/interactions``: calls over the last 30 days."""
    rng = random.Random(seed)
    numbers = Numbers(max(count, 1))
    end = now or datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    for i in range(count):
        caller = rng.randrange(i) if i and rng.random() < REPEAT_CALLER else i
        crng = random.Random(f"{seed}-{caller}")  # the same caller keeps name and e-mail
        first, last = crng.choice(FIRST), crng.choice(LAST)
        email = f"{first}.{last}{caller}@{crng.choice(MAIL_HOSTS)}".lower().replace("'", "")
        phone = numbers.phone(caller)
        started = end - timedelta(minutes=rng.randrange(30 * 24 * 60))
        turns = script(rng, f"{first} {last}", phone, email)
        clock = 0.0
        timed = []
        for speaker, text in turns:
            timed.append({"speaker": speaker, "text": text, "start": round(clock, 1)})
            clock += 2.0 + len(text) / 15 + rng.random() * 3
        out.append(
            {
                "phone": phone,
                "customer_name": f"{first} {last}",
                "channel": "call",
                "started_at": started.isoformat(),
                "ended_at": (started + timedelta(seconds=clock)).isoformat(),
                "turns": timed,
            }
        )
    return out
