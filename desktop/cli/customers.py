"""`customers show|export|erase|suggest|merge|split`: one person's data from the command line
(data subject requests: export everything as JSON, erase completely).

`erase` without `--yes` only prints what would be deleted and exits 2, so a script cannot
erase someone by accident; merges are never automatic (`suggest` only lists candidates).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from desktop.cli.common import emit, open_store
from desktop.domain.errors import UserError
from desktop.store import customers, matches


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("customers", help="one customer: show, export, erase, merge")
    verbs = parser.add_subparsers(dest="verb", required=True)
    show = verbs.add_parser("show", help="identities, tags and every conversation")
    show.add_argument("id", type=int)
    show.set_defaults(func=_show)
    export = verbs.add_parser("export", help="everything stored about them, as JSON")
    export.add_argument("id", type=int)
    export.add_argument("--out", type=Path, help="write to this file (default: stdout)")
    export.set_defaults(func=_export)
    erase = verbs.add_parser("erase", help="delete them completely (asks for --yes)")
    erase.add_argument("id", type=int)
    erase.add_argument("--yes", action="store_true", help="really erase")
    erase.set_defaults(func=_erase)
    suggest = verbs.add_parser("suggest", help="likely duplicates, scored and explained")
    suggest.add_argument("id", type=int)
    suggest.set_defaults(func=_suggest)
    merge = verbs.add_parser("merge", help="merge ABSORB into KEEP")
    merge.add_argument("keep", type=int)
    merge.add_argument("absorb", type=int)
    merge.set_defaults(func=_merge)
    split = verbs.add_parser("split", help="make one identity a customer of its own")
    split.add_argument("identity", type=int)
    split.set_defaults(func=_split)


def _show(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        customer = customers.get(session, args.id)
        timeline = customers.timeline(session, args.id)
    lines = [f"{customer.name} (customer {customer.id})"]
    if customer.tags:
        lines.append("tags: " + ", ".join(customer.tags))
    for i in customer.identities:
        followers = f"{i.followers:,} followers" if i.followers is not None else "followers ?"
        verified = ", verified" if i.verified else ""
        lines.append(
            f"  {i.platform.value:<9} @{i.handle} ({followers}{verified}) {i.profile_url or ''}"
        )
    for t in timeline:
        at = t.last_message_at.isoformat(timespec="minutes") if t.last_message_at else "-"
        lines.append(
            f"{t.conversation_id:>6} {at} {t.platform.value:<9} {t.brand} {t.status.value:<8}"
            f" {t.snippet[:50]!r}"
        )
    emit(args, {"customer": customer, "timeline": timeline}, "\n".join(lines))
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        data = customers.export(session, args.id)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"exported {len(data['messages'])} messages to {args.out}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        with store.reader() as session:
            summary = customers.erase_summary(session, args.id)
        listing = "\n".join(f"  - {line}" for line in summary.lines())
        if not args.yes:
            print(f"would erase:\n{listing}\nrun again with --yes to erase")
            return 2
        store.run_sync(lambda s: customers.erase(s, args.id))
    emit(args, summary, f"erased:\n{listing}")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        found = matches.suggest(session, args.id)
    human = "\n".join(
        f"{m.customer_id:>6} {m.score:5.1f}% {m.name}: {'; '.join(m.reasons)}" for m in found
    )
    emit(args, found, human or "no likely duplicates")
    return 0


def _merge(args: argparse.Namespace) -> int:
    if args.keep == args.absorb:
        raise UserError("Cannot merge a customer with itself.")
    with open_store(args) as store:
        merged = store.run_sync(lambda s: customers.merge(s, args.keep, args.absorb))
    emit(args, merged, f"merged {args.absorb} into {merged.name} ({merged.id})")
    return 0


def _split(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        new = store.run_sync(lambda s: customers.split(s, args.identity))
    emit(args, new, f"identity {args.identity} is now customer {new.id} ({new.name})")
    return 0
