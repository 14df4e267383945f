"""Screenshots of the reports window (and the list's Due and Priority columns) on a generated
demo workspace, under a real X server.

    python tests/ui/screenshot_reports.py OUT_DIR      (standalone: its own workspace)

screenshot_main.py calls `shoot_reports(store, out, settle)` on its workspace. Triage is
backfilled first, as the app's TriageUpkeep does when a workspace opens.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import PySide6  # noqa: F401  (before anything that might pull qasync)
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.store import Store, triage

Settle = Callable[..., None]


def _settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def backfill(store: Store) -> None:
    while store.run_sync(lambda s: triage.backfill(s, limit=5000)):
        pass


def shoot_reports(store: Store, out: Path, settle: Settle = _settle) -> list[str]:
    from ui.data_source import Sort, StoreSource
    from ui.main_window import MainWindow
    from ui.reports.window import ReportsWindow

    backfill(store)
    saved = []
    window = ReportsWindow(store)
    window.show()
    deadline = 200
    while window.report is None and deadline:
        settle(50)
        deadline -= 1
    settle()
    for index, name in ((0, "reports-volume"), (1, "reports-hours"), (2, "reports-sentiment")):
        window.tabs.setCurrentIndex(index)
        settle(150)
        window.grab().save(str(out / f"{name}.png"))
        saved.append(f"{name}.png")
    window.tabs.setCurrentIndex(4)
    settle(150)
    window.grab().save(str(out / "reports-breakdown.png"))
    saved.append("reports-breakdown.png")
    window.close()
    window.deleteLater()

    main = MainWindow(StoreSource(store))
    main.resize(1400, 860)
    main.show()
    main.filter_bar.set_sort(Sort.DUE)
    main.select_row(0)
    main.table.setFocus()
    settle()
    main.grab().save(str(out / "inbox-by-due.png"))
    saved.append("inbox-by-due.png")
    main.close()
    main.deleteLater()
    settle(50)
    return saved


def main() -> int:
    from desktop.demo.generator import generate
    from ui.theme import apply_theme

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    apply_theme(app, "light")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "switchboard.sqlite3")
        try:
            generate(store, int(sys.argv[2]) if len(sys.argv) > 2 else 20_000, seed=7)
            saved = shoot_reports(store, out)
        finally:
            store.close()
    print("saved", *saved)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
