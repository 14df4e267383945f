"""Tools › Accounts…: the connected accounts with their sync state, and what to do with them.

Connect (platform chooser and form, ui/connect_dialog.py), Re-authenticate, Pause/Resume and
Remove (asking whether to keep the account's conversations). The work is desktop.auth's:
sign-in flows and the lifecycle that keeps store row, keyring entry and sync engine in step,
so the engine picks up a new, paused or removed account at once. Sign-ins run as tasks on
the qasync loop; the dialog stays responsive and Cancel stops a sign-in waiting on the browser.
Tokens go to the OS keyring; in the demo they stay in memory (the sandbox's are worthless).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.auth import lifecycle
from desktop.auth.flows import ConnectRequest, connect, reauth_request, system_browser
from desktop.auth.oauth import OpenUrl
from desktop.domain.enums import AccountStatus, Platform
from desktop.domain.errors import SwitchboardError
from desktop.domain.models import Account
from desktop.store import accounts
from desktop.sync.account_state import AccountState
from ui.connect_dialog import TITLES, ConnectDialog
from ui.context import AppContext
from ui.icons import platform_icon
from ui.models.sync_states import state_text
from ui.naming import named

log = logging.getLogger(__name__)

COLUMNS = ("Account", "Platform", "Brand", "State")
BROWSER_WAIT = "Waiting for you to sign in in your browser…"


def status_text(account: Account, state: AccountState | None) -> str:
    """What the State column says: the user's choice first, then the engine's news."""
    match account.status:
        case AccountStatus.PAUSED:
            return "paused"
        case AccountStatus.DISCONNECTED:
            return "removed (history kept)"
        case AccountStatus.NEEDS_REAUTH:
            return "needs sign-in"
    return state_text(state) if state is not None else "connected (sync not running)"


class RemoveDialog(QDialog):
    """Remove an account? Keep its conversations (default) or delete them."""

    def __init__(self, account: Account, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "removeAccountDialog", "Remove account")
        self.setWindowTitle("Remove account")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Remove {account.handle} ({TITLES[account.platform]})? Switchboard stops syncing "
            "it and deletes its token from the keyring."
        )
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        layout.addWidget(named(text, "removeQuestion", "Remove account question"))
        self.keep_history = named(
            QCheckBox("Keep its conversations (read-only; connecting it again picks them up)"),
            "keepHistoryCheck",
            "Keep its conversations",
        )
        self.keep_history.setChecked(True)
        layout.addWidget(self.keep_history)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.confirm = named(QPushButton("Remove"), "removeConfirm", "Remove")
        cancel = named(QPushButton("Cancel"), "removeCancel", "Cancel")
        cancel.setDefault(True)
        buttons.addWidget(self.confirm)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self.confirm.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)


class AccountsDialog(QDialog):
    state_changed = Signal(object)  # AccountState, from the engine; queued to the UI

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        vault: lifecycle.CredentialVault | None = None,
        open_url: OpenUrl | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.open_url = open_url  # None: the system browser (the sandbox: a played one)
        self.rows: list[Account] = []
        self.tasks: set[asyncio.Task[Any]] = set()
        self.sign_in: asyncio.Task[Any] | None = None
        self.connect_dialog: ConnectDialog | None = None
        self.remove_dialog: RemoveDialog | None = None
        named(self, "accountsDialog", "Accounts")
        self.setWindowTitle("Accounts")
        self._build()
        self.vault: lifecycle.CredentialVault | None = vault
        if self.vault is None:
            self.vault = self._default_vault()
        self._unsubscribe: Callable[[], None] | None = None
        self.state_changed.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self._listen()
        self.finished.connect(self._stop_listening)
        self.refresh()
        self.resize(760, 480)

    def _default_vault(self) -> lifecycle.CredentialVault | None:
        if self.context.demo:
            return lifecycle.MemoryVault()
        try:
            from desktop.secrets import SecretStore

            return SecretStore(profile=self.context.store.profile_id)
        except SwitchboardError as exc:
            self.show_message(str(exc))
            self.connect_button.setEnabled(False)
            return None

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.table = named(QTableWidget(0, len(COLUMNS)), "accountsTable", "Connected accounts")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        self.message = named(QLabel(""), "accountsMessage", "Accounts status")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.connect_button = named(QPushButton("Connect…"), "connectButton", "Connect account")
        self.reauth_button = named(
            QPushButton("Re-authenticate"), "reauthButton", "Re-authenticate account"
        )
        self.pause_button = named(QPushButton("Pause"), "pauseButton", "Pause account")
        self.remove_button = named(QPushButton("Remove…"), "removeButton", "Remove account")
        self.close_button = named(QPushButton("Close"), "closeButton", "Close accounts")
        for button in (
            self.connect_button,
            self.reauth_button,
            self.pause_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.connect_button.clicked.connect(self.open_connect)
        self.reauth_button.clicked.connect(self.reauthenticate)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.remove_button.clicked.connect(self.open_remove)
        self.close_button.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        remove = QAction("Remove account…", self.table)
        remove.setObjectName("action_removeAccount")
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.open_remove)
        self.table.addAction(remove)

    # -- showing ----------------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        current = self.current()
        wanted = select_id if select_id is not None else (current.id if current else None)
        with self.context.store.reader() as session:
            self.rows = accounts.list_accounts(session)
            brands = {b.id: b.name for b in accounts.list_brands(session)}
        self.table.setRowCount(len(self.rows))
        for row, account in enumerate(self.rows):
            handle = QTableWidgetItem(platform_icon(account.platform), account.handle)
            handle.setToolTip(account.display_name)
            cells = (
                handle,
                QTableWidgetItem(TITLES[account.platform]),
                QTableWidgetItem(brands.get(account.brand_id, "")),
                QTableWidgetItem(status_text(account, self._state(account))),
            )
            for column, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, account.id)
                if account.status is AccountStatus.DISCONNECTED:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
            if account.id == wanted:
                self.table.selectRow(row)
        if self.rows and self.current() is None:
            self.table.selectRow(0)
        self._update_buttons()

    def _state(self, account: Account) -> AccountState | None:
        engine = self.context.engine
        if engine is None:
            return None
        if account.id in engine.workers or account.id in engine.states.all():
            return engine.states.get(account.id)  # e.g. "needs sign-in": no token at start
        return None

    def _on_state(self, state: AccountState) -> None:
        for row, account in enumerate(self.rows):
            if account.id == state.account_id:
                item = self.table.item(row, 3)
                if item is not None:
                    item.setText(status_text(account, state))

    def status_of(self, account_id: int) -> str:
        for row, account in enumerate(self.rows):
            if account.id == account_id:
                item = self.table.item(row, 3)
                return item.text() if item is not None else ""
        return ""

    def current(self) -> Account | None:
        selected = self.table.selectionModel().selectedRows() if self.table.model() else []
        if not selected or selected[0].row() >= len(self.rows):
            return None
        return self.rows[selected[0].row()]

    def select_account(self, account_id: int) -> None:
        for row, account in enumerate(self.rows):
            if account.id == account_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        account = self.current()
        busy = self.sign_in is not None and not self.sign_in.done()
        has_vault = self.vault is not None
        self.connect_button.setEnabled(has_vault and not busy)
        self.reauth_button.setEnabled(account is not None and has_vault and not busy)
        self.reauth_button.setText(
            "Reconnect"
            if account is not None and account.status is AccountStatus.DISCONNECTED
            else "Re-authenticate"
        )
        paused = account is not None and account.status is AccountStatus.PAUSED
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setAccessibleName("Resume account" if paused else "Pause account")
        self.pause_button.setEnabled(
            account is not None and account.status is not AccountStatus.DISCONNECTED
        )
        self.remove_button.setEnabled(account is not None and not busy)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    # -- running work on the loop -----------------------------------------------------------
    def _run(
        self,
        coro: Coroutine[Any, Any, Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> asyncio.Task[Any]:
        task = self.context.loop.create_task(coro)
        self.tasks.add(task)

        def finish(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if t.cancelled():
                (failed or self.show_message)("Cancelled.")
            elif (exc := t.exception()) is not None:
                if not isinstance(exc, SwitchboardError):
                    log.error("accounts action failed", exc_info=exc)
                text = str(exc) if isinstance(exc, SwitchboardError) else f"Failed: {exc!r}"
                (failed or self.show_message)(text)
            else:
                done(t.result())
            self._update_buttons()

        task.add_done_callback(finish)
        return task

    def _browser_for(
        self, request: ConnectRequest, show: Callable[[str], None] | None = None
    ) -> OpenUrl | None:
        """The sandbox's played browser, or the system browser; when no browser opens,
        the address is shown (selectable) so the user can open it by hand."""
        if request.sandbox_url:
            return None
        opener = self.open_url or system_browser
        say = show or self.show_message

        def open_url(url: str) -> object:
            opened = opener(url)
            if opened is False:
                say(f"No browser opened. To sign in, open this address in your browser:\n{url}")
            return opened

        return open_url

    # -- connect ----------------------------------------------------------------------------
    def open_connect(self, platform: Platform | None = None) -> ConnectDialog:
        dialog = ConnectDialog(self, sandbox_url=self.context.sandbox_url)
        if isinstance(platform, Platform):
            dialog.choose(platform)
        dialog.submitted.connect(self._connect_submitted)
        dialog.cancelled.connect(self._cancel_sign_in)
        self.connect_dialog = dialog
        dialog.open()
        return dialog

    def _connect_submitted(self, request: ConnectRequest, brand: str) -> None:
        dialog, vault = self.connect_dialog, self.vault
        if dialog is None or vault is None:
            return
        oauth = request.platform in (Platform.MASTODON, Platform.X) and not request.sandbox_url
        dialog.set_busy(True, BROWSER_WAIT if oauth else "Connecting…")

        async def work() -> Account:
            connection = await connect(request, self._browser_for(request, dialog.set_message))
            return await lifecycle.add(
                self.context.store, vault, connection, brand=brand, engine=self.context.engine
            )

        def done(account: Account) -> None:
            dialog.accept()
            self.refresh(select_id=account.id)
            self.show_message(f"Connected {account.handle} ({TITLES[account.platform]}).")

        self.sign_in = self._run(work(), done, dialog.show_error)
        self._update_buttons()

    def _cancel_sign_in(self) -> None:
        if self.sign_in is not None and not self.sign_in.done():
            self.sign_in.cancel()

    # -- re-authenticate --------------------------------------------------------------------
    def reauthenticate(self) -> None:
        account = self.current()
        if account is None or self.vault is None:
            return
        sandbox = self.context.sandbox_url
        if sandbox and account.base_url.startswith(sandbox.rstrip("/") + "/"):
            self._run_reauth(
                account,
                ConnectRequest(account.platform, sandbox_url=sandbox, handle=account.handle),
            )
        elif (
            account.settings.get("sandbox_url")
            or account.platform is Platform.MASTODON
            or (
                # the client id is in the keyring (not any more once removed): the browser does it
                account.platform is Platform.X and account.status is not AccountStatus.DISCONNECTED
            )
        ):
            self._run_reauth(account, None)
        else:  # needs something from the user: app password, client id, Meta user token
            dialog = ConnectDialog(self, account=account)
            dialog.submitted.connect(
                lambda request, _brand: self._run_reauth(account, request, dialog)
            )
            dialog.cancelled.connect(self._cancel_sign_in)
            self.connect_dialog = dialog
            dialog.open()

    def _run_reauth(
        self,
        account: Account,
        given: ConnectRequest | None,
        dialog: ConnectDialog | None = None,
    ) -> None:
        vault = self.vault
        if vault is None:
            return
        waiting = account.platform in (Platform.MASTODON, Platform.X)
        text = BROWSER_WAIT if waiting and not (given and given.sandbox_url) else "Signing in…"
        if dialog is not None:
            dialog.set_busy(True, text)
        else:
            self.show_message(text)

        async def work() -> Account:
            if given is not None and given.sandbox_url:
                request = given
            else:
                extra = {} if given is None else given.given()
                request = reauth_request(account, await vault.aload(account.id), **extra)
            show = dialog.set_message if dialog is not None else None
            connection = await connect(request, self._browser_for(request, show))
            return await lifecycle.reauthenticate(
                self.context.store, vault, account.id, connection, engine=self.context.engine
            )

        def done(updated: Account) -> None:
            if dialog is not None:
                dialog.accept()
            self.refresh(select_id=updated.id)
            self.show_message(f"{updated.handle} is signed in again.")

        self.sign_in = self._run(work(), done, dialog.show_error if dialog else None)
        self._update_buttons()

    # -- pause / resume / remove ------------------------------------------------------------
    def toggle_pause(self) -> None:
        account = self.current()
        if account is None:
            return
        engine = self.context.engine
        if account.status is AccountStatus.PAUSED:
            if self.vault is None:
                return
            work = lifecycle.resume(self.context.store, self.vault, account.id, engine=engine)
            verb = "Resumed"
        else:
            work = lifecycle.pause(self.context.store, account.id, engine=engine)
            verb = "Paused"

        def done(updated: Account) -> None:
            self.refresh(select_id=updated.id)
            self.show_message(f"{verb} {updated.handle}.")

        self.pause_button.setEnabled(False)
        self._run(work, done)

    def open_remove(self) -> RemoveDialog | None:
        account = self.current()
        if account is None:
            return None
        dialog = RemoveDialog(account, self)
        dialog.finished.connect(lambda result: self._remove_answered(account, dialog, result))
        self.remove_dialog = dialog
        dialog.open()
        return dialog

    def _remove_answered(self, account: Account, dialog: RemoveDialog, result: int) -> None:
        if result != QDialog.DialogCode.Accepted or self.vault is None:
            return
        keep = dialog.keep_history.isChecked()
        work = lifecycle.remove(
            self.context.store,
            self.vault,
            account.id,
            keep_history=keep,
            engine=self.context.engine,
        )

        def done(_: None) -> None:
            self.refresh()
            kept = "its conversations are kept" if keep else "its conversations are deleted"
            self.show_message(f"Removed {account.handle}; {kept}.")

        self._run(work, done)

    def _listen(self) -> None:
        """Follow the engine's account states while shown (Tools › Accounts… shows the same
        dialog again after it was closed)."""
        if self._unsubscribe is None and self.context.engine is not None:
            self._unsubscribe = self.context.engine.states.subscribe(self.state_changed.emit)

    def showEvent(self, event: QShowEvent) -> None:
        self._listen()
        self.refresh()
        super().showEvent(event)

    def _stop_listening(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._cancel_sign_in()
