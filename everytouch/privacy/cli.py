"""`everytouch customers export-data|erase`: a customer's data rights from a terminal.

The command line runs as the operator; `--as USER` names who asked, for the audit entry.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from everytouch.cli_base import (
    Subcommands,
    UsageError,
    command,
    find_user,
    no_handler,
    positive,
    require_database,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from everytouch.customers.models import Customer


def _customer(pk: int) -> Customer:
    from everytouch.customers.actions import resolve
    from everytouch.customers.models import Customer

    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise UsageError(f"no customer with id {pk}")
    return resolve(customer)


def _actor(username: str | None) -> User | None:
    return find_user(username) if username else None


def _write_private(path: str, text: str) -> None:
    # The file holds one person's whole record: readable by its owner only, like the database.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def cmd_export(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.core.serializers.json import DjangoJSONEncoder

    from everytouch.privacy.actions import export_customer

    customer = _customer(args.customer)
    document = export_customer(customer, _actor(args.as_user))
    text = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        _write_private(args.output, text)
        print(f"Wrote customer #{customer.pk}'s data to {args.output}", file=sys.stderr)
    return 0


def cmd_erase(args: argparse.Namespace, extra: list[str]) -> int:
    if not args.yes:
        raise UsageError("erasing cannot be undone: add --yes to erase")
    require_database()
    from everytouch.privacy.actions import AlreadyErased, erase_customer

    customer = _customer(args.customer)
    try:
        record = erase_customer(customer, _actor(args.as_user))
    except AlreadyErased as exc:
        raise UsageError(str(exc)) from exc
    changed = ", ".join(f"{n} {what}" for what, n in record.counts.items() if n)
    print(f"Erased customer #{customer.pk}: {changed or 'nothing else held data'}")
    return 0


def add_commands(sub: Subcommands) -> None:
    customers = command(sub, "customers", no_handler, "a customer's data: export it, erase it")
    actions = customers.add_subparsers(dest="customers_command", required=True, metavar="ACTION")
    export = command(actions, "export-data", cmd_export, "everything about one customer, as JSON")
    export.add_argument("customer", type=positive, help="customer id")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.add_argument("--as", dest="as_user", help="who asked (username), for the audit")
    erase = command(actions, "erase", cmd_erase, "anonymise one customer everywhere, for good")
    erase.add_argument("customer", type=positive, help="customer id")
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.add_argument("--as", dest="as_user", help="who asked (username), for the audit")
