"""`python -m desktop [--profile DIR] [--json] COMMAND ...`: the engine without a window.

Each subcommand lives in its own module under desktop/cli/ and exposes
`register(subparsers: argparse._SubParsersAction) -> None`; the parser it adds sets
`func=handler` where `handler(args: argparse.Namespace) -> int` returns the exit code.
Exit codes: 0 success, 2 user error (message on stderr), 3 sync failure.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop.domain.errors import StoreError, SwitchboardError, SyncError, UserError

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_SYNC_FAILURE = 3

# Listed explicitly (not discovered) so PyInstaller and readers see every command.
COMMAND_MODULES = (
    "desktop.cli.demo",
    "desktop.cli.accounts",
    "desktop.cli.sync",
    "desktop.cli.conversations",
    "desktop.cli.outbox",
    "desktop.cli.customers",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m desktop", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="profile folder (default: user data dir)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
        return code
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except SyncError as exc:
        print(f"sync failed: {exc}", file=sys.stderr)
        return EXIT_SYNC_FAILURE
    except SwitchboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
