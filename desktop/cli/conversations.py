"""`conversations list|show` and `search`."""

from __future__ import annotations

import argparse

from desktop.cli.common import emit, open_store
from desktop.domain.enums import ConversationStatus, Platform
from desktop.domain.errors import UserError
from desktop.store import conversations, inbox, search
from desktop.store.inbox import InboxFilter, View
from desktop.store.schema import BrandRow


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("conversations", help="list and show conversations")
    verbs = parser.add_subparsers(dest="verb", required=True)
    lst = verbs.add_parser("list")
    lst.add_argument("--needs-reply", action="store_true")
    lst.add_argument("--platform", choices=[p.value for p in Platform])
    lst.add_argument("--brand", help="brand name")
    lst.add_argument("--status", choices=[s.value for s in ConversationStatus])
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=_list)
    show = verbs.add_parser("show")
    show.add_argument("id", type=int)
    show.set_defaults(func=_show)
    find = sub.add_parser("search", help='full-text search: words, "phrases", from:, platform:')
    find.add_argument("query")
    find.add_argument("--limit", type=int, default=50)
    find.set_defaults(func=_search)


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        brand_id = None
        if args.brand:
            brand_id = session.query(BrandRow.id).filter(BrandRow.name == args.brand).scalar()
            if brand_id is None:
                raise UserError(f"no brand named {args.brand!r}")
        f = InboxFilter(
            view=View.NEEDS_REPLY if args.needs_reply else View.ALL,
            platform=Platform(args.platform) if args.platform else None,
            status=ConversationStatus(args.status) if args.status else None,
            brand_id=brand_id,
        )
        rows = inbox.rows(session, inbox.ids(session, f, limit=args.limit))
    human = "\n".join(
        f"{r.id:>6} {'•' if r.unread else ' '} {r.platform.value:<9} {r.status.value:<8} "
        f"{r.customer_handle[:24]:<24} {r.snippet[:60]!r}"
        for r in rows
    )
    emit(args, rows, human or "no conversations")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        conversation = conversations.get(session, args.id)
        thread = conversations.messages(session, args.id)
    lines = [
        f"conversation {conversation.id} ({conversation.kind.value}, {conversation.status.value})"
    ]
    for m in thread:
        arrow = "<-" if m.direction.value == "in" else "->"
        lines.append(f"{m.created_at:%Y-%m-%d %H:%M} {arrow} {m.text}")
    emit(args, {"conversation": conversation, "messages": thread}, "\n".join(lines))
    return 0


def _search(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        hits = search.search(session, args.query, limit=args.limit)
    human = "\n".join(f"{h.conversation_id:>6} {h.platform.value:<9} {h.snippet}" for h in hits)
    emit(args, hits, human or "no matches")
    return 0
