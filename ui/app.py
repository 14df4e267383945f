"""`switchboard`: the desktop app's entry point.

    switchboard [--profile DIR]     open the profile's inbox (default: the user data dir)
    switchboard --demo              the live demo: sandbox + real connectors syncing into a
                                    throw-away profile, shown in the inbox window
    switchboard --self-test         sync the demo, reply through the outbox, verify, exit 0

Order matters (DESIGN.md pitfalls): PySide6 is imported before qasync; the loop is run with
`asyncio.Runner(loop_factory=QEventLoop)` (asyncio.run(loop_factory=) needs 3.12, and
`qasync.run` on 3.11 sets a process-wide policy that breaks the sandbox's own loop thread);
shutdown happens in `main`'s coroutine after the window's `closed` signal, never in
`aboutToQuit`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from desktop.version import version

log = logging.getLogger("switchboard")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="switchboard")
    parser.add_argument("--profile", type=Path, help="profile folder (default: user data dir)")
    parser.add_argument("--demo", action="store_true", help="open the live demo workspace")
    parser.add_argument("--self-test", action="store_true", help="sync, reply, verify, exit")
    parser.add_argument(
        "--theme", choices=("system", "light", "dark"), default="system", help="colour scheme"
    )
    # for tests and screenshots: close the window after this many seconds
    parser.add_argument("--quit-after", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=None, help=argparse.SUPPRESS)
    # cold-start benchmark: print `first-paint <monotonic>` once the inbox shows rows, then quit
    parser.add_argument("--first-paint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"Switchboard {version()}")
    return parser.parse_args(argv)


# -- workspace ------------------------------------------------------------------------------


Closer = Callable[[], Awaitable[None]]


@dataclass
class Workspace:
    """What the window shows and how to put it away."""

    source: Any = None  # InboxSource | None
    context: Any = None  # ui.context.AppContext | None: store, engine, me for the panels
    reason: str = ""  # shown in the empty state when source is None
    closers: list[Closer] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:
                log.exception("shutdown step failed")


def keep_triage_current(store: Any, loop: asyncio.AbstractEventLoop) -> Closer:
    """Backfill triage, age due times and re-score what the user changes while the workspace
    is open (desktop/store/triage_upkeep.py); returns the closer that stops it."""
    from desktop.store.triage_upkeep import TriageUpkeep

    upkeep = TriageUpkeep(store)
    upkeep.start(loop)
    return upkeep.stop


async def open_workspace(args: argparse.Namespace) -> Workspace:
    """Open the demo or the profile's store; failures become an explanatory empty state."""
    try:
        from desktop.store import Store, accounts
        from desktop.store.paths import database_path
        from ui.context import AppContext
        from ui.data_source import StoreSource
    except ImportError as exc:  # a broken install: show it, do not crash
        log.exception("store unavailable")
        return Workspace(reason=f"The local store is not available in this build ({exc}).")
    loop = asyncio.get_running_loop()
    if args.demo:
        try:
            from desktop.demo import live
        except ImportError as exc:
            return Workspace(reason=f"The demo is not available in this build ({exc}).")
        profile = args.profile or Path(tempfile.mkdtemp(prefix="switchboard-demo-"))
        try:
            demo = await live.start(profile)
        except Exception as exc:
            log.exception("demo failed to start")
            return Workspace(reason=f"The demo could not start: {exc}")

        async def stop_demo() -> None:
            await live.stop(demo)

        source = StoreSource(demo.store, loop)
        context = AppContext(
            store=demo.store,
            loop=loop,
            engine=demo.engine,
            me_id=source.me_id,
            profile=profile,
            demo=True,
            sandbox_url=demo.sandbox.base_url,
        )
        closers = [stop_demo, keep_triage_current(demo.store, loop)]
        return Workspace(source=source, context=context, closers=closers)
    try:
        store = Store.open(database_path(args.profile))
    except Exception as exc:  # StoreError: locked, corrupt, newer schema...
        log.exception("store failed to open")
        return Workspace(reason=f"The profile could not be opened: {exc}")

    async def close_store() -> None:
        store.close()

    with store.reader() as session:
        connected = accounts.list_accounts(session)
    source = StoreSource(store, loop)
    context = AppContext(store=store, loop=loop, me_id=source.me_id, profile=args.profile)
    closers = [close_store, keep_triage_current(store, loop)]
    workspace = Workspace(source=source, context=context, closers=closers)
    if not connected:
        workspace.reason = (
            "No account is connected yet. Connect one with `python -m desktop accounts add`, "
            "or try the live demo: `switchboard --demo`."
        )
    return workspace


# -- crash handler --------------------------------------------------------------------------


def install_crash_handler(parent_getter: Callable[[], Any]) -> None:
    """Uncaught exceptions (Qt slots, callbacks, tasks) are logged and shown in a dialog."""

    def show(text: str) -> None:
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is None:
                return
            box = QMessageBox(parent_getter())
            box.setObjectName("crashDialog")
            box.setAccessibleName("Unexpected error")
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle("Switchboard — unexpected error")
            box.setTextFormat(__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.TextFormat.PlainText)
            box.setText("Something went wrong. Your data is safe; the details are in the log.")
            box.setDetailedText(text)
            box.open()  # never exec(): we may be inside the event loop's callbacks
        except Exception:
            log.exception("could not show the crash dialog")

    def excepthook(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        show("".join(traceback.format_exception(kind, value, tb)))

    def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is None:
            log.error("event loop: %s", context.get("message"))
            return
        log.critical("uncaught exception in a task", exc_info=exc)
        show("".join(traceback.format_exception(exc)))

    sys.excepthook = excepthook
    try:
        asyncio.get_running_loop().set_exception_handler(loop_handler)
    except RuntimeError:
        pass


# -- network reachability -------------------------------------------------------------------


def watch_reachability(window: Any) -> None:
    """Online/offline in the status bar from Qt's network information backend, if any."""
    try:
        from PySide6.QtNetwork import QNetworkInformation
    except ImportError:
        return
    try:
        if not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
    except Exception:
        return
    if info is None:
        return
    offline = QNetworkInformation.Reachability.Disconnected

    def update(reachability: Any) -> None:
        window.set_online(reachability != offline)

    info.reachabilityChanged.connect(update)
    update(info.reachability())


# -- main -----------------------------------------------------------------------------------


async def run_window(args: argparse.Namespace, window: Any) -> int:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    install_crash_handler(lambda: window)
    window.show_message("Starting the demo…" if args.demo else "Opening the profile…")
    window.show()
    watch_reachability(window)
    workspace = await open_workspace(args)
    if closed.is_set():
        await workspace.close()
        return 0
    window.set_source(workspace.source, workspace.reason or None, workspace.context)
    if workspace.source is not None and workspace.reason:
        window.show_message(workspace.reason)
    else:
        window.show_message("Demo workspace: live traffic from the sandbox" if args.demo else "")
    if args.quit_after is not None:
        asyncio.get_running_loop().call_later(args.quit_after, window.close)
    if args.first_paint:
        from ui.first_paint import report_first_paint

        report_first_paint(window)
    await closed.wait()
    if args.quit_after is not None:  # a line for tests and scripts
        print(f"switchboard: closed showing {window.model.rowCount()} conversations", flush=True)
    await window.run_before_close()  # panels flush drafts while the store is still open
    await window.settle()
    window.set_source(None)
    await workspace.close()  # stops sync, then closes the store
    return 0


def _setup_logging(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    if args.profile is not None:
        try:
            args.profile.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(args.profile / "switchboard.log", encoding="utf-8")
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
            )
            logging.getLogger().addHandler(handler)
        except OSError:
            log.warning("cannot write the log file in %s", args.profile)


def run_qt(qasync: Any, coro: Any) -> Any:
    """Run `coro` on a qasync loop for the Qt thread only.

    Not `qasync.run`: on Python 3.11 it installs a global event-loop *policy*, so every other
    thread's `asyncio.run` (the sandbox's uvicorn thread) would get a Qt loop too and fail.
    `asyncio.Runner(loop_factory=...)` (3.11+) scopes the Qt loop to this call.
    """
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(coro)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _setup_logging(args)
    if args.self_test and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the packaged smoke test
    os.environ.setdefault("QT_API", "pyside6")
    import PySide6  # noqa: F401  (before qasync, which picks its Qt binding at import)
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Switchboard")
    app.setOrganizationName("Switchboard")
    app.setQuitOnLastWindowClosed(False)  # main's coroutine decides when we are done

    if args.self_test:
        from desktop.demo import self_test

        # the engine's end-to-end check, run on the same qasync loop the window uses
        return int(run_qt(qasync, self_test.run(args.profile)))

    from ui.icons import app_icon
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    app.setWindowIcon(app_icon())
    apply_theme(app, args.theme)
    window = MainWindow()
    try:
        return int(run_qt(qasync, run_window(args, window)))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
