from __future__ import annotations

from django import template

from everytouch.accounts.access import AnyUser, has_role
from everytouch.search.finder import VISIBLE_TO

register = template.Library()


@register.filter
def can_search(user: AnyUser) -> bool:
    """Whether the top bar offers this user the search box: anyone who may find something."""
    return any(has_role(user, roles) for roles in VISIBLE_TO.values())
