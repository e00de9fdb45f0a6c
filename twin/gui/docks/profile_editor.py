"""A 24-hour load-profile editor: drag across the bars to paint factors, or pick an hour and
type its factor; presets for common daily shapes.

The editor owns no model state: ``set_profile`` shows a workload's profile and
``committed(profile)`` reports a finished edit (one per click, drag, typed value or preset;
an empty tuple means "no profile", i.e. flat). While a drag is in progress the bars preview
the new values; the owner turns each ``committed`` into one undoable command.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from twin.gui.base.charts import AXIS_PEN, compact_plot

HOURS = 24
MAX_FACTOR = 1.5        # the file schema's upper bound for a profile factor
STEP = 0.05
#: Named daily shapes (factor per hour, 00:00 first). "Flat" clears the profile.
PRESETS: dict[str, tuple[float, ...]] = {
    "Flat": (),
    "Daytime serving": (0.35, 0.3, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8, 0.95, 1.0, 1.0,
                        1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 0.85, 0.75, 0.6, 0.5, 0.4),
    "Night batch": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.5, 0.4, 0.4, 0.4, 0.4,
                    0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.5, 0.6, 0.8, 1.0, 1.0),
}
PRESET_TIPS = {
    "Flat": "No profile: every hour runs at the workload's utilisation",
    "Daytime serving": "Inference that follows users: busy 10:00\u201317:00, quiet at night",
    "Night batch": "Batch jobs that fill the night: full 22:00\u201306:00, 40 % by day",
}
BAR = QColor("#5b8def")
BAR_FLAT = QColor("#4a5566")
BAR_SELECTED = QColor("#a9c6ff")


class _PaintBox(pg.ViewBox):
    """View box whose left button paints bar heights (click or drag)."""

    def __init__(self, owner: "ProfileEditor"):
        super().__init__(enableMenu=False)
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        p = self.mapToView(ev.pos())
        self._owner.paint_at(p.x(), p.y(), start=True, finish=True)

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        if ev.isStart():   # the stroke begins where the button went down
            p0 = self.mapToView(ev.buttonDownPos())
            self._owner.paint_at(p0.x(), p0.y(), start=True, finish=False)
        p = self.mapToView(ev.pos())
        self._owner.paint_at(p.x(), p.y(), start=False, finish=ev.isFinish())

    def wheelEvent(self, ev, axis=None) -> None:
        ev.ignore()


class ProfileEditor(QWidget):
    """Edit 24 hourly load factors; emits ``committed(profile)`` once per finished edit."""

    committed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.values = np.ones(HOURS)
        self.flat = True
        self.hour = 12
        self._last_hour: int | None = None

        self.plot = compact_plot("Hour of day", "Load factor", height=120,
                                 view_box=_PaintBox(self))
        self.plot.setToolTip("Click or drag across the bars to set each hour's load factor "
                             "(1 = the workload's utilisation)")
        item = self.plot.getPlotItem()
        item.setXRange(0, HOURS, padding=0)
        item.setYRange(0, MAX_FACTOR, padding=0)
        item.getAxis("bottom").setTicks([[(h, f"{h:02d}:00") for h in (0, 6, 12, 18)],
                                         [(h, "") for h in range(HOURS)]])
        item.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.5, 1.0, 1.5)]])
        ref = pg.InfiniteLine(1.0, angle=0, movable=False,
                              pen=pg.mkPen(AXIS_PEN, width=1, style=Qt.PenStyle.DashLine))
        ref.setZValue(10)
        item.addItem(ref)
        self.bars = pg.BarGraphItem(x0=np.arange(HOURS) + 0.1, width=0.8, height=self.values,
                                    pen=pg.mkPen(None), brushes=[BAR_FLAT] * HOURS)
        item.addItem(self.bars)

        self.hour_spin = QSpinBox()
        self.hour_spin.setRange(0, HOURS - 1)
        self.hour_spin.setPrefix("Hour ")
        self.hour_spin.setSuffix(":00")
        self.hour_spin.setValue(self.hour)
        self.hour_spin.setToolTip("The hour whose factor the next field edits")
        self.factor_spin = QDoubleSpinBox()
        self.factor_spin.setRange(0.0, MAX_FACTOR)
        self.factor_spin.setSingleStep(STEP)
        self.factor_spin.setDecimals(2)
        self.factor_spin.setPrefix("\u00d7 ")
        self.factor_spin.setKeyboardTracking(False)
        self.factor_spin.setToolTip("Load factor of the selected hour (0\u20131.5; 1 = the "
                                    "workload's utilisation)")
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.hour_spin.valueChanged.connect(self._select_hour)
        self.factor_spin.valueChanged.connect(self._typed)

        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.hour_spin)
        row.addWidget(self.factor_spin)
        row.addWidget(self.summary, 1)
        presets = QHBoxLayout()
        presets.setSpacing(4)
        self.preset_buttons: dict[str, QPushButton] = {}
        for name, values in PRESETS.items():
            b = QPushButton(name)
            b.setToolTip(PRESET_TIPS[name])
            b.clicked.connect(lambda _=False, v=values: self.committed.emit(v))
            presets.addWidget(b)
            self.preset_buttons[name] = b
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.plot)
        lay.addLayout(row)
        lay.addLayout(presets)
        self._select_hour(self.hour)

    # ----- showing ---------------------------------------------------------------------
    def set_profile(self, profile: tuple[float, ...]) -> None:
        """Show ``profile`` (empty = flat) unless a drag is previewing other values."""
        if self._last_hour is not None:
            return
        self.flat = len(profile) != HOURS
        self.values = np.ones(HOURS) if self.flat else np.asarray(profile, float)
        self._redraw()

    def _redraw(self) -> None:
        base = BAR_FLAT if self.flat else BAR
        brushes = [base] * HOURS
        brushes[self.hour] = BAR_SELECTED
        self.bars.setOpts(height=self.values, brushes=brushes)
        self.factor_spin.blockSignals(True)
        self.factor_spin.setValue(float(self.values[self.hour]))
        self.factor_spin.blockSignals(False)
        if self.flat:
            self.summary.setText("flat: no profile")
        else:
            peak = int(np.argmax(self.values))
            self.summary.setText(f"mean \u00d7{self.values.mean():.2f}, "
                                 f"peak {peak:02d}:00")

    # ----- editing ---------------------------------------------------------------------
    def paint_at(self, x: float, y: float, start: bool, finish: bool) -> None:
        """Set the bar under ``x`` (hours) to ``y`` (snapped); commit when ``finish``."""
        hour = int(min(max(math.floor(x), 0), HOURS - 1))
        value = float(min(max(round(y / STEP) * STEP, 0.0), MAX_FACTOR))
        if start or self._last_hour is None:
            self._last_hour = hour
        lo, hi = sorted((self._last_hour, hour))
        prev = self.values[self._last_hour]
        span = np.arange(lo, hi + 1)
        if hi > lo:   # a fast drag skips hours: fill them along the stroke
            t = (span - self._last_hour) / (hour - self._last_hour)
            self.values[span] = np.round((prev + (value - prev) * t) / STEP) * STEP
        self.values[hour] = value
        self.flat = False
        self._last_hour = hour
        self.hour = hour
        self.hour_spin.blockSignals(True)
        self.hour_spin.setValue(hour)
        self.hour_spin.blockSignals(False)
        self._redraw()
        if finish:
            self._last_hour = None
            self.committed.emit(tuple(round(float(v), 3) for v in self.values))

    def set_hour_value(self, hour: int, value: float) -> None:
        """Set one hour's factor and commit (what typing in the factor field does)."""
        self.hour_spin.setValue(hour)
        self.factor_spin.setValue(value)

    def _select_hour(self, hour: int) -> None:
        self.hour = int(hour)
        self._redraw()

    def _typed(self, value: float) -> None:
        values = self.values.copy()
        values[self.hour] = value
        self.committed.emit(tuple(round(float(v), 3) for v in values))
