"""Hook notes, handoffs, assignment, colleagues and the customer panel into the main window.

`install_people(window)` (called once by MainWindow):
- the customer panel goes in the side area (View > Customer panel, Ctrl+I) and follows the
  conversation the user is on; opening a conversation from its timeline selects it;
- the notes strip goes under the thread (the conversation pane's notes area);
- `a` opens the assign chooser (me, colleagues, teams, unassigned, or hand off with a note)
  when a workspace is open; without one it keeps the window's "assign to me";
- Conversation > Hand off… (H) opens the handoff dialog; Tools > Colleagues… the agents dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout

from ui.agents_dialog import AgentsDialog
from ui.customer_panel import CustomerPanel
from ui.notes.assign_chooser import AssignChooser
from ui.notes.notes_strip import NotesStrip


@dataclass
class People:
    """What install_people added (tests and the window reach the pieces through it)."""

    window: Any
    panel: CustomerPanel
    strip: NotesStrip
    chooser: AssignChooser | None = None
    agents_dialog: AgentsDialog | None = None

    def open_assign(self) -> AssignChooser | None:
        w = self.window
        cid = w.current_id()
        if w.context is None or cid is None:
            w.act("assign")  # no workspace: the source's "assign to me"
            return None
        if self.chooser is not None:
            self.chooser.deleteLater()
        self.chooser = AssignChooser(w.context, cid, w)
        self.chooser.assigned.connect(self._assigned)
        self.chooser.open()
        self.chooser.activateWindow()
        self.chooser.filter.setFocus()
        return self.chooser

    def _assigned(self, _cid: int, agent_id: object) -> None:
        from desktop.store import agents

        w = self.window
        if agent_id is None:
            w.show_message("Unassigned")
            return
        if w.context is not None:
            with w.context.store.reader() as s:
                name = agents.get(s, int(agent_id)).name  # type: ignore[call-overload]
            w.show_message(
                "Assigned to you" if agent_id == w.context.me_id else f"Assigned to {name}"
            )

    def open_handoff(self) -> Any:
        w = self.window
        cid = w.current_id()
        if w.context is None or cid is None:
            return None
        if self.strip.conversation_id != cid:
            self.strip.set_conversation(cid)
        dialog = self.strip.open_handoff()
        if dialog is not None:
            dialog.handed.connect(lambda _c, _t: w.show_message("Handed off"))
        return dialog

    def open_agents(self) -> AgentsDialog | None:
        w = self.window
        if w.context is None:
            w.show_message("Open a workspace first")
            return None
        if self.agents_dialog is not None:
            self.agents_dialog.deleteLater()
        self.agents_dialog = AgentsDialog(w.context, w)
        self.agents_dialog.open()
        return self.agents_dialog

    def open_conversation(self, conversation_id: int) -> None:
        """From the customer timeline: select it in the list, widening the view if needed."""
        from ui.data_source import View

        w = self.window
        if w.select_id(conversation_id):
            return
        if hasattr(w, "clear_filters"):
            w.clear_filters()
        w.go(View.ALL)
        if not w.select_id(conversation_id):
            w.show_message(f"Conversation {conversation_id} is not in the list")


def install_people(window: Any) -> People:
    panel = CustomerPanel()
    strip = NotesStrip()
    people = People(window, panel, strip)
    window.add_side_widget(panel)
    pane = getattr(window, "conversation_pane", None)
    if pane is not None and hasattr(pane, "add_notes_widget"):
        pane.add_notes_widget(strip)
        # the handoff note goes above the thread: the first thing its receiver reads
        column = pane.notes_area.parentWidget().layout()
        if isinstance(column, QBoxLayout):
            column.insertWidget(0, strip.banner)
    window.conversation_changed.connect(panel.show_conversation)
    window.conversation_changed.connect(strip.set_conversation)
    window.context_changed.connect(panel.set_context)
    window.context_changed.connect(strip.set_context)
    panel.set_context(window.context)
    strip.set_context(window.context)
    # stop listening to the store when the window closes (the loop may go before the store)
    if hasattr(window, "closed"):
        window.closed.connect(lambda: panel.set_context(None))
        window.closed.connect(lambda: strip.set_context(None))
    panel.open_conversation.connect(people.open_conversation)

    assign = window.shortcuts["assign"]
    assign.triggered.disconnect()
    assign.triggered.connect(lambda _checked=False: people.open_assign())
    assign.setText("&Assign…")
    assign.setToolTip("Assign to me, a colleague or a team, or hand off")
    assign.setStatusTip(assign.toolTip())

    handoff = QAction("&Hand off…", window)
    handoff.setObjectName("shortcut_handoff")
    handoff.setShortcut(QKeySequence("H"))
    handoff.setToolTip("Hand off to a colleague or team with a note")
    handoff.setStatusTip(handoff.toolTip())
    handoff.triggered.connect(lambda _checked=False: people.open_handoff())
    menu = window.menus["Conversation"]
    actions = menu.actions()
    after = actions.index(assign) + 1 if assign in actions else len(actions)
    if after < len(actions):
        menu.insertAction(actions[after], handoff)  # Assign…, Hand off…
    else:
        menu.addAction(handoff)
    window.addAction(handoff)
    window.shortcuts["handoff"] = handoff

    colleagues = QAction("&Colleagues…", window)
    colleagues.setObjectName("action_colleagues")
    colleagues.setToolTip("Add, rename or deactivate colleagues and teams")
    colleagues.triggered.connect(lambda _checked=False: people.open_agents())
    window.tools_menu.addAction(colleagues)
    return people
