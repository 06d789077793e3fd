"""What every app's web pages share: paging, choosing a colleague, read-only admin inlines.

Views and forms of any app import this, never another app's views or forms (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from everytouch.accounts.access import DESK_ROLES
from everytouch.accounts.people import display_name

PAGE_SIZE = 25
M = TypeVar("M", bound=Model)


def paginate(request: HttpRequest, items: QuerySet[M], per_page: int = PAGE_SIZE) -> Page[M]:
    """The page ``?page=`` asks for; a bad or out-of-range number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def desk_users() -> QuerySet[User]:
    """People who can be given a customer, a lead or a promise from a form."""
    qs = User.objects.filter(is_active=True, profile__role__in=DESK_ROLES)
    return qs.order_by("first_name", "username")


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    """History shown beside a record in the admin; it is changed only through the actions."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
