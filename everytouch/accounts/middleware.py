"""Every logged-in browser request: note the session (at most once a minute) and hold back a
session that still owes its second factor.

What the session owes is worked out when it is noted and kept in the session itself, so an
ordinary request reads two session keys and writes nothing. A session is noted at login and
again whenever its note is older than a minute or missing: a session opened some other way
(Django's admin login, ``force_login``) is caught on its first request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from everytouch.accounts import second_factor, sessions
from everytouch.accounts.throttle import client_ip

SEEN_KEY = "everytouch_seen_at"
GATE_KEY = "everytouch_gate"
# What a session owes before it may open pages.
OK, ENROL, VERIFY = "ok", "enrol", "verify"
# Where a manager who must still set up a second factor may go meanwhile.
ENROL_PATHS = ("two_factor", "logout")


def client_of(request: HttpRequest) -> sessions.Client:
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    return sessions.Client(ip_address=client_ip(request), user_agent=agent)


def _is_verified(request: HttpRequest) -> bool:
    # Set by OTPMiddleware from the session, and by django_otp.login() when this request is the
    # one that gave the code: the device the session proved, or None.
    return getattr(request.user, "otp_device", None) is not None


def gate_for(request: HttpRequest, user: User) -> str:
    if _is_verified(request):
        return OK
    if second_factor.confirmed_device(user) is not None:
        return VERIFY
    return ENROL if second_factor.required_for(user) else OK


def note_session(request: HttpRequest, user: User) -> str:
    """Record the session as seen now, and work out again what it owes; that answer."""
    key = request.session.session_key
    if key is None:
        request.session.save()
        key = request.session.session_key
    assert key is not None
    sessions.record_login_session(user, key, client_of(request))
    gate = gate_for(request, user)
    request.session[SEEN_KEY] = timezone.now().isoformat()
    request.session[GATE_KEY] = gate
    return gate


def _noted_at(request: HttpRequest) -> datetime | None:
    value = request.session.get(SEEN_KEY)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _gate(request: HttpRequest, user: User) -> str:
    if sessions.seen_recently(_noted_at(request), timezone.now()):
        return str(request.session.get(GATE_KEY, OK))
    return note_session(request, user)


def _owe_enrolment(request: HttpRequest) -> HttpResponse | None:
    match = request.resolver_match
    if match is not None and match.url_name in ENROL_PATHS:
        return None
    if request.path.startswith("/api/"):
        # A browser's session on the API; API tokens never reach here (they are not a session).
        detail = "Set up two-factor login at /account/two-factor/ first."
        return JsonResponse({"detail": detail}, status=403)
    return redirect("two_factor")


def _owe_code(request: HttpRequest) -> HttpResponse:
    # A session opened without the code (Django's admin login, or one from before the second
    # factor was on): it ends, and the login asks for the code.
    sessions.forget_session(request.session.session_key)
    logout(request)
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


class LoginSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        # In process_view, after URL resolution, so the enrolment page can be told apart.
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        gate = _gate(request, user)
        if gate == VERIFY:
            return _owe_code(request)
        if gate == ENROL:
            return _owe_enrolment(request)
        return None
