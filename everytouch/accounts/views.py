"""The front door (log in, land on the first screen of your role's day, or learn why you
cannot) and saved list views: a manager (or owner) keeps a list page's filters and sort under a
name. Reps and trainers have no saved views: saving is refused (403) and deleting finds nothing
(404), as it does for a manager trying to delete someone else's view.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from everytouch.accounts import actions
from everytouch.accounts.access import MANAGER_ROLES, can_manage, require_role, role_of
from everytouch.accounts.forms import LoginForm, SavedViewForm
from everytouch.accounts.landing import home_url_name, people_to_ask
from everytouch.accounts.listing import SAVED_PAGES
from everytouch.accounts.models import SavedView
from everytouch.accounts.redirects import safe_next


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
