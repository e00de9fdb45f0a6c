"""One time component for every analysis over time (the timeline dock, the ride-through):
small plots sharing the time axis, a cursor on each, a slider and play/pause. It knows
nothing of what it plots; ``moved(k)`` says which sample the user chose. A panel given an
SI unit (``units=``) is titled and drawn in the current unit system (°F curves of °C
values); ``refresh_units()`` redraws it after View > Units."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget
from PySide6.QtCore import Qt

from twin.gui.base.charts import compact_plot
from twin.gui.base.style import COLOURS
from twin.model import units as fmt

#: A curve: its legend name (or None), its values per sample, its colour and width.
Curve = tuple[str | None, np.ndarray, QColor | str, float]


class TimeStrip(QWidget):
    """Plots in a grid of ``columns`` with a shared cursor, a slider over the samples and
    a play button that steps through them every ``interval_ms``."""

    moved = Signal(int)

    def __init__(self, panels: Sequence[str], x_label: str = "time", height: int = 120,
                 columns: int = 1, interval_ms: int = 400, parent: QWidget | None = None,
                 units: Sequence[str] = ()):
        super().__init__(parent)
        self.titles = list(panels)
        self.units = [*units, *[""] * (len(panels) - len(units))]
        self._data: tuple | None = None
        self.x = np.zeros(0)
        self.labels: list[str] = []
        self.label_of: Callable[[int], str] = lambda k: self.labels[k] if self.labels else f"{self.x[k]:g}"
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.plots: list[pg.PlotWidget] = []
        self.cursors: list[pg.InfiniteLine] = []
        for n, title in enumerate(panels):
            p = compact_plot(x_label, "", height=height)
            p.getPlotItem().setTitle(fmt.heading(title, self.units[n]), size="8pt",
                                     color=COLOURS["dim_text"])
            p.getPlotItem().addLegend(offset=(-4, 4), labelTextColor=COLOURS["text"])
            cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(COLOURS["link"], width=1.5))
            cursor.setVisible(False)
            p.addItem(cursor)
            self.plots.append(p)
            self.cursors.append(cursor)
            grid.addWidget(p, n // columns, n % columns)
        row = QHBoxLayout()
        self.play_button = QPushButton("\u25b6 Play")
        self.play_button.setCheckable(True)
        self.play_button.setEnabled(False)
        self.play_button.toggled.connect(self._on_play)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._on_slider)
        self.position = QLabel("\u2014")
        self.position.setMinimumWidth(90)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(grid, 0, 0)
        outer.addLayout(row, 1, 0)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._step)

    def set_data(self, x: np.ndarray, curves: Sequence[Sequence[Curve]],
                 limits: Sequence[float | None] = (), labels: Sequence[str] = ()) -> None:
        """Samples at ``x``; ``curves[n]`` are plot n's curves, ``limits[n]`` a dashed line
        (values in the panel's SI unit)."""
        self.x = np.asarray(x, dtype=float)
        self.labels = list(labels)
        self._data = (curves, limits)
        self._plot(curves, limits)
        n = len(self.x)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(n - 1, 0))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 0)
        self.play_button.setEnabled(n > 1)
        for c in self.cursors:
            c.setVisible(False)
        self.position.setText("\u2014")

    def refresh_units(self) -> None:
        """Titles and curves in the current unit system; the cursor stays where it is."""
        for n, p in enumerate(self.plots):
            p.getPlotItem().setTitle(fmt.heading(self.titles[n], self.units[n]), size="8pt",
                                     color=COLOURS["dim_text"])
        if self._data is not None:
            self._plot(*self._data)

    def _plot(self, curves: Sequence[Sequence[Curve]], limits: Sequence[float | None]) -> None:
        for n, p in enumerate(self.plots):
            unit = self.units[n]
            item = p.getPlotItem()
            for it in list(item.listDataItems()):
                item.removeItem(it)
            for it in [i for i in item.items if isinstance(i, pg.InfiniteLine)
                       and i not in self.cursors]:
                item.removeItem(it)
            if item.legend is not None:
                item.legend.clear()
            ys = [fmt.scale_value(unit, np.asarray(y, dtype=float))
                  for _nm, y, _c, _w in (curves[n] if n < len(curves) else ())]
            for (name, _y, colour, width), y in zip(curves[n] if n < len(curves) else (), ys):
                item.plot(self.x, y, name=name, pen=pg.mkPen(colour, width=width))
            finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.zeros(0)
            if finite.size:          # a flat series: a readable range, not round-off noise
                lo, hi = float(finite.min()), float(finite.max())
                mid, half = (lo + hi) / 2, max((hi - lo) / 2, 0.01 * abs((lo + hi) / 2), 1e-3)
                item.getViewBox().setYRange(mid - 1.1 * half, mid + 1.1 * half, padding=0)
            lim = limits[n] if n < len(limits) else None
            if lim is not None and np.isfinite(lim):
                item.addLine(y=fmt.scale_value(unit, lim),
                             pen=pg.mkPen(COLOURS["error"], style=Qt.PenStyle.DashLine))

    def set_index(self, k: int) -> None:
        """Move the cursor (and the slider) to sample ``k``; emits ``moved``."""
        if self.slider.value() == k:
            self._on_slider(k)
        else:
            self.slider.setValue(k)

    @property
    def index(self) -> int:
        return self.slider.value()

    def _on_slider(self, k: int) -> None:
        if not len(self.x):
            return
        for c in self.cursors:
            c.setValue(float(self.x[k]))
            c.setVisible(True)
        self.position.setText(self.label_of(k))
        self.moved.emit(k)

    def _on_play(self, on: bool) -> None:
        self.play_button.setText("\u275a\u275a Pause" if on else "\u25b6 Play")
        if on:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self.timer.start()
        else:
            self.timer.stop()

    def _step(self) -> None:
        k = self.slider.value() + 1
        if k > self.slider.maximum():
            self.play_button.setChecked(False)
            return
        self.slider.setValue(k)

    def stop(self) -> None:
        self.play_button.setChecked(False)
