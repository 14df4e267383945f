"""A real store with brand accounts on three platforms and a conversation on each, for the
composer and canned-response tests (no memory fakes: the composer reads and writes SQLite)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.domain.enums import ConversationKind, Direction, Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.store import Store, accounts
from desktop.store.ingest import ingest
from ui.context import AppContext

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass
class Workspace:
    store: Store
    me_id: int
    brand_id: int
    accounts: dict[Platform, int]
    conversations: dict[str, int]  # name -> conversation id

    def context(self, loop: asyncio.AbstractEventLoop) -> AppContext:
        return AppContext(store=self.store, loop=loop, me_id=self.me_id)


def message(
    platform: Platform,
    pid: str,
    text: str,
    *,
    thread: str,
    who: ProfileInfo,
    kind: ConversationKind = ConversationKind.PUBLIC_THREAD,
    minutes: int = 0,
) -> InboundItem:
    return InboundItem(
        platform_id=pid,
        kind=kind,
        thread_key=thread,
        author=who,
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        direction=Direction.INBOUND,
    )


def build(path: Path) -> Workspace:
    store = Store.open(path)

    def setup(s):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(s, "Acme")
        me = accounts.ensure_me(s, "Sam")
        ids = {}
        for platform, settings in (
            (Platform.BLUESKY, {}),
            (Platform.X, {}),
            (Platform.MASTODON, {"max_characters": 600}),
        ):
            acc = accounts.add_account(
                s,
                brand_id=brand.id,
                platform=platform,
                handle=f"acme.{platform.value}",
                base_url=f"http://127.0.0.1:1/{platform.value}",
                platform_user_id=f"brand-{platform.value}",
                settings=settings,
            )
            ids[platform] = acc.id
        ana = ProfileInfo(Platform.BLUESKY, "did:ana", "ana.bsky.social", "Ana López")
        anon = ProfileInfo(Platform.BLUESKY, "did:anon", "anon.bsky.social", "")
        xuser = ProfileInfo(Platform.X, "42", "xena", "Xena W")
        masto = ProfileInfo(Platform.MASTODON, "m1", "mo@example.social", "Mo")
        conv = {}
        for name, platform, item in (
            (
                "bluesky",
                Platform.BLUESKY,
                message(
                    Platform.BLUESKY,
                    "at://ana/1",
                    "Where is my parcel?",
                    thread="at://ana/1",
                    who=ana,
                ),
            ),
            (
                "nameless",
                Platform.BLUESKY,
                message(Platform.BLUESKY, "at://anon/1", "hello?", thread="at://anon/1", who=anon),
            ),
            ("x", Platform.X, message(Platform.X, "1001", "@acme help", thread="1001", who=xuser)),
            (
                "x_dm",
                Platform.X,
                message(
                    Platform.X,
                    "dm-1",
                    "private q",
                    thread="42-7",
                    who=xuser,
                    kind=ConversationKind.DIRECT_MESSAGE,
                ),
            ),
            (
                "mastodon",
                Platform.MASTODON,
                message(Platform.MASTODON, "m-1", "hi @acme", thread="m-1", who=masto),
            ),
        ):
            conv[name] = ingest(s, ids[platform], [item]).conversation_ids[0]
        return me.id, brand.id, ids, conv

    me_id, brand_id, ids, conv = store.run_sync(setup)
    return Workspace(store, me_id, brand_id, ids, conv)
