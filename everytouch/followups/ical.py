"""A private iCalendar feed (RFC 5545) of a person's promises, and its secret tokens.

Written by hand: a feed of VEVENTs is a few lines of text, and the rules that matter (CRLF,
folding at 75 octets without splitting a UTF-8 character, escaping TEXT values, UTC times)
are small enough to test directly. Only the SHA-256 of a token is stored, so a leaked
database does not leak working feed URLs, and rotating or revoking the token kills the old one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from everytouch.accounts.models import hash_token
from everytouch.followups.actions import STILL_TO_DO
from everytouch.followups.models import CalendarFeed, Commitment

CRLF = "\r\n"
MAX_OCTETS = 75
EVENT_MINUTES = 15
# Old open promises stay in the feed this long; done ones leave it (the calendar drops them).
HISTORY = timedelta(days=90)


# --- tokens --------------------------------------------------------------------------------------


@transaction.atomic
def issue_feed(user: User) -> str:
    """A new secret token for this user's feed (replacing any old one); shown once."""
    raw = "cal_" + secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": hash_token(raw)})
    return raw


@transaction.atomic
def revoke_feed(user: User) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return deleted > 0


def feed_user(raw: str) -> User | None:
    """Whose feed this token opens, if it is current and they still work here."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if feed is None or not feed.user.is_active or not hasattr(feed.user, "profile"):
        return None
    return feed.user


def feed_commitments(user: User, now: datetime) -> QuerySet[Commitment]:
    qs = Commitment.objects.filter(owner=user, status__in=STILL_TO_DO, due_at__gte=now - HISTORY)
    return qs.select_related("customer").order_by("due_at", "pk")


# --- the text format -----------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue on the next line after a space."""
    pieces: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            # The continuation's leading space counts towards its 75 octets.
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return urlsplit(str(settings.SITE_URL)).hostname or "everytouch.invalid"


def _site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def event_lines(commitment: Commitment, now: datetime) -> list[str]:
    customer = commitment.customer
    link = _site_url(reverse("customer_detail", args=[customer.pk]))
    state = "MISSED - still to do" if commitment.status == "missed" else "open"
    description = f"{commitment.what}\nCustomer: {customer.display_name}\nStatus: {state}\n{link}"
    return [
        "BEGIN:VEVENT",
        f"UID:commitment-{commitment.pk}@{_host()}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(commitment.due_at)}",
        f"DURATION:PT{EVENT_MINUTES}M",
        f"SUMMARY:{escape_text(f'{commitment.what} - {customer.display_name}')}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{link}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def calendar_text(commitments: Iterable[Commitment], name: str, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Everytouch//Follow-ups//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for commitment in commitments:
        lines.extend(event_lines(commitment, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
