"""`reply CONVERSATION TEXT [--now]` and `outbox list|retry|cancel`."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import select

from desktop.cli.common import emit, open_store
from desktop.domain.enums import ConversationKind, Direction, OpKind
from desktop.domain.errors import UserError
from desktop.domain.outbox import OutboxItem
from desktop.store import conversations
from desktop.store import outbox as repo
from desktop.store.schema import MessageRow
from desktop.sync import ops


def register(sub: argparse._SubParsersAction) -> None:
    reply = sub.add_parser("reply", help="queue a reply (sent by `sync`)")
    reply.add_argument("conversation", type=int)
    reply.add_argument("text")
    reply.add_argument("--now", action="store_true", help="skip the undo grace period")
    reply.set_defaults(func=_reply)
    parser = sub.add_parser("outbox", help="queued, sent and failed replies")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list").set_defaults(func=_list)
    for verb, handler in (("retry", _retry), ("cancel", _cancel)):
        p = verbs.add_parser(verb)
        p.add_argument("id", type=int)
        p.set_defaults(func=handler)


def _describe(item: OutboxItem) -> str:
    error = f"  ({item.error})" if item.error else ""
    where = f"conv {item.conversation_id:<6}"
    return f"{item.id:>5} {item.state.value:<9} {where} {item.text[:50]!r}{error}"


def _reply(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        with store.reader() as session:
            conversation = conversations.get(session, args.conversation)
            last_in = session.execute(
                select(MessageRow.platform_id)
                .where(
                    MessageRow.conversation_id == conversation.id,
                    MessageRow.direction == Direction.INBOUND.value,
                )
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
                .limit(1)
            ).scalar()
            last_out = session.execute(
                select(MessageRow.platform_id)
                .where(
                    MessageRow.conversation_id == conversation.id,
                    MessageRow.direction == Direction.OUTBOUND.value,
                )
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
                .limit(1)
            ).scalar()
        if last_in is None:
            raise UserError(f"conversation {conversation.id} has no customer message to answer")
        is_dm = conversation.kind is ConversationKind.DIRECT_MESSAGE
        item = asyncio.run(
            ops.queue_send(
                store.run,
                account_id=conversation.account_id,
                conversation_id=conversation.id,
                text=args.text,
                thread_key=conversation.platform_root_id,
                in_reply_to=last_in,
                op=OpKind.DIRECT_MESSAGE if is_dm else OpKind.REPLY,
                since_platform_id=last_out,
                now=args.now,
            )
        )
    emit(args, item, f"queued as outbox item {item.id}; `sync` sends it")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.reader() as session:
        items = repo.list_items(session)
    emit(args, items, "\n".join(_describe(i) for i in items) or "the outbox is empty")
    return 0


def _retry(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        item = store.run_sync(lambda s: repo.retry(s, args.id))
    emit(args, item, _describe(item))
    return 0


def _cancel(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        item = store.run_sync(lambda s: repo.cancel(s, args.id))
    emit(args, item, _describe(item))
    return 0
