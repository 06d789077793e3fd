"""The front door: log in, land on the first screen of your role's day, or learn why you cannot."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from everytouch.accounts.access import role_of
from everytouch.accounts.forms import LoginForm
from everytouch.accounts.landing import home_url_name, people_to_ask


class LoginView(auth_views.LoginView):
    form_class = LoginForm


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
