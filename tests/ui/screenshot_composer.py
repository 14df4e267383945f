"""Screenshots of the conversation pane's composer (called by screenshot_main.py under Xvfb):
the `/` picker open with its filled-in preview, and a Bluesky reply over its 300 graphemes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from desktop.store import Store, canned
from ui.context import AppContext
from ui.data_source import StoreSource
from ui.main_window import MainWindow

LIBRARY = (
    (
        "Refund on its way",
        "refund",
        "Hi {customer.first_name|there}, your refund is approved "
        "and reaches your account within 5 working days. — {agent.name}, {brand.name}",
    ),
    (
        "Refund policy",
        "refund-policy",
        "Our refund policy: unused items within 30 days, "
        "shipping paid by us. Details: https://example.com/refunds",
    ),
    (
        "Order number please",
        "order",
        "Sorry about that, {customer.first_name|there}! Could you "
        "send us your order number in a DM so we can look into it?",
    ),
    (
        "Thanks for the kind words",
        "thanks",
        "Thank you so much, {customer.first_name|friend}! We'll pass it on to the team.",
    ),
    (
        "Shipping delays",
        "delay",
        "Parcels are running 1–2 days late this week because of the "
        "storm. Sorry for the wait, {customer.first_name|there}.",
    ),
)


def shoot_composer(store: Store, out: Path, settle: Callable[..., None]) -> None:
    def add(s):  # type: ignore[no-untyped-def]
        if not canned.list_all(s):
            for title, shortcut, body in LIBRARY:
                canned.add(s, title, shortcut, body)
            canned.record_use(s, 1)

    store.run_sync(add)
    with store.reader() as s:
        conversation_id = s.execute(
            text(
                "SELECT c.id FROM conversations c"
                " JOIN identities i ON i.customer_id = c.customer_id"
                " WHERE c.platform = 'bluesky' AND c.kind != 'direct_message'"
                " AND i.display_name != '' ORDER BY c.last_message_at DESC LIMIT 1"
            )
        ).scalar_one()
    source = StoreSource(store)
    loop = asyncio.new_event_loop()
    window = MainWindow()
    window.set_source(source, None, AppContext(store=store, loop=loop, me_id=source.me_id))
    window.resize(1400, 860)
    window.show()
    window.select_id(conversation_id)
    composer = window.conversation_pane.composer
    from ui.composer import spelling

    composer._spelling_ready(*spelling.load())  # (this script runs no asyncio loop)
    window.conversation_pane.splitter.setSizes([380, 440])
    composer.editor.setFocus()
    composer.editor.insertPlainText("So sorry for the trouble! /ref")
    composer.autosaver.cancel()  # a screenshot, not a draft
    settle()
    window.grab().save(str(out / "composer-picker.png"))
    composer.picker.close_picker()
    composer.editor.setPlainText(
        "Thanks for waiting! Here is everyting in detail. " + "Here is everything in detail. " * 10
    )
    composer.autosaver.cancel()
    settle()
    window.conversation_pane.grab().save(str(out / "composer-over-limit.png"))
    # Send: the reply waits in the outbox for its undo window (this script drives the loop)
    composer.editor.setPlainText("Thanks for waiting! Your parcel left our warehouse today.")
    composer.send()
    loop.run_until_complete(composer.settle())
    settle()
    window.conversation_pane.grab().save(str(out / "composer-undo.png"))
    composer.undo()
    loop.run_until_complete(composer.settle())
    window.conversation_pane.open_manager()
    manager = window.conversation_pane.manager
    assert manager is not None
    manager.select(manager.model.item(0).id if manager.model.item(0) else 0)
    settle()
    manager.grab().save(str(out / "canned-manager.png"))
    manager.close()
    window.close()
    window.deleteLater()
    settle(50)
    loop.close()
