"""The login form (it tells someone whose account a departure closed why they cannot log in)
and the form that saves a list's filters as a named view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from everytouch.accounts.listing import SAVED_PAGES
from everytouch.accounts.models import SAVED_VIEW_NAME_MAX
from everytouch.staff.departures.actions import closing_departure
from everytouch.staff.models import Departure

MISMATCH = "Your username and password didn't match. Please try again."
CLOSED = "This account was closed when its owner left the business."


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": MISMATCH}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The departure that closed the account, for the page to say when and who opened it.
        self.closed_by: Departure | None = None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as refused:
            if getattr(self.request, "axes_locked_out", False):
                # Too many failures: the lockout page answers, and nothing more is looked up.
                raise
            username = self.cleaned_data.get("username") or ""
            password = self.cleaned_data.get("password") or ""
            self.closed_by = _closing_departure(username, password)
            if self.closed_by is None:
                raise
            raise ValidationError(CLOSED, code="account_closed") from refused


def _closing_departure(username: str, password: str) -> Departure | None:
    """The departure that closed this account, told only to someone who knows its password:
    a wrong password reads the same for a closed account as for one that never existed."""
    user = User.objects.filter(username=username, is_active=False).first()
    if user is None:
        # Hash anyway, so the time taken does not tell a closed account from no account.
        make_password(password)
        return None
    return closing_departure(user) if user.check_password(password) else None


class SavedViewForm(forms.Form):
    page = forms.ChoiceField(choices=[(key, p.label) for key, p in SAVED_PAGES.items()])
    name = forms.CharField(max_length=SAVED_VIEW_NAME_MAX, label="Save these filters as")
    # The list's own query string; the action keeps only the page's whitelisted parameters.
    query = forms.CharField(max_length=2000, required=False)


class CodeForm(forms.Form):
    """A one-time code from the authenticator app (six digits; spaces are forgiven)."""

    code = forms.CharField(
        label="Code from your app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UnlockForm(forms.Form):
    """The username whose failed logins a manager forgets (from every address)."""

    username = forms.CharField(max_length=255)
