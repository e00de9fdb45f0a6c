"""CFD check and sensors in the app (issue 16).

- File ▸ Import ▸ OpenFOAM Result…: a run case folder (its ``result.json``, read off the
  GUI thread) is compared with the live model in the "CFD comparison" dock (per-rack
  table and the figures of ``twin import-openfoam``); the plan heatmap offers the CFD
  inlets and the difference twin − CFD (``twin.engine.reference_layers``). Both follow
  the live model: every new result updates them.
- File ▸ Import ▸ Sensor Readings…: measured rack inlets (the CSV of ``twin calibrate``)
  drawn on the plan as markers coloured by predicted − measured, keyed beside the plan.
- Analysis ▸ Calibrate Air Model to Sensors…: the fit of ``twin calibrate`` off the GUI
  thread with progress and Cancel; the result can be stored in the layout's
  ``air_calibration`` block as one undoable edit.

Bad folders and files are one clear message, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox, QProgressDialog

from twin.engine import reference_layers
from twin.engine.calibrate import (BOUNDS, Observations, RoomModel, error_figures,
                                   fit_constants, fit_notes, predicted_at, stored_calibration)
from twin.gui.base.dialogs import show_problems
from twin.gui.docks.cfd_comparison import CfdComparisonPanel
from twin.gui.plan.sensors import SensorMarkers
from twin.gui.window.whatif import _Bridge, _in_background
from twin.interchange.errors import InterchangeError
from twin.interchange.openfoam.compare import CfdResult, agreement, read_result
from twin.interchange.sensors import read_sensors
from twin.model import Change, Layout, geometry, units
from twin.physics.cancel import Cancelled

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

#: spacing of several sensors of one rack along its intake face (m)
SENSOR_SPREAD_M = 0.2


@dataclass(frozen=True)
class Sensors:
    """Loaded sensor readings by rack id (one row per sensor)."""

    path: str
    rack_ids: tuple[str, ...]
    z_m: np.ndarray
    value_c: np.ndarray
    labels: tuple[str, ...]


def intake_xy_m(layout: Layout) -> np.ndarray:
    """(n, 2) centre of each rack's intake face (as ``RoomModel.intake_xy_m``)."""
    r = layout.racks
    depth = layout.rack_sizes_m()[:, 1:2]
    centre = np.column_stack([r["x_m"], r["y_m"]]).astype(float)
    return centre + geometry.front_vectors(r["rotation_deg"]) * depth / 2


def install(window: "MainWindow") -> None:
    tools = CfdTools(window)
    window.cfd_tools = tools
    imp = QAction("&OpenFOAM Result\u2026", window)
    imp.setStatusTip("Compare a run OpenFOAM case (twin export-openfoam, ./Allrun) with the "
                     "live model: per-rack table, CFD and difference heatmaps")
    imp.triggered.connect(lambda: tools.import_openfoam())
    sens = QAction("&Sensor Readings (CSV)\u2026", window)
    sens.setStatusTip("Measured rack inlet temperatures (rack or x_m,y_m; z_m; value_c; "
                      "time) shown on the plan by their residual against the model")
    sens.triggered.connect(lambda: tools.load_sensors())
    cal = QAction("Ca&librate Air Model to Sensors\u2026", window)
    cal.setStatusTip("Fit the air model's recirculation constants to the loaded sensor "
                     "readings and offer to store them in the layout")
    cal.setEnabled(False)
    cal.triggered.connect(lambda: tools.calibrate())
    window.import_menu.addActions([imp, sens])
    window.actions.import_openfoam = imp
    window.actions.load_sensors = sens
    window.actions.calibrate_air = cal


class CfdTools(QObject):
    """The window's CFD result and sensors, kept in step with the live model (a child of
    the window: View ▸ Units reaches its ``refresh_units``)."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.cfd: CfdResult | None = None
        self.case = ""
        self.sensors: Sensors | None = None
        self.panel: CfdComparisonPanel | None = None
        self.dock: QDockWidget | None = None
        self.markers: SensorMarkers | None = None
        self.residual_k = np.zeros(0)
        self._bridge: _Bridge | None = None    # the running job's, kept alive
        self._progress: QProgressDialog | None = None
        self._cancelled = False
        self.busy = False
        window.floor_layout.changed.connect(self._on_layout_changed)

    def _on_layout_changed(self, change: Change) -> None:
        if change.is_reset:         # File ▸ New / Open: the CFD run and sensors were another floor's
            self.clear()

    def clear(self) -> None:
        """Forget the CFD result and the sensors."""
        w = self.window
        self.cfd, self.case, self.sensors = None, "", None
        w.session.set_reference(None)
        if self.panel is not None:
            self.panel.clear()
        if self.markers is not None:
            self.markers.clear_markers()
            w.plan_view.legends.hide_sensors()
        w.actions.calibrate_air.setEnabled(False)

    def refresh_units(self) -> None:
        """View ▸ Units changed: the table, tooltips and the sensor key in the new units."""
        self.refresh()

    # ----- OpenFOAM --------------------------------------------------------------------
    def import_openfoam(self, folder: str | None = None) -> bool:
        """Read ``folder``'s result off the GUI thread (asks for it when None)."""
        w = self.window
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                w, "Import OpenFOAM Result (a run case folder)", w.settings.last_directory() or "")
            if not folder:
                return False
        w.statusBar().showMessage(f"Reading {Path(folder).name}\u2026")
        self._run(lambda: read_result(folder), lambda cfd: self._cfd_read(folder, cfd),
                  lambda msg: self._fail("Import OpenFOAM result", folder, msg,
                                         f"Could not import {Path(folder).name}"))
        return True

    def _cfd_read(self, folder: str, cfd: CfdResult) -> None:
        w = self.window
        self.cfd, self.case = cfd, folder
        w.session.set_reference(reference_layers.RackReference(
            Path(folder).name, tuple(cfd.rack_ids), cfd.inlet_mean_c, cfd.inlet_max_c))
        panel = self._ensure_dock()
        doc = cfd.doc
        run = ", ".join(x for x in (
            f"{doc['cells']:,} cells" if isinstance(doc.get("cells"), int) else "",
            f"{doc['iterations']:,} iterations" if isinstance(doc.get("iterations"), int) else "",
            f"{units.seconds(doc['wall_s'])} wall" if isinstance(doc.get("wall_s"), (int, float))
            else "") if x)
        note = cfd.settling()["note"]
        panel.set_source(f"{Path(folder).name}: {len(cfd.rack_ids)} racks" + (f" ({run})" if run else "")
                         + (f"\nThe CFD run is {note}." if note else ""),
                         [r for r in cfd.rack_ids if not w.floor_layout.racks.has(r)])
        self.refresh()
        w.heatmap_controls.set_metric("cfd_diff")
        w.live.update_heatmap()
        w.statusBar().showMessage(f"Imported {Path(folder).name}: {len(cfd.rack_ids)} racks", 6000)

    def _ensure_dock(self) -> CfdComparisonPanel:
        w = self.window
        if self.panel is None:
            self.panel = CfdComparisonPanel()
            self.panel.show_layer.connect(self._show_layer)
            self.dock = w._dock("CFD comparison", "cfdComparisonDock", self.panel,
                                Qt.DockWidgetArea.RightDockWidgetArea,
                                "A CFD run's rack inlets beside the live model's")
            w.tabifyDockWidget(w.metrics_dock, self.dock)
            w.session.events.result.connect(lambda _info: self.refresh())
        assert self.dock is not None
        self.dock.show()
        self.dock.raise_()
        return self.panel

    def _show_layer(self, key: str) -> None:
        self.window.heatmap_controls.set_metric(key)
        self.window.live.update_heatmap()

    # ----- sensors -----------------------------------------------------------------------
    def load_sensors(self, path: str | None = None) -> bool:
        """Read a sensor CSV off the GUI thread and show its markers."""
        w = self.window
        if path is None:
            path, _ = QFileDialog.getOpenFileName(w, "Import Sensor Readings",
                                                  w.settings.last_directory() or "",
                                                  "Sensor readings (*.csv *.txt);;All files (*)")
            if not path:
                return False
        lay = w.floor_layout
        ids = [str(i) for i in lay.racks.ids]
        intake = intake_xy_m(lay)

        def read() -> Sensors:
            s = read_sensors(path, ids, intake)
            return Sensors(path, tuple(ids[k] for k in s.rack), s.z_m, s.value_c,
                           tuple(s.labels))
        self._run(read, self._sensors_read,
                  lambda msg: self._fail("Import sensor readings", path, msg,
                                         f"Could not import {Path(path).name}"))
        return True

    def _sensors_read(self, sensors: Sensors) -> None:
        w = self.window
        self.sensors = sensors
        if self.markers is None:
            self.markers = SensorMarkers()
            w.plan_view.view_box.addItem(self.markers, ignoreBounds=True)
            w.session.events.result.connect(lambda _info: self.refresh())
        w.actions.calibrate_air.setEnabled(True)
        self.refresh()
        w.statusBar().showMessage(
            f"{len(sensors.value_c)} sensors from {Path(sensors.path).name}; "
            "Analysis \u25b8 Calibrate Air Model to Sensors fits the model to them", 8000)

    def sensor_observations(self, rack_ids: list[str]) -> tuple[Observations, np.ndarray]:
        """The loaded sensors against racks in ``rack_ids`` order, and which sensors have
        their rack there."""
        assert self.sensors is not None
        index = {r: i for i, r in enumerate(rack_ids)}
        have = np.array([r in index for r in self.sensors.rack_ids], bool)
        rack = np.array([index[r] for r, h in zip(self.sensors.rack_ids, have) if h], int)
        return Observations(rack, self.sensors.z_m[have], self.sensors.value_c[have]), have

    # ----- live updates ------------------------------------------------------------------
    def refresh(self) -> None:
        """The comparison table and the sensor markers from the latest result."""
        res = self.window.session.result
        air = res.air if res is not None else None
        if self.panel is not None and self.cfd is not None:
            a = None
            if air is not None:
                try:
                    a = agreement(self.cfd, list(res.rack_ids), air.rack_inlet_mean_c,
                                  air.rack_inlet_max_c)
                except InterchangeError:
                    a = None
            self.panel.show_agreement(a)
        if self.sensors is not None and self.markers is not None:
            self._draw_sensors(list(res.rack_ids) if res is not None else [], air)

    def _draw_sensors(self, rack_ids: list[str], air: Any) -> None:
        s, lay, plan = self.sensors, self.window.floor_layout, self.window.plan_view
        assert s is not None and self.markers is not None
        predicted = np.full(len(s.value_c), np.nan)
        if air is not None:
            obs, have = self.sensor_observations(rack_ids)
            if have.any():
                predicted[have] = predicted_at(air, obs)
        self.residual_k = predicted - s.value_c
        intake = intake_xy_m(lay)
        fronts = geometry.front_vectors(lay.racks["rotation_deg"])
        xy, tips = [], []
        seen: dict[str, int] = {}
        count = {r: s.rack_ids.count(r) for r in set(s.rack_ids)}
        for k, rid in enumerate(s.rack_ids):
            if not lay.racks.has(rid):
                xy.append((np.nan, np.nan))
                tips.append("")
                continue
            i = lay.racks.index_of(rid)
            j = seen[rid] = seen.get(rid, -1) + 1
            along = np.array([-fronts[i][1], fronts[i][0]])  # along the intake face
            off = (j - (count[rid] - 1) / 2) * SENSOR_SPREAD_M
            xy.append(tuple(intake[i] + fronts[i] * 0.12 + along * off))
            where = ("mean inlet" if not np.isfinite(s.z_m[k])
                     else f"at {units.quantity(units.LENGTH, float(s.z_m[k]), 2)}")
            tips.append(f"Sensor {s.labels[k]} ({where})\n"
                        f"Measured {units.temperature(float(s.value_c[k]), 2)}\n"
                        f"Predicted {units.temperature(float(predicted[k]), 2)}\n"
                        f"Predicted \u2212 measured "
                        f"{units.difference(float(self.residual_k[k]), 2, signed=True)}")
        levels = reference_layers.symmetric_levels(self.residual_k)
        self.markers.set_markers(np.array(xy, float).reshape(-1, 2), self.residual_k, tips, levels)
        plan.legends.show_sensors(levels)

    # ----- calibration -------------------------------------------------------------------
    def calibrate(self) -> bool:
        """Fit the constants to the loaded sensors off the GUI thread, with progress."""
        w = self.window
        if self.sensors is None or self.busy:
            return False
        snap = w.floor_layout.snapshot()
        dlg = QProgressDialog("Fitting the air model to the sensors\u2026", "Cancel", 0, 100, w)
        dlg.setWindowTitle("Calibrate air model")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setValue(0)
        self._progress, self._cancelled = dlg, False
        dlg.canceled.connect(self._cancel)

        def fit() -> tuple[Any, np.ndarray, dict[str, float]]:
            model = RoomModel(snap)
            obs, _have = self.sensor_observations(model.rack_ids)
            if obs.n == 0:
                raise InterchangeError(self.sensors.path if self.sensors else "",
                                       "no sensor is on a rack of this layout")

            def progress(fraction: float) -> None:
                if self._cancelled:
                    raise Cancelled()
                bridge.progress.emit(int(round(100 * fraction)), 100, 0.0)
            start = model.constants
            return fit_constants([(model, obs)], start=start, progress=progress), obs.value_c, start
        bridge = _Bridge()
        bridge.progress.connect(lambda done, _t, _s: dlg.setValue(min(done, 99)))
        self._run(fit, self._fitted, self._fit_failed, bridge)
        return True

    def _cancel(self) -> None:
        self._cancelled = True

    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.close()
            self._progress = None

    def _fit_failed(self, message: str) -> None:
        self._close_progress()
        if message == "cancelled":
            self.window.statusBar().showMessage("Calibration cancelled", 5000)
            return
        self._fail("Calibrate air model", self.sensors.path if self.sensors else "", message,
                   "The calibration failed")

    def _fitted(self, answer: tuple[Any, np.ndarray, dict[str, float]]) -> None:
        self._close_progress()
        fit, observed, start = answer
        w = self.window
        if not np.all(np.isfinite(fit.after_k)):
            self._fail("Calibrate air model", self.sensors.path if self.sensors else "",
                       "the fit did not converge (a solve failed)", "The calibration failed")
            return
        before, after = error_figures(fit.before_k, observed), error_figures(fit.after_k, observed)
        rows = "\n".join(f"  {n}: {start[n]:.4f} \u2192 {fit.constants[n]:.4f}" for n in BOUNDS)
        notes = "".join(f"\u2022 {n}\n" for n in fit_notes(fit, len(observed)))
        text = (f"{len(observed)} sensors, {fit.evaluations} steps ({fit.solves} solves).\n\n"
                f"{rows}\n\n"
                f"Mean absolute error {units.difference(before['mae_k'], 2)} \u2192 "
                f"{units.difference(after['mae_k'], 2)}; worst "
                f"{units.difference(before['worst_k'], 2)} \u2192 "
                f"{units.difference(after['worst_k'], 2)}.\n\n"
                + (f"Note:\n{notes}\n" if notes else ""))
        if not fit.success:
            QMessageBox.warning(w, "Calibrate air model", text + "The fit is not stored.")
            w.statusBar().showMessage("Calibration not stored: the fit did not converge", 5000)
            return
        text += ("Store these constants in the layout? The live model then uses them "
                "(Edit \u25b8 Undo takes them back).")
        B = QMessageBox.StandardButton
        if QMessageBox.question(w, "Calibrate air model", text, B.Yes | B.No, B.Yes) != B.Yes:
            w.statusBar().showMessage("Calibration not stored", 5000)
            return
        assert self.sensors is not None
        ref = str(Path(self.sensors.path).resolve())
        if w.document.path is not None:
            try:
                ref = Path(os.path.relpath(ref, w.document.path.resolve().parent)).as_posix()
            except ValueError:        # another drive (Windows)
                pass
        w.editor.set_settings("air_calibration", stored_calibration(fit, observed, ref),
                              text="Calibrate air model to sensors")
        w.statusBar().showMessage("Air model calibrated: the fitted constants are stored in "
                                  "the layout", 8000)

    # ----- plumbing ----------------------------------------------------------------------
    def _run(self, fn, done, failed, bridge: _Bridge | None = None) -> None:
        """``fn`` on a worker thread; ``done(answer)`` or ``failed(message)`` on the GUI
        thread."""
        bridge = bridge or _Bridge()
        self._bridge, self.busy = bridge, True

        def finish(cb, value) -> None:
            self.busy = False
            self.window.statusBar().clearMessage()
            cb(value)
        bridge.done.connect(lambda v: finish(done, v))
        bridge.failed.connect(lambda m: finish(failed, m))
        _in_background(bridge, fn)

    def _fail(self, title: str, path: str, message: str, summary: str) -> None:
        """One message box: ``summary`` over the problem, which names the file."""
        name = Path(path).name or path
        text = message if name in message else f"{name}: {message}"
        show_problems(self.window, title, summary, [text])
