"""A small office: Maria's team with Ron and Rita, Rita backing Ron up, everyone reachable."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from everytouch.staff.directory.actions import ensure_staff, set_backup
from everytouch.staff.models import Team


@pytest.fixture
def office(manager: User, rep: User, rep2: User) -> Team:
    """Ron's backup is Rita; both are on Maria's team; everyone has an e-mail address."""
    for user in (manager, rep, rep2):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    team = Team.objects.create(name="Desk", manager=manager)
    for user in (manager, rep, rep2):
        member = ensure_staff(user)
        member.team = team
        member.save(update_fields=["team"])
    set_backup(ensure_staff(rep), ensure_staff(rep2))
    return team
