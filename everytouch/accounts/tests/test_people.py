from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from everytouch.accounts.people import display_name


@pytest.mark.django_db
def test_it_names_a_person_by_full_name_then_login() -> None:
    dana = User.objects.create_user("dana", first_name="Dana", last_name="Ruiz")
    bare = User.objects.create_user("j.smith")
    assert display_name(dana) == "Dana Ruiz"
    assert display_name(bare) == "j.smith"


def test_it_says_who_when_there_is_nobody() -> None:
    assert display_name(None) == "nobody"
    assert display_name(None, "—") == "—"
