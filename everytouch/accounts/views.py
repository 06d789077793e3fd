"""The front door (log in, with a one-time code when the second factor is on; land on the
first screen of your role's day, or learn why you cannot; be told when a lockout ends), the
account pages (sessions, two-factor login) and saved list views: a manager (or owner) keeps a
list page's filters and sort under a name. Reps and trainers have no saved views: saving is
refused (403) and deleting finds nothing (404), as it does for a manager trying to delete
someone else's view.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from everytouch.accounts import actions, second_factor, sessions, throttle
from everytouch.accounts.access import MANAGER_ROLES, can_manage, require_role, role_of
from everytouch.accounts.forms import CodeForm, LoginForm, SavedViewForm, UnlockForm
from everytouch.accounts.landing import home_url_name, people_to_ask
from everytouch.accounts.listing import SAVED_PAGES
from everytouch.accounts.middleware import GATE_KEY, OK, note_session
from everytouch.accounts.models import LoginSession, SavedView
from everytouch.accounts.redirects import safe_next

# A password given but no code yet: how long the code step waits before the password is asked
# again (a few of the app's 30-second codes, and time to find the phone).
PENDING_KEY = "everytouch_pending_login"
PENDING_FOR = timedelta(minutes=5)


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if second_factor.confirmed_device(user) is None:
            response = super().form_valid(form)
            note_session(self.request, user)
            return response
        # The password was right; the login waits for the code (see login_code).
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_success_url(),
            "at": timezone.now().isoformat(),
        }
        return redirect("login_code")


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sessions.forget_session(request.session.session_key)
        return super().post(request, *args, **kwargs)


def _pending(request: HttpRequest) -> tuple[User, TOTPDevice, dict[str, str]] | None:
    """The user who gave the right password and still owes a code, with their device."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    started = datetime.fromisoformat(str(pending.get("at")))
    user = User.objects.filter(pk=int(pending.get("user", 0)), is_active=True).first()
    device = None if user is None else second_factor.confirmed_device(user)
    if user is None or device is None or timezone.now() - started > PENDING_FOR:
        del request.session[PENDING_KEY]
        return None
    return user, device, pending


def _finish_login(
    request: HttpRequest, user: User, device: TOTPDevice, pending: dict[str, str]
) -> HttpResponse:
    del request.session[PENDING_KEY]
    login(request, user, backend=pending["backend"] or None)
    django_otp.login(request, device)
    note_session(request, user)
    return redirect(pending["next"])


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponseBase:
    """The login's second step: the code from the app, after the right password.

    A wrong code counts as a failed login for that username and address, so guessing codes
    meets the same lockout as guessing passwords.
    """
    found = _pending(request)
    if found is None:
        return redirect("login")
    user, device, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if throttle.is_locked_out(request, user.username):
            return locked_out(request, None, {"username": user.username})
        if form.is_valid() and second_factor.verify(device, form.cleaned_data["code"]):
            return _finish_login(request, user, device, pending)
        throttle.count_failure(request, user.username)
        form.add_error(None, second_factor.WRONG_CODE)
        return render(request, "registration/login_code.html", {"form": form}, status=400)
    return render(request, "registration/login_code.html", {"form": form})


def locked_out(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429 and when to try again.

    It reads the same for a username that exists and one that does not: failures of both count.
    """
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    until = throttle.locked_until(request, username)
    context = {"until": until, "login_url": reverse("login")}
    return render(request, "registration/locked_out.html", context, status=429)


def _account_tabs(request: HttpRequest, tab: str) -> dict[str, Any]:
    """What the account pages' tabs need: which one is open, and whether Lockouts shows."""
    return {"current_tab": tab, "show_lockouts": can_manage(request.user)}


@login_required
@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Owners and managers: who is failing to log in from where, and unlocking a username."""
    require_role(request.user, MANAGER_ROLES)
    context = {
        "failures": throttle.recent_failures(),
        "limit": settings.AXES_FAILURE_LIMIT,
        "cooloff": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        **_account_tabs(request, "lockouts"),
    }
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    require_role(request.user, MANAGER_ROLES)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "back": reverse("login_lockouts")}
        return render(request, "accounts/unlock_error.html", context, status=400)
    username = form.cleaned_data["username"]
    throttle.unlock(username)
    messages.success(request, f"Unlocked “{username}”: they can log in again now.")
    return redirect("login_lockouts")


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """The user's logged-in sessions, each with a way to sign it out."""
    user = require_user(request)
    rows = [
        {
            "row": row,
            "browser": sessions.browser_label(row.user_agent),
            "current": row.session_key == request.session.session_key,
        }
        for row in sessions.live_sessions(user)
    ]
    context = {"rows": rows, **_account_tabs(request, "sessions")}
    return render(request, "accounts/sessions.html", context)


def require_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a logged-in user in
    return user


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_user(request)
    row = get_object_or_404(LoginSession, pk=pk, user=user)
    if row.session_key == request.session.session_key:
        sessions.forget_session(row.session_key)
        logout(request)
        return redirect("login")
    sessions.end_session(row)
    messages.success(
        request, f"Signed out the session on {sessions.browser_label(row.user_agent)}."
    )
    return redirect("login_sessions")


@login_required
@require_POST
def session_end_others(request: HttpRequest) -> HttpResponse:
    ended = sessions.end_other_sessions(require_user(request), request.session.session_key)
    messages.success(request, f"Signed out {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("login_sessions")


def _two_factor_page(
    request: HttpRequest, user: User, form: CodeForm, status: int = 200
) -> HttpResponse:
    device = second_factor.confirmed_device(user)
    context: dict[str, Any] = {
        "form": form,
        "device": device,
        **_account_tabs(request, "two_factor"),
    }
    context["required"] = second_factor.required_for(user)
    if device is None:
        pending = second_factor.pending_device(user)
        uri = second_factor.setup_uri(pending)
        context.update(
            secret=second_factor.secret_text(pending), uri=uri, qr=second_factor.qr_svg(uri)
        )
    return render(request, "accounts/two_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the second factor: scan the code (or type the key), then confirm with a code."""
    user = require_user(request)
    form = CodeForm(request.POST or None)
    if request.method == "GET":
        return _two_factor_page(request, user, form)
    if not form.is_valid():
        return _two_factor_page(request, user, form, status=400)
    try:
        device = second_factor.confirm(
            second_factor.pending_device(user), form.cleaned_data["code"]
        )
    except second_factor.SecondFactorError as exc:
        form.add_error("code", str(exc))
        return _two_factor_page(request, user, form, status=400)
    django_otp.login(request, device)
    request.session[GATE_KEY] = OK
    ended = sessions.end_other_sessions(user, request.session.session_key)
    note = (
        f" Your {ended} other session{'s were' if ended != 1 else ' was'} signed out."
        if ended
        else ""
    )
    messages.success(request, "Two-factor login is on: logging in now asks for a code." + note)
    return redirect("two_factor")


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = require_user(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _two_factor_page(request, user, form, status=400)
    try:
        second_factor.disable(user, form.cleaned_data["code"])
    except second_factor.SecondFactorError as exc:
        form.add_error("code", str(exc))
        return _two_factor_page(request, user, form, status=400)
    # This session's proof of a code went with the device; a manager who must have a second
    # factor is asked to set one up again.
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.user.otp_device = None  # type: ignore[union-attr]  # set by OTPMiddleware
    note_session(request, user)
    messages.success(request, "Two-factor login is off: logging in asks only for the password.")
    return redirect("two_factor")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """``/`` and the default after logging in: each role's own first screen."""
    return redirect(home_url_name(request.user))


@login_required
@require_GET
def no_role(request: HttpRequest) -> HttpResponse:
    """Where someone logged in without a role lands: what is missing and whom to ask."""
    if role_of(request.user) is not None:
        return redirect("home")
    return render(request, "accounts/no_role.html", {"ask": people_to_ask()})


def _page_url(page: str, query: str) -> str:
    url = reverse(SAVED_PAGES[page].url_name)
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    user = require_role(request.user, MANAGER_ROLES)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            view = actions.save_view(user, data["page"], data["name"], data["query"])
        except actions.SavedViewError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect(_page_url(view.page, view.query))
    page = form.cleaned_data.get("page") if form.is_bound else None
    back = _page_url(page, "") if page else reverse("customer_list")
    context = {"form": form, "back": back}
    return render(request, "accounts/saved_view_error.html", context, status=400)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage(request.user):
        # A rep or trainer has no saved views: as with someone else's view, nothing is found.
        raise Http404("No such saved view.")
    user = require_role(request.user, MANAGER_ROLES)
    view = get_object_or_404(SavedView, pk=pk, user=user)
    actions.delete_view(view)
    messages.success(request, f"Deleted the saved view “{view.name}”.")
    return redirect(safe_next(request, _page_url(view.page, "")))
