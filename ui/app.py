"""`switchboard`: the desktop app's entry point.

The inbox window (issue 5) is not built yet. Until it is, `--demo` runs the live demo in the
terminal — the sandbox plays five platforms and their customers and the real connectors sync
them into a profile — and `--self-test` runs the end-to-end check the packaged build uses.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="switchboard")
    parser.add_argument("--profile", type=Path, help="profile folder (default: user data dir)")
    parser.add_argument("--demo", action="store_true", help="open the live demo workspace")
    parser.add_argument("--self-test", action="store_true", help="sync, reply, verify, exit")
    parser.add_argument("--seconds", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.self_test:
        from desktop.demo import self_test

        return asyncio.run(self_test.run(args.profile))
    if args.demo:
        from desktop.demo import live

        profile = args.profile or Path(tempfile.mkdtemp(prefix="switchboard-demo-"))
        print(
            "The inbox window is not built yet (issue 5); showing the live demo in the "
            "terminal. Ctrl-C to stop."
        )
        try:
            asyncio.run(live.run_in_terminal(profile, seconds=args.seconds))
        except KeyboardInterrupt:
            pass
        return 0
    print(
        "The inbox window is not built yet (issue 5). Try `switchboard --demo`, or the "
        "engine: `python -m desktop --help`.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
