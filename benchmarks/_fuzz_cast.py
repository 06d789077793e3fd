"""Run in the fuzz run's server environment: migrate, load a small demo business, and make the
cast (one login per role, and one without) with a token of every scope; print the tokens as JSON.

A subprocess, as in ``_token.py``: the database is the server's, named by the environment, and
Django's settings can only be configured once per process.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import date, timedelta

# One login per role, and the outsider (no role); the fuzz run goes through the API as each.
CAST = ("owner", "manager", "rep", "trainer", "outsider")
DEMO_SIZE = 0.05


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "everytouch.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from everytouch.accounts.actions import create_user, issue_token
    from everytouch.accounts.models import Role, Scope
    from everytouch.demo.loader import load_demo
    from everytouch.staff.departures.actions import open_departure
    from everytouch.staff.directory.actions import ensure_staff

    call_command("migrate", verbosity=0)
    load_demo(size=DEMO_SIZE)
    tokens = {}
    for name in CAST:
        role = None if name == "outsider" else Role(name)
        user = create_user(f"fuzz-{name}", secrets.token_urlsafe(16), role)
        tokens[name] = issue_token(user, "fuzz", tuple(Scope))[1]
    # A departure to read and act on: a rep of the cast who is leaving.
    leaver = create_user("fuzz-leaver", secrets.token_urlsafe(16), Role.REP)
    manager = create_user("fuzz-hr", secrets.token_urlsafe(16), Role.MANAGER)
    open_departure(ensure_staff(leaver), date.today() + timedelta(days=14), manager)
    # The parent process reads the tokens from stdout.
    print(json.dumps(tokens))


if __name__ == "__main__":
    main()
