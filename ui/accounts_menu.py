"""Tools › Accounts…: the menu entry, kept apart from the dialog so the window starts without
importing the sign-in flows and every platform connector (~0.5 s); they load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from ui.accounts_dialog import AccountsDialog


def install(window: Any) -> QAction:
    """Add "Accounts…" to `window.tools_menu`; enabled while a workspace is open. One dialog
    per workspace, non-modal (shown, never exec'd)."""
    action = QAction("Accounts…", window)
    action.setObjectName("action_accounts")
    action.setStatusTip("Connect, re-authenticate, pause or remove brand accounts")
    action.setEnabled(window.context is not None)
    window.tools_menu.addAction(action)
    window.accounts_dialog = None

    def open_accounts() -> AccountsDialog | None:
        context = window.context
        if context is None:
            return None
        from ui.accounts_dialog import AccountsDialog

        dialog = window.accounts_dialog
        if dialog is None or dialog.context is not context:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            dialog = AccountsDialog(context, window)
            window.accounts_dialog = dialog
        dialog.refresh()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def context_changed(context: object) -> None:
        action.setEnabled(context is not None)
        dialog = window.accounts_dialog
        if dialog is not None and dialog.context is not context:
            dialog.close()
            dialog.deleteLater()
            window.accounts_dialog = None

    action.triggered.connect(open_accounts)
    window.context_changed.connect(context_changed)
    window.open_accounts = open_accounts
    return action
