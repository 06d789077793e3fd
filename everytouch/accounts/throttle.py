"""Login throttling on top of django-axes: who is calling, when a lockout ends, unlocking.

Failures count per username and address together (settings: ``AXES_LOCKOUT_PARAMETERS``);
after ``AXES_FAILURE_LIMIT`` of them within the cool-off, that pair is refused until the
cool-off has passed since the last counted failure. A wrong second-factor code counts too.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    """Axes' check, for every login that comes with a request.

    Every web login path passes its request (Django's login and admin views, the second-factor
    step); only code running in-process calls ``authenticate()`` without one: the test client's
    ``login()`` and a shell. Those have no address to count against, so they are let through to
    the password check instead of failing with axes' "request required" error.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, unless the operator says proxies stand in front.

    With ``EVERYTOUCH_PROXY_COUNT = n``, the n-th address from the right of X-Forwarded-For is
    the one the outermost trusted proxy saw; anything left of it was written by the caller and
    could be forged to dodge the lockout or to lock out someone else's address.
    """
    remote = _valid_ip(str(request.META.get("REMOTE_ADDR", "")))
    count: int = settings.EVERYTOUCH_PROXY_COUNT
    if count == 0:
        return remote
    hops = [hop for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    return _valid_ip(hops[-count]) or remote


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": username}))


def count_failure(request: HttpRequest, username: str) -> None:
    """Count a failed step of a login that axes did not see, such as a wrong one-time code.

    Sent as Django's own "login failed" signal, which is what axes listens to; when this
    failure reaches the limit, axes marks the request and its middleware answers the lockout.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def locked_until(request: HttpRequest, username: str) -> datetime | None:
    """When the lockout of this username at this address ends (None: not known)."""
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=ip)
    last: datetime | None = attempts.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return None
    cooloff: Any = settings.AXES_COOLOFF_TIME
    return last + cooloff if cooloff is not None else None


def unlock(username: str) -> int:
    """Forget the failed logins of ``username`` from every address; how many were forgotten."""
    return int(AxesProxyHandler.reset_attempts(username=username))


@dataclass(frozen=True)
class RecentFailures:
    """Failed logins of one username from one address within the cool-off."""

    username: str
    ip_address: str | None
    failures: int
    last_at: datetime
    until: datetime | None  # when the lockout ends; None while it is not locked

    @property
    def locked(self) -> bool:
        return self.until is not None


def recent_failures() -> list[RecentFailures]:
    """Every username and address with failures still counting, locked ones first.

    One query: axes keeps a row per username, address and browser, summed here per pair as
    axes itself counts them.
    """
    cooloff: Any = settings.AXES_COOLOFF_TIME
    limit: int = settings.AXES_FAILURE_LIMIT
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cooloff)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_at=Max("attempt_time"))
        .order_by("-failures", "-last_at", "username")
    )
    return [
        RecentFailures(
            username=row["username"] or "",
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_at=row["last_at"],
            until=row["last_at"] + cooloff if row["failures"] >= limit else None,
        )
        for row in rows
    ]
