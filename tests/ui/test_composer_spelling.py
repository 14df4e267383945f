"""Spell checking in the composer (pyenchant over a Hunspell dictionary): misspelt words are
underlined where they are (also after an emoji), handles, tags, URLs and placeholders are
left alone, suggestions replace the word, Ignore and the Spelling switch silence it."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat

from tests.ui.composer_support import build
from ui.composer.composer import Composer
from ui.composer.spelling import load

SPELL = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


@pytest.fixture
def ws(tmp_path):
    w = build(tmp_path / "profile" / "switchboard.sqlite3")
    yield w
    w.store.close()


@pytest.fixture
def composer(ws, qloop, qtbot):
    c = Composer()
    qtbot.addWidget(c)
    c.set_context(ws.context(qloop))
    c.set_conversation(ws.conversations["bluesky"])
    qtbot.waitUntil(lambda: c.spell is not None, timeout=10_000)
    yield c
    c.autosaver.cancel()


def _underlined(composer):  # type: ignore[no-untyped-def]
    block = composer.editor.document().firstBlock()
    text = block.text().encode("utf-16-le")
    return [
        text[2 * f.start : 2 * (f.start + f.length)].decode("utf-16-le")
        for f in block.layout().formats()
        if f.format.underlineStyle() == SPELL
    ]


def test_a_dictionary_is_installed():
    checker, why = load("en_US")
    assert checker is not None, why
    assert checker.check("answer") and not checker.check("anwser")


def test_misspelt_words_are_underlined_but_not_handles_urls_or_placeholders(composer):
    composer.editor.setPlainText(
        "👍 Thanks for teh help @xenaq #refnd https://exmaple.com/pth {customer.frist_name} ok"
    )
    assert _underlined(composer) == ["teh"]  # at the right place after a 2-unit emoji
    assert composer.spelling_button.isEnabled() and composer.spelling_button.isChecked()
    assert "en_US" in composer.spelling_button.toolTip()


def test_a_suggestion_replaces_the_word(composer):
    composer.editor.setPlainText("We recieved your message")
    position = len("We reci")
    actions = composer.spelling_actions(position)
    assert "received" in [a.text() for a in actions]
    next(a for a in actions if a.text() == "received").trigger()
    assert composer.editor.toPlainText() == "We received your message"
    assert _underlined(composer) == []
    assert composer.spelling_actions(len("We rec")) == []  # nothing to offer on a good word


def test_ignore_and_switching_off(composer):
    composer.editor.setPlainText("Greetings from Zorblaxia and teh team")
    assert _underlined(composer) == ["Zorblaxia", "teh"]
    ignore = composer.spelling_actions(len("Greetings from Zorb"))[-1]
    assert ignore.text() == "Ignore “Zorblaxia”"
    ignore.trigger()
    assert _underlined(composer) == ["teh"]
    composer.spelling_button.setChecked(False)
    assert _underlined(composer) == []
    assert composer.spelling_actions(len("Greetings from Zorblaxia and te")) == []


def test_the_context_menu_offers_the_suggestions_first(composer, qtbot):
    from PySide6.QtWidgets import QMenu

    composer.show()
    composer.editor.setPlainText("teh")
    rect = composer.editor.cursorRect(composer.editor.textCursor())
    composer._context_menu(rect.center())
    menu = composer.findChild(QMenu, "composerContextMenu")
    assert menu is not None and menu.isVisible()
    assert menu.actions()[0].text() == "the"
    assert any(a.text().startswith("Ignore") for a in menu.actions())
    assert any("Paste" in a.text() for a in menu.actions())  # the standard edit actions stay
    menu.close()
