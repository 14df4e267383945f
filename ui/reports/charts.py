"""Report charts drawn with QPainter: no chart library (QtCharts would bring PySide6-Addons,
hundreds of MB). Each chart is a plain widget fed plain numbers; colours come from the
palette, so the light and the dark theme both work. Every chart has a table beside it in
the window (the same numbers, readable by screen readers and exportable as CSV).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.reports.tables import WEEKDAYS

INBOUND_COLOR = QColor("#3b82c4")
REPLY_COLOR = QColor("#e08a2e")
NEGATIVE_COLOR = QColor("#d64545")
POSITIVE_COLOR = QColor("#2f9e6a")
NEUTRAL_COLOR = QColor("#8a8f98")


class Chart(QWidget):
    """Shared frame: margins, axis colour, a 'no data' message."""

    empty_text = "No data in this range"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    def _axis(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _faint(self) -> QColor:
        c = QColor(self._axis())
        c.setAlpha(50)
        return c

    def _empty(self, p: QPainter) -> None:
        p.setPen(self._axis())
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)

    def has_data(self) -> bool:
        return False

    def tip_at(self, _pos: QPoint) -> str | None:
        return None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            assert isinstance(e, QHelpEvent)
            tip = self.tip_at(e.pos())
            if tip:
                QToolTip.showText(e.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)


def nice_axis(value: float) -> tuple[float, int]:
    """A round axis maximum >= value (1, 2, 5 x 10^k) and a tick count that keeps every
    tick a round number: 50 -> (50, 5) ticks of 10, 20 -> (20, 4) ticks of 5."""
    if value <= 1:
        return 1.0, 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for m in (1, 2, 5, 10):
        if m * step >= value:
            top = float(m * step)
            ticks = 4 if m == 2 else 5
            if top / ticks < 1:  # small counts: one tick per unit
                ticks = int(top)
            return top, ticks
    return 10 * step, 5


class DailyBars(Chart):
    """Inbound and replies per day, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[date, int, int]] = []

    def set_days(self, days: Sequence[tuple[date, int, int]]) -> None:
        self.days = list(days)
        self.update()

    def has_data(self) -> bool:
        return bool(self.days)

    def _plot(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("00000") + 10
        return QRectF(left, 28, self.width() - left - 10, self.height() - 28 - fm.height() - 10)

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if not self.days:
            self._empty(p)
            return
        plot = self._plot()
        top, ticks = nice_axis(max(max(i, r) for _d, i, r in self.days))
        fm = QFontMetrics(self.font())
        # grid and y labels
        for k in range(ticks + 1):
            y = plot.bottom() - plot.height() * k / ticks
            p.setPen(self._faint())
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            p.setPen(self._axis())
            label = f"{top * k / ticks:,.0f}"
            p.drawText(
                QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        slot = plot.width() / len(self.days)
        bar = max(1.0, slot * 0.4)
        for n, (_day, inbound, replies) in enumerate(self.days):
            x = plot.left() + n * slot + (slot - 2 * bar) / 2
            for value, color, dx in ((inbound, INBOUND_COLOR, 0.0), (replies, REPLY_COLOR, bar)):
                h = plot.height() * value / top
                p.fillRect(QRectF(x + dx, plot.bottom() - h, bar, h), color)
        # x labels: first, middle, last day
        p.setPen(self._axis())
        picks = sorted({0, len(self.days) // 2, len(self.days) - 1})
        for n in picks:
            x = plot.left() + n * slot + slot / 2
            text = self.days[n][0].strftime("%d %b")
            w = fm.horizontalAdvance(text)
            x = min(max(x - w / 2, plot.left()), plot.right() - w)
            p.drawText(QRectF(x, plot.bottom() + 4, w + 2, fm.height()), text)
        self._legend(p, [("Inbound", INBOUND_COLOR), ("Replies", REPLY_COLOR)])

    def _legend(self, p: QPainter, items: list[tuple[str, QColor]]) -> None:
        fm = QFontMetrics(self.font())
        x = self._plot().left()
        for label, color in items:
            p.fillRect(QRectF(x, 8, 12, 12), color)
            p.setPen(self._axis())
            p.drawText(QRectF(x + 16, 4, fm.horizontalAdvance(label) + 4, 20), label)
            x += 16 + fm.horizontalAdvance(label) + 16

    def tip_at(self, pos: QPoint) -> str | None:
        if not self.days:
            return None
        plot = self._plot()
        if not plot.contains(pos.toPointF()):
            return None
        n = int((pos.x() - plot.left()) / (plot.width() / len(self.days)))
        if not 0 <= n < len(self.days):
            return None
        day, inbound, replies = self.days[n]
        return f"{day.isoformat()}: {inbound:,} inbound, {replies:,} replies"


class HeatMap(Chart):
    """Inbound messages by weekday (rows) and local hour (columns)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cells: tuple[tuple[int, ...], ...] = tuple((0,) * 24 for _ in range(7))

    def set_cells(self, cells: Sequence[Sequence[int]]) -> None:
        self.cells = tuple(tuple(row) for row in cells)
        self.update()

    def has_data(self) -> bool:
        return any(any(row) for row in self.cells)

    def _grid(self) -> tuple[QRectF, float, float]:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("Wed") + 10
        plot = QRectF(left, 8, self.width() - left - 8, self.height() - 8 - fm.height() - 8)
        return plot, plot.width() / 24, plot.height() / 7

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        if not self.has_data():
            self._empty(p)
            return
        plot, cw, ch = self._grid()
        top = max(max(row) for row in self.cells)
        base = self.palette().color(QPalette.ColorRole.Base)
        fm = QFontMetrics(self.font())
        for d, row in enumerate(self.cells):
            for h, n in enumerate(row):
                rect = QRectF(plot.left() + h * cw, plot.top() + d * ch, cw - 1, ch - 1)
                p.fillRect(rect, _blend(base, INBOUND_COLOR, n / top if top else 0.0))
            p.setPen(self._axis())
            p.drawText(
                QRectF(0, plot.top() + d * ch, plot.left() - 6, ch),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                WEEKDAYS[d],
            )
        for h in range(0, 24, 3):
            p.drawText(
                QRectF(plot.left() + h * cw, plot.bottom() + 4, cw * 3, fm.height()),
                Qt.AlignmentFlag.AlignLeft,
                f"{h:02d}",
            )

    def tip_at(self, pos: QPoint) -> str | None:
        plot, cw, ch = self._grid()
        if not plot.contains(pos.toPointF()):
            return None
        h = int((pos.x() - plot.left()) / cw)
        d = int((pos.y() - plot.top()) / ch)
        if not (0 <= d < 7 and 0 <= h < 24):
            return None
        return f"{WEEKDAYS[d]} {h:02d}:00–{h + 1:02d}:00: {self.cells[d][h]:,} inbound"


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = max(0.0, min(1.0, t))
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


class SentimentBars(Chart):
    """Mean customer sentiment before and after our replies (diverging from zero), and how
    many conversations improved, stayed, worsened."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.before: float | None = None
        self.after: float | None = None
        self.moves = (0, 0, 0)  # improved, unchanged, worsened

    def set_values(
        self, before: float | None, after: float | None, moves: tuple[int, int, int]
    ) -> None:
        self.before, self.after, self.moves = before, after, moves
        self.update()

    def has_data(self) -> bool:
        return self.before is not None and self.after is not None

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        if not self.has_data():
            self._empty(p)
            return
        fm = QFontMetrics(self.font())
        left = max(fm.horizontalAdvance(t) for t in ("Before our reply", "Conversations")) + 14
        width = self.width() - left - 28
        mid = left + width / 2
        row = fm.height() + 14
        p.setPen(self._faint())
        p.drawLine(int(mid), 6, int(mid), 6 + 2 * row)
        for n, (label, value) in enumerate(
            (("Before our reply", self.before), ("After our reply", self.after))
        ):
            assert value is not None
            y = 8 + n * row
            w = width / 2 * max(-1.0, min(1.0, value))
            color = NEGATIVE_COLOR if value < 0 else POSITIVE_COLOR
            p.fillRect(QRectF(min(mid, mid + w), y, abs(w), row - 6), color)
            p.setPen(self._axis())
            p.drawText(
                QRectF(0, y, left - 8, row - 6),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            text = f"{value:+.2f}"
            tx = mid + w + 4 if value >= 0 else mid + w - fm.horizontalAdvance(text) - 4
            p.drawText(QRectF(tx, y, fm.horizontalAdvance(text) + 2, row - 6), text)
        # the axis: -1 ... 0 ... +1
        y = 8 + 2 * row
        for value, align in (
            (-1, Qt.AlignmentFlag.AlignLeft),
            (0, Qt.AlignmentFlag.AlignHCenter),
            (1, Qt.AlignmentFlag.AlignRight),
        ):
            x = mid + width / 2 * value
            p.drawText(QRectF(x - 20, y, 40, fm.height()), align, f"{value:+d}" if value else "0")
        # improved / unchanged / worsened as one stacked bar
        total = sum(self.moves)
        y += fm.height() + 16
        p.drawText(
            QRectF(0, y, left - 8, row - 6),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "Conversations",
        )
        x = float(left)
        for n, color, label in zip(
            self.moves,
            (POSITIVE_COLOR, NEUTRAL_COLOR, NEGATIVE_COLOR),
            ("improved", "unchanged", "worsened"),
            strict=True,
        ):
            w = width * n / total if total else 0.0
            p.fillRect(QRectF(x, y, w, row - 6), color)
            if n and fm.horizontalAdvance(f"{n:,} {label}") < w - 6:
                p.setPen(QColor("#ffffff"))
                p.drawText(QRectF(x, y, w, row - 6), Qt.AlignmentFlag.AlignCenter, f"{n:,} {label}")
            x += w
