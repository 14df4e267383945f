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
import traceback
from collections.abc import Callable
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
    # for tests: take a first-run choice as if the user had clicked it
    parser.add_argument("--first-run-choice", choices=("demo",), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=None, help=argparse.SUPPRESS)
    # cold-start benchmark: print `first-paint <monotonic>` once the inbox shows rows, then quit
    parser.add_argument("--first-paint", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"Switchboard {version()}")
    args = parser.parse_args(argv)
    args.quit_after_set = args.quit_after is not None
    return args


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


# -- theme --------------------------------------------------------------------------------


def follow_system_scheme(app: Any) -> Callable[[Any], None]:
    """Light and dark follow the system while the app runs, not only at start."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from ui.theme import apply_theme

    def changed(scheme: Any) -> None:
        apply_theme(app, "dark" if scheme == Qt.ColorScheme.Dark else "light")

    QGuiApplication.styleHints().colorSchemeChanged.connect(changed)
    return changed


# -- main -----------------------------------------------------------------------------------


async def run_window(args: argparse.Namespace, window: Any) -> int:
    """Show the window, open the workspace into it, swap in the demo when asked, and on
    close: panels flush (before_close), running actions settle, sync stops, the store closes."""
    from ui.workspace import Workspace, open_demo, open_workspace

    closed = asyncio.Event()
    requests: asyncio.Queue[str] = asyncio.Queue()
    window.closed.connect(closed.set)
    window.demo_requested.connect(lambda: requests.put_nowait("demo"))
    install_crash_handler(lambda: window)
    window.show_message("Starting the demo…" if args.demo else "Opening the profile…")
    window.show()
    watch_reachability(window)
    workspace: Workspace = await open_workspace(args)
    if args.first_run_choice == "demo" and workspace.first_run:
        requests.put_nowait("demo")
    while True:
        if closed.is_set():
            break
        show_workspace(window, workspace)
        if args.quit_after is not None:
            asyncio.get_running_loop().call_later(args.quit_after, window.close)
            args.quit_after = None
        if args.first_paint:  # the bundle's cold-start benchmark (ui/first_paint.py)
            from ui.first_paint import report_first_paint

            report_first_paint(window)
            args.first_paint = False
        request = asyncio.ensure_future(requests.get())
        waiting = asyncio.ensure_future(closed.wait())
        await asyncio.wait({request, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not request.done():
            request.cancel()
            break
        if request.result() == "demo" and not (workspace.context and workspace.context.demo):
            window.show_message("Starting the demo…")
            await put_away(window, workspace)
            workspace = await open_demo(None)
            print("switchboard: opened the demo workspace", flush=True)
    if args.quit_after_set:  # a line for tests and scripts
        print(f"switchboard: closed showing {window.model.rowCount()} conversations", flush=True)
    await put_away(window, workspace)
    return 0


def show_workspace(window: Any, workspace: Any) -> None:
    window.set_source(workspace.source, workspace.reason or None, workspace.context)
    window.show_first_run(workspace.first_run)
    if window.current_id() is None and window.model.rowCount():
        window.select_row(0)  # open on the newest conversation: thread and composer ready
        window.table.setFocus()
    window.show_message(workspace.message)
    workspace.notify = window.show_message


async def put_away(window: Any, workspace: Any) -> None:
    await window.run_before_close()  # panels flush drafts while the store is still open
    await window.settle()
    window.set_source(None)
    await workspace.close()  # stops sync, then closes the store


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
    if args.theme == "system":
        follow_system_scheme(app)
    window = MainWindow()
    try:
        return int(run_qt(qasync, run_window(args, window)))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
