"""List pages' shared pieces: sortable column headers, links that keep the filters, saved views.

``{% load listing %}`` then ``{% sort_header sort "name" "Name" %}`` in a ``<thead>``,
``?{% query_with page=2 %}`` in a link, ``{% saved_views "customers" %}`` above a list,
``{{ row.pk|key_url:"customer_detail" }}`` for a link on every row.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from everytouch.accounts.access import can_manage
from everytouch.accounts.listing import SortChoice
from everytouch.accounts.listing import query_with as _query_with
from everytouch.accounts.models import SavedView
from everytouch.accounts.web_kit import url_for_key

register = template.Library()


def _request(context: template.Context) -> HttpRequest:
    request: HttpRequest = context["request"]
    return request


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """This page's query string with ``changes`` (``page=None`` drops the page)."""
    return _query_with(_request(context).GET, **changes)


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, sort: SortChoice, key: str, label: str) -> SafeString:
    """A ``<th>`` whose link sorts by ``key`` (again: the other way), keeping the filters and
    going back to page one; ``aria-sort`` says how the list is sorted now."""
    query = _query_with(_request(context).GET, sort=sort.param_for(key), page=None)
    state = sort.aria_sort(key)
    arrow = {"ascending": "▲", "descending": "▼"}.get(state, "")
    if not state:
        return format_html('<th scope="col"><a class="sort" href="?{}">{}</a></th>', query, label)
    return format_html(
        '<th scope="col" aria-sort="{}"><a class="sort" href="?{}">{} '
        '<span aria-hidden="true">{}</span></a></th>',
        state,
        query,
        label,
        arrow,
    )


@register.inclusion_tag("accounts/_saved_views.html", takes_context=True)
def saved_views(context: template.Context, page: str) -> dict[str, Any]:
    """A manager's saved views of ``page`` as quick links, with the form that saves this one.
    Nothing at all for other roles: only managers and owners keep saved views."""
    request = _request(context)
    user = request.user
    if not isinstance(user, User) or not can_manage(user):
        return {"show": False}
    views = SavedView.objects.filter(user=user, page=page)
    return {
        "show": True,
        "page": page,
        "views": list(views),
        "query": request.GET.urlencode(),
        "path": request.path,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def key_url(pk: int, name: str) -> str:
    """``{{ row.pk|key_url:"scorecard" }}``: what ``{% url "scorecard" row.pk %}`` writes, for a
    list that links every row (one reversal per page, not one per row)."""
    return url_for_key(name)(pk)
