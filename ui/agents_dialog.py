"""Tools > Colleagues…: the people and teams of this profile (handoff and assign targets).

Add a colleague or a team, rename in place (F2 or double-click), deactivate or bring back.
Nobody is deleted: notes, handoffs and the audit trail keep their names. The table is a
small Qt model over desktop.store.agents; every change goes through the writer thread and
the model re-reads on the store's "agent" change record.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.naming import named
from ui.notes.common import ChangeWatch, name_scrollbars, when, write

COLUMNS = ("Name", "Kind", "Status", "Added")
AgentIdRole = Qt.ItemDataRole.UserRole + 1
TeamRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class AgentsModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.agents: list[Any] = []
        self.error: str = ""
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        if self.ctx is None:
            self.agents = []
        else:
            from desktop.store import agents

            with self.ctx.store.reader() as s:
                self.agents = agents.list_all(s)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.agents):
            return None
        agent = self.agents[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return agent.name + (
                    " (me)" if agent.is_me and role == Qt.ItemDataRole.DisplayRole else ""
                )
            if col == 1:
                return "Team" if agent.is_team else "Person"
            if col == 2:
                return "Active" if agent.active else "Deactivated"
            if col == 3:
                return when(agent.created_at)
        if role == AgentIdRole:
            return agent.id
        if role == Qt.ItemDataRole.ForegroundRole and not agent.active:
            from PySide6.QtGui import QPalette
            from PySide6.QtWidgets import QApplication

            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.EditRole:
            return False
        if self.ctx is None:
            return False
        name = str(value).strip()
        agent = self.agents[index.row()]
        if not name or name == agent.name:
            return False
        from desktop.store import agents

        agent_id = agent.id
        write(self.ctx, lambda s: agents.rename(s, agent_id, name), failed=self._failed)
        return True

    def _failed(self, message: str) -> None:
        self.error = message
        self.reload()

    def agent_at(self, row: int) -> Any:
        return self.agents[row] if 0 <= row < len(self.agents) else None


class AgentsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "agentsDialog", "Colleagues and teams")
        self.setWindowTitle("Colleagues and teams")
        self.ctx = ctx
        self.model = AgentsModel(ctx, self)
        self._watch = ChangeWatch(self._reload, entities=("agent",))
        self._watch.watch(ctx)
        self.finished.connect(lambda _r: self._watch.stop())

        self.table = named(QTableView(), "agentsTable", "Colleagues and teams")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        named(self.table.horizontalHeader(), "agentsHeader", "Columns")
        name_scrollbars(self.table, "agentsTable", "Scroll colleagues")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.name = named(QLineEdit(), "newAgentName", "New colleague or team name")
        self.name.setPlaceholderText("Name of a colleague or team")
        self.name.returnPressed.connect(lambda: self.add(team=False))
        self.add_person = named(QPushButton("Add colleague"), "addColleagueButton", "Add colleague")
        self.add_person.clicked.connect(lambda: self.add(team=False))
        self.add_team = named(QPushButton("Add team"), "addTeamButton", "Add team")
        self.add_team.clicked.connect(lambda: self.add(team=True))
        self.rename_button = named(QPushButton("Rename"), "renameAgentButton", "Rename")
        self.rename_button.clicked.connect(self.rename_current)
        self.toggle = named(QPushButton("Deactivate"), "toggleAgentButton", "Deactivate")
        self.toggle.clicked.connect(self.toggle_current)
        close = named(QPushButton("Close"), "agentsClose", "Close")
        close.clicked.connect(self.accept)
        self.members_label = QLabel("Members")
        self.members_label.setObjectName("teamMembersLabel")
        self.members = named(QListWidget(), "teamMembers", "Team members")
        self.members.setMaximumHeight(110)
        name_scrollbars(self.members, "teamMembers", "Scroll team members")
        self.members.itemChanged.connect(self._member_toggled)
        self._filling = False
        self.error = named(QLabel(), "agentsError", "Problem")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        hint = QLabel(
            "Colleagues and teams can be assigned conversations and receive handoffs. "
            "Deactivated ones keep their name on the history they wrote."
        )
        hint.setWordWrap(True)
        hint.setObjectName("agentsHint")

        add_row = QHBoxLayout()
        add_row.addWidget(self.name, 1)
        add_row.addWidget(self.add_person)
        add_row.addWidget(self.add_team)
        row_actions = QHBoxLayout()
        row_actions.addWidget(self.rename_button)
        row_actions.addWidget(self.toggle)
        row_actions.addStretch(1)
        row_actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(add_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.members_label)
        layout.addWidget(self.members)
        layout.addWidget(self.error)
        layout.addLayout(row_actions)
        self.resize(560, 400)
        self._update_buttons()

    def _reload(self) -> None:
        current = self.current()
        self.model.reload()
        if self.model.error:
            self._fail(self.model.error)
            self.model.error = ""
        if current is not None:
            for row, agent in enumerate(self.model.agents):
                if agent.id == current.id:
                    self.table.selectRow(row)
        self._update_buttons()

    def current(self) -> Any:
        index = self.table.currentIndex()
        return self.model.agent_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        agent = self.current()
        self.rename_button.setEnabled(agent is not None)
        self.toggle.setEnabled(agent is not None and not agent.is_me)
        label = "Reactivate" if agent is not None and not agent.active else "Deactivate"
        self.toggle.setText(label)
        self.toggle.setAccessibleName(label)
        self._fill_members(agent)

    def _fill_members(self, team: Any) -> None:
        """A team's members as checkboxes (people only; ticking one writes at once)."""
        is_team = team is not None and team.is_team
        self.members.setVisible(is_team)
        self.members_label.setVisible(is_team)
        if not is_team:
            return
        from desktop.store import agents

        with self.ctx.store.reader() as s:
            inside = set(agents.members(s, team.id))
        self.members_label.setText(f"Members of {team.name} (they see its handoffs)")
        self._filling = True
        self.members.clear()
        for person in self.model.agents:
            if person.is_team or (not person.active and person.id not in inside):
                continue
            item = QListWidgetItem(person.name + (" (me)" if person.is_me else ""))
            item.setData(AgentIdRole, person.id)
            item.setData(TeamRole, team.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = person.id in inside
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.members.addItem(item)
        self._filling = False

    def _member_toggled(self, item: QListWidgetItem) -> Any:
        if self._filling:
            return None
        from desktop.store import agents

        team_id, agent_id = int(item.data(TeamRole)), int(item.data(AgentIdRole))
        member = item.checkState() == Qt.CheckState.Checked
        return write(
            self.ctx, lambda s: agents.set_member(s, team_id, agent_id, member), None, self._fail
        )

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def add(self, team: bool) -> Any:
        name = self.name.text().strip()
        if not name:
            self._fail("Type a name first.")
            return None
        from desktop.store import agents

        def done(agent: Any) -> None:
            self.name.clear()
            self.error.hide()
            self.model.reload()
            for row, a in enumerate(self.model.agents):
                if a.id == agent.id:
                    self.table.selectRow(row)

        return write(self.ctx, lambda s: agents.add(s, name, team=team), done, self._fail)

    def rename_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.table.edit(self.model.index(index.row(), 0))

    def toggle_current(self) -> Any:
        agent = self.current()
        if agent is None or agent.is_me:
            return None
        from desktop.store import agents

        agent_id, active = agent.id, not agent.active
        return write(
            self.ctx,
            lambda s: agents.set_active(s, agent_id, active),
            lambda _a: self._reload(),
            self._fail,
        )
