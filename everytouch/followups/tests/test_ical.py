"""The private calendar feed: RFC 5545 text that a real parser reads, behind a revocable token."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from everytouch.followups import actions, ical
from everytouch.followups.models import CalendarFeed
from everytouch.followups.tests.helpers import a_commitment
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


def get_feed(token: str) -> tuple[int, bytes, str]:
    response = Client().get(reverse("calendar_feed", args=[token]))
    return response.status_code, response.content, response.get("Content-Type", "")


def test_it_serves_open_and_missed_promises_as_events_a_parser_reads(
    monday: time_machine.Traveller, rep: User, rep2: User
) -> None:
    customer = make_customer("Jane Doe, Jr.", company="Acme; Dental")
    open_one = a_commitment(customer, rep, hours=4, what="Quote: 40 chairs, oak; call back\\email")
    done = a_commitment(customer, rep, hours=5, what="Done already")
    actions.complete_commitment(done, rep)
    a_commitment(customer, rep2, hours=4, what="Rita's own")
    token = ical.issue_feed(rep)

    status, body, content_type = get_feed(token)
    assert (status, content_type) == (200, "text/calendar; charset=utf-8")
    text = body.decode()
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [f"commitment-{open_one.pk}@127.0.0.1"]
    [event] = events
    assert str(event["SUMMARY"]) == "Quote: 40 chairs, oak; call back\\email - Jane Doe, Jr."
    assert event.decoded("DTSTART") == datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    description = str(event["DESCRIPTION"]).splitlines()
    assert description[:3] == [
        "Quote: 40 chairs, oak; call back\\email",
        "Customer: Jane Doe, Jr.",
        "Status: open",
    ]
    assert str(calendar["X-WR-CALNAME"]) == "Everytouch follow-ups: Ron Rep"


def test_it_keeps_each_promises_uid_from_one_fetch_to_the_next(
    monday: time_machine.Traveller, rep: User
) -> None:
    a_commitment(make_customer(), rep, hours=4)
    token = ical.issue_feed(rep)
    first = icalendar.Calendar.from_ical(get_feed(token)[1])
    monday.shift(3600)
    second = icalendar.Calendar.from_ical(get_feed(token)[1])
    uids = [[str(e["UID"]) for e in c.walk("VEVENT")] for c in (first, second)]
    assert uids[0] == uids[1] and len(uids[0]) == 1


def test_it_stops_serving_a_rotated_or_revoked_token(rep: User) -> None:
    old = ical.issue_feed(rep)
    new = ical.issue_feed(rep)
    assert get_feed(old)[0] == 404
    assert get_feed(new)[0] == 200
    # Only the hash is stored: the database alone never yields a working link.
    assert CalendarFeed.objects.get(user=rep).token_hash not in {old, new}
    response = client_for(rep).post(reverse("calendar_settings"), {"action": "revoke"})
    assert response.status_code == 302
    assert get_feed(new)[0] == 404


def test_it_stops_serving_the_feed_of_someone_deactivated(rep: User) -> None:
    token = ical.issue_feed(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert get_feed(token)[0] == 404
    assert get_feed("cal_not-a-real-token")[0] == 404


def test_it_escapes_text_values() -> None:
    assert ical.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


@given(st.text(min_size=0, max_size=400))
def test_it_folds_lines_at_75_octets_without_splitting_characters(value: str) -> None:
    line = "SUMMARY:" + ical.escape_text(value)
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == line
