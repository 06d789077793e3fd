"""Who should take this caller? One decision, with one sentence that says it, for the desk and API.

Order: the person asked for or the customer's owner if available; else their backup; else an
available colleague with the skill for the topic; else round robin among everyone available;
else nobody, with a message taken for the person the caller wanted.

The decision knows who is asking (``viewer``, the rep at the desk): a caller routed to that rep
is "take it yourself", never "put the call through to" the person already on the line, and
where anyone available would do, the rep who has the caller is preferred. The sentence
(``reason``) is built from the decision itself, so the desk can never show advice that
contradicts the rule that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from everytouch.accounts.access import DESK_ROLES
from everytouch.accounts.people import display_name
from everytouch.customers.models import Customer
from everytouch.ownership import successor_for
from everytouch.staff.directory.availability import (
    availability,
    away_message,
    status_phrase,
    with_current_absence,
)
from everytouch.staff.models import Employment, StaffMember

Action = Literal["take", "put_through", "message"]
# Why the caller wants this person: asked for by name, the customer's owner, or the successor
# of someone who left.
Why = Literal["asked", "owner", "successor", ""]


@dataclass(frozen=True)
class RouteDecision:
    to: StaffMember | None
    reason: str
    rule: str
    away_message: str = ""
    asked_for: StaffMember | None = None
    action: Action = "put_through"
    wanted: StaffMember | None = None

    @property
    def message_for(self) -> User | None:
        """Whom a message should be taken for: the person asked for, else the one wanted."""
        member = self.asked_for or self.wanted or self.to
        return member.user if member else None


@dataclass(frozen=True)
class _Wanted:
    """The person the caller should reach, after following a departure to its successor."""

    member: StaffMember | None
    why: Why
    left: str = ""  # the name of the person who left, when the caller wanted a leaver

    @property
    def departed_note(self) -> str:
        if not self.left:
            return ""
        if self.member is None:
            return f"{self.left} no longer works here"
        successor = self.member.name
        return f"{self.left} no longer works here and {successor} now looks after their customers"


@dataclass(frozen=True)
class _Ask:
    """One routing question: who is wanted, who is asking, and when."""

    wanted: _Wanted
    me: StaffMember | None
    asked: StaffMember | None
    now: datetime

    def is_me(self, member: StaffMember | None) -> bool:
        return member is not None and self.me is not None and member.pk == self.me.pk


def _available(member: StaffMember | None, now: datetime) -> bool:
    return member is not None and availability(member, now).is_available


def _member(user: User) -> StaffMember | None:
    qs = StaffMember.objects.select_related("user", "team", "backup__user")
    return qs.filter(user=user).first()


def _candidates(topic: str, now: datetime) -> list[StaffMember]:
    qs = StaffMember.objects.filter(
        employment__in=[Employment.ACTIVE, Employment.LEAVING],
        user__is_active=True,
        user__profile__role__in=DESK_ROLES,
    ).select_related("user", "team")
    # Each candidate's absence comes with the list: checking a hundred people's availability
    # one query each made the desk's routing answer a hundred queries.
    qs = with_current_absence(qs, now)
    # Never-routed people first on every database (PostgreSQL sorts NULLs last by default).
    members = list(qs.order_by(F("last_routed_at").asc(nulls_first=True), "pk"))
    if not topic:
        return members
    wanted = {w for w in topic.lower().replace(",", " ").split() if w}
    return [m for m in members if wanted & {s.lower() for s in m.skills}]


def _first_available(
    members: list[StaffMember], now: datetime, me: StaffMember | None
) -> StaffMember | None:
    # The rep who already has the caller on the line needs no transfer when they would do.
    mine = next((m for m in members if me is not None and m.pk == me.pk), None)
    if _available(mine, now):
        return mine
    # Ordered by last_routed_at (never-routed first): picking the first is round robin.
    return next((m for m in members if _available(m, now)), None)


def _wanted(customer: Customer | None, asked_for: User | None) -> _Wanted:
    person = asked_for or (customer.owner if customer else None)
    why: Why = "asked" if asked_for else "owner"
    if person is None:
        return _Wanted(None, "")
    member = _member(person)
    if person.is_active and not (member is not None and member.is_departed):
        return _Wanted(member, why)
    successor = successor_for(person)
    taker = _member(successor) if successor else None
    return _Wanted(taker, "successor" if taker else "", display_name(person))


def _ext(member: StaffMember) -> str:
    return f" (ext. {member.extension})" if member.extension else ""


def _sentence(main: str, *notes: str) -> str:
    extra = "; ".join(n for n in notes if n)
    return f"{main}; {extra}." if extra else f"{main}."


def _absent(member: StaffMember, now: datetime) -> str:
    """'Ron Rep is at a trade show until Thu 12 Nov 2026'."""
    return f"{member.name} is {status_phrase(availability(member, now))}"


def decide(
    customer: Customer | None,
    topic: str = "",
    asked_for: User | None = None,
    now: datetime | None = None,
    viewer: User | None = None,
) -> RouteDecision:
    """The routing decision without side effects (see ``route`` for the one that records it)."""
    now = now or timezone.now()
    asked = _member(asked_for) if asked_for else None
    ask = _Ask(_wanted(customer, asked_for), _member(viewer) if viewer else None, asked, now)
    target = ask.wanted.member
    if target is not None:
        found = _to_wanted(ask, target) or _to_backup(ask, target)
        if found is not None:
            return found
    return _to_anyone(ask, topic)


def _decision(ask: _Ask, to: StaffMember | None, reason: str, rule: str) -> RouteDecision:
    target = ask.wanted.member
    note = away_message(target, ask.now) if target is not None else ""
    action: Action = "message" if rule == "message" else "put_through"
    if rule != "message" and ask.is_me(to):
        action = "take"
    return RouteDecision(to, reason, rule, note, ask.asked, action, target)


def _to_wanted(ask: _Ask, target: StaffMember) -> RouteDecision | None:
    """The wanted person themselves: the rep at the desk, or put through when available."""
    why = ask.wanted.why
    if ask.is_me(target):
        mine = {
            "asked": "the caller asked for you",
            "owner": "this is your customer",
            "successor": f"{ask.wanted.left} no longer works here and you now look after "
            "their customers",
        }[why]
        return _decision(ask, target, _sentence(f"Take it yourself: {mine}"), "owner")
    if not _available(target, ask.now):
        return None
    main = f"Put the call through to {target.name}{_ext(target)}"
    if why == "successor":
        return _decision(ask, target, _sentence(f"{main}: {ask.wanted.departed_note}"), "owner")
    role = "whom the caller asked for" if why == "asked" else "the customer's owner"
    return _decision(ask, target, _sentence(f"{main}, {role}"), "owner")


def _to_backup(ask: _Ask, target: StaffMember) -> RouteDecision | None:
    backup = availability(target, ask.now).backup
    if backup is None or not (ask.is_me(backup) or _available(backup, ask.now)):
        return None
    away = f"{target.name}, {status_phrase(availability(target, ask.now))}"
    if ask.is_me(backup):
        main = f"Take it yourself: you are covering for {away}"
    else:
        main = f"Put the call through to {backup.name}{_ext(backup)}, who is covering for {away}"
    return _decision(ask, backup, _sentence(main, ask.wanted.departed_note), "backup")


def _to_anyone(ask: _Ask, topic: str) -> RouteDecision:
    """Nobody wanted can take it: a colleague with the skill, the next in turn, or a message."""
    target = ask.wanted.member
    why = _absent(target, ask.now) if target is not None else ""
    left = ask.wanted.departed_note
    skilled = _first_available(_candidates(topic, ask.now), ask.now, ask.me) if topic else None
    if skilled is not None:
        if ask.is_me(skilled):
            main = f"Take it yourself: you handle {topic}"
        else:
            main = f"Put the call through to {skilled.name}{_ext(skilled)}, who handles {topic}"
        return _decision(ask, skilled, _sentence(main, why, left), "skill")
    anyone = _first_available(_candidates("", ask.now), ask.now, ask.me)
    if anyone is not None:
        if ask.is_me(anyone):
            main = "Take it yourself" + (
                "" if why or left else ": nobody looks after this caller yet"
            )
        else:
            main = f"Put the call through to {anyone.name}{_ext(anyone)}, next in turn"
        return _decision(ask, anyone, _sentence(_colon(main, why, left)), "round_robin")
    if target is not None:
        status = status_phrase(availability(target, ask.now))
        main = f"Nobody is available: take a message for {target.name}, {status}"
        return _decision(ask, target, _sentence(main, left), "message")
    return _decision(ask, None, _sentence("Nobody is available: take a message", left), "message")


def _colon(main: str, *notes: str) -> str:
    extra = "; ".join(n for n in notes if n)
    return f"{main}: {extra}" if extra else main


def route(
    customer: Customer | None,
    topic: str = "",
    asked_for: User | None = None,
    now: datetime | None = None,
) -> RouteDecision:
    """Decide, and remember who was sent a caller so round robin moves on.

    The decision is only reads, outside any transaction: a phone system asks on every ring, and
    on SQLite a transaction here would take the database's write lock for every call. Only a
    pick by skill or round robin is written, as one UPDATE of that one row.
    """
    decision = decide(customer, topic, asked_for, now)
    if decision.to is not None and decision.rule in {"skill", "round_robin"}:
        routed_at = now or timezone.now()
        StaffMember.objects.filter(pk=decision.to.pk).update(last_routed_at=routed_at)
        decision.to.last_routed_at = routed_at
    return decision
