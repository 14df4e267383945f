"""A small multi-platform workspace for the customer, notes, tags and audit tests: one brand
with a Mastodon and an X account, customers who write, and triage folded in like sync does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.domain.enums import Platform
from desktop.domain.inbound import InboundItem, ProfileInfo
from desktop.store import Store, accounts, triage
from desktop.store.ingest import ingest


@dataclass(frozen=True)
class World:
    mastodon: int  # account ids
    x: int
    me: int
    sam: int
    care: int  # the "Customer care" team


def world(store: Store) -> World:
    def setup(s):  # type: ignore[no-untyped-def]
        brand = accounts.ensure_brand(s, "Acme")
        other = accounts.ensure_brand(s, "Globex")
        me = accounts.ensure_me(s)
        sam = accounts.add_agent(s, "Sam")
        care = accounts.add_agent(s, "Customer care", team=True)
        m = accounts.add_account(
            s, brand_id=brand.id, platform=Platform.MASTODON, handle="acme", base_url="http://m"
        )
        x = accounts.add_account(
            s, brand_id=other.id, platform=Platform.X, handle="globex", base_url="http://x"
        )
        return World(m.id, x.id, me.id, sam.id, care.id)

    return store.run_sync(setup)


def who(platform: Platform, uid: str, handle: str, name: str, followers: int = 10) -> ProfileInfo:
    return ProfileInfo(platform, uid, handle, name, followers=followers)


def put(store: Store, account_id: int, items: Sequence[InboundItem]) -> list[int]:
    """Ingest and fold triage in (as StoreInbound does); the conversation ids, in order."""

    def write(s):  # type: ignore[no-untyped-def]
        result = ingest(s, account_id, items)
        triage.recompute_for_conversations(s, result.conversation_ids)
        return list(result.conversation_ids)

    return store.run_sync(write)
