"""`--self-test`: start the live demo, sync, send one reply through the outbox, verify it on
the sandbox, exit 0. The packaging smoke test runs this inside the built bundle."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from desktop.demo import live
from desktop.domain.enums import ConversationKind, Direction, OpKind
from desktop.sandbox.admin_client import AdminClient
from desktop.store import conversations, inbox
from desktop.store.inbox import InboxFilter, View
from desktop.store.schema import MessageRow
from desktop.sync import ops

TEXT = "Thanks for reaching out (self-test)"


async def run(profile: Path | None = None, out: Callable[[str], None] = print) -> int:
    profile = profile or Path(tempfile.mkdtemp(prefix="switchboard-selftest-"))
    demo = await live.start(profile, traffic_per_min=0)
    try:
        admin = AdminClient(demo.sandbox.base_url)
        mastodon = next(a for a in demo.accounts if a.platform.value == "mastodon")
        admin.inbound(
            "mastodon",
            "mention",
            "Is the self-test working?",
            {"handle": "selftest", "display_name": "Self Test", "followers": 1},
            account=mastodon.handle,
        )
        await demo.engine.run_once()
        with demo.store.reader() as session:
            ids = inbox.ids(session, InboxFilter(view=View.NEEDS_REPLY, account_id=mastodon.id))
            if not ids:
                out("self-test FAILED: the mention did not arrive")
                return 1
            conversation = conversations.get(session, ids[0])
            last_in = session.execute(
                select(MessageRow.platform_id)
                .where(
                    MessageRow.conversation_id == conversation.id,
                    MessageRow.direction == Direction.INBOUND.value,
                )
                .order_by(MessageRow.created_at.desc())
                .limit(1)
            ).scalar()
        await ops.queue_send(
            demo.store.run,
            account_id=mastodon.id,
            conversation_id=conversation.id,
            text=TEXT,
            thread_key=conversation.platform_root_id,
            in_reply_to=last_in,
            now=True,
            op=OpKind.DIRECT_MESSAGE
            if conversation.kind is ConversationKind.DIRECT_MESSAGE
            else OpKind.REPLY,
        )
        await demo.engine.run_once()
        sent = [c for c in admin.created("mastodon") if c["text"].endswith(TEXT)]
        if len(sent) != 1:
            out(f"self-test FAILED: expected the reply once on the sandbox, found {len(sent)}")
            return 1
        out(f"self-test ok: synced, replied, verified on {demo.sandbox.base_url}")
        return 0
    finally:
        await live.stop(demo)


def main() -> int:
    return asyncio.run(run())
