from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from everytouch.staff.directory.actions import ensure_staff, schedule_absence, set_backup
from everytouch.testing import bearer, make_customer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("UTC"))
ROUTE = "/api/v1/route"


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # Autouse fixtures are set up first, so the fixtures below book absences at NOW too.
    with time_machine.travel(NOW, tick=False):
        yield


def client_as(request: pytest.FixtureRequest, role: str | None) -> Client:
    return Client() if role is None else bearer(request.getfixturevalue(role))


@pytest.fixture
def away_rep(rep: User, rep2: User) -> User:
    """Ron is at a trade show for three days; Rita (ext. 204) covers."""
    backup = ensure_staff(rep2)
    backup.extension = "204"
    backup.save()
    member = ensure_staff(rep)
    member.extension = "201"
    member.save()
    schedule_absence(member, NOW, NOW + timedelta(days=3), "at a trade show", backup)
    set_backup(member, backup)
    return rep


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 403), ("outsider", 403), (None, 401)],
)
def test_it_routes_a_caller_to_the_backup_for_desk_roles_only(
    request: pytest.FixtureRequest, away_rep: User, role: str | None, status: int
) -> None:
    make_customer(owner=away_rep)
    response = client_as(request, role).get(ROUTE, {"caller": "(201) 555-0123"})
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["to"]["username"] == "rita"
        assert (body["rule"], body["action"]) == ("backup", "put_through")
        assert body["reason"] == (
            "Put the call through to Rita Rep (ext. 204), who is covering for Ron Rep, "
            "at a trade show until Fri 13 Nov 2026, 10:00."
        )
        assert body["customer"]["name"] == "Jane Doe"
        assert body["away_message"].startswith("Ron Rep is at a trade show until")
    else:
        assert "to" not in response.json()


def test_it_routes_by_the_extension_asked_for(away_rep: User, manager: User) -> None:
    response = bearer(manager).get(ROUTE, {"asked_for": "201"})
    assert response.json()["asked_for"]["name"] == "Ron Rep"
    assert response.json()["to"]["extension"] == "204"


def test_it_refuses_junk_and_unknown_people_with_a_reason(away_rep: User, manager: User) -> None:
    client = bearer(manager)
    junk = client.get(ROUTE, {"caller": "12"})
    assert junk.status_code == 400
    assert "not a valid phone number" in junk.json()["detail"]
    nobody = client.get(ROUTE, {"asked_for": "999"})
    assert nobody.status_code == 404
    assert "no single staff member" in nobody.json()["detail"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("rep", 200), ("trainer", 200), ("outsider", 403), (None, 401)],
)
def test_it_serves_the_away_message_as_text_and_ssml(
    request: pytest.FixtureRequest, away_rep: User, role: str | None, status: int
) -> None:
    client = client_as(request, role)
    text = client.get("/api/v1/staff/201/away-message")
    assert text.status_code == status
    if status != 200:
        return
    assert text["Content-Type"].startswith("text/plain")
    assert text.content.decode() == (
        "Ron Rep is at a trade show until Fri 13 Nov 2026, 10:00. "
        "Rita Rep, ext. 204, is looking after Ron's customers."
    )
    ssml = client.get("/api/v1/staff/ron/away-message", {"format": "ssml"})
    assert ssml["Content-Type"] == "application/ssml+xml"
    assert ssml.content.decode().startswith("<speak><p><s>Ron Rep is at a trade show")


def test_it_refuses_an_unknown_format(away_rep: User, manager: User) -> None:
    response = bearer(manager).get("/api/v1/staff/ron/away-message", {"format": "mp3"})
    assert response.status_code == 400


@pytest.mark.parametrize(("role", "status"), [("trainer", 200), ("outsider", 403)])
def test_it_lists_the_directory_with_states(
    request: pytest.FixtureRequest, away_rep: User, role: str, status: int
) -> None:
    response = client_as(request, role).get("/api/v1/staff")
    assert response.status_code == status
    if status == 200:
        states = {s["username"]: s["state"] for s in response.json()}
        assert states["ron"] == "out_of_office"
        assert states["rita"] == "available"


def _writes(captured: list[dict[str, str]]) -> list[str]:
    """Every statement that is not a plain read (a transaction's savepoints count too)."""
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith("SELECT")]


def test_routing_a_caller_to_their_owner_writes_nothing(away_rep: User, manager: User) -> None:
    make_customer(owner=away_rep)
    client = bearer(manager)
    client.get(ROUTE, {"asked_for": "201"})  # the token's first use is recorded; not measured
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ROUTE, {"caller": "(201) 555-0123"})
    assert response.json()["rule"] == "backup"
    assert _writes(captured.captured_queries) == []


def test_routing_round_robin_writes_only_who_was_picked(
    rep: User, rep2: User, manager: User
) -> None:
    client = bearer(manager)
    first = client.get(ROUTE).json()
    assert first["rule"] == "round_robin"
    with CaptureQueriesContext(connection) as captured:
        second = client.get(ROUTE).json()
    assert second["to"]["id"] != first["to"]["id"]
    [write] = _writes(captured.captured_queries)
    assert write.upper().startswith("UPDATE") and "last_routed_at" in write
