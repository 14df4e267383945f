"""Reports (issue #8): Tools > Reports… opens a window over the open workspace's store.

`install(window)` adds the action to the main window's Tools menu; it is enabled while a
workspace is open (window.context) and opens one ReportsWindow per workspace.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence

from ui.reports.window import ReportsWindow

__all__ = ["ReportsWindow", "install"]


def install(window: Any) -> QAction:
    action = QAction("Reports…", window)
    action.setObjectName("action_reports")
    action.setShortcut(QKeySequence("Ctrl+Shift+R"))
    action.setStatusTip("Volumes, response times, sentiment and busiest hours")
    action.setEnabled(window.context is not None)
    window.tools_menu.addAction(action)
    window.reports_window = None

    def open_reports() -> None:
        context = window.context
        if context is None:
            return
        current = window.reports_window
        if current is None or current.store is not context.store:
            if current is not None:
                current.close()
                current.deleteLater()
            current = ReportsWindow(context.store)
            window.reports_window = current
        current.show()
        current.raise_()
        current.activateWindow()

    def context_changed(context: object) -> None:
        action.setEnabled(context is not None)
        current = window.reports_window
        if current is not None and (context is None or current.store is not context.store):  # type: ignore[attr-defined]
            current.close()
            current.deleteLater()
            window.reports_window = None

    action.triggered.connect(lambda _checked=False: open_reports())
    window.context_changed.connect(context_changed)
    window.open_reports = open_reports
    return action
