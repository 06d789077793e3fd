"""The search page and the type-ahead under the top-bar box.

The page is a plain GET form, so it works without JavaScript; the type-ahead is an htmx
partial the box asks for as the user types. Both answer only users with a role (403
otherwise, like every list page); what each role finds is decided in ``finder``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from everytouch.accounts.access import STAFF_ROLES, require_role
from everytouch.accounts.web_kit import paginate
from everytouch.customers.actions import log_bulk_access
from everytouch.search import finder

# The page shows this many of each kind, with a link to all of them.
PAGE_FIRST = 10
# The type-ahead shows fewer: it must fit under the box on a phone.
SUGGEST_FIRST = 4


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    raw = request.GET.get("q", "")
    query = finder.clean(raw)
    context: dict[str, object] = {"q": query, "too_short": finder.is_too_short(query)}
    kind = _kind(request.GET.get("type", ""))
    if kind is not None and kind in finder.kinds_for(user):
        page = paginate(request, finder.matching(user, kind, query))
        log_bulk_access(user, "search", len(page), kind)
        context |= {"kind": kind, "page": page, "cut": finder.is_cut(page.paginator.count)}
    else:
        context["results"] = _logged(user, finder.search(user, query, PAGE_FIRST))
    return render(request, "search/page.html", context)


def _logged(user: User, results: finder.Results) -> finder.Results:
    """Search results show many records at once: the access log says how many of which kinds."""
    shown = sum(len(s.items) for s in results.sections)
    kinds = "+".join(s.kind for s in results.sections if s.items) or "nothing"
    log_bulk_access(user, "search", shown, kinds)
    return results


def search_suggest(request: HttpRequest) -> HttpResponse:
    # htmx follows a redirect silently and would put the login page inside the list when a
    # session runs out mid-typing; it is told to take the whole page to the login instead.
    if request.htmx and not request.user.is_authenticated:  # type: ignore[attr-defined]
        back = request.htmx.current_url_abs_path or "/"  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return _suggest(request)


@login_required
@require_GET
def _suggest(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, STAFF_ROLES)
    query = finder.clean(request.GET.get("q", ""))
    found = None if finder.is_too_short(query) else finder.search(user, query, SUGGEST_FIRST)
    results = _logged(user, found) if found is not None else None
    return render(request, "search/_suggest.html", {"q": query, "results": results})


def _kind(raw: str) -> finder.Kind | None:
    try:
        return finder.Kind(raw)
    except ValueError:
        return None
