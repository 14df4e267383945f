"""The accounts dialog over a real store, the real keyring, a running sync engine and the
sandbox over HTTP: connect, re-authenticate, pause/resume, remove keeping the history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop.auth.flows import play_browser
from desktop.domain.enums import AccountStatus, Platform
from desktop.sandbox.admin_client import AdminClient
from desktop.sandbox.server import SandboxServer
from desktop.secrets import SecretStore
from desktop.store import Store
from desktop.store.inbound import StoreInbound
from desktop.store.ingest import record_sent
from desktop.sync.engine import SyncEngine
from desktop.sync.store_outbox import StoreOutbox
from ui.accounts_dialog import AccountsDialog
from ui.context import AppContext

pytestmark = pytest.mark.keyring
WAIT = 20_000


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=8) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_running_loop_left(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """The shared `qloop` (already_running=True) marks itself as the thread's running loop
    and never unmarks it, so a later test's `asyncio.run` would refuse to start."""
    yield
    asyncio.events._set_running_loop(None)


def run_on(loop: asyncio.AbstractEventLoop, qtbot: Any, coro: Any) -> Any:
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=WAIT)
    return task.result()


@pytest.fixture
def workspace(
    tmp_path: Path,
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    sandbox: SandboxServer,
    secret_service: dict[str, str],
) -> Iterator[AppContext]:
    # keyring calls run in the loop's executor: ours, so teardown can stop its threads
    executor = qasync.QThreadExecutor(2)
    qloop.set_default_executor(executor)
    store = Store.open(tmp_path / "switchboard.sqlite3")
    engine = SyncEngine(StoreInbound(store), StoreOutbox(store.run, on_sent=record_sent))

    async def start() -> None:
        engine.start()

    run_on(qloop, qtbot, start())
    try:
        yield AppContext(store=store, loop=qloop, engine=engine, sandbox_url=sandbox.base_url)
    finally:
        run_on(qloop, qtbot, engine.stop())
        store.close()
        qloop.set_default_executor(None)
        executor.shutdown(wait=True)


def open_dialog(qtbot: Any, context: AppContext, **kw: Any) -> AccountsDialog:
    dialog = AccountsDialog(context, vault=SecretStore(profile=context.store.profile_id), **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def conversations(store: Store, account_id: int) -> int:
    with store.reader() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM conversations WHERE account_id = :a"), {"a": account_id}
            ).scalar_one()
        )


def test_connect_sandbox_account_pause_resume_and_remove_keeping_history(
    workspace: AppContext, qtbot: Any, sandbox: SandboxServer
) -> None:
    engine = workspace.engine
    assert engine is not None
    dialog = open_dialog(qtbot, workspace)
    assert dialog.table.rowCount() == 0
    click(qtbot, dialog.connect_button)
    connect = dialog.connect_dialog
    assert connect is not None and connect.isVisible()
    assert connect.sandbox_check.isChecked()  # the demo's sandbox is offered
    connect.choose(Platform.MASTODON)
    handle = AdminClient(sandbox.base_url).accounts("mastodon")[0]["handle"]
    AdminClient(sandbox.base_url).inbound(
        "mastodon", "mention", "is the shop open today?", {"handle": "ana"}, account=handle
    )
    click(qtbot, connect.submit_button)
    qtbot.waitUntil(lambda: len(dialog.rows) == 1, timeout=WAIT)
    assert not connect.isVisible()
    account = dialog.rows[0]
    assert dialog.table.item(0, 0).text() == handle
    assert dialog.table.item(0, 1).text() == "Mastodon"
    held = SecretStore(profile=workspace.store.profile_id).load(account.id)
    assert held is not None and held.access_token  # the token is in the keyring
    assert account.id in engine.supervisor.tasks  # the engine picked it up at once
    qtbot.waitUntil(lambda: conversations(workspace.store, account.id) > 0, timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.status_of(account.id) == "up to date", timeout=WAIT)

    click(qtbot, dialog.pause_button)
    qtbot.waitUntil(lambda: dialog.status_of(account.id) == "paused", timeout=WAIT)
    assert account.id in engine.paused and account.id not in engine.supervisor.tasks
    assert dialog.pause_button.text() == "Resume"
    click(qtbot, dialog.pause_button)
    qtbot.waitUntil(lambda: dialog.rows[0].status is AccountStatus.ACTIVE, timeout=WAIT)
    assert account.id in engine.supervisor.tasks and dialog.pause_button.text() == "Pause"

    kept = conversations(workspace.store, account.id)
    click(qtbot, dialog.remove_button)
    confirm = dialog.remove_dialog
    assert confirm is not None and confirm.keep_history.isChecked()
    click(qtbot, confirm.confirm)
    qtbot.waitUntil(lambda: dialog.status_of(account.id) == "removed (history kept)", timeout=WAIT)
    assert account.id not in engine.workers
    assert SecretStore(profile=workspace.store.profile_id).load(account.id) is None
    assert conversations(workspace.store, account.id) == kept
    assert not dialog.pause_button.isEnabled()
    assert dialog.reauth_button.text() == "Reconnect"
    dialog.close()


def test_real_flows_through_the_forms_and_reauthenticate(
    workspace: AppContext, qtbot: Any, sandbox: SandboxServer
) -> None:
    """Not the sandbox shortcut: the Bluesky form with an app password, and Mastodon's
    OAuth with PKCE where the "browser" follows the authorize page to our loopback."""
    admin = AdminClient(sandbox.base_url)
    sky, masto = admin.accounts("bluesky")[0], admin.accounts("mastodon")[1]
    dialog = open_dialog(qtbot, workspace, open_url=play_browser)

    click(qtbot, dialog.connect_button)
    connect = dialog.connect_dialog
    assert connect is not None
    connect.sandbox_check.setChecked(False)
    connect.choose(Platform.BLUESKY)
    fields = connect.forms[Platform.BLUESKY].fields
    fields["server"].setText(sky["base_url"])
    fields["handle"].setText(sky["handle"])
    fields["app_password"].setText("wrong-pass-word-0000")
    click(qtbot, connect.submit_button)
    qtbot.waitUntil(lambda: connect.submit_button.isEnabled(), timeout=WAIT)
    assert connect.message.text() and connect.isVisible() and not dialog.rows
    fields["app_password"].setText(sky["app_password"])
    click(qtbot, connect.submit_button)
    qtbot.waitUntil(lambda: len(dialog.rows) == 1, timeout=WAIT)

    click(qtbot, dialog.connect_button)
    connect = dialog.connect_dialog
    connect.sandbox_check.setChecked(False)
    connect.choose(Platform.MASTODON)
    connect.forms[Platform.MASTODON].fields["server"].setText(masto["base_url"])
    connect.forms[Platform.MASTODON].fields["handle"].setText(masto["handle"])
    connect.brand_edit.setText("Globex")
    click(qtbot, connect.submit_button)
    qtbot.waitUntil(lambda: len(dialog.rows) == 2, timeout=WAIT)
    mastodon = next(a for a in dialog.rows if a.platform is Platform.MASTODON)
    row = dialog.rows.index(mastodon)
    assert dialog.table.item(row, 2).text() == "Globex"
    before = SecretStore(profile=workspace.store.profile_id).load(mastodon.id)

    dialog.select_account(mastodon.id)
    click(qtbot, dialog.reauth_button)
    qtbot.waitUntil(lambda: "signed in again" in dialog.message.text(), timeout=WAIT)
    after = SecretStore(profile=workspace.store.profile_id).load(mastodon.id)
    assert before and after and after.access_token != before.access_token
    assert mastodon.id in workspace.engine.workers  # type: ignore[union-attr]
    dialog.close()


def test_every_control_is_named(workspace: AppContext, qtbot: Any) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableWidget

    from desktop.domain.errors import SyncError, SyncErrorKind
    from desktop.store import accounts

    def setup(session: Any) -> Any:
        brand = accounts.ensure_brand(session, "Acme")
        return accounts.add_account(
            session,
            brand_id=brand.id,
            platform=Platform.X,
            handle="acme",
            base_url="https://api.x.com",
        )

    account = workspace.store.run_sync(setup)
    # the app started sync without a token for it: the engine says so, without a worker
    workspace.engine.states.failed(  # type: ignore[union-attr]
        account.id, SyncError(SyncErrorKind.AUTH, "no token in the keyring")
    )
    dialog = open_dialog(qtbot, workspace)
    assert dialog.status_of(account.id) == "needs sign-in"
    dialog.activateWindow()  # shortcuts fire in the active window only
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)  # the keyboard way to Remove…
    assert dialog.remove_dialog is not None and dialog.remove_dialog.isVisible()
    dialog.remove_dialog.reject()
    click(qtbot, dialog.connect_button)
    for widget in (dialog, dialog.connect_dialog, dialog.remove_dialog):
        for kind in (QAbstractButton, QComboBox, QLineEdit, QTableWidget):
            for child in widget.findChildren(kind):  # type: ignore[union-attr]
                if not child.objectName().startswith("qt_"):  # Qt's own, e.g. table corner
                    assert child.objectName() and child.accessibleName(), child
    dialog.connect_dialog.reject()  # type: ignore[union-attr]
    dialog.close()


def test_tools_menu_opens_the_dialog_for_the_open_workspace(
    workspace: AppContext, qtbot: Any, qloop: asyncio.AbstractEventLoop
) -> None:
    from ui.data_source import StoreSource
    from ui.main_window import MainWindow

    window = MainWindow(None)
    qtbot.addWidget(window)
    action = window.accounts_action
    assert action in window.tools_menu.actions() and action.text() == "Accounts…"
    assert not action.isEnabled()  # no workspace yet
    window.set_source(StoreSource(workspace.store, qloop), None, workspace)
    assert action.isEnabled()
    action.trigger()
    dialog = window.accounts_dialog
    assert dialog is not None and dialog.isVisible() and dialog.context is workspace
    dialog.close()  # closed and shown again: still follows the engine's states
    action.trigger()
    assert window.accounts_dialog is dialog and dialog.isVisible()  # one per workspace
    assert dialog._unsubscribe is not None
    window.set_source(None, "closed", None)
    assert not action.isEnabled() and window.accounts_dialog is None
    window.close()


def test_cancel_stops_a_sign_in_waiting_for_the_browser(
    workspace: AppContext, qtbot: Any, sandbox: SandboxServer
) -> None:
    from urllib.parse import parse_qs, urlsplit

    import httpx

    seen: list[str] = []

    def no_browser(url: str) -> bool:  # like webbrowser.open on a machine without one
        seen.append(url)
        return False

    dialog = open_dialog(qtbot, workspace, open_url=no_browser)
    click(qtbot, dialog.connect_button)
    connect = dialog.connect_dialog
    assert connect is not None
    connect.sandbox_check.setChecked(False)
    connect.choose(Platform.MASTODON)
    base = AdminClient(sandbox.base_url).accounts("mastodon")[0]["base_url"]
    connect.forms[Platform.MASTODON].fields["server"].setText(base)
    click(qtbot, connect.submit_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen[0] in connect.message.text()  # to open by hand
    assert not connect.submit_button.isEnabled()
    assert not dialog.connect_button.isEnabled()  # one sign-in at a time
    redirect = parse_qs(urlsplit(seen[0]).query)["redirect_uri"][0]
    click(qtbot, connect.cancel_button)
    qtbot.waitUntil(lambda: dialog.sign_in is not None and dialog.sign_in.done(), timeout=WAIT)
    assert dialog.sign_in.cancelled() and not dialog.rows  # type: ignore[union-attr]
    with pytest.raises(httpx.ConnectError):  # the loopback listener is gone
        httpx.get(redirect, params={"code": "late", "state": "x"})
    assert dialog.connect_button.isEnabled()
    dialog.close()
