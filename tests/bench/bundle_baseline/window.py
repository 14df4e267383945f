"""The cold-start baseline: the smallest PySide6 window with a list, bundled like Switchboard.

Prints `first-paint <time.monotonic()>` once its table is painted with rows, then quits; the
same line and the same measurement as `switchboard --first-paint` (ui/first_paint.py).
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


class Probe(QObject):
    def __init__(self, window: QMainWindow, table: QTableView) -> None:
        super().__init__(window)
        self.window = window
        self.table = table
        self.seen = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() == QEvent.Type.Paint:
            self.seen = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self) -> None:
        print(f"first-paint {time.monotonic():.6f} {time.process_time():.6f}", flush=True)
        self.window.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    model = QStandardItemModel(50, 3)
    for row in range(50):
        for col in range(3):
            model.setItem(row, col, QStandardItem(f"row {row} column {col}"))
    table = QTableView()
    table.setModel(model)
    window = QMainWindow()
    window.setWindowTitle("Baseline")
    window.setCentralWidget(table)
    window.resize(1200, 800)
    Probe(window, table)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
