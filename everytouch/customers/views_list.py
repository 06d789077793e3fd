"""The customer list: search, an owner filter and sortable columns, all kept in the URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from everytouch import bounds
from everytouch.accounts.access import STAFF_ROLES, require_role
from everytouch.accounts.listing import SortChoice, Sorting
from everytouch.accounts.web_kit import desk_users, paginate
from everytouch.customers.actions import log_bulk_access
from everytouch.customers.models import Customer
from everytouch.customers.search import search_customers, was_capped

# The list's columns; ``?sort=`` anything else gives the default (by name). A search with no
# ``?sort=`` keeps the search's own order, best match first (docs/search.md).
CUSTOMER_SORT = Sorting(
    columns={
        "id": ("id",),
        "name": ("name", "id"),
        "company": ("company", "name", "id"),
        "owner": ("owner__first_name", "owner__last_name", "name", "id"),
        "created": ("created_at", "id"),
    },
    default="name",
    descending_first=frozenset({"created"}),
)

# No column is marked as sorted: the rows come in the search's ranking.
BEST_MATCH_FIRST = SortChoice("", descending=False, fields=())


def _owned_by(qs: QuerySet[Customer], owner: str, user: User) -> QuerySet[Customer]:
    """``?owner=me``, ``?owner=<id>`` or ``?owner=none``; anything else leaves the list whole."""
    if owner == "me":
        return qs.filter(owner=user)
    if owner == "none":
        return qs.filter(owner__isnull=True)
    owner_id = bounds.parse_id(owner)
    return qs.filter(owner_id=owner_id) if owner_id else qs


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    query = request.GET.get("q", "")[:200]
    owner = request.GET.get("owner", "")
    qs = _owned_by(search_customers(query), owner, user)
    if query.strip() and not request.GET.get("sort"):
        sort = BEST_MATCH_FIRST
    else:
        sort = CUSTOMER_SORT.parse(request.GET.get("sort"))
        qs = qs.order_by(*sort.order_by())
    page = paginate(request, qs)
    log_bulk_access(user, "search" if query.strip() else "list", len(page), "customers")
    context = {
        "page": page,
        "q": query,
        "owner": owner,
        "owners": desk_users(),
        "sort": sort,
        # A broad search lists its best matches only (docs/search.md); say so.
        "capped": was_capped(query, page.paginator.count),
    }
    return render(request, "customers/list.html", context)
