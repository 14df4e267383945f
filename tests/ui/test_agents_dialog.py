"""Tools > Colleagues…: add people and teams, rename in place, deactivate and bring back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.store import agents
from tests.ui.people_fixtures import People, people_fixture, unnamed  # noqa: F401
from ui.agents_dialog import AgentsDialog, AgentsModel


def _names(dialog: AgentsDialog) -> list[str]:
    m = dialog.model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, people: People) -> None:
    model = AgentsModel(people.ctx)
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.index(0, 0).data() == "Me (me)"
    assert model.index(2, 1).data() == "Team"


def test_add_rename_deactivate(qtbot, people: People) -> None:
    dialog = AgentsDialog(people.ctx)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert unnamed(dialog) == []
    assert _names(dialog) == ["Me (me)", "Sam", "Customer care"]
    qtbot.keyClicks(dialog.name, "Ana Lima")
    qtbot.mouseClick(dialog.add_person, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Ana Lima" in _names(dialog), timeout=5000)
    qtbot.waitUntil(lambda: dialog.name.text() == "", timeout=5000)
    qtbot.keyClicks(dialog.name, "Legal")
    qtbot.mouseClick(dialog.add_team, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Legal" in _names(dialog), timeout=5000)
    qtbot.waitUntil(lambda: dialog.name.text() == "", timeout=5000)
    assert dialog.current().name == "Legal" and dialog.current().is_team
    # duplicate names are refused with the store's reason
    dialog.name.setText("Sam")
    dialog.add(team=False)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert "already" in dialog.error.text()
    # rename in place
    row = _names(dialog).index("Ana Lima")
    assert dialog.model.setData(dialog.model.index(row, 0), "Ana L.")
    qtbot.waitUntil(lambda: "Ana L." in _names(dialog), timeout=5000)
    # deactivate, then bring back
    dialog.table.selectRow(_names(dialog).index("Ana L."))
    assert dialog.toggle.text() == "Deactivate"
    qtbot.mouseClick(dialog.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.toggle.text() == "Reactivate", timeout=5000)
    with people.store.reader() as s:
        assert "Ana L." not in [a.name for a in agents.handoff_targets(s)]
        ana = next(a for a in agents.list_all(s) if a.name == "Ana L.")
    assert not ana.active and len(ana.uid) == 36
    qtbot.mouseClick(dialog.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.toggle.text() == "Deactivate", timeout=5000)
    # me cannot be deactivated
    dialog.table.selectRow(0)
    assert not dialog.toggle.isEnabled()


def test_team_members_are_ticked_in_the_dialog(qtbot, people: People) -> None:
    dialog = AgentsDialog(people.ctx)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    assert not dialog.members.isVisible()
    dialog.table.selectRow(_names(dialog).index("Customer care"))
    assert dialog.members.isVisible()
    rows = [dialog.members.item(i).text() for i in range(dialog.members.count())]
    assert rows == ["Me (me)", "Sam"]
    assert unnamed(dialog) == []
    dialog.members.item(1).setCheckState(Qt.CheckState.Checked)

    def members() -> list[int]:
        with people.store.reader() as s:
            return agents.members(s, people.w.care)

    qtbot.waitUntil(lambda: members() == [people.w.sam], timeout=5000)
