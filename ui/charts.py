"""Two small charts drawn with QPainter: horizontal bars and (stacked) columns, with axis labels and values.

Why not QtCharts: it ships in PySide6-Addons, a much larger install than the PySide6-Essentials Kuaidan needs
for everything else. The dashboard needs three plain charts, which a hundred lines of painting draw well, with
the same fonts (Chinese included) as the rest of the window. Both widgets are pure views: give them values with
``set_data``; they keep nothing else, and show ``empty_text`` when there is nothing to draw.

A chart made ``clickable`` emits ``clicked`` with what was clicked (a bar's index; a column's category and series
indices) and shows a pointing hand over it: the dashboard opens the list behind a number that way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ui.qt.core import QPointF, QRectF, QSize, Qt, Signal
from ui.qt.gui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from ui.qt.widgets import QSizePolicy, QWidget

#: qualitative colours that stay apart when stacked (Tableau 10)
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
INK = QColor("#303133")
MUTED = QColor("#7a7f87")
GRID = QColor("#e6e8eb")
CARD = QColor("#ffffff")
BORDER = QColor("#dcdfe6")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the end of the bar
    color: str = PALETTE[0]


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: tuple[float, ...]  # one per category


def nice_step(span: float, ticks: int = 4, *, integer: bool = False) -> float:
    """A step of 1, 2 or 5 × 10^k so that about ``ticks`` steps cover ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(1.0, step) if integer else step


class _Chart(QWidget):
    """A white card with a title; subclasses paint the plot area, or the empty text when there is no data."""

    #: what was clicked: an int (a bar's index) or (category index, series index) for columns
    clicked = Signal(object)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = ""
        self.clickable = False
        self._hits: list[tuple[QRectF, object]] = []  # what was drawn where, at the last paint
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 220)

    def set_clickable(self, on: bool) -> None:
        self.clickable = on
        self.setMouseTracking(on)

    def hit(self, key: object, rect: QRectF) -> None:
        """Remember that ``rect`` shows ``key`` (called while painting)."""
        self._hits.append((QRectF(rect), key))

    def key_at(self, point: QPointF) -> object | None:
        for rect, key in reversed(self._hits):
            if rect.adjusted(-2, -4, 2, 2).contains(point):
                return key
        return None

    def point_of(self, key: object) -> QPointF | None:
        """The centre of what shows ``key`` (for tests: where to click), None if it is not drawn."""
        for rect, shown in self._hits:
            if shown == key:
                return rect.center()
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        key = self.key_at(event.position()) if self.clickable else None
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(key)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.clickable and self.key_at(event.position()) is not None
        if over:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def set_title(self, title: str) -> None:
        self.title = title
        self.update()

    def has_data(self) -> bool:
        raise NotImplementedError

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(self.font().pointSizeF() * 1.15)
        return font

    def title_fits(self) -> bool:
        """Whether the title shows whole at the chart's width (it ends in "…" otherwise)."""
        return QFontMetrics(self._title_font()).horizontalAdvance(self.title) <= self.width() - 2 - 28

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(QPen(BORDER, 1))
        p.setBrush(CARD)
        p.drawRoundedRect(card, 6, 6)
        title_font = self._title_font()
        p.setFont(title_font)
        p.setPen(INK)
        title_metrics = QFontMetrics(title_font)
        title_h = title_metrics.height()
        title_box = card.adjusted(14, 10, -14, 0)
        title = title_metrics.elidedText(self.title, Qt.TextElideMode.ElideRight, int(title_box.width()))
        p.drawText(title_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)  # "…" if too narrow
        p.setFont(self.font())
        self._hits = []
        area = card.adjusted(14, 10 + title_h + 10, -16, -12)
        if not self.has_data():
            p.setPen(MUTED)
            p.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
        else:
            self.paint_plot(p, area)
        p.end()

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        raise NotImplementedError


class HBarChart(_Chart):
    """One horizontal bar per item: label on the left, value text at the bar's end, a value axis below."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.bars: tuple[Bar, ...] = ()
        self.maximum: float | None = None  # fixed axis end (1.0 for a rate); None: from the data
        self.axis_format: Callable[[float], str] = lambda v: f"{v:g}"

    def set_data(self, bars: Sequence[Bar], *, maximum: float | None = None) -> None:
        self.bars = tuple(bars)
        self.maximum = maximum
        self.update()

    def has_data(self) -> bool:
        return bool(self.bars)

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetrics(self.font())
        label_w = min(area.width() * 0.35, max(fm.horizontalAdvance(b.label) for b in self.bars) + 12)
        text_w = max(fm.horizontalAdvance(b.text) for b in self.bars) + 10
        axis_h = fm.height() + 6
        plot = QRectF(
            area.left() + label_w, area.top(), area.width() - label_w - text_w, area.height() - axis_h
        )
        top = max(b.value for b in self.bars)
        if self.maximum is not None:
            end = self.maximum
            step = end / 4
        else:
            step = nice_step(top)
            end = max(step, math.ceil(top / step) * step)
        # value axis: grid lines and tick labels
        ticks = round(end / step)
        for i in range(ticks + 1):
            x = plot.left() + plot.width() * i / ticks
            p.setPen(QPen(GRID, 1))
            p.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
            p.setPen(MUTED)
            label = self.axis_format(step * i)
            w = fm.horizontalAdvance(label)
            p.drawText(
                QRectF(x - w / 2 - 2, plot.bottom() + 4, w + 4, fm.height()),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
        slot = plot.height() / len(self.bars)
        bar_h = min(26.0, slot * 0.62)
        for i, bar in enumerate(self.bars):
            y = plot.top() + slot * i + (slot - bar_h) / 2
            p.setPen(INK)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_w - 10))
            p.drawText(
                QRectF(area.left(), y, label_w - 10, bar_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            width = plot.width() * (min(bar.value, end) / end if end else 0)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(bar.color))
            p.drawRoundedRect(QRectF(plot.left(), y, max(width, 2.0), bar_h), 3, 3)
            self.hit(i, QRectF(area.left(), y, label_w + max(width, 2.0) + text_w, bar_h))
            p.setPen(INK)
            p.drawText(
                QRectF(plot.left() + width + 6, y, text_w, bar_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )
        p.setPen(QPen(MUTED, 1))
        p.drawLine(int(plot.left()), int(plot.top()), int(plot.left()), int(plot.bottom()))


class ColumnChart(_Chart):
    """Columns per category, the series stacked (totals on top) or side by side (``grouped``: each value on its
    column), a count axis on the left and a legend below. A click gives (category index, series index), the index
    in the series as given to :meth:`set_data`."""

    def __init__(self, title: str = "", parent: QWidget | None = None, *, grouped: bool = False) -> None:
        super().__init__(title, parent)
        self.grouped = grouped
        self.categories: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self._given: dict[int, int] = {}  # index in self.series -> index as given

    def set_data(self, categories: Sequence[str], series: Sequence[Series]) -> None:
        self.categories = tuple(categories)
        # a series with nothing in it only clutters the legend (a grouped chart keeps its places)
        kept = [(n, s) for n, s in enumerate(series) if self.grouped or any(s.values)]
        self.series = tuple(s for _, s in kept)
        self._given = {i: n for i, (n, _) in enumerate(kept)}
        self.update()

    def totals(self) -> list[float]:
        """What the axis must reach per category: the stack's height, or the tallest column of a group."""
        if self.grouped:
            return [max((s.values[i] for s in self.series), default=0.0) for i in range(len(self.categories))]
        return [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]

    def has_data(self) -> bool:
        return bool(self.categories) and any(self.totals())

    def _legend_rows(self, fm: QFontMetrics, width: float) -> list[list[tuple[Series, float]]]:
        rows: list[list[tuple[Series, float]]] = [[]]
        used = 0.0
        for s in self.series:
            w = 14 + 6 + fm.horizontalAdvance(s.name) + 16
            if rows[-1] and used + w > width:
                rows.append([])
                used = 0.0
            rows[-1].append((s, w))
            used += w
        return rows

    def paint_plot(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetrics(self.font())
        legend = self._legend_rows(fm, area.width())
        legend_h = len(legend) * (fm.height() + 4) + 6
        totals = self.totals()
        step = nice_step(max(totals), integer=True)
        end = max(step, math.ceil(max(totals) / step) * step)
        axis_w = fm.horizontalAdvance(f"{end:g}") + 10
        x_axis_h = fm.height() + 6
        plot = QRectF(area.left() + axis_w, area.top() + fm.height() + 2, area.width() - axis_w,
                      area.height() - legend_h - x_axis_h - fm.height() - 2)  # fmt: skip
        ticks = round(end / step)
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            p.setPen(QPen(GRID if i else MUTED, 1))
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            p.setPen(MUTED)
            p.drawText(QRectF(area.left(), y - fm.height() / 2, axis_w - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{step * i:g}")  # fmt: skip
        n = len(self.categories)
        slot = plot.width() / n
        col_w = min(36.0 * (len(self.series) if self.grouped else 1), slot * (0.8 if self.grouped else 0.64))
        # label every k-th category so the labels do not run into each other
        widest = max(fm.horizontalAdvance(c) for c in self.categories) + 8
        every = max(1, math.ceil(widest / slot))
        for i, category in enumerate(self.categories):
            x = plot.left() + slot * i + (slot - col_w) / 2
            base = plot.bottom()
            p.setPen(Qt.PenStyle.NoPen)
            if self.grouped:
                self._paint_group(p, fm, QRectF(x, plot.top(), col_w, plot.height()), i, end)
            for k, s in enumerate(self.series if not self.grouped else ()):
                h = plot.height() * s.values[i] / end
                if h > 0:
                    p.setBrush(QColor(s.color))
                    p.drawRect(QRectF(x, base - h, col_w, h))
                    self.hit((i, self._given[k]), QRectF(x, base - h, col_w, h))
                    base -= h
            if totals[i] and not self.grouped:
                p.setPen(INK)
                p.drawText(QRectF(x - 10, base - fm.height() - 1, col_w + 20, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, f"{totals[i]:g}")  # fmt: skip
            if i % every == 0 or (i == n - 1 and (n - 1) % every == 0):
                p.setPen(MUTED)
                p.drawText(QRectF(x + col_w / 2 - slot * every / 2, plot.bottom() + 4, slot * every, fm.height()),
                           Qt.AlignmentFlag.AlignCenter, category)  # fmt: skip
        y = area.bottom() - legend_h + 6
        for row in legend:
            x = area.left() + axis_w
            for s, w in row:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(s.color))
                p.drawRoundedRect(QRectF(x, y + (fm.height() - 12) / 2, 14, 12), 2, 2)
                p.setPen(INK)
                p.drawText(QRectF(x + 20, y, w - 20, fm.height()), Qt.AlignmentFlag.AlignVCenter, s.name)
                x += w
            y += fm.height() + 4

    def _paint_group(self, p: QPainter, fm: QFontMetrics, slot: QRectF, i: int, end: float) -> None:
        """Category ``i``'s columns side by side in ``slot``, each with its value on top (a zero: a thin line)."""
        w = slot.width() / max(1, len(self.series))
        for k, s in enumerate(self.series):
            value = s.values[i]
            h = max(slot.height() * value / end, 1.5)
            column = QRectF(slot.left() + w * k + 1, slot.bottom() - h, w - 2, h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(s.color))
            p.drawRect(column)
            if value:
                p.setPen(INK)
                p.drawText(QRectF(column.left() - 8, column.top() - fm.height() - 1, column.width() + 16, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, f"{value:g}")  # fmt: skip
            self.hit((i, self._given[k]), QRectF(column.left(), slot.top(), column.width(), slot.height()))
