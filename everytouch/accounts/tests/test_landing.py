"""Each role lands on its own first screen; someone without a role gets a page, not a 403."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.accounts.landing import HOMES, MENU
from everytouch.accounts.models import Role
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import ensure_staff
from everytouch.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db

LANDINGS = {
    "owner": "/desk/",
    "manager": "/desk/",
    "rep": "/desk/",
    "trainer": "/quality/coaching/",
    "outsider": "/welcome/",
}


@pytest.mark.parametrize(("role", "landing"), LANDINGS.items())
def test_it_sends_each_role_home_from_the_root(
    role: str, landing: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(role))

    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, landing)
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize(("role", "landing"), LANDINGS.items())
def test_it_sends_each_role_home_after_logging_in(
    role: str, landing: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(role)
    response = Client().post(
        "/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == landing


def test_it_keeps_next_after_logging_in(trainer: User) -> None:
    form = {"username": trainer.username, "password": PASSWORD, "next": "/customers/"}

    response = Client().post("/login/", form)

    assert response["Location"] == "/customers/"


def test_it_sends_a_visitor_to_log_in_from_the_root() -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_tells_an_outsider_whom_to_ask_for_a_role(
    outsider: User, owner: User, manager: User, rep: User, trainer: User
) -> None:
    page = client_for(outsider).get("/welcome/").content.decode()

    assert "not been given a role" in page
    assert "Otto Owner" in page and "Maria Manager" in page
    assert "Ron Rep" not in page and "Tess Trainer" not in page


def test_it_does_not_name_a_departed_manager_to_ask(
    outsider: User, owner: User, manager: User
) -> None:
    departure = handover.open_departure(ensure_staff(manager), date(2031, 3, 31), owner)
    handover.complete_departure(departure, owner)

    page = client_for(outsider).get("/welcome/").content.decode()

    assert "Otto Owner" in page
    assert "Maria Manager" not in page


def test_it_sends_someone_with_a_role_from_the_welcome_page_home(rep: User) -> None:
    response = client_for(rep).get("/welcome/")

    assert (response.status_code, response["Location"]) == (302, "/")


def test_it_gives_every_role_a_home_and_every_menu_entry_a_role() -> None:
    assert set(HOMES) == set(Role)
    assert all(item.roles for item in MENU)
