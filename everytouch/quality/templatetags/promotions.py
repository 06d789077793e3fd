"""The desk's list of promotions valid today, so reps know what to mention while on a call.

A template tag rather than a line in the desk view: the desk belongs to a lower app, which
may not import quality (docs/architecture.md, Layers); its template only loads this library.
"""

from __future__ import annotations

from django import template

from everytouch.quality import promotions
from everytouch.quality.models import Promotion

register = template.Library()


@register.inclusion_tag("quality/_desk_promotions.html")
def desk_promotions() -> dict[str, list[Promotion]]:
    return {"promotions": list(promotions.valid_on(promotions.today()))}
