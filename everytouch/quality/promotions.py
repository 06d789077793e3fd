"""Promotions in the app: current offers and events, edited by managers.

While valid they feed the promotion check (``actions.promotions_on``) and are shown at the
desk. Dates are days in the business time zone, so "valid to Friday" means to the end of
Friday where the business is, whatever the server's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from everytouch.business_time import business_tz
from everytouch.quality.models import Promotion

MAX_KEYWORDS = 20
MAX_KEYWORD = 60
_SPLIT = re.compile(r"[,\n;]")


class PromotionError(ValueError):
    """A promotion refused; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PromotionData:
    name: str
    valid_from: date
    valid_to: date
    keywords: tuple[str, ...]
    what_to_say: str


def today() -> date:
    return timezone.now().astimezone(business_tz()).date()


def parse_keywords(text: str) -> tuple[str, ...]:
    """Phrases separated by commas, semicolons or lines; blanks and repeats dropped."""
    seen: dict[str, str] = {}
    for raw in _SPLIT.split(text):
        phrase = " ".join(raw.split())
        if not phrase:
            continue
        if len(phrase) > MAX_KEYWORD:
            raise PromotionError("keywords", f"{phrase[:20]}...: at most {MAX_KEYWORD} characters")
        if not any(c.isalnum() for c in phrase):
            raise PromotionError("keywords", f"{phrase!r} has no word a rep could say")
        seen.setdefault(phrase.casefold(), phrase)
    if len(seen) > MAX_KEYWORDS:
        raise PromotionError("keywords", f"at most {MAX_KEYWORDS} phrases")
    return tuple(seen.values())


def _check(data: PromotionData) -> None:
    if not data.name.strip():
        raise PromotionError("name", "give the promotion a name")
    if data.valid_to < data.valid_from:
        raise PromotionError("valid_to", "the last day comes before the first")


def _fields(data: PromotionData) -> dict[str, object]:
    return {
        "name": data.name.strip(),
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "keywords": list(data.keywords),
        "what_to_say": data.what_to_say.strip(),
    }


@transaction.atomic
def create_promotion(data: PromotionData) -> Promotion:
    _check(data)
    return Promotion.objects.create(**_fields(data))


@transaction.atomic
def update_promotion(promotion: Promotion, data: PromotionData) -> Promotion:
    """Change a promotion; scorecards already stored keep what was checked at the time."""
    _check(data)
    fields = _fields(data)
    for name, value in fields.items():
        setattr(promotion, name, value)
    promotion.save(update_fields=list(fields))
    return promotion


@transaction.atomic
def delete_promotion(promotion: Promotion) -> None:
    promotion.delete()


def valid_on(day: date) -> QuerySet[Promotion]:
    """Shown at the desk: what the promotion check listens for on ``day``."""
    return Promotion.objects.filter(valid_from__lte=day, valid_to__gte=day).order_by("name")


def listed(show: str, day: date) -> QuerySet[Promotion]:
    """``current`` (valid today or later, soonest first) or ``past`` (most recent first)."""
    if show == "past":
        return Promotion.objects.filter(valid_to__lt=day).order_by("-valid_to", "name")
    return Promotion.objects.filter(valid_to__gte=day).order_by("valid_from", "name")
