"""The message lists' sortable columns, and the old ``?sort=newest`` bookmarks still working."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from everytouch.staff.models import Team, Urgency
from everytouch.staff.tests.messages_fixtures import a_message
from everytouch.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(
    monday: time_machine.Traveller, office: Team, rep: User, rep2: User, manager: User
) -> list[int]:
    """Three open messages an hour apart: for Rita (normal), Ron (high), Rita (low)."""
    made = []
    for who, urgency, caller in ((rep2, Urgency.NORMAL, "Bo"), (rep, Urgency.HIGH, "Al")):
        made.append(a_message(who, manager, urgency=urgency, caller_name=caller).pk)
        monday.shift(timedelta(hours=1))
    made.append(a_message(rep2, manager, urgency=Urgency.LOW, caller_name="Cy").pk)
    return made


def order(client_user: User, sort: str) -> list[int]:
    response = client_for(client_user).get(reverse("messages_all"), {"sort": sort})
    assert response.status_code == 200
    return [m.pk for m in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", [0, 1, 2]),
        ("-created", [2, 1, 0]),
        ("newest", [2, 1, 0]),
        ("oldest", [0, 1, 2]),
        ("-urgency", [1, 0, 2]),
        ("urgency", [2, 0, 1]),
        ("caller", [1, 0, 2]),
        ("for", [0, 2, 1]),
        ("-for", [1, 2, 0]),
        ("status;drop", [0, 1, 2]),
    ],
)
def test_it_sorts_every_unacknowledged_message_by_the_chosen_column(
    three: list[int], manager: User, sort: str, expected: list[int]
) -> None:
    assert order(manager, sort) == [three[i] for i in expected]


def test_it_marks_the_sorted_column_on_the_managers_list(three: list[int], manager: User) -> None:
    content = client_for(manager).get(reverse("messages_all"), {"sort": "-urgency"}).content
    assert b'aria-sort="descending"><a class="sort" href="?sort=urgency">' in content


def test_it_sorts_my_open_messages_by_when_they_were_taken(three: list[int], rep2: User) -> None:
    client = client_for(rep2)
    oldest = client.get(reverse("messages_mine")).context["open_messages"]
    newest = client.get(reverse("messages_mine"), {"sort": "-created"}).context["open_messages"]
    assert [m.pk for m in oldest] == [three[0], three[2]]
    assert [m.pk for m in newest] == [three[2], three[0]]


def test_it_writes_the_callback_number_as_people_do(three: list[int], manager: User) -> None:
    content = client_for(manager).get(reverse("messages_all")).content
    assert b">(201) 555-0199</a>" in content
    assert b">+12015550199<" not in content
