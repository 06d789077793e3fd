"""The ``everytouch`` console script: run, administer and feed the app from a terminal.

Django is set up only by the commands that touch the database, so ``--help`` and
``everytouch analyze`` work without settings or a database. Mistakes the user can fix (bad
arguments, unknown user, bad CSV rows) end with one clear line on stderr and exit code 2,
never a traceback.

The package: `registry` (which modules add commands, and the parser) and the core commands in
`processes`, `people` and `data`. Apps keep their commands in ``<app>/cli.py``; they and this
package share `everytouch.cli_base` (errors, exit codes, parser, helpers).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import cast

from everytouch.cli.registry import build_parser
from everytouch.cli_base import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandFailed,
    Handler,
    UsageError,
)

__all__ = ["build_parser", "main"]


def _report(message: str, usage: str = "") -> None:
    if usage:
        print(usage.rstrip(), file=sys.stderr)
    print(f"error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and not args.passthrough:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        handler = cast(Handler, args.func)
        return handler(args, extra)
    except UsageError as exc:
        _report(str(exc), exc.usage)
        return EXIT_USAGE
    except CommandFailed as exc:
        _report(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`everytouch export customers | head`): not an error worth a
        # traceback, and Python must not try to flush into the closed pipe again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
