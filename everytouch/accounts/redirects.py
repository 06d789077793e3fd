"""Where a form goes after it is posted: back to the page that sent it, if that page is ours.

Pages pass their own address as a hidden ``next`` field so an action on a list returns to the
list. Anything else in that field is an open redirect (a crafted link sends a signed-in user
off-site), and on an https page an http:// target would downgrade the connection; both fall
back to the view's default.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The posted ``next`` address if it stays on this site (https when this request is)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else fallback
