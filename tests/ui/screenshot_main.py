"""Draw the main window on a real X server and save PNGs (run by test_screenshots.py).

    python tests/ui/screenshot_main.py OUT_DIR

A generated demo workspace (desktop.demo.generator, seeded) is opened through StoreSource;
the window is shown in light and dark, and with the longest thread selected.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import PySide6  # noqa: F401  (before anything that might pull qasync)
from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

from desktop.demo.generator import generate
from desktop.store import Store
from ui.data_source import StoreSource
from ui.main_window import MainWindow
from ui.theme import apply_theme


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    from PySide6.QtCore import QTimer

    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def shoot_accounts(store: Store, out: Path) -> None:
    """Tools > Accounts…: one account paused, one removed with its history kept, and the
    Connect form for Bluesky."""
    import asyncio

    from desktop.domain.enums import Platform
    from desktop.store import accounts
    from ui.accounts_dialog import AccountsDialog
    from ui.context import AppContext

    with store.reader() as session:
        ids = [a.id for a in accounts.list_accounts(session)]
    store.run_sync(lambda s: accounts.set_paused(s, ids[1], True))
    store.run_sync(lambda s: accounts.remove_account(s, ids[-1], keep_history=True))
    from datetime import UTC, datetime, timedelta

    from desktop.domain.errors import SyncError, SyncErrorKind
    from desktop.store.inbound import StoreInbound
    from desktop.sync.engine import SyncEngine
    from desktop.sync.memory_outbox import MemoryOutbox

    # an engine that is not started: its states are set here as sync would set them
    engine = SyncEngine(StoreInbound(store), MemoryOutbox())
    for account_id in ids:
        engine.states.online(account_id)
    engine.states.syncing(ids[0], 0.4, "mentions")
    engine.states.failed(
        ids[2],
        SyncError(
            SyncErrorKind.RATE_LIMITED, "429", retry_at=datetime.now(UTC) + timedelta(minutes=12)
        ),
    )
    engine.states.failed(ids[3], SyncError(SyncErrorKind.AUTH, "token revoked"))
    loop = asyncio.new_event_loop()
    context = AppContext(
        store=store, loop=loop, engine=engine, demo=True, sandbox_url="http://127.0.0.1:8765"
    )
    dialog = AccountsDialog(context)
    dialog.show()
    dialog.select_account(ids[1])
    settle()
    dialog.grab().save(str(out / "accounts.png"))
    connect = dialog.open_connect(Platform.BLUESKY)
    connect.sandbox_check.setChecked(False)
    settle()
    connect.grab().save(str(out / "accounts-connect.png"))
    connect.reject()
    dialog.close()
    loop.close()


def shoot_customer_panel(store: Store, out: Path) -> None:
    """The customer panel beside a conversation of someone on several platforms, with tags,
    notes, a handoff on top of the notes strip, and the erase confirmation."""
    import asyncio

    from sqlalchemy import text

    from desktop.store import accounts, notes, tags
    from ui.context import AppContext

    with store.reader() as s:
        customer_id, conversation_id = s.execute(
            text(
                "SELECT c.customer_id, MAX(c.id) FROM conversations c"
                " WHERE c.customer_id IN (SELECT customer_id FROM identities"
                "   GROUP BY customer_id HAVING COUNT(*) >= 2)"
                " GROUP BY c.customer_id ORDER BY COUNT(*) DESC, c.customer_id LIMIT 1"
            )
        ).one()

    def decorate(s):  # type: ignore[no-untyped-def]
        me = accounts.ensure_me(s)
        sam = accounts.add_agent(s, "Sam Okafor")
        accounts.add_agent(s, "Customer care", team=True)
        tags.tag_customer(s, customer_id, "vip")
        tags.tag_customer(s, customer_id, "press")
        tags.tag_conversation(s, conversation_id, "refund")
        notes.add(
            s, author_id=me.id, body="Writes for a tech blog; prefers DMs.", customer_id=customer_id
        )
        notes.add(
            s,
            author_id=sam.id,
            body="Checked the order: shipped on Monday.",
            conversation_id=conversation_id,
        )
        notes.handoff(
            s,
            conversation_id,
            author_id=sam.id,
            to_id=me.id,
            body="Done: apologised, refund approved. Pending: confirm the courier pickup.",
        )

    store.run_sync(decorate)
    source = StoreSource(store)
    loop = asyncio.new_event_loop()
    context = AppContext(store=store, loop=loop, me_id=source.me_id)
    window = MainWindow()
    window.set_source(source, None, context)
    window.resize(1400, 860)
    window.show()
    window.show_side_area(True)
    window.select_id(conversation_id)
    window.table.setFocus()
    window.people.panel.wait_suggestions()
    settle()
    window.grab().save(str(out / "customer-panel.png"))
    window.people.panel.grab().save(str(out / "customer-panel-detail.png"))
    box = window.people.panel.ask_erase()
    settle()
    if box is not None:
        box.grab().save(str(out / "customer-erase-confirm.png"))
        box.reject()
    window.close()
    window.deleteLater()
    settle(50)
    loop.close()


def shoot_first_run(out: Path) -> None:
    """A profile without accounts: the welcome with its two ways in."""
    import asyncio

    from ui.context import AppContext

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "switchboard.sqlite3")
        loop = asyncio.new_event_loop()
        try:
            source = StoreSource(store)
            window = MainWindow()
            window.set_source(source, None, AppContext(store=store, loop=loop))
            window.show_first_run(True)
            window.resize(1400, 860)
            window.show()
            settle()
            window.grab().save(str(out / "first-run.png"))
            window.close()
            window.deleteLater()
            settle(50)
        finally:
            store.close()
            loop.close()


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "switchboard.sqlite3")
        try:
            generate(store, 1500, seed=7)
            source = StoreSource(store)
            import asyncio

            from ui.context import AppContext

            # with the workspace's context, so the sidebar lists brands and accounts
            context_loop = asyncio.new_event_loop()
            context = AppContext(store=store, loop=context_loop, me_id=source.me_id)
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                window = MainWindow()
                window.set_source(source, None, context)
                window.resize(1400, 860)
                window.show()
                window.select_row(1)
                window.table.setFocus()
                settle()
                window.grab().save(str(out / f"main-{theme}.png"))
                if theme == "light":
                    # the longest thread in the first screenful
                    best = max(
                        range(min(40, window.model.rowCount())),
                        key=lambda r: len(source.thread(window.model.id_at(r) or 0)),
                    )
                    window.select_row(best)
                    settle()
                    window.grab().save(str(out / "long-thread.png"))
                    window.show_help()
                    settle()
                    assert window.help_dialog is not None
                    window.help_dialog.grab().save(str(out / "shortcuts.png"))
                    window.help_dialog.reject()
                window.close()
                window.deleteLater()
                settle(50)
            context_loop.close()
            apply_theme(app, "light")
            shoot_first_run(out)
            shoot_accounts(store, out)
            from screenshot_composer import shoot_composer  # beside this script

            shoot_composer(store, out, settle)
            shoot_customer_panel(store, out)
            from screenshot_sync import shoot_long_thread, shoot_sync  # beside this script

            shoot_sync(store, out, settle)
            shoot_long_thread(store, out, settle)
            from screenshot_reports import shoot_reports  # beside this script

            shoot_reports(store, out, settle)
        finally:
            store.close()
    print("saved", *sorted(p.name for p in out.glob("*.png")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
