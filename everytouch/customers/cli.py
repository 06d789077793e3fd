"""`everytouch search rebuild`: refill the customer search index from the tables.

Database triggers keep the SQLite index current on every write, so this is only needed after
restoring a backup taken before the index existed, or after editing the file with the triggers
dropped. On PostgreSQL the indexes are ordinary ones and there is nothing to rebuild.
"""

from __future__ import annotations

import argparse

from everytouch.cli_base import Subcommands, command, no_handler, require_database


def cmd_rebuild(args: argparse.Namespace, extra: list[str]) -> int:
    require_database()
    from everytouch.customers.search import rebuild_index

    rows = rebuild_index()
    if rows:
        print(f"Rebuilt the customer search index: {rows:,} rows")
    else:
        print("Nothing to rebuild: this database's search indexes are kept by the database")
    return 0


def add_commands(sub: Subcommands) -> None:
    search = command(sub, "search", no_handler, "the customer search index")
    actions = search.add_subparsers(dest="search_command", required=True, metavar="ACTION")
    command(actions, "rebuild", cmd_rebuild, "refill the search index from the tables (SQLite)")
