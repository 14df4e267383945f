"""Canned responses: scope filtering, usage count, template fallback."""

from __future__ import annotations

from desktop.domain.enums import Platform
from desktop.store import Store, canned


def test_scope_usage_and_render(store: Store) -> None:
    def setup(s):  # type: ignore[no-untyped-def]
        a = canned.add(s, "Order", "order", "Hi {customer.first_name|there}!")
        canned.add(s, "Bsky only", "bsky", "Hey", platforms=[Platform.BLUESKY])
        canned.record_use(s, a.id)
        return a

    a = store.run_sync(setup)
    with store.reader() as s:
        mastodon = canned.list_for(s, platform=Platform.MASTODON)
        everything = canned.list_for(s)
    assert [c.shortcut for c in mastodon] == ["order"]
    assert everything[0].id == a.id and everything[0].usage_count == 1
    assert canned.render(a.body, {"customer.first_name": "Ana"}) == "Hi Ana!"
    assert canned.render(a.body, {}) == "Hi there!"
