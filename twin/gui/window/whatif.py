"""Analysis ▸ Failure Sweep and Analysis ▸ Ride-Through: the what-if analyses in the app
(docs/physics.md §12).

Both run off the GUI thread (a Python thread; the sweep's scenarios in worker
processes) with a progress bar, a time-left estimate and Cancel. The sweep's table is
sortable; clicking a row solves that failure and shows it in every view through
``Session.show_scenario`` without touching the layout; Escape (or closing the dialog)
goes back to the base. The failure map (a colour-by choice once a sweep has run) colours
every unit and rear door by the consequence of its own failure.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDialog, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from twin.engine.simulate import simulate
from twin.engine.whatif import failure_map
from twin.engine.whatif.components import with_failed
from twin.engine.whatif.ridethrough import RideThroughReport, ride_through
from twin.engine.whatif.sweep import SweepResult, run_sweep
from twin.gui.base.timeline import TimeStrip
from twin.gui.base.charts import status_colour
from twin.gui.base.emit import ReceiverGone, emit, emit_or_stop
from twin.gui.base.style import COLOURS
from twin.model import units
from twin.physics.cancel import Cancelled

if TYPE_CHECKING:
    from twin.gui.window.main_window import MainWindow

VERDICT_STATUS = {"survives": "ok", "degraded": "warning", "fails": "error"}
SWEEP_COLUMNS = ("Component", "Kind", "Verdict", "Worst inlet", "At rack", "Racks failed",
                 "Worst coolant", "Short of coolant", "Overloaded", "Unpowered",
                 "Δ facility kW", "Δ PUE", "Why")
#: Columns of temperatures, headed with the unit shown (°C or °F).
TEMPERATURE_COLUMNS = (3, 6)


def sweep_headers() -> list[str]:
    return [f"{c} {units.label(units.TEMP)}" if i in TEMPERATURE_COLUMNS else c
            for i, c in enumerate(SWEEP_COLUMNS)]


class _Bridge(QObject):
    """Carries a worker thread's progress and answer to the GUI thread."""

    progress = Signal(int, int, float)
    done = Signal(object)
    failed = Signal(str)


def _in_background(bridge: _Bridge, fn: Callable[[], Any]) -> None:
    def run() -> None:
        try:
            emit(bridge.done, fn())
        except Cancelled:
            emit(bridge.failed, "cancelled")
        except ReceiverGone:          # the dialog closed: its progress went nowhere
            pass
        except Exception as exc:  # noqa: BLE001 — shown in the dialog, never lost
            emit(bridge.failed, " ".join(str(exc).split()) or type(exc).__name__)
    threading.Thread(target=run, name="twin-whatif", daemon=True).start()


class _Item(QTableWidgetItem):
    """A cell that sorts by number where it has one."""

    def __init__(self, text: str, key: float | None = None):
        super().__init__(text)
        self._key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _Item) and self._key is not None and other._key is not None:
            return self._key < other._key
        return self.text() < other.text()


def _num(value: float | None, fmt: Callable[[float], str]) -> _Item:
    return _Item("\u2014" if value is None else fmt(value),
                 -np.inf if value is None else float(value))


class _AnalysisDialog(QDialog):
    """Shared frame: a title line, a progress bar with time left, Run/Cancel buttons."""

    def __init__(self, window: "MainWindow", title: str, run_label: str):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(title)
        self.setModal(False)
        self.bridge = _Bridge(self)
        self.cancelled = False
        self.busy = False
        lay = QVBoxLayout(self)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.headline)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.left = QLabel("")
        self.run_button = QPushButton(run_label)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.bar, 1)
        row.addWidget(self.left)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        self.body = lay
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.failed.connect(self._on_failed)

    def start(self) -> None:
        raise NotImplementedError

    def _begin(self, text: str) -> None:
        self.cancelled, self.busy = False, True
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)
        self.left.setText(text)

    def _end(self) -> None:
        self.busy = False
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)

    def cancel(self) -> None:
        self.cancelled = True
        self.left.setText("Cancelling\u2026")

    def _on_progress(self, done: int, total: int, left_s: float) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.left.setText(f"{done}/{total} \u00b7 about {units.seconds(left_s)} left")

    def _on_failed(self, text: str) -> None:
        self._end()
        self.left.setText("")
        self.headline.setText("Cancelled." if text == "cancelled" else f"Could not run: {text}")


class FailureSweepDialog(_AnalysisDialog):
    """The N-1 sweep of the layout on screen, as a sortable table."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window, "Failure Sweep (N\u22121)", "Run Sweep")
        self.result: SweepResult | None = None
        self.headline.setText("Fails every cooling unit, rear door, CDU, CDU pump, the plant's "
                              "chiller and every power component in turn, and judges each "
                              "against the floor as it is. Click a row to see that failure in "
                              "the views; Escape returns to the base.")
        self.table = QTableWidget(0, len(SWEEP_COLUMNS))
        self.table.setHorizontalHeaderLabels(sweep_headers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.body.addWidget(self.table, 1)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.map_box = QCheckBox("Failure map: colour every unit and rear door by the "
                                 "consequence of its own failure (green survives, amber "
                                 "degraded, red fails, grey no failure of its own)")
        self.map_box.setEnabled(False)
        self.map_box.toggled.connect(self._show_map)
        self.body.addWidget(self.map_box)
        self._colour_before = ""
        self.scenario_bridge = _Bridge(self)
        self.scenario_bridge.done.connect(self._on_scenario)
        self.scenario_bridge.failed.connect(lambda t: self.left.setText(f"Could not solve: {t}"))
        self.bridge.done.connect(self._on_done)
        self.resize(1100, 560)

    def start(self) -> None:
        snap = self.snap = self.window_.floor_layout.snapshot()
        self._begin("Solving the base\u2026")
        bridge = self.bridge
        _in_background(bridge, lambda: run_sweep(
            snap, progress=lambda d, t, s: emit_or_stop(bridge.progress, d, t, s),
            cancel=lambda: self.cancelled))

    def _on_done(self, result: SweepResult) -> None:
        self._end()
        self.result = result
        self.window_.last_sweep = (self.snap, result)     # for the review report
        self.left.setText(f"{len(result.outcomes)} scenarios in {units.seconds(result.seconds)}"
                          f" on {result.workers} worker(s)")
        self.summary.setText("\n".join(result.summary))
        self.window_.add_colouring(failure_map.KEY, failure_map.LABEL,
                                   lambda layout: failure_map.failure_colouring(result, layout))
        self.map_box.setEnabled(True)
        if self.map_box.isChecked():     # the map of this sweep, not the last one's
            self.window_.set_colour_by(failure_map.KEY)
        self._fill(result)

    def refresh_units(self) -> None:
        """View > Units changed: the headers and the rows in the new units."""
        self.table.setHorizontalHeaderLabels(sweep_headers())
        if self.result is not None:
            self._fill(self.result)

    def _fill(self, result: SweepResult) -> None:
        t = self.table
        t.setSortingEnabled(False)
        t.setRowCount(len(result.outcomes))
        for r, o in enumerate(result.outcomes):
            s = o.state
            verdict = _Item(o.verdict, float(("survives", "degraded", "fails").index(o.verdict)))
            verdict.setForeground(status_colour(VERDICT_STATUS[o.verdict]))
            cells = [
                _Item(o.component), _Item(o.kind), verdict,
                _num(s.worst_inlet_c if s else None, units.temp),
                _Item((s.worst_inlet_rack or "\u2014") if s else "\u2014"),
                _Item(str(len(o.racks_failed)), len(o.racks_failed)),
                _num(s.worst_coolant_return_c if s else None, units.temp),
                _Item(str(len(s.short_of_coolant)) if s else "\u2014",
                      len(s.short_of_coolant) if s else -1),
                _Item(", ".join(s.overloaded[:3]) if s else "\u2014"),
                _Item(str(len(s.unpowered)) if s else "\u2014", len(s.unpowered) if s else -1),
                _num(o.delta_facility_kw, lambda v: f"{v:+,.1f}"),
                _num(o.delta_pue, lambda v: f"{v:+.4f}"),
                _Item(units.localise("; ".join(o.reasons)) or "\u2014")]
            for c, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, o.component)
                t.setItem(r, c, item)
        t.setSortingEnabled(True)
        t.sortByColumn(2, Qt.SortOrder.DescendingOrder)

    def _show_map(self, on: bool) -> None:
        w = self.window_
        if on:
            if w.colour_key != failure_map.KEY:
                self._colour_before = w.colour_key
            w.set_colour_by(failure_map.KEY)
        elif w.colour_key == failure_map.KEY:
            w.set_colour_by(self._colour_before or "model")

    def _show_selected(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        cid = items[0].data(Qt.ItemDataRole.UserRole)
        snap = with_failed(self.window_.floor_layout, [cid])
        self.left.setText(f"Solving {cid} failed\u2026")
        _in_background(self.scenario_bridge, lambda: (cid, snap, simulate(snap)))

    def _on_scenario(self, answer: tuple) -> None:
        cid, snap, result = answer
        self.window_.session.show_scenario(f"{cid} failed", result, snap)
        self.left.setText(f"Showing {cid} failed \u00b7 Esc returns to the base")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.window_.session.scenario is not None:
            self.table.clearSelection()
            self.window_.session.clear_scenario()
            self.left.setText("Back to the base")
            return
        super().keyPressEvent(event)

    def done(self, code: int) -> None:
        self.cancelled = True
        self.window_.session.clear_scenario()
        super().done(code)


class RideThroughDialog(_AnalysisDialog):
    """Temperatures over time after chosen failures and/or a utility loss."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window, "Ride-Through", "Run")
        self.report: RideThroughReport | None = None
        self.headline.setText("What fails at t = 0, and how many seconds until racks pass "
                              "their limits (ASHRAE allowable inlet, coolant return limit).")
        form = QHBoxLayout()
        self.fail_edit = QLineEdit()
        self.fail_edit.setPlaceholderText("ids, e.g. CDU-A, CRAH-2, CDU-B/pump, plant")
        self.utility = QCheckBox("Utility loss, generators after")
        self.delay = QDoubleSpinBox()
        self.delay.setRange(0, 3600)
        self.delay.setValue(30)
        self.delay.setSuffix(" s")
        self.duration = QDoubleSpinBox()
        self.duration.setRange(10, 86400)
        self.duration.setValue(600)
        self.duration.setSuffix(" s")
        for w in (QLabel("Fail:"), self.fail_edit, self.utility, self.delay,
                  QLabel("Duration:"), self.duration):
            form.addWidget(w)
        self.body.insertLayout(1, form)
        self.strip = TimeStrip(["Rack inlet", "Coolant return"], "time (s)", height=220,
                               interval_ms=150, units=[units.DEGC, units.DEGC])
        self.strip.label_of = lambda k: f"t = {self.strip.x[k]:.0f} s"
        self.strip.slider.setToolTip("Show the floor at this instant in the views (rack "
                                     "inlets and coolant); Escape returns to the base")
        self.plot_inlet, self.plot_coolant = self.strip.plots
        self.slider, self.cursors, self.instant = (self.strip.slider, self.strip.cursors,
                                                   self.strip.position)
        self.body.addWidget(self.strip)
        self.strip.moved.connect(self._show_instant)
        self.answer = QLabel("")
        self.answer.setTextFormat(Qt.TextFormat.PlainText)
        self.answer.setWordWrap(True)
        self.body.addWidget(self.answer)
        self.bridge.done.connect(self._on_done)
        self.resize(900, 700)

    def start(self) -> None:
        ids = [x.strip() for x in self.fail_edit.text().split(",") if x.strip()]
        if not ids and not self.utility.isChecked():
            self.headline.setText("Name what fails (ids) or tick the utility loss.")
            return
        snap = self.snap = self.window_.floor_layout.snapshot()
        utility, delay, duration = self.utility.isChecked(), self.delay.value(), self.duration.value()
        self._begin("Solving before and after the failure\u2026")
        _in_background(self.bridge, lambda: ride_through(snap, ids, duration, utility, delay))

    def _on_done(self, report: RideThroughReport) -> None:
        self._end()
        self.report = report
        self.window_.last_rides = [(s, r) for s, r in self.window_.last_rides
                                   if s.equals(self.snap)][-2:] + [(self.snap, report)]
        self.left.setText("")
        self._describe(report)
        r = report.run
        palette = [QColor.fromHsvF(h, 0.65, 0.95) for h in np.linspace(0.0, 0.8, 10)]
        inlet: list = [("room mean", r.room_mean_c, COLOURS["text"], 2.0)]
        coolant: list = []
        for n, i in enumerate(report.worst_racks()):
            name = report.rack_ids[i] if n < 5 else None
            inlet.append((name, r.rack_inlet_c[:, i], palette[n % len(palette)], 1.4))
            if np.isfinite(r.rack_coolant_c[:, i]).any():
                coolant.append((name, r.rack_coolant_c[:, i], palette[n % len(palette)], 1.4))
        limits = report.coolant_limit_c[np.isfinite(report.coolant_limit_c)]
        self.strip.set_data(r.time_s, [inlet, coolant],
                            [report.inlet_limit_c, float(limits.min()) if limits.size else None])

    def _describe(self, report: RideThroughReport) -> None:
        """The answer in words, in the units shown."""
        r = report.run
        self.headline.setText(units.localise(report.summary()))
        lines = [f"{report.rack_ids[i]}: inlet limit "
                 f"{_secs(r.inlet_limit_s[i])}, coolant limit {_secs(r.coolant_limit_s[i])}"
                 for i in report.worst_racks(5)]
        self.answer.setText(units.localise("\n".join(report.notes + lines)))

    def refresh_units(self) -> None:
        """View > Units changed: the answer (the curves redraw themselves)."""
        if self.report is not None:
            self._describe(self.report)

    def _show_instant(self, k: int) -> None:
        report = self.report
        if report is None or report.failed_layout is None:
            return
        t = float(report.run.time_s[k])
        what = " + ".join(report.failed) or "utility loss"
        self.window_.session.show_scenario(f"{what}, {t:.0f} s after", report.result_at(k),
                                           report.failed_layout)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.window_.session.scenario is not None:
            self.window_.session.clear_scenario()
            self.instant.setText("t = \u2014 (base)")
            return
        super().keyPressEvent(event)

    def done(self, code: int) -> None:
        self.window_.session.clear_scenario()
        super().done(code)


def _secs(t: float) -> str:
    return "not reached" if not np.isfinite(t) else f"after {t:.0f} s"


def open_failure_sweep(window: "MainWindow") -> FailureSweepDialog:
    dlg = FailureSweepDialog(window)
    dlg.show()
    dlg.start()
    return dlg


def open_ride_through(window: "MainWindow") -> RideThroughDialog:
    dlg = RideThroughDialog(window)
    dlg.show()
    return dlg
