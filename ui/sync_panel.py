"""The sync panel: every account's state, progress, last sync, poll interval and full error.

Opened from the status bar's sync line (ui/status_bar.py), non-modal (`show()`, never `exec()`),
over the same `SyncStatesModel`. For the selected account it shows the whole error text (plain
text: platform error messages are untrusted), lets the user sync now (wake the worker) and set
how often it polls (saved in the account's settings on the store's writer thread, applied to
the running worker at once).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.sync.account_state import Phase
from ui.models.sync_states import (
    COL_ACCOUNT,
    COL_INTERVAL,
    COL_LAST,
    COL_PROGRESS,
    COL_STATE,
    ProgressRole,
    clock,
    interval_text,
    state_text,
)
from ui.naming import named
from ui.tasks import TaskSet

if TYPE_CHECKING:
    from ui.status_bar import SyncStatus

log = logging.getLogger(__name__)


BAR_WIDTH = 70


class ProgressDelegate(QStyledItemDelegate):
    """The progress column: a bar with the detail text while syncing, plain text otherwise."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        value = index.data(ProgressRole)
        if value is None:
            super().paint(painter, option, index)
            return
        rect = option.rect
        bar = QStyleOptionProgressBar()
        bar.rect = rect.adjusted(2, 5, 0, -5)
        bar.rect.setWidth(min(BAR_WIDTH, max(0, rect.width() - 4)))
        bar.minimum, bar.maximum = (0, 0) if value < 0 else (0, 100)
        bar.progress = max(0, value)
        bar.textVisible = False
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
        # the detail (items, rate, time left) beside the bar, elided to the cell
        text_rect = rect.adjusted(BAR_WIDTH + 10, 0, -4, 0)
        detail = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        metrics = option.fontMetrics
        shown = metrics.elidedText(detail, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown
        )
        painter.restore()


class SyncPanel(QDialog):
    def __init__(self, status: SyncStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "syncPanel", "Sync panel")
        self.setWindowTitle("Sync")
        self.status = status
        self.model = status.model
        self._tasks = TaskSet(self._failed)

        self.summary = named(QLabel(), "syncPanelSummary", "Sync summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        self.table = named(QTableView(), "syncAccountTable", "Accounts and their sync state")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setItemDelegateForColumn(COL_PROGRESS, ProgressDelegate(self.table))
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = named(self.table.horizontalHeader(), "syncAccountHeader", "Columns")
        header.setHighlightSections(False)
        for col, width in ((COL_ACCOUNT, 230), (COL_STATE, 170), (COL_LAST, 100)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(COL_PROGRESS, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_INTERVAL, 90)
        for bar, what in (
            (self.table.verticalScrollBar(), "syncAccountVScroll"),
            (self.table.horizontalScrollBar(), "syncAccountHScroll"),
        ):
            named(bar, what, "Scroll accounts")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_details())
        self.model.dataChanged.connect(self._row_changed)
        self.model.modelReset.connect(self.refresh)

        self.details = named(QPlainTextEdit(), "syncDetails", "Selected account's sync details")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(130)
        self.details.setPlaceholderText("Select an account to see its details and errors")

        self.sync_now = named(QPushButton("Sync now"), "syncNowButton", "Sync now")
        self.sync_now.clicked.connect(self.wake)
        self.interval_box = named(QSpinBox(), "syncIntervalBox", "Poll interval in seconds")
        self.interval_box.setRange(15, 86_400)
        self.interval_box.setSingleStep(15)
        self.interval_box.setSuffix(" s")
        self.interval_platform = named(
            QCheckBox("for every account on this platform"),
            "syncIntervalPlatform",
            "Apply the interval to every account on this platform",
        )
        self.interval_apply = named(
            QPushButton("Set interval"), "syncIntervalApply", "Set interval"
        )
        self.interval_apply.clicked.connect(self.apply_interval)
        self.message = named(QLabel(), "syncPanelMessage", "Last sync panel action")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        controls = QHBoxLayout()
        controls.addWidget(self.sync_now)
        controls.addSpacing(16)
        poll = QLabel("Poll every")
        poll.setBuddy(self.interval_box)
        controls.addWidget(poll)
        controls.addWidget(self.interval_box)
        controls.addWidget(self.interval_platform)
        controls.addWidget(self.interval_apply)
        controls.addWidget(self.message, 1)

        buttons = named(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Close), "syncPanelButtons", "Close"
        )
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, "syncPanelClose", "Close")
        buttons.rejected.connect(self.hide)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(controls)
        layout.addWidget(buttons)
        self.resize(980, 420)
        self.refresh()

    # -- showing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.summary.setText(self.status.text())
        if self.table.currentIndex().row() < 0 and self.model.rowCount():
            self.table.selectRow(0)
        self.show_details()
        has_engine = self.status.context is not None and self.status.context.engine is not None
        self.sync_now.setEnabled(has_engine)
        self.interval_apply.setEnabled(has_engine and self.model.rowCount() > 0)

    def _row_changed(self, top: QModelIndex, _bottom: QModelIndex, *_: Any) -> None:
        if top.row() == self.table.currentIndex().row():
            self.show_details()

    def selected_account_id(self) -> int | None:
        account = self.model.account(self.table.currentIndex().row())
        return account.id if account is not None else None

    def show_details(self) -> None:
        account = self.model.account(self.table.currentIndex().row())
        if account is None:
            self.details.setPlainText("")
            return
        state = self.model.state(account.id)
        lines = [account.title]
        if state is None:
            lines.append("State: no sync pass yet this session")
        else:
            lines.append(f"State: {state_text(state, self.model.tz)}")
            if state.phase is Phase.SYNCING and state.detail:
                lines.append(f"Progress: {state.detail}")
            if state.until is not None:
                lines.append(f"Retries at {clock(state.until, self.model.tz)}")
            if state.error:
                lines.append(f"Error: {state.error}")
            if state.phase is Phase.NEEDS_REAUTH:
                lines.append("Sign in again from Accounts; queued replies wait until then.")
        index = self.model.index(self.model.row_of(account.id) or 0, COL_LAST)
        lines.append(f"Last synced: {index.data()}")
        lines.append(f"Polls every: {interval_text(account.interval_seconds)}")
        text = "\n".join(lines)
        if text != self.details.toPlainText():
            self.details.setPlainText(text)  # plain text: error messages are untrusted
        platform = account.platform.value.capitalize()
        self.interval_platform.setText(f"every {platform} account")
        self.interval_platform.setAccessibleName(f"Apply to every {platform} account")
        if account.interval_seconds is not None and not self.interval_box.hasFocus():
            self.interval_box.setValue(round(account.interval_seconds))

    # -- actions ----------------------------------------------------------------------------
    def wake(self) -> None:
        engine = self.status.context.engine if self.status.context is not None else None
        if engine is None:
            return
        account_id = self.selected_account_id()
        if account_id is not None and account_id in engine.workers:
            engine.wake(account_id)
            self.message.setText("Syncing this account now")
        else:
            engine.wake()
            self.message.setText("Syncing every account now")

    def apply_interval(self) -> None:
        context = self.status.context
        account = self.model.account(self.table.currentIndex().row())
        if context is None or context.engine is None or account is None:
            return
        seconds = float(self.interval_box.value())
        if self.interval_platform.isChecked():
            self._spawn(self._save_platform_interval(account.platform.value, seconds))
        else:
            self._spawn(self._save_interval(account.id, seconds))

    async def _save_interval(self, account_id: int, seconds: float) -> None:
        from desktop.sync.intervals import save_account_interval

        context = self.status.context
        assert context is not None and context.engine is not None
        await context.store.run(lambda s: save_account_interval(s, account_id, seconds))
        if account_id in context.engine.workers:
            context.engine.set_interval(account_id, seconds)
        self._show_intervals()
        self.message.setText(f"Polls every {interval_text(seconds)}")

    async def _save_platform_interval(self, platform: str, seconds: float) -> None:
        """Every account of the platform: their own intervals give way to this one."""
        from desktop.sync.intervals import _check, save_account_interval

        context = self.status.context
        assert context is not None and context.engine is not None
        _check(seconds)  # refuse before anything is stored
        ids = [a.id for a in self.model.accounts() if a.platform.value == platform]

        def clear_own(session: Any) -> None:
            for account_id in ids:
                save_account_interval(session, account_id, None)

        await context.store.run(clear_own)
        for account_id in ids:
            if account_id in context.engine.workers:
                context.engine.set_interval(account_id, None)
        context.engine.set_platform_interval(platform, seconds)
        self.status.save_platform_interval(platform, seconds)
        self._show_intervals()
        self.message.setText(
            f"Every {platform.capitalize()} account polls every {interval_text(seconds)}"
        )

    def _show_intervals(self) -> None:
        from ui.status_bar import worker_interval

        for account in self.model.accounts():
            self.model.set_interval(account.id, worker_interval(self.status.context, account.id))
        self.show_details()

    def _spawn(self, coro: Any) -> None:
        self._tasks.spawn(coro)

    def _failed(self, exc: BaseException) -> None:
        log.warning("sync panel action failed: %s", exc)
        self.message.setText(f"Failed: {exc}")

    async def settle(self) -> None:
        await self._tasks.settle()
