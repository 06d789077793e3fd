"""Run in the benchmark's server environment: make a rep with an API token and print the token.

A subprocess rather than an import because the benchmark drives two databases in one run and
Django's settings can only be configured once per process.
"""

from __future__ import annotations

import os
import secrets


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "everytouch.settings")
    import django

    django.setup()
    from everytouch.accounts.actions import create_user, issue_token
    from everytouch.accounts.models import Role

    name = f"bench-{secrets.token_hex(4)}"
    user = create_user(name, secrets.token_urlsafe(16), Role.REP)
    _, raw = issue_token(user, "identify benchmark")
    # The parent process reads the token from stdout.
    print(raw)


if __name__ == "__main__":
    main()
