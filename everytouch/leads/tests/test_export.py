"""The streamed lead export and speed to lead's waiting list, against plain computations."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from everytouch import spreadsheet
from everytouch.accounts.people import display_name
from everytouch.leads import queries
from everytouch.leads.models import Lead
from everytouch.leads.tests.helpers import a_lead
from everytouch.testing import client_for, make_customer

pytestmark = pytest.mark.django_db


def straightforward(limit: int) -> list[list[object]]:
    """The export as it was first written: each lead as a model, its contacts read per lead."""
    rows: list[list[object]] = []
    leads = Lead.objects.select_related("customer", "owner").order_by("-created_at", "-pk")
    for lead in leads[:limit]:
        points = list(lead.customer.contacts.all())
        speed = lead.speed_to_lead
        rows.append(
            [
                lead.pk,
                lead.created_at.isoformat(),
                lead.stage,
                lead.customer.name,
                lead.customer.company,
                " ".join(p.value for p in points if p.kind == "phone"),
                " ".join(p.value for p in points if p.kind == "email"),
                lead.need,
                lead.product_interest,
                lead.budget,
                lead.timeline,
                display_name(lead.owner),
                lead.first_response_at.isoformat() if lead.first_response_at else "",
                round(speed.total_seconds() / 60, 1) if speed is not None else "",
                lead.lost_reason,
            ]
        )
    return rows


@pytest.fixture
def leads(rep: User, manager: User) -> list[Lead]:
    """Seven leads: two share a creation time (the chunks must split ties by id), some answered,
    one customer with two phones and no e-mail, one owner without a full name."""
    manager.first_name = manager.last_name = ""
    manager.save(update_fields=["first_name", "last_name"])
    now = timezone.now().replace(microsecond=0)
    made = []
    for n in range(7):
        contacts = (
            (f"+1201555{3000 + n}", f"+1201555{4000 + n}") if n == 2 else (f"c{n}@example.com",)
        )
        customer = make_customer(f"Customer {n}", contacts, company=f"Co {n}")
        lead = a_lead(customer, rep if n % 2 else manager, need=f"need {n}")
        created = now - timedelta(hours=min(n, 5))  # leads 5 and 6 tie
        answered = created + timedelta(minutes=7 * n) if n % 3 == 0 else None
        Lead.objects.filter(pk=lead.pk).update(created_at=created, first_response_at=answered)
        made.append(lead)
    return made


@pytest.mark.parametrize(("limit", "chunk"), [(100, 2), (100, 500), (5, 2), (6, 3), (1, 1)])
def test_it_exports_what_reading_each_lead_gives(leads: list[Lead], limit: int, chunk: int) -> None:
    got = [row for rows in queries.export_rows(Lead.objects.all(), limit, chunk) for row in rows]
    assert got == straightforward(limit)
    assert len(got) == min(limit, len(leads))


def test_it_reads_two_queries_per_chunk(leads: list[Lead]) -> None:
    with CaptureQueriesContext(connection) as captured:
        chunks = list(queries.export_rows(Lead.objects.all(), 100, chunk=3))
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert len(captured) == 2 * len(chunks)


def test_it_streams_the_header_first_then_every_row(leads: list[Lead], rep: User) -> None:
    response = client_for(rep).get(reverse("lead_export"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    streamed = cast(Iterator[bytes], cast(StreamingHttpResponse, response).streaming_content)
    parts = list(streamed)
    assert parts[0].decode() == ",".join(queries.EXPORT_COLUMNS) + "\r\n"
    rows = list(csv.reader(io.StringIO(b"".join(parts).decode())))
    expected = [[str(spreadsheet.safe_cell(v)) for v in row] for row in straightforward(100)]
    assert rows[1:] == expected


def test_it_still_filters_what_it_streams(leads: list[Lead], rep: User) -> None:
    response = client_for(rep).get(reverse("lead_export"), {"owner": "me"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert {row[7] for row in rows[1:]} == {"need 1", "need 3", "need 5"}


def test_speed_lists_the_oldest_unanswered_open_leads(leads: list[Lead], rep: User) -> None:
    Lead.objects.filter(pk=leads[1].pk).update(stage="won")
    Lead.objects.filter(pk=leads[4].pk).update(stage="lost")
    Lead.objects.filter(pk=leads[2].pk).update(stage="meeting_set")
    response = client_for(rep).get(reverse("lead_speed"))
    # Straightforward: every lead, kept when open and unanswered, oldest first.
    everything = sorted(Lead.objects.all(), key=lambda lead: (lead.created_at, lead.pk))
    expected = [x for x in everything if x.is_open and x.first_response_at is None]
    assert [lead.pk for lead in response.context["waiting"]] == [x.pk for x in expected]
    assert len(expected) == 2


def test_speed_to_lead_matches_reading_every_lead(leads: list[Lead]) -> None:
    # Odd gaps too: microseconds, days, a response before creation (clock skew on import).
    odd = [timedelta(microseconds=1500), timedelta(days=3, seconds=7), timedelta(seconds=-30)]
    for lead, gap in zip(leads[1:4], odd, strict=True):
        Lead.objects.filter(pk=lead.pk).update(first_response_at=F("created_at") + gap)
    Lead.objects.filter(pk=leads[5].pk).update(stage="lost")
    got = {row.owner.pk: row for row in queries.speed_to_lead_by_owner()}
    # Straightforward: every lead as a model, its speed from the model's own property.
    speeds: dict[int, list[timedelta]] = {}
    waiting: dict[int, int] = {}
    for lead in Lead.objects.all():
        speeds.setdefault(lead.owner_id, [])
        if lead.speed_to_lead is not None:
            speeds[lead.owner_id].append(lead.speed_to_lead)
        elif lead.is_open:
            waiting[lead.owner_id] = waiting.get(lead.owner_id, 0) + 1
    assert set(got) == set(speeds)
    close = timedelta(milliseconds=1)
    for owner, values in speeds.items():
        row = got[owner]
        assert (row.responded, row.waiting) == (len(values), waiting.get(owner, 0))
        values.sort()
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        mean = sum(values, timedelta()) / len(values)
        assert row.median is not None and abs(row.median - median) < close
        assert row.mean is not None and abs(row.mean - mean) < close
