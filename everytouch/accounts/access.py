"""The few access helpers every view and endpoint goes through.

Outsiders (no role) and anonymous users never see data: the helpers raise ``Http404`` for
objects and ``PermissionDenied`` for whole pages, so nothing leaks about what exists.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from everytouch.accounts.models import Profile, Role

AnyUser = User | AnonymousUser
DESK_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.REP})
STAFF_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.REP, Role.TRAINER})
MANAGER_ROLES = frozenset({Role.OWNER, Role.MANAGER})
M = TypeVar("M", bound=Model)


def role_of(user: AnyUser) -> Role | None:
    if not user.is_authenticated:
        return None
    try:
        return Role(user.profile.role)
    except Profile.DoesNotExist:
        return None


def has_role(user: AnyUser, roles: frozenset[Role]) -> bool:
    return role_of(user) in roles


def require_role(user: AnyUser, roles: frozenset[Role]) -> User:
    """Return the user if their role is one of ``roles``; otherwise refuse (403)."""
    if not isinstance(user, User) or not has_role(user, roles):
        raise PermissionDenied("Your role does not allow this.")
    return user


def can_read_customers(user: AnyUser) -> bool:
    return has_role(user, STAFF_ROLES)


def can_use_desk(user: AnyUser) -> bool:
    return has_role(user, DESK_ROLES)


def can_manage(user: AnyUser) -> bool:
    return has_role(user, MANAGER_ROLES)


def may_act_for(user: AnyUser, owner_id: int | None) -> bool:
    """Whether ``user`` may work a row owned by ``owner_id``: the owner may, and so may every
    manager and owner of the business (to cover, correct or close it)."""
    return (owner_id is not None and owner_id == user.pk) or can_manage(user)


def get_visible_or_404(user: AnyUser, queryset: QuerySet[M], pk: int, roles: frozenset[Role]) -> M:
    """The object if this user's role may see it; 404 otherwise, so nothing leaks about it."""
    if not has_role(user, roles):
        raise Http404("No such record.")
    return get_object_or_404(queryset, pk=pk)
