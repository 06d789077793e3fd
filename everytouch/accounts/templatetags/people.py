from __future__ import annotations

from django import template
from django.contrib.auth.models import User

from everytouch.accounts.people import display_name

register = template.Library()


@register.filter
def person(user: User | None, empty: str = "—") -> str:
    """A colleague's name as people say it; ``empty`` when there is nobody."""
    return display_name(user, empty)
