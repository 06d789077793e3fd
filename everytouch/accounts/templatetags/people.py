from __future__ import annotations

from django import template
from django.contrib.auth.models import User

register = template.Library()


@register.filter
def person(user: User | None, empty: str = "—") -> str:
    """A colleague's name as people say it; ``empty`` when there is nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.username
