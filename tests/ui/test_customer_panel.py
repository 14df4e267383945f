"""The customer panel over a real store: identities, timeline across brands and platforms,
suggested merge (confirmed), split, tags, notes, export and erase."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton

from desktop.store import audit, customers, tags
from tests.ui.people_fixtures import People, people_fixture, unnamed  # noqa: F401
from ui.customer_panel import ConversationIdRole, CustomerPanel, TimelineModel


def _panel(qtbot, people: People) -> CustomerPanel:  # type: ignore[no-untyped-def]
    panel = CustomerPanel()
    qtbot.addWidget(panel)
    panel.resize(380, 900)
    panel.set_context(people.ctx)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _yes(box) -> QPushButton:  # type: ignore[no-untyped-def]
    return next(b for b in box.buttons() if b.objectName().endswith("Yes"))


def _handles(panel: CustomerPanel) -> list[str]:
    return [
        panel.identities.topLevelItem(i).text(0)
        for i in range(panel.identities.topLevelItemCount())
    ]


def test_timeline_model_passes_the_model_tester(qtmodeltester, people: People) -> None:
    with people.store.reader() as s:
        jane = customers.of_conversation(s, people.jane_m)
        entries = customers.timeline(s, jane)
    model = TimelineModel()
    model.set_entries(entries)
    qtmodeltester.check(model)
    assert model.index(0).data(ConversationIdRole) == people.jane_m


def test_suggested_merge_then_split_keep_the_timeline(qtbot, people: People) -> None:
    panel = _panel(qtbot, people)
    panel.show_conversation(people.jane_m)
    assert panel.name_label.text() == "Jane Doe"
    assert _handles(panel) == ["@jane_doe@mastodon.social"]
    assert panel.timeline_model.ids() == [people.jane_m]
    assert unnamed(panel) == []
    # a likely duplicate is suggested with its reasons (after the panel showed), never merged
    assert panel.matches.item(0).text() == "Looking for likely duplicates…"
    qtbot.waitUntil(lambda: panel.suggestions != [], timeout=3000)
    [match] = panel.suggestions
    with people.store.reader() as s:
        assert match.customer_id == customers.of_conversation(s, people.jane_x)
    assert "same name" in panel.matches.item(0).text() and "janedoe" in panel.matches.item(0).text()
    assert not panel.merge_button.isEnabled()
    panel.matches.setCurrentRow(0)
    box = panel.ask_merge()
    assert box is not None and "Jane Doe" in box.text() and "@janedoe on x" in box.informativeText()
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        _yes(box).click()
    qtbot.waitUntil(lambda: len(_handles(panel)) == 2, timeout=5000)
    assert panel.timeline_model.ids() == [people.jane_x, people.jane_m]  # newest first
    panel.wait_suggestions()
    assert panel.suggestions == []
    assert panel.matches.item(0).text() == "No likely duplicates."
    with qtbot.waitSignal(panel.open_conversation, timeout=1000) as opened:
        panel.timeline.activated.emit(panel.timeline_model.index(0))
    assert opened.args == [people.jane_x]
    # split the X identity out again
    panel.identities.setCurrentItem(panel.identities.topLevelItem(1))
    assert panel.split_button.isEnabled()
    box = panel.ask_split()
    assert box is not None
    _yes(box).click()
    qtbot.waitUntil(lambda: len(_handles(panel)) == 1, timeout=5000)
    assert panel.timeline_model.ids() == [people.jane_m]
    with people.store.reader() as s:
        trail = [e.action for e in audit.for_customer(s, panel.customer_id)]
    assert trail == ["merge", "split"]
    activity = [panel.activity.item(i).text() for i in range(panel.activity.count())]
    assert "Me split identity" in activity[0] and "Me merged customer" in activity[1]


def test_tags_and_customer_notes(qtbot, people: People) -> None:
    panel = _panel(qtbot, people)
    panel.show_conversation(people.bob)
    assert panel.name_label.text() == "Bob <b>Stone</b>"  # plain text
    assert panel.name_label.textFormat() is Qt.TextFormat.PlainText
    qtbot.keyClicks(panel.customer_tags.input, "VIP")
    qtbot.keyClick(panel.customer_tags.input, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.conversation_tags.input, "needs refund")
    qtbot.keyClick(panel.conversation_tags.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.conversation_tags.tags == ["needs-refund"], timeout=5000)
    qtbot.waitUntil(lambda: panel.customer_tags.tags == ["vip"], timeout=5000)
    with people.store.reader() as s:
        assert tags.for_conversation(s, people.bob) == ["needs-refund"]
    panel.customer_tags.findChild(QAbstractButton, "customerTagsRemove0").click()
    qtbot.waitUntil(lambda: panel.customer_tags.tags == [], timeout=5000)
    qtbot.keyClicks(panel.note_input, "Prefers DMs, speaks Portuguese")
    qtbot.keyClick(panel.note_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.note_cards.layout().count() == 1, timeout=5000)
    assert unnamed(panel) == []
    tip = panel.identities.topLevelItem(0).toolTip(0)
    assert tip == "<qt>Bob &lt;b&gt;Stone&lt;/b&gt; on Mastodon</qt>"
    # untrusted names stay text in the confirmation too
    box = panel.ask_erase()
    assert box is not None
    informative = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert "“Bob <b>Stone</b>”" in informative.text()
    assert informative.textFormat() is Qt.TextFormat.PlainText
    box.reject()


def test_export_and_erase(qtbot, people: People, tmp_path) -> None:
    panel = _panel(qtbot, people)
    panel.show_conversation(people.jane_x)
    out = tmp_path / "jane.json"
    panel.export_to(out)
    qtbot.waitUntil(out.exists, timeout=5000)
    qtbot.waitUntil(lambda: "Exported" in panel.summary_label.text(), timeout=5000)
    dump = json.loads(out.read_text(encoding="utf-8"))
    assert [m["text"] for m in dump["messages"]] == ["still late!"]
    assert dump["identities"][0]["handle"] == "janedoe"
    box = panel.ask_erase()
    assert box is not None
    detail = box.informativeText()
    assert "identity janedoe on x" in detail and "1 conversation(s) with 1 message(s)" in detail
    _yes(box).click()
    qtbot.waitUntil(lambda: panel.customer_id is None, timeout=5000)
    assert not panel.content.isVisible()
    with people.store.reader() as s:
        assert customers.of_conversation(s, people.jane_m) is not None  # the other Jane stays
        assert [e.action for e in audit.recent(s, limit=1)] == ["erase"]


def test_cancel_changes_nothing_and_empty_states(qtbot, people: People) -> None:
    panel = _panel(qtbot, people)
    assert panel.empty_label.text() == "No conversation selected."
    panel.show_conversation(people.jane_m)
    box = panel.ask_erase()
    assert box is not None
    box.reject()
    with people.store.reader() as s:
        assert customers.of_conversation(s, people.jane_m) == panel.customer_id
    panel.set_context(None)
    assert panel.empty_label.text() == "No workspace is open."


def test_profile_address_is_shown_and_only_web_links_open(qtbot, people: People) -> None:
    from sqlalchemy import text

    people.store.run_sync(
        lambda s: s.execute(text("UPDATE identities SET profile_url = 'javascript:alert(1)'"))
    )
    panel = _panel(qtbot, people)
    panel.show_conversation(people.jane_x)
    item = panel.identities.topLevelItem(0)
    panel.identities.setCurrentItem(item)
    assert panel.profile_label.text() == "Profile: javascript:alert(1)"
    assert panel.open_profile(item) is False
    assert panel.error.text() == "This identity has no web profile link."
