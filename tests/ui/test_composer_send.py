"""Sending from the composer through the real outbox and sync engine, against the sandbox
over HTTP: the undo window, and a reply queued offline that is sent once back online."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from desktop.domain.enums import OutboxState, Platform
from desktop.platforms.registry import platform_module
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.store import Store, accounts, conversations, drafts, inbox
from desktop.store import outbox as outbox_repo
from desktop.store.inbound import StoreInbound
from desktop.store.inbox import InboxFilter, View
from desktop.store.ingest import record_sent
from desktop.sync.engine import SyncEngine
from desktop.sync.store_outbox import StoreOutbox
from ui.composer.composer import Composer
from ui.context import AppContext

pytestmark = pytest.mark.timeout(120)


def wait(qtbot, loop, coro, timeout=30_000):
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def live(tmp_path, qloop, qtbot):
    sandbox = SandboxServer(seed=21)
    sandbox.start()
    store = Store.open(tmp_path / "profile" / "switchboard.sqlite3")
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))
    module = platform_module(Platform.MASTODON)

    async def connect():  # type: ignore[no-untyped-def]
        connection = await module.connect_sandbox(sandbox.base_url, None)

        def save(session):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(session, "Acme")
            me = accounts.ensure_me(session, "Sam")
            account = accounts.add_account(
                session,
                brand_id=brand.id,
                platform=connection.platform,
                handle=connection.handle,
                base_url=connection.base_url,
                display_name=connection.display_name,
                platform_user_id=connection.platform_user_id,
                settings=dict(connection.settings),
            )
            return account, me.id

        account, me_id = await store.run(save)

        async def keep(_new):  # type: ignore[no-untyped-def]
            return None

        engine.add(account, module.create_client(account, connection.credentials, keep))
        return account, me_id

    admin = AdminClient(sandbox.base_url)
    try:
        account, me_id = wait(qtbot, qloop, connect())
        admin.inbound(
            "mastodon",
            "mention",
            "Has my order shipped?",
            {"handle": "cara", "display_name": "Cara Customer", "followers": 3},
            account=account.handle,
        )
        wait(qtbot, qloop, engine.run_once())
        with store.reader() as s:
            ids = inbox.ids(s, InboxFilter(view=View.NEEDS_REPLY, account_id=account.id))
            (cid,) = [c for c in ids if "Has my order shipped?" in conversations.get(s, c).snippet]
        context = AppContext(store=store, loop=qloop, engine=engine, me_id=me_id)
        yield SimpleNamespace(store=store, engine=engine, admin=admin, cid=cid, context=context)
    finally:
        wait(qtbot, qloop, engine.stop())
        store.close()
        sandbox.stop()


def _composer(qtbot, live, grace):  # type: ignore[no-untyped-def]
    c = Composer(grace_seconds=grace)
    qtbot.addWidget(c)
    c.set_context(live.context)
    c.set_conversation(live.cid)
    c.show()
    return c


def _item(live, composer):  # type: ignore[no-untyped-def]
    with live.store.reader() as s:
        return outbox_repo.get(s, composer.pending[live.cid].id)


def _sent_texts(live):  # type: ignore[no-untyped-def]
    return [c["text"] for c in live.admin.created("mastodon")]


def test_undo_send_takes_the_reply_back(live, qtbot, qloop):
    composer = _composer(qtbot, live, grace=30)
    qtbot.keyClicks(composer.editor, "Let me check that for you")
    composer.send()
    qtbot.waitUntil(lambda: composer.current_item() is not None, timeout=5000)
    assert composer.editor.toPlainText() == ""
    assert re.fullmatch(r"Sending in (30|29) s — Undo", composer.send_bar.text())
    assert composer.send_bar.undo_button.isVisible()
    assert _item(live, composer).state is OutboxState.QUEUED
    with live.store.reader() as s:
        assert drafts.get(s, live.cid) is None  # queued and draft gone in one transaction
    item_id = composer.pending[live.cid].id

    composer.send_bar.undo_button.click()
    qtbot.waitUntil(
        lambda: composer.editor.toPlainText() == "Let me check that for you", timeout=5000
    )
    assert composer.send_bar.text() == "Undone — the reply is back in the editor"
    with live.store.reader() as s:
        assert outbox_repo.get(s, item_id).state is OutboxState.CANCELLED
    qtbot.waitUntil(lambda: _draft(live) == "Let me check that for you", timeout=5000)
    wait(qtbot, qloop, live.engine.run_once())
    assert not any("Let me check" in t for t in _sent_texts(live))


def test_queued_offline_then_sent_when_online(live, qtbot, qloop):
    composer = _composer(qtbot, live, grace=0.3)
    composer.set_online(False)
    qtbot.keyClicks(composer.editor, "Yes, it left the warehouse today")
    composer.send()
    qtbot.waitUntil(
        lambda: composer.send_bar.text() == "Queued — will send when online", timeout=5000
    )
    assert _item(live, composer).state is OutboxState.QUEUED
    assert not composer.send_bar.undo_button.isVisible()

    composer.set_online(True)  # the window's reachability; wakes the account's worker
    assert composer.send_bar.text() == "Sending…"
    wait(qtbot, qloop, live.engine.run_once())  # what the woken worker runs
    qtbot.waitUntil(lambda: composer.send_bar.text() == "Sent", timeout=5000)
    assert _item(live, composer).state is OutboxState.SENT
    sent = [t for t in _sent_texts(live) if t.endswith("Yes, it left the warehouse today")]
    assert len(sent) == 1


def _draft(live):  # type: ignore[no-untyped-def]
    with live.store.reader() as s:
        d = drafts.get(s, live.cid)
    return d.body if d else None


def test_direct_message_from_a_public_mastodon_thread(live, qtbot, qloop):
    from desktop.domain.enums import OpKind

    composer = _composer(qtbot, live, grace=0)
    composer.set_mode(OpKind.DIRECT_MESSAGE)
    qtbot.keyClicks(composer.editor, "Could you send your order number privately?")
    composer.send()
    qtbot.waitUntil(lambda: composer.current_item() is not None, timeout=5000)
    assert composer.current_item().op is OpKind.DIRECT_MESSAGE
    wait(qtbot, qloop, live.engine.run_once())
    qtbot.waitUntil(lambda: composer.send_bar.text() == "Sent", timeout=5000)
    (dm,) = [
        c
        for c in live.admin.created("mastodon")
        if c["text"].endswith("Could you send your order number privately?")
    ]
    assert dm["kind"] == "dm" and dm["text"].startswith("@cara")


def test_a_reply_held_by_the_collision_check_can_be_taken_back(live, qtbot, qloop):
    composer = _composer(qtbot, live, grace=0)
    qtbot.keyClicks(composer.editor, "First answer")
    composer.send()
    qtbot.waitUntil(lambda: composer.current_item() is not None, timeout=5000)
    first = composer.current_item().id
    # a second answer drafted before the first went out: the engine holds it, not posts it
    qtbot.keyClicks(composer.editor, "Second answer")
    composer.send()
    qtbot.waitUntil(lambda: composer.current_item().id != first, timeout=5000)
    wait(qtbot, qloop, live.engine.run_once())
    qtbot.waitUntil(lambda: composer.send_bar.text().startswith("Held, not sent:"), timeout=5000)
    assert "already replied" in composer.send_bar.text()
    assert composer.send_bar.undo_button.isVisible()
    composer.send_bar.undo_button.click()
    qtbot.waitUntil(lambda: composer.editor.toPlainText() == "Second answer", timeout=5000)
    texts = _sent_texts(live)
    assert sum(t.endswith("First answer") for t in texts) == 1
    assert not any(t.endswith("Second answer") for t in texts)
