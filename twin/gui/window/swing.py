"""Analysis > Training Power Swings: the hall's power at the utility meter while training
jobs swing, raw beside smoothed, each smoothing option's ramp and swing against the grid's
limits; the swing and smoothing settings can be tried here and saved to the layout as one
undo step. Solved off the GUI thread."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDoubleSpinBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QPushButton,
                               QTableWidget, QWidget)

from twin.engine.simulate import simulate
from twin.engine.swing import SwingReport, training_swing
from twin.gui.base.charts import compact_plot, status_colour
from twin.gui.base.style import COLOURS
from twin.gui.window.whatif import _AnalysisDialog, _in_background, _Item

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

STAGE_HEADERS = ("Series at the meter", "Mean MW", "Peak MW", "Swing MW", "Ramp MW/s",
                 "0.1\u201320 Hz", "Ramp limit", "Swing limit")


def _spin(lo: float, hi: float, value: float, step: float, decimals: int, suffix: str,
          special: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setSuffix(suffix)
    if special:
        s.setSpecialValueText(special)
    s.setValue(value)
    s.setKeyboardTracking(False)
    return s


class SwingDialog(_AnalysisDialog):
    def __init__(self, window: "MainWindow"):
        super().__init__(window, "Training Power Swings", "Recompute")
        self.report: SwingReport | None = None
        lay = window.floor_layout
        trains = [w for w in lay.workloads.values() if w.kind == "training"]
        first = next((w for w in trains if w.swing_period_s), trains[0] if trains else None)
        site = lay.site
        self.training_ids = [w.id for w in trains]
        controls = QWidget()
        grid = QGridLayout(controls)
        grid.setContentsMargins(0, 0, 0, 0)
        wave = QGroupBox("Swing of the training workloads")
        f1 = QFormLayout(wave)
        self.period = _spin(0.0, 600, (first.swing_period_s or 2.0) if first else 2.0, 0.5, 2,
                            " s", "no swing")
        if first is not None and first.swing_period_s is None:
            self.period.setValue(0.0)
        self.duty = _spin(0, 100, 100 * (first.swing_duty if first else 0.7), 5, 0, " %")
        self.low = _spin(0, 100, 100 * (first.swing_low_fraction if first else 0.3), 5, 0, " %")
        self.rise = _spin(0.001, 10, first.swing_rise_s if first else 0.05, 0.01, 3, " s")
        f1.addRow("Period (compute + communication)", self.period)
        f1.addRow("Computing, share of the period", self.duty)
        f1.addRow("Communication power, share of compute", self.low)
        f1.addRow("Edge duration", self.rise)
        smooth = QGroupBox("Grid limits and smoothing")
        f2 = QFormLayout(smooth)
        self.ramp_limit = _spin(0, 1e4, site.grid_max_ramp_mw_per_s or 0.0, 1, 1, " MW/s", "none")
        self.swing_limit = _spin(0, 1e4, site.grid_max_swing_mw or 0.0, 1, 1, " MW", "none")
        self.floor = _spin(0, 100, 100 * site.gpu_power_floor, 5, 0, " %", "off")
        self.battery_kwh = _spin(0, 1e7, site.facility_battery_kwh, 100, 0, " kWh", "none")
        self.battery_kw = _spin(0, 1e7, site.facility_battery_kw, 1000, 0, " kW", "none")
        self.rack_storage = QCheckBox("Rack energy storage (power shelves, where the model has it)")
        self.rack_storage.setChecked(site.rack_energy_storage)
        f2.addRow("Ramp limit at the meter", self.ramp_limit)
        f2.addRow("Swing limit at the meter", self.swing_limit)
        f2.addRow("GPU power floor", self.floor)
        f2.addRow("Facility battery energy", self.battery_kwh)
        f2.addRow("Facility battery power", self.battery_kw)
        f2.addRow(self.rack_storage)
        grid.addWidget(wave, 0, 0)
        grid.addWidget(smooth, 0, 1)
        self.body.addWidget(controls)
        self.plot = compact_plot("time [s]", "power at the meter [MW]", height=230)
        self.plot.getPlotItem().addLegend(offset=(-10, 10), labelTextColor=COLOURS["text"])
        self.raw_curve = self.plot.plot([], [], pen=pg.mkPen("#9aa4b2", width=1.5), name="raw")
        self.smooth_curve = self.plot.plot([], [], pen=pg.mkPen("#4fc3f7", width=2),
                                           name="smoothed")
        self.limit_lines: list[pg.InfiniteLine] = []
        self.body.addWidget(self.plot)
        self.table = QTableWidget(0, len(STAGE_HEADERS))
        self.table.setHorizontalHeaderLabels(STAGE_HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(130)
        self.body.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("Save Settings to Layout")
        self.save_button.setToolTip("Write the swing, limits and smoothing into the layout "
                                    "(one undo step)")
        self.save_button.clicked.connect(self.save_to_layout)
        buttons.addWidget(self.save_button)
        self.body.addLayout(buttons)
        for s in (self.period, self.duty, self.low, self.rise, self.ramp_limit, self.swing_limit,
                  self.floor, self.battery_kwh, self.battery_kw):
            s.valueChanged.connect(self.start)
        self.rack_storage.toggled.connect(self.start)
        self.bridge.done.connect(self._on_done)
        self.headline.setText("The hall's power at the utility meter while its training "
                              "workloads swing between compute and communication.")
        self.resize(980, 760)

    # ----- settings ----------------------------------------------------------------
    def site_changes(self) -> dict[str, Any]:
        return {"grid_max_ramp_mw_per_s": self.ramp_limit.value() or None,
                "grid_max_swing_mw": self.swing_limit.value() or None,
                "gpu_power_floor": self.floor.value() / 100,
                "facility_battery_kwh": self.battery_kwh.value(),
                "facility_battery_kw": self.battery_kw.value(),
                "rack_energy_storage": self.rack_storage.isChecked()}

    def wave_changes(self) -> dict[str, Any]:
        return {"swing_period_s": self.period.value() or None,
                "swing_duty": self.duty.value() / 100,
                "swing_low_fraction": self.low.value() / 100,
                "swing_rise_s": self.rise.value()}

    def _trial(self) -> Any:
        snap = self.window_.floor_layout.snapshot()
        snap.set_settings("site", dataclasses.replace(snap.site, **self.site_changes()))
        for wid in self.training_ids:
            snap.update_item("workloads", wid, **self.wave_changes())
        return snap

    def save_to_layout(self) -> None:
        w = self.window_
        stack = w.document.stack
        stack.beginMacro("Training swing settings")
        try:
            w.editor.set_settings("site", dataclasses.replace(w.floor_layout.site,
                                                              **self.site_changes()))
            for wid in self.training_ids:
                w.editor.update_item("workloads", wid, **self.wave_changes())
        finally:
            stack.endMacro()
        w.statusBar().showMessage("Swing settings saved to the layout \u00b7 Edit > Undo "
                                  "reverts them", 6000)

    # ----- solving -----------------------------------------------------------------
    def start(self, *_: Any) -> None:
        if self.busy:
            self._again = True
            return
        self._again = False
        snap = self._trial()
        result = self.window_.session.result
        same = result is not None and list(result.rack_ids) == list(snap.racks.ids)
        self._begin("Computing the meter series\u2026")

        def run() -> SwingReport:
            return training_swing(snap, result if same else simulate(snap))
        _in_background(self.bridge, run)

    def _on_done(self, rep: SwingReport) -> None:
        self._end()
        self.report = rep
        self.window_.last_swing = rep
        n = len(rep.t_s)
        keep = slice(0, n) if n == 0 else slice(0, max(int(n / 3), 2))   # two periods
        self.raw_curve.setData(rep.t_s[keep], rep.raw_mw[keep])
        self.smooth_curve.setData(rep.t_s[keep], rep.smoothed_mw[keep])
        fin = rep.final
        if fin is None:
            self.left.setText(rep.notes[0] if rep.notes else "no swing")
        else:
            bad = [w for w, ok in (("ramp", fin.ramp_ok), ("swing", fin.swing_ok)) if ok is False]
            self.left.setText(("over the grid's " + " and ".join(bad) + " limit") if bad
                              else "within the grid's limits" if (fin.ramp_ok or fin.swing_ok)
                              else "no grid limits set")
        t = self.table
        t.setRowCount(len(rep.stages))
        for r, s in enumerate(rep.stages):
            m = s.metrics
            cells = [_Item(s.name), _Item(f"{m.mean_w / 1e6:,.2f}", m.mean_w),
                     _Item(f"{m.peak_w / 1e6:,.2f}", m.peak_w),
                     _Item(f"{m.swing_w / 1e6:,.2f}", m.swing_w),
                     _Item(f"{m.max_ramp_w_per_s / 1e6:,.1f}", m.max_ramp_w_per_s),
                     _Item(f"{m.band_share:.1%}", m.band_share)]
            for ok in (s.ramp_ok, s.swing_ok):
                item = _Item("\u2014" if ok is None else ("within" if ok else "OVER"))
                if ok is not None:
                    item.setForeground(status_colour("ok" if ok else "error"))
                cells.append(item)
            for c, item in enumerate(cells):
                t.setItem(r, c, item)
        if rep.floor_extra_kw:
            self.headline.setText(
                f"GPU power floor burns {rep.floor_extra_kw / 1e3:,.2f} MW on average: "
                f"{rep.floor_mwh_per_year:,.0f} MWh and {rep.floor_usd_per_year:,.0f} USD a year.")
        if getattr(self, "_again", False):
            self.start()


def open_swing(window: "MainWindow") -> SwingDialog:
    dlg = SwingDialog(window)
    dlg.show()
    dlg.start()
    return dlg
