"""The entry point, end to end in a subprocess (offscreen): opens, shows, shuts down cleanly."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.domain.enums import Platform
from ui.app import parse_args


def _run(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ui.app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_arguments():
    args = parse_args(["--profile", "/tmp/p", "--demo", "--theme", "dark"])
    assert args.profile == Path("/tmp/p") and args.demo and args.theme == "dark"
    assert not args.self_test


def test_an_empty_profile_opens_and_closes(tmp_path):
    done = _run("--profile", str(tmp_path / "profile"), "--quit-after", "0.5")
    assert done.returncode == 0, done.stderr
    assert "closed showing 0 conversations" in done.stdout
    assert (tmp_path / "profile" / "switchboard.sqlite3").exists()


def test_a_locked_or_broken_profile_shows_a_reason_not_a_crash(tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "switchboard.sqlite3").write_bytes(b"not a database at all" * 100)
    done = _run("--profile", str(profile), "--quit-after", "0.5")
    assert done.returncode == 0, done.stderr
    assert "store failed to open" in (profile / "switchboard.log").read_text()
    assert "closed showing 0 conversations" in done.stdout


@pytest.mark.timeout(180)
def test_demo_opens_a_live_inbox(tmp_path):
    done = _run("--demo", "--profile", str(tmp_path / "demo"), "--quit-after", "8")
    assert done.returncode == 0, done.stderr
    shown = int(done.stdout.split("closed showing ")[1].split()[0])
    assert shown > 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.timeout(180)
def test_first_run_can_open_the_demo(tmp_path):
    data = tmp_path / "data"  # the throw-away demo keeps its layout in the user data dir
    done = _run(
        "--profile",
        str(tmp_path / "empty"),
        "--first-run-choice",
        "demo",
        "--quit-after",
        "12",
        env={"XDG_DATA_HOME": str(data)},
    )
    assert done.returncode == 0, done.stderr
    assert "opened the demo workspace" in done.stdout
    shown = int(done.stdout.split("closed showing ")[1].split()[0])
    assert shown > 100, done.stdout + done.stderr  # the generated past, at least
    assert (data / "Switchboard" / "demo-layout" / "switchboard.ini").exists()
    assert "Traceback" not in done.stderr


@pytest.mark.keyring
@pytest.mark.timeout(120)
def test_a_real_profile_syncs_its_accounts_with_keyring_tokens(tmp_path, secret_service):
    """start_sync: tokens from the real keyring, one worker per active account; an account
    without a token is reported as needing sign-in, the others sync."""
    from desktop.platforms.registry import platform_module
    from desktop.sandbox.server import SandboxServer
    from desktop.secrets import SecretStore
    from desktop.store import Store, accounts, inbox
    from desktop.sync.account_state import Phase
    from ui.workspace import start_sync

    sandbox = SandboxServer(seed=4, traffic_rate_per_min=0)
    sandbox.start()
    store = Store.open(tmp_path / "p" / "switchboard.sqlite3")

    async def scenario() -> None:
        connection = await platform_module(Platform.MASTODON).connect_sandbox(sandbox.base_url)

        def save(session):  # type: ignore[no-untyped-def]
            brand = accounts.ensure_brand(session, "Acme")
            accounts.ensure_me(session)
            good = accounts.add_account(
                session,
                brand_id=brand.id,
                platform=connection.platform,
                handle=connection.handle,
                base_url=connection.base_url,
                platform_user_id=connection.platform_user_id,
                settings=dict(connection.settings),
            )
            orphan = accounts.add_account(
                session,
                brand_id=brand.id,
                platform=Platform.BLUESKY,
                handle="lost.bsky.social",
                base_url="http://127.0.0.1:9/bluesky",
            )
            return good, orphan

        good, orphan = await store.run(save)
        SecretStore(profile=store.profile_id).save(good.id, connection.credentials)
        with store.reader() as s:
            connected = accounts.list_accounts(s)
        engine, problem = await start_sync(store, connected)
        try:
            assert problem == ""
            assert set(engine.workers) == {good.id}
            assert engine.states.get(orphan.id).phase is Phase.NEEDS_REAUTH
            for _ in range(200):
                with store.reader() as s:
                    if inbox.count(s, inbox.InboxFilter(account_id=good.id)):
                        break
                await asyncio.sleep(0.1)
            with store.reader() as s:
                assert inbox.count(s, inbox.InboxFilter(account_id=good.id)) > 0
        finally:
            await engine.stop()

    try:
        asyncio.run(scenario())
    finally:
        store.close()
        sandbox.stop()


def test_an_uncaught_error_is_logged_and_shown(qtbot, caplog):
    """The crash handler: logged at CRITICAL with the traceback, and a dialog (opened with
    open(), never exec()) shows it as plain text."""
    import sys

    from PySide6.QtWidgets import QMessageBox, QWidget

    from ui.app import install_crash_handler

    parent = QWidget()
    qtbot.addWidget(parent)
    saved = sys.excepthook
    try:
        install_crash_handler(lambda: parent)
        try:
            raise ValueError("<b>boom</b>")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    assert any(r.levelname == "CRITICAL" and r.exc_info for r in caplog.records)
    box = parent.findChild(QMessageBox, "crashDialog")
    assert box is not None and box.isVisible()
    assert "<b>boom</b>" in box.detailedText()
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def test_the_theme_follows_the_system_while_running(qapp):
    from PySide6.QtGui import QGuiApplication

    from ui.app import follow_system_scheme
    from ui.theme import apply_theme

    apply_theme(qapp, "light")
    slot = follow_system_scheme(qapp)
    hints = QGuiApplication.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # as the platform would
        assert qapp.property("switchboard_scheme") == "dark"
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert qapp.property("switchboard_scheme") == "light"
    finally:
        hints.colorSchemeChanged.disconnect(slot)
        apply_theme(qapp, "light")


def test_a_workspace_opens_on_its_first_conversation(qtbot, memory_source):
    from ui.app import show_workspace
    from ui.main_window import MainWindow
    from ui.workspace import Workspace

    window = MainWindow()
    qtbot.addWidget(window)
    show_workspace(window, Workspace(source=memory_source, message="Ready"))
    assert window.current_id() == window.model.id_at(0)
    assert window.thread.conversation_id == window.model.id_at(0)
    assert window.message_label.text() == "Ready"
    assert memory_source.rows([window.current_id()])[0].unread  # selecting is not reading
