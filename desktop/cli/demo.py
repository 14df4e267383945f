"""`demo --messages N --seed S`: build a generated workspace in the profile."""

from __future__ import annotations

import argparse
import sys
import time

from desktop.cli.common import emit, open_store
from desktop.demo.generator import generate
from desktop.domain.errors import UserError
from desktop.store.paths import database_path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="generate a realistic workspace (for demos, benches)")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    if database_path(args.profile).exists():
        raise UserError(f"{database_path(args.profile)} exists; use an empty --profile folder")
    started = time.perf_counter()
    with open_store(args) as store:
        counts = generate(
            store,
            args.messages,
            args.seed,
            progress=lambda done, total: print(
                f"\r{done:,}/{total:,} messages", end="", file=sys.stderr
            ),
        )
    print(file=sys.stderr)
    seconds = round(time.perf_counter() - started, 1)
    emit(
        args,
        {**counts, "seconds": seconds},
        f"made {counts['messages']:,} messages in {counts['conversations']:,} "
        f"conversations in {seconds} s",
    )
    return 0
