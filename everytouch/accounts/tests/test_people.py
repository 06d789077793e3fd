from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from everytouch.accounts.access import may_act_for
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


@pytest.mark.django_db
def test_it_lets_the_owner_and_any_manager_act_on_a_row(
    rep: User, rep2: User, manager: User, owner: User, trainer: User
) -> None:
    assert may_act_for(rep, rep.pk)
    assert not may_act_for(rep2, rep.pk)
    assert not may_act_for(trainer, rep.pk)
    assert may_act_for(manager, rep.pk) and may_act_for(owner, rep.pk)
    assert not may_act_for(rep, None)
