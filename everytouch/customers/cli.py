"""`everytouch search rebuild`: refill the search indexes (customers, leads, interactions).

Database triggers keep the SQLite index current on every write, so this is only needed after
restoring a backup taken before the index existed, or after editing the file with the triggers
dropped. On PostgreSQL the indexes are ordinary ones and there is nothing to rebuild.
"""

from __future__ import annotations

import argparse

from everytouch.cli_base import Subcommands, command, no_handler, require_database


def cmd_rebuild(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from django.db import connection, transaction

    from everytouch.customers.search import rebuild_index
    from everytouch.interactions.models import SEARCH_INDEX as INTERACTIONS
    from everytouch.leads.models import SEARCH_INDEX as LEADS

    with transaction.atomic():
        rows = {
            "customer": rebuild_index(),
            "lead": LEADS.rebuild(),
            "interaction": INTERACTIONS.rebuild(),
        }
    if connection.vendor != "sqlite":
        print("Nothing to rebuild: this database's search indexes are kept by the database")
        return 0
    for what, count in rows.items():
        print(f"Rebuilt the {what} search index: {count:,} rows")
    return 0


def add_commands(sub: Subcommands) -> None:
    search = command(sub, "search", no_handler, "the search indexes")
    actions = search.add_subparsers(dest="search_command", required=True, metavar="ACTION")
    command(actions, "rebuild", cmd_rebuild, "refill the search indexes from the tables (SQLite)")
