"""The one rule of who may own, read from the database rather than from a loaded instance."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from everytouch import ownership
from everytouch.staff.departures import actions as handover
from everytouch.staff.directory.actions import ensure_staff

pytestmark = pytest.mark.django_db


def _depart(leaver: User, manager: User) -> None:
    departure = handover.open_departure(ensure_staff(leaver), date(2031, 1, 1), manager)
    handover.complete_departure(departure, manager)


def test_it_refuses_a_departed_person_even_through_an_instance_loaded_before(
    rep: User, manager: User
) -> None:
    ensure_staff(rep)  # caches the active directory entry on this instance
    _depart(rep, manager)
    assert not ownership.can_own(rep)
    assert ownership.refusal(rep) == "has departed"
    assert rep not in ownership.possible_owners()


def test_it_says_why_someone_cannot_own(rep: User, outsider: User) -> None:
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert ownership.refusal(rep) == "can no longer log in"
    assert ownership.refusal(outsider) == "has no role here"
    assert ownership.refusal(None) == "is nobody"
