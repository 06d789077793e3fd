"""Error pages look like the rest of the app, say why, and lead back home; the API stays JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.template import loader
from django.test import Client

from everytouch.testing import PASSWORD, bearer, client_for

HOME_LINK = '<a class="button" href="/">Go to your home page</a>'
STYLESHEET = "/static/css/everytouch.css"


def _styled(body: str) -> None:
    assert STYLESHEET in body
    assert HOME_LINK in body


@pytest.mark.django_db
def test_it_tells_a_trainer_why_the_desk_is_refused(trainer: User) -> None:
    response = client_for(trainer).get("/desk/")

    assert response.status_code == 403
    body = response.content.decode()
    _styled(body)
    assert "You are logged in as Tess Trainer (trainer). Your role does not allow this." in body
    assert 'class="topnav"' in body  # the menu is there to carry on from


@pytest.mark.django_db
def test_it_tells_an_outsider_they_have_no_role_on_a_refused_page(outsider: User) -> None:
    response = client_for(outsider).get("/customers/")

    assert response.status_code == 403
    body = response.content.decode()
    _styled(body)
    assert "you have no role here yet" in body
    assert 'href="/welcome/"' in body


@pytest.mark.django_db
def test_it_shows_a_styled_not_found_page(rep: User) -> None:
    response = client_for(rep).get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    _styled(body)
    assert "There is nothing here" in body


@pytest.mark.django_db
def test_it_shows_a_styled_not_found_page_to_a_visitor() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    _styled(response.content.decode())


@pytest.mark.django_db
def test_it_shows_a_styled_server_error_page(rep: User, settings: Any) -> None:
    settings.ROOT_URLCONF = "everytouch.accounts.tests.error_urls"
    client = Client(raise_request_exception=False)
    client.login(username=rep.username, password=PASSWORD)

    response = client.get("/broken/")

    assert response.status_code == 500
    body = response.content.decode()
    _styled(body)
    assert "Something went wrong on our side" in body


def test_it_renders_the_server_error_page_without_a_request_or_database() -> None:
    # No django_db mark: a query here would fail the test.
    body = loader.get_template("500.html").render()

    _styled(body)
    assert not django_settings.DEBUG


@pytest.mark.django_db
def test_it_explains_a_form_whose_token_expired(rep: User) -> None:
    client = Client(enforce_csrf_checks=True)
    form = {"username": rep.username, "password": PASSWORD}

    response = client.post("/login/", form)

    assert response.status_code == 403
    body = response.content.decode()
    _styled(body)
    assert "The form could not be sent" in body


@pytest.mark.django_db
def test_it_keeps_api_errors_json(outsider: User, rep: User) -> None:
    refused = bearer(outsider).get("/api/v1/customers")
    missing = bearer(rep).get("/api/v1/customers/987654")
    nowhere = bearer(rep).get("/api/v1/no-such-thing")

    for response, status in ((refused, 403), (missing, 404), (nowhere, 404)):
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
