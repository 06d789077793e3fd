"""The command registry: every module that adds commands to `everytouch`, and the parser.

Each module listed here has ``add_commands(sub: Subcommands) -> None``. An app with commands
keeps them in its own ``<app>/cli.py`` (importing `everytouch.cli_base`, never this package)
and is listed here once. The list is explicit rather than discovered so that `everytouch
--help` shows the commands in a chosen order and a typo fails loudly; the modules are imported
when the parser is built, not when this module is, so importing an app's cli module never
runs into an import cycle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from everytouch.cli_base import Parser, Subcommands

COMMAND_MODULES = (
    "everytouch.cli.processes",
    "everytouch.cli.people",
    "everytouch.cli.data",
    "everytouch.cli.ops",
    "everytouch.privacy.cli",
    "everytouch.customers.cli",
    "everytouch.leads.cli",
    "everytouch.followups.cli",
    "everytouch.quality.cli",
)


def build_parser() -> Parser:
    parser = Parser(prog="everytouch", description="Make every customer touch count.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        cast(Callable[[Subcommands], None], module.add_commands)(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"everytouch {version('everytouch')}"
    except PackageNotFoundError:
        return "everytouch (not installed)"
