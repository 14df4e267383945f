"""Tools > Canned responses…: create, edit, delete, scope to brands and platforms, reorder,
import and export as JSON.

A modeless dialog opened with open() (never exec()); every change is one job on the store's
writer thread, and the list re-reads the store after it. Template problems (unknown
variables) are shown as you type; saving is still allowed, since the composer flags them
again and refuses to send them raw.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from desktop.domain import templates
from desktop.domain.enums import Platform
from desktop.domain.errors import UserError
from desktop.domain.models import CannedResponse
from desktop.store import canned
from ui.canned.models import CannedListModel, name_scroll_bars
from ui.tasks import TaskSet

log = logging.getLogger(__name__)


def _named(widget: Any, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class CannedManager(QDialog):
    changed = Signal()  # a change was committed (the list has been re-read)

    def __init__(
        self,
        store: Any,
        parent: QWidget | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(parent)
        _named(self, "cannedManager", "Canned responses")
        self.setWindowTitle("Canned responses")
        self.store = store
        self._loop = loop
        self._tasks = TaskSet(self._failed)
        self.current_id: int | None = None
        self.agent_name = "You"
        self.confirm: QMessageBox | None = None
        self._build()
        self.reload()
        self.new_response()
        self.resize(860, 560)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.model = CannedListModel(self)
        self.list = _named(QListView(), "cannedManagerList", "Canned responses in order")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentRowChanged.connect(lambda cur, _p: self._load(cur.row()))
        buttons = QHBoxLayout()
        self.new_button = _named(QPushButton("&New"), "cannedNew", "New canned response")
        self.delete_button = _named(
            QPushButton("&Delete"), "cannedDelete", "Delete canned response"
        )
        self.up_button = _named(QPushButton("Move &up"), "cannedUp", "Move up")
        self.down_button = _named(QPushButton("Move do&wn"), "cannedDown", "Move down")
        for button, slot in (
            (self.new_button, self.new_response),
            (self.delete_button, self.delete_current),
            (self.up_button, lambda: self.move_current(-1)),
            (self.down_button, lambda: self.move_current(1)),
        ):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        files = QHBoxLayout()
        self.import_button = _named(QPushButton("&Import…"), "cannedImport", "Import from JSON")
        self.export_button = _named(QPushButton("E&xport…"), "cannedExport", "Export to JSON")
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.choose_export)
        files.addWidget(self.import_button)
        files.addWidget(self.export_button)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(buttons)
        left.addLayout(files)

        self.title = _named(QLineEdit(), "cannedTitle", "Title")
        self.shortcut = _named(QLineEdit(), "cannedShortcut", "Shortcut")
        self.shortcut.setPlaceholderText("e.g. refund — typed as /refund in the composer")
        self.body = _named(QPlainTextEdit(), "cannedBody", "Text")
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText("Hi {customer.first_name|there}, …")
        self.brands = _named(QListWidget(), "cannedBrands", "Brands (none ticked: all)")
        self.platforms = _named(QListWidget(), "cannedPlatforms", "Platforms (none ticked: all)")
        for p in Platform:
            item = QListWidgetItem(p.value.capitalize())
            item.setData(Qt.ItemDataRole.UserRole, p.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.platforms.addItem(item)
        for box in (self.brands, self.platforms):
            box.setMaximumHeight(110)
        help_text = (
            "Variables: "
            + ", ".join(f"{{{name}}}" for name in templates.VARIABLES)
            + ".  A fallback follows a bar: {customer.first_name|there}."
        )
        self.variables = _named(QLabel(help_text), "cannedVariables", "Available variables")
        self.variables.setTextFormat(Qt.TextFormat.PlainText)
        self.variables.setWordWrap(True)
        self.preview = _named(QLabel(), "cannedFormPreview", "Preview with sample values")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("color: palette(placeholder-text);")
        self.scope_hint = _named(
            QLabel("None ticked: every brand / every platform."), "cannedScopeHint", "Scope hint"
        )
        self.form_problems = _named(QLabel(), "cannedFormProblems", "Problems")
        self.form_problems.setTextFormat(Qt.TextFormat.PlainText)
        self.form_problems.setWordWrap(True)
        self.form_problems.setStyleSheet("color: #c62828;")
        self.status = _named(QLabel(), "cannedStatus", "Last action")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.save_button = _named(QPushButton("&Save"), "cannedSave", "Save canned response")
        self.save_button.clicked.connect(self.save_current)
        self.body.textChanged.connect(self._validate)
        self.shortcut.textChanged.connect(self._validate)
        self.brands.itemChanged.connect(lambda _item: self._validate())

        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("S&hortcut", self.shortcut)
        form.addRow("Te&xt", self.body)
        form.addRow("", self.variables)
        form.addRow("Preview", self.preview)
        form.addRow("&Brands", self.brands)
        form.addRow("&Platforms", self.platforms)
        form.addRow("", self.scope_hint)
        right = QVBoxLayout()
        right.addLayout(form, 1)
        right.addWidget(self.form_problems)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = _named(
            QDialogButtonBox(QDialogButtonBox.StandardButton.Close), "cannedButtons", "Close"
        )
        close_button = close.button(QDialogButtonBox.StandardButton.Close)
        _named(close_button, "cannedClose", "Close")
        close.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(self.status)
        outer.addWidget(close)
        name_scroll_bars(self)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        with self.store.reader() as session:
            items = canned.list_all(session)
            brands = [
                (int(r[0]), str(r[1]))
                for r in session.execute(text("SELECT id, name FROM brands ORDER BY name"))
            ]
            me = session.execute(text("SELECT name FROM agents WHERE is_me LIMIT 1")).scalar()
        self.agent_name = str(me) if me else "You"
        self.model.set_items(items)
        self._fill_brands(brands)
        if self.current_id is not None:
            self.select(self.current_id)

    def _fill_brands(self, brands: list[tuple[int, str]]) -> None:
        checked = self._checked(self.brands)
        self.brands.clear()
        for brand_id, name in brands:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, brand_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if brand_id in checked else Qt.CheckState.Unchecked
            )
            self.brands.addItem(item)

    @staticmethod
    def _checked(box: QListWidget) -> list[Any]:
        return [
            box.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked
        ]

    @staticmethod
    def _check(box: QListWidget, values: set[Any]) -> None:
        for i in range(box.count()):
            item = box.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in values
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def select(self, canned_id: int) -> None:
        row = self.model.row_of(canned_id)
        if row is not None:
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _load(self, row: int) -> None:
        c = self.model.item(row)
        if c is None:
            return
        self.current_id = c.id
        self.title.setText(c.title)
        self.shortcut.setText(c.shortcut)
        self.body.setPlainText(c.body)
        self._check(self.brands, set(c.brand_ids))
        self._check(self.platforms, {p.value for p in c.platforms})
        self._validate()

    def _validate(self) -> None:
        problems = []
        shortcut = self.shortcut.text().strip()
        if shortcut:
            problem = templates.shortcut_problem(shortcut)
            if problem:
                problems.append(problem)
        problems.extend(
            f"unknown variable {{{p.name}}} (the composer will refuse to send it)"
            for p in templates.placeholders(self.body.toPlainText())
            if not p.known
        )
        self.form_problems.setText("\n".join(problems))
        body = self.body.toPlainText()
        self.preview.setText(templates.render(body, self._sample_values()).text if body else "")

    def _sample_values(self) -> dict[str, str | None]:
        """What a preview fills in: a sample customer, the first ticked brand (or any)."""
        brands = [
            self.brands.item(i).text()
            for i in range(self.brands.count())
            if self.brands.item(i).checkState() == Qt.CheckState.Checked
        ] or [self.brands.item(i).text() for i in range(min(1, self.brands.count()))]
        return templates.conversation_values(
            customer_name="Ana López",
            customer_handle="ana@example.social",
            brand_name=brands[0] if brands else "Your brand",
            agent_name=self.agent_name,
            account_handle="brand",
        )

    # -- editing ----------------------------------------------------------------------------
    def new_response(self) -> None:
        self.current_id = None
        self.list.selectionModel().clearSelection()
        self.title.clear()
        self.shortcut.clear()
        self.body.clear()
        self._check(self.brands, set())
        self._check(self.platforms, set())
        self.title.setFocus()

    def form(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "shortcut": self.shortcut.text().strip(),
            "body": self.body.toPlainText(),
            "brand_ids": [int(b) for b in self._checked(self.brands)],
            "platforms": [Platform(p) for p in self._checked(self.platforms)],
        }

    def save_current(self) -> None:
        fields, current = self.form(), self.current_id

        def job(session: Any) -> CannedResponse:
            if current is None:
                return canned.add(
                    session,
                    fields["title"],
                    fields["shortcut"],
                    fields["body"],
                    brand_ids=fields["brand_ids"],
                    platforms=fields["platforms"],
                )
            return canned.update_response(session, current, **fields)

        async def run() -> None:
            saved = await self.store.run(job)
            self.current_id = saved.id
            self._done(f"Saved “{saved.title}” (/{saved.shortcut})")

        self.spawn(run())

    def delete_current(self) -> None:
        """Ask first (a team's template is easy to lose); open() + finished, never exec()."""
        current = self.current_id
        if current is None:
            return
        title = self.title.text()
        box = QMessageBox(self)
        _named(box, "cannedDeleteConfirm", "Confirm delete")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Delete canned response")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Delete “{title}” (/{self.shortcut.text()})? This cannot be undone.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        for which, name in (
            (QMessageBox.StandardButton.Yes, "Delete"),
            (QMessageBox.StandardButton.Cancel, "Cancel"),
        ):
            _named(box.button(which), f"cannedDeleteConfirm{name}", name)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")

        def answered(result: int) -> None:
            self.confirm = None
            if result == QMessageBox.StandardButton.Yes:
                self._delete(current, title)

        box.finished.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm = box
        box.open()

    def _delete(self, current: int, title: str) -> None:
        async def run() -> None:
            await self.store.run(lambda s: canned.remove(s, current))
            self.new_response()
            self._done(f"Deleted “{title}”")

        self.spawn(run())

    def move_current(self, step: int) -> None:
        ids = [c.id for c in self.model.items()]
        if self.current_id not in ids:
            return
        at = ids.index(self.current_id)
        to = at + step
        if not 0 <= to < len(ids):
            return
        ids[at], ids[to] = ids[to], ids[at]

        async def run() -> None:
            await self.store.run(lambda s: canned.reorder(s, ids))
            self._done("Order saved")

        self.spawn(run())

    # -- files ------------------------------------------------------------------------------
    def choose_import(self) -> None:
        dialog = QFileDialog(self, "Import canned responses", "", "JSON (*.json)")
        _named(dialog, "cannedImportDialog", "Choose a file to import")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()

    def choose_export(self) -> None:
        dialog = QFileDialog(
            self, "Export canned responses", "canned-responses.json", "JSON (*.json)"
        )
        _named(dialog, "cannedExportDialog", "Choose where to export")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()

    def import_from(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.status.setText(f"Cannot read {path.name}: {exc}")
            return

        async def run() -> None:
            result = await self.store.run(lambda s: canned.import_json(s, text))
            summary = f"Imported {path.name}: {result.added} added, {result.updated} updated"
            if result.warnings:
                summary += "\n" + "\n".join("⚠ " + w for w in result.warnings)
            self._done(summary)

        self.spawn(run())

    def export_to(self, path: Path) -> None:
        with self.store.reader() as session:
            data = canned.export_json(session)
        try:
            path.write_text(data, encoding="utf-8")
        except OSError as exc:
            self.status.setText(f"Cannot write {path}: {exc}")
            return
        self.status.setText(f"Exported {self.model.rowCount()} responses to {path}")

    # -- plumbing ---------------------------------------------------------------------------
    def _done(self, text: str) -> None:
        self.reload()
        self.status.setText(text)
        self.changed.emit()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(coro, loop=self._loop)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.status.setText(f"Not saved: {exc}")
        else:
            log.error("canned responses change failed", exc_info=exc)
            self.status.setText(f"Failed: {exc}")

    async def settle(self) -> None:
        await self._tasks.settle()
