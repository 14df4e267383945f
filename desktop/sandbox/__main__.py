"""`python -m desktop.sandbox --port P --seed S [--faults FILE] [--traffic RATE]`.

Runs the sandbox in the foreground until Ctrl-C and prints its base URL first, so scripts
can read the line and connect.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from desktop.sandbox.faults import FaultPlan
from desktop.sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m desktop.sandbox",
                                     description="Switchboard's platform sandbox on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0, help="seed for history and customers")
    parser.add_argument("--faults", type=Path, help="JSON fault plan to start with")
    parser.add_argument("--traffic", type=float, default=0.0, metavar="RATE",
                        help="customer posts per minute (default 0: none)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = None
    if args.faults:
        try:
            plan = FaultPlan.from_json(json.loads(args.faults.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"error: cannot use fault plan {args.faults}: {exc}", file=sys.stderr)
            return 2
    server = SandboxServer(seed=args.seed, port=args.port, plan=plan,
                           traffic_rate_per_min=args.traffic)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    print(f"platforms: {', '.join(sorted(server.sandbox.sims)) or 'none'}; "
          f"admin API: {server.base_url}/__sandbox__/accounts", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
