"""What a reply in one conversation goes to: account, platform, limit, the message it answers,
which modes (public reply, direct message) the platform allows, and the template values.

Read once when the user opens a conversation (a handful of indexed lookups on a reader
connection), so the composer's per-keystroke work never touches the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain import templates
from desktop.domain.enums import ConversationKind, Direction, OpKind, Platform
from desktop.domain.text_limits import MASTODON_DEFAULT

_NO_DM_FROM_POSTS = {
    Platform.BLUESKY: "Bluesky does not let a brand start a chat from a post here: "
    "answer in the customer's chat conversation",
    Platform.X: "The author's X user id is not known, so no DM can be opened",
    Platform.FACEBOOK: "Private replies to Facebook comments (Messenger) are not supported yet",
    Platform.INSTAGRAM: "Private replies to Instagram comments are not supported yet",
}

MODE_LABELS = {OpKind.REPLY: "Reply (public)", OpKind.DIRECT_MESSAGE: "Direct message"}


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    conversation_id: int
    account_id: int
    brand_id: int
    platform: Platform
    kind: ConversationKind
    thread_key: str
    in_reply_to: str | None  # the newest customer message (None: nothing to answer yet)
    since_platform_id: str | None  # the newest brand message (collision check)
    dm_thread_key: str | None  # where a DM goes from a public thread (None: not allowed)
    limit: int | None  # a per-account limit (a Mastodon instance's), None: the platform's
    values: dict[str, str | None] = field(default_factory=dict)

    @property
    def modes(self) -> tuple[OpKind, ...]:
        if self.kind is ConversationKind.DIRECT_MESSAGE:
            return (OpKind.DIRECT_MESSAGE,)
        if self.dm_thread_key:
            return (OpKind.REPLY, OpKind.DIRECT_MESSAGE)
        return (OpKind.REPLY,)

    def why_not(self, mode: OpKind) -> str | None:
        """Why `mode` cannot be used here (shown on the disabled choice), or None."""
        if mode in self.modes:
            return None
        if mode is OpKind.REPLY:
            return "A direct message conversation is answered privately"
        return _NO_DM_FROM_POSTS.get(
            self.platform, "This platform cannot start a private message from a post"
        )

    def measure_kind(self, mode: OpKind) -> ConversationKind:
        """The kind whose length rule applies to a send in `mode`."""
        if mode is OpKind.DIRECT_MESSAGE:
            return ConversationKind.DIRECT_MESSAGE
        return self.kind

    def send_thread_key(self, mode: OpKind) -> str:
        if mode is OpKind.DIRECT_MESSAGE and self.kind is not ConversationKind.DIRECT_MESSAGE:
            assert self.dm_thread_key is not None
            return self.dm_thread_key
        return self.thread_key


def load_target(session: Session, conversation_id: int, me_id: int | None) -> ReplyTarget | None:
    row = session.execute(
        text(
            "SELECT c.account_id, c.brand_id, c.platform, c.kind, c.platform_root_id,"
            " a.handle, a.settings, b.name FROM conversations c"
            " JOIN accounts a ON a.id = c.account_id JOIN brands b ON b.id = c.brand_id"
            " WHERE c.id = :c"
        ),
        {"c": conversation_id},
    ).first()
    if row is None:
        return None
    account_id, brand_id, platform, kind, root, handle, settings, brand = row
    platform = Platform(platform)
    kind = ConversationKind(kind)
    newest = (
        "SELECT m.platform_id, i.display_name, i.handle, i.platform_user_id FROM messages m"
        " LEFT JOIN identities i ON i.id = m.author_identity_id"
        " WHERE m.conversation_id = :c AND m.direction = :d"
        " ORDER BY m.created_at DESC, m.id DESC LIMIT 1"
    )
    inbound = session.execute(
        text(newest), {"c": conversation_id, "d": Direction.INBOUND.value}
    ).first()
    outbound = session.execute(
        text(newest), {"c": conversation_id, "d": Direction.OUTBOUND.value}
    ).first()
    agent = None
    if me_id is not None:
        agent = session.execute(
            text("SELECT name FROM agents WHERE id = :i"), {"i": me_id}
        ).scalar()
    limit = None
    if isinstance(settings, str):
        settings = json.loads(settings or "{}")
    if isinstance(settings, dict):
        value = settings.get("max_characters") or settings.get("text_limit")
        if isinstance(value, int) and value > 0:
            limit = value
    if platform is Platform.MASTODON and limit is None:
        limit = MASTODON_DEFAULT
    dm_key = None
    public = kind is not ConversationKind.DIRECT_MESSAGE
    if public and platform is Platform.X and inbound and inbound[3]:
        # X opens (or continues) the one-to-one DM conversation with a user id
        dm_key = f"with:{inbound[3]}"
    elif public and platform is Platform.MASTODON:
        # Mastodon's DM is a private mention: a direct-visibility answer to the thread's
        # newest post, seen only by the people it mentions (the client adds them)
        dm_key = root
    values = templates.conversation_values(
        customer_name=inbound[1] if inbound else None,
        customer_handle=inbound[2] if inbound else None,
        brand_name=brand,
        agent_name=agent,
        account_handle=handle,
    )
    return ReplyTarget(
        conversation_id=conversation_id,
        account_id=account_id,
        brand_id=brand_id,
        platform=platform,
        kind=kind,
        thread_key=root,
        in_reply_to=inbound[0] if inbound else None,
        since_platform_id=outbound[0] if outbound else None,
        dm_thread_key=dm_key,
        limit=limit if platform is Platform.MASTODON else None,
        values=values,
    )
