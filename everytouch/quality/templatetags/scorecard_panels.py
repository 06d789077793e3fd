"""The customer page's scorecard panel: quality lives above customers, so it fills it from here."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from everytouch.quality.models import Scorecard
from everytouch.quality.reviews import visible_scorecards

register = template.Library()

CUSTOMER_SCORECARDS = 3


@register.simple_tag
def last_scorecards(
    customer_id: int, user: User | AnonymousUser, limit: int = CUSTOMER_SCORECARDS
) -> list[Scorecard]:
    """The latest scorecards of this customer's touches that ``user`` may see (a rep: their own)."""
    if not isinstance(user, User):
        return []
    qs = visible_scorecards(user).filter(
        interaction__customer_id=customer_id, is_current=True, is_test=False
    )
    return list(qs.select_related("rep").order_by("-started_at", "-pk")[:limit])
