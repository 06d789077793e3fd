"""Counting rows for a pager without counting millions: what web pages and the API share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

# Past this many rows a list says "more than 10,000" instead of counting them all: COUNT(*) over
# millions of touches costs more than the page itself, and nobody pages that far by hand.
COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Any], reach: int) -> tuple[int, bool]:
    """How many rows ``qs`` holds, counting no further than ``COUNT_CAP`` or ``reach`` (the
    last row of the page asked for), whichever is further; and whether it stopped early.

    The count reads at most that many rows (``LIMIT`` inside ``COUNT``), in no order: sorting
    first would cost as much as counting everything.
    """
    limit = max(COUNT_CAP, reach)
    found = qs.order_by()[: limit + 1].count()
    return (limit, True) if found > limit else (found, False)
