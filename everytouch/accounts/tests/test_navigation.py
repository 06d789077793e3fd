"""The top menu: each role sees only what it may open, with unread counts on two links."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from everytouch.staff.messages.actions import acknowledge_message, complete_message, take_message
from everytouch.staff.notifications import Unread, mark_all_read, mark_read, notify, unread_for
from everytouch.testing import client_for

pytestmark = pytest.mark.django_db

CALL_BACK = "+12015550199"

NAV = re.compile(r'<nav class="topnav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')
LABEL = re.compile(r'<a href="[^"]+"[^>]*>([^<]+)')

MENUS = {
    "owner": ["Desk", "Customers", "Interactions", "My day", "Leads", "Cadences", "Staff",
              "Messages", "Notifications", "Quality", "Early warning", "Departures"],
    "manager": ["Desk", "Customers", "Interactions", "My day", "Leads", "Cadences", "Staff",
                "Messages", "Notifications", "Quality", "Early warning", "Departures"],
    "rep": ["Desk", "Customers", "Interactions", "My day", "Leads", "Staff", "Messages",
            "Notifications", "Quality"],
    "trainer": ["Customers", "Interactions", "My day", "Leads", "Staff", "Messages",
                "Notifications", "Quality"],
    "outsider": [],
}  # fmt: skip


def _home_page(client: Client) -> str:
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _menu(html: str) -> str:
    found = NAV.search(html)
    return found.group(1) if found else ""


@pytest.mark.parametrize("role", list(MENUS))
def test_it_links_every_role_only_to_pages_that_open(
    role: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(role)
    client = client_for(user)
    menu = _menu(_home_page(client))

    assert [label.strip() for label in LABEL.findall(menu)] == MENUS[role]
    for href in HREF.findall(menu):
        assert client.get(href).status_code == 200, f"{role}: {href}"


def test_it_links_the_brand_to_a_page_that_opens_for_an_outsider(outsider: User) -> None:
    client = client_for(outsider)
    html = _home_page(client)

    brand = re.search(r'<a class="brand" href="([^"]+)"', html)
    assert brand is not None
    assert client.get(brand.group(1), follow=True).status_code == 200
    assert 'class="topnav"' not in html


def test_it_counts_unacknowledged_messages_and_unread_notifications(
    rep: User, manager: User
) -> None:
    new = [
        take_message(
            intended_for=rep, about=f"Call {n}", taken_by=manager, callback_number=CALL_BACK
        )
        for n in range(3)
    ]
    acknowledge_message(new[0], rep)
    complete_message(
        take_message(intended_for=rep, about="Done", taken_by=manager, callback_number=CALL_BACK),
        rep,
    )
    mark_all_read(rep)  # taking a message notifies its owner; count afresh from here
    notices = [notify(rep, f"Notice {n}", "/my-day/", f"n{n}") for n in range(2)]
    mark_read(notices[0])
    take_message(intended_for=manager, about="Not Ron's", taken_by=rep, callback_number=CALL_BACK)

    assert unread_for(rep) == Unread(messages=2, notifications=1)
    menu = _menu(client_for(rep).get("/my-day/").content.decode())
    assert 'aria-label="Messages, 2 unread">Messages<span class="badge"' in menu
    assert 'aria-label="Notifications, 1 unread">Notifications<span class="badge"' in menu
    assert re.search(r'Messages<span class="badge" aria-hidden="true">2</span>', menu)
    assert re.search(r'Notifications<span class="badge" aria-hidden="true">1</span>', menu)


def test_it_shows_no_badge_when_nothing_is_unread(rep: User) -> None:
    menu = _menu(client_for(rep).get("/my-day/").content.decode())

    assert "Messages" in menu
    assert "badge" not in menu
    assert "unread" not in menu


def test_it_counts_both_in_one_query(rep: User, manager: User) -> None:
    take_message(intended_for=rep, about="Call", taken_by=manager, callback_number=CALL_BACK)

    with CaptureQueriesContext(connection) as queries:
        unread = unread_for(rep)

    assert unread == Unread(messages=1, notifications=1)  # the owner is told of the message
    assert len(queries.captured_queries) == 1


def test_it_marks_the_current_page_in_the_menu(rep: User) -> None:
    menu = _menu(client_for(rep).get("/customers/").content.decode())

    assert re.search(r'<a href="/customers/" aria-current="page">Customers', menu)
    assert menu.count("aria-current") == 1
