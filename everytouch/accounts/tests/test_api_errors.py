from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from everytouch.testing import bearer

pytestmark = pytest.mark.django_db


def test_it_answers_a_wrong_method_in_json(rep: User) -> None:
    response = bearer(rep).delete("/api/v1/identify")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "method DELETE not allowed" in response.json()["detail"]


def test_it_answers_the_api_root_in_json() -> None:
    response = Client().get("/api/")
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}


def test_it_leaves_html_pages_alone(rep: User) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
