"""What every app's web pages share: paging, numbers and dates from the user, choosing a
colleague, read-only admin inlines.

Views and forms of any app import this, never another app's views or forms (docs/architecture.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from everytouch import bounds
from everytouch.accounts.access import DESK_ROLES
from everytouch.accounts.paging import capped_count
from everytouch.accounts.people import display_name

PAGE_SIZE = 25
M = TypeVar("M", bound=Model)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator that stops counting at ``COUNT_CAP`` rows or the page asked for.

    A list of millions of rows shows "more than 10,000 in all" and still pages on (each next
    page counts a little further), instead of a COUNT(*) over the whole table per view.
    """

    def __init__(self, items: QuerySet[Any], per_page: int, wanted: int) -> None:
        super().__init__(items, per_page)
        self.items = items
        self.reach = wanted * per_page
        self.capped = False

    @cached_property
    def count(self) -> int:
        found, self.capped = capped_count(self.items, self.reach)
        # One row past where counting stopped, so the page after it exists and is linked.
        return found + 1 if self.capped else found

    @property
    def count_text(self) -> str:
        """'1,234', or 'more than 10,000' when counting stopped early."""
        if self.capped:
            return f"more than {self.count - 1:,}"
        return f"{self.count:,}"


def paginate(request: HttpRequest, items: QuerySet[M], per_page: int = PAGE_SIZE) -> Page[M]:
    """The page ``?page=`` asks for; a bad or out-of-range number gives the nearest page."""
    paginator = CappedPaginator(items, per_page, page_number(request))
    page: Page[M] = paginator.get_page(request.GET.get("page"))
    return page


def page_number(request: HttpRequest) -> int:
    """``?page=`` as a page number from 1 to bounds.MAX_PAGE; anything else is page 1."""
    return min(bounds.parse_id(request.GET.get("page", "")) or 1, bounds.MAX_PAGE)


# --- dates and numbers people type ---------------------------------------------------------------


def validate_in_calendar(value: date) -> None:
    """A form error, not a 500 on the way to UTC, for a date outside bounds.py's years."""
    problem = bounds.calendar_problem(value)
    if problem:
        raise ValidationError(
            f"Enter a date in the years {bounds.EARLIEST_YEAR} to {bounds.LATEST_YEAR}.",
            code="out_of_range",
        )


class DayField(forms.DateField):
    """Every date field of every form: refuses days outside the years the app accepts."""

    default_validators = [validate_in_calendar]


class MomentField(forms.DateTimeField):
    """Every date-and-time field of every form: refuses moments outside the accepted years."""

    default_validators = [validate_in_calendar]


class CountField(forms.IntegerField):
    """A whole number the user types (days, seconds, a turn): 0..2^31-1 unless told otherwise,
    so it fits every integer column and every ``timedelta``."""

    def __init__(
        self, *, min_value: int = 0, max_value: int = bounds.MAX_SMALL_INT, **kwargs: Any
    ) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IdField(forms.IntegerField):
    """An id carried in a form (often a hidden input): 1 up to what the database holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=bounds.MAX_ID, **kwargs)


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


# A number no record has: it marks where the key goes in a URL reversed once.
_KEY_MARK = 918273645546372819


def url_for_key(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many keys at the cost of one ``reverse``.

    Reversing walks the resolver and quotes each argument (tens of microseconds); a page of 120
    lead cards did it hundreds of times a request. The URL is reversed once with a marker (once
    per process, for each URL configuration and prefix the site is served under) and the key put
    where the marker is. A pattern that repeats the key falls back to ``reverse``.
    """
    return _url_for_key(name, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=512)
def _url_for_key(name: str, *configuration: object) -> Callable[[int], str]:
    mark = str(_KEY_MARK)
    try:
        head, found, tail = reverse(name, args=[_KEY_MARK]).partition(mark)
    except NoReverseMatch:  # a pattern that takes no number this long
        found = tail = ""
    if not found or mark in tail:
        return lambda pk: reverse(name, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"
