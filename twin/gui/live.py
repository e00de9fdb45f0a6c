"""The live twin in the window: physics in the loop.

``LiveController`` owns one ``LiveEngine`` for the window's layout (a new one after
File > New/Open). The engine solves on its worker thread; its callbacks only emit signals of
a parentless bridge object, and those reach the controller through queued connections, so
widgets and GL objects are touched on the GUI thread only. On every result the controller
recolours the racks (for the live colour-by metrics), redraws the plan heatmap, airflow
arrows and 3-D slice, marks alert targets in both views, feeds the metrics and alerts docks
and shows the solve state in the status bar. Plan drags run the coarse pass while the mouse
moves and the refined pass on release.
"""

from __future__ import annotations

import dataclasses
import time
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from twin.engine import layers
from twin.engine.live import LiveEngine, SolveInfo
from twin.engine.simulate import TwinResult
from twin.engine.worker import Cancelled
from twin.gui.airflow import AirflowArrows, arrow_segments
from twin.gui.style import COLOURS
from twin.model import Layout
from twin.model.events import Change
from twin.model.viewstate import Colouring, colormap_rgba
from twin.physics.air.solver import SolveError

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.main_window import MainWindow

#: Colour-by entries the live twin adds: key (``layers.METRICS``) -> menu label.
LIVE_COLOURINGS = {"inlet": "Inlet temperature", "power": "Rack power",
                   "capture": "Capture index", "coolant": "Coolant return"}
#: Busy states ("Stale", "Solving… 40 %") show after this delay and at most this often,
#: so a fast solve goes straight to "Fresh" and a slow one does not repaint per progress step.
BUSY_STATUS_MS = 150
SLICE_ALPHA = 0.5
FLOOR_SLICE_Z_M = 0.03
ALERT_SEVERITIES = ("critical", "warning")
PLACED_COLLECTIONS = ("racks", "cooling_units", "cdus", "tanks", "tiles", "containment")


def _sci(x: float) -> str:
    """Compact magnitude: 0.0123 -> '0.012', 4.5e-07 -> '5e-7'."""
    x = abs(float(x))
    if not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if x >= 0.01:
        return f"{x:.2g}"
    mant, exp = f"{x:.0e}".split("e")
    return f"{mant}e{int(exp)}"


def _seconds(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 0.1 else f"{s:.2f} s"


class _Bridge(QObject):
    """Signals emitted on the engine's worker thread (no parent: lives as long as the
    engine's callbacks reference it, so a late emit never hits a deleted object)."""

    result = Signal(int, object, object, object)
    error = Signal(int, object, object)
    progress = Signal(int, float, str)
    started = Signal(int, int, bool)


class LiveController(QObject):
    """Keeps the window's views, docks and status bar in step with the physics.

    Signals: ``result_shown(SolveInfo)`` after a result is on screen; ``failed(str)`` after
    a solver error is shown.
    """

    result_shown = Signal(object)
    failed = Signal(str)

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.layout: Layout = window.floor_layout
        self.result: TwinResult | None = None
        self.snapshot: Layout | None = None
        self.info: SolveInfo | None = None
        self.error: BaseException | None = None
        self.engine: LiveEngine | None = None
        self._generation = 0
        self._index: dict[str, int] = {}
        # freshness: when the layout last changed, and the request behind what is shown
        self._last_change_s = time.perf_counter()
        self._shown: SolveInfo | None = None
        self._busy_status: tuple[str, str] | None = None
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(BUSY_STATUS_MS)
        self._status_timer.timeout.connect(self._show_busy_status)

        self._bridge = _Bridge()
        Q = Qt.ConnectionType.QueuedConnection
        self._bridge.result.connect(self._on_result, Q)
        self._bridge.error.connect(self._on_error, Q)
        self._bridge.progress.connect(self._on_progress, Q)
        self._bridge.started.connect(self._on_started, Q)

        self.controls = window.heatmap_controls
        self.controls.set_metric("air")
        self.controls.changed.connect(self.update_heatmap)
        self.arrows = AirflowArrows()
        self._slice_shown = False
        self._closed = False
        # the plan (None when only its placeholder could be built)
        self._plan = window.plan_view if hasattr(window.plan_view, "view_box") else None
        if self._plan is not None:
            self._plan.view_box.addItem(self.arrows, ignoreBounds=True)
            self._plan.tooltip_extra = self.tooltip_lines
            self._plan.drag_started.connect(self._drag_started)
            self._plan.drag_finished.connect(self._drag_finished)
        window.alerts_panel.target_activated.connect(self.activate_target)
        window.metrics_panel.target_activated.connect(self.activate_target)
        for key, label in LIVE_COLOURINGS.items():
            window.add_colouring(key, label, partial(self.colouring_for, key))
        self.layout.changed.connect(self._on_layout_changed)
        self._update_presets()
        self.start()

    # ================================================================ engine lifecycle
    def start(self) -> None:
        """(Re)create the engine for the current layout and ask for a first solve."""
        if self._closed:
            return
        if self.engine is not None:
            self.engine.close()
        self._generation += 1
        g, b = self._generation, self._bridge
        self.engine = LiveEngine(
            self.layout,
            on_result=lambda r, s, i: b.result.emit(g, r, s, i),
            on_error=lambda e, i: b.error.emit(g, e, i),
            on_progress=lambda f, m: b.progress.emit(g, f, m),
            on_started=lambda rid, coarse: b.started.emit(g, rid, coarse))
        self._set_status("Solving\u2026", "First solve of this layout")
        self.engine.request()

    def close(self) -> None:
        """Stop the engine (window closing); late results are dropped."""
        self._closed = True
        self._generation += 1
        self.layout.changed.disconnect(self._on_layout_changed)
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    def _drag_started(self) -> None:
        if self.engine is not None:
            self.engine.begin_drag()

    def _drag_finished(self) -> None:
        if self.engine is not None:
            self.engine.end_drag()

    # ====================================================================== model events
    def _on_layout_changed(self, change: Change) -> None:
        # connected before the engine's own handler: this time precedes its request
        self._last_change_s = time.perf_counter()
        if change.kind == "reset":        # File > New / Open: a new engine, no old numbers
            self._forget()
            self._update_presets()
            QTimer.singleShot(0, self.start)
            return
        if self.error is None:
            self._set_busy_status(self._busy_text("solving"),
                                  "The layout changed since the results shown were computed")

    def _forget(self) -> None:
        self.result = self.snapshot = self.info = None
        self.error = None
        self._index = {}
        w = self.window
        w.set_alert_ids(())
        w.metrics_panel.clear()
        w.alerts_panel.clear()
        if w.colour_key in LIVE_COLOURINGS:
            w.colouring.set(self.colouring_for(w.colour_key, self.layout))
        self.update_heatmap()

    def _update_presets(self) -> None:
        mid, top = layers.rack_heights_m(self.layout)
        self.controls.set_height_range(self.layout.hall.ceiling_height_m)
        self.controls.set_presets(mid, top)
        self.controls.set_height(mid)

    # ================================================================ worker -> GUI
    def _on_started(self, gen: int, _rid: int, coarse: bool) -> None:
        if gen == self._generation and self.error is None:
            self._set_busy_status(self._busy_text("fast pass" if coarse else "solving"),
                                  "The physics is running on a background thread")

    def _on_progress(self, gen: int, fraction: float, message: str) -> None:
        if gen == self._generation and self.error is None:
            self._set_busy_status(self._busy_text(f"solving\u2026 {fraction * 100:.0f} %"),
                                  message or "Solving")

    def _on_error(self, gen: int, exc: BaseException, info: SolveInfo) -> None:
        if gen != self._generation or isinstance(exc, Cancelled):
            return
        self.error = exc
        self._shown = info
        kind = "" if isinstance(exc, (SolveError, ValueError)) else f"{type(exc).__name__}: "
        text = f"{kind}{exc}"
        first = text.splitlines()[0] if text else type(exc).__name__
        short = first if len(first) <= 70 else first[:67] + "\u2026"
        self._set_status(f"Solver error: {short}",
                         f"The last edit could not be solved:\n{text}\n\nThe views still "
                         "show the previous result. Undo (Ctrl+Z) or fix the layout.",
                         error=True)
        self.failed.emit(text)

    def _on_result(self, gen: int, result: TwinResult, snap: Layout, info: SolveInfo) -> None:
        if gen != self._generation:
            return
        self.result, self.snapshot, self.info = result, snap, info
        self._shown = info
        self.error = None
        self._index = {rid: i for i, rid in enumerate(result.rack_ids)}
        w = self.window
        if w.colour_key in LIVE_COLOURINGS:
            w.colouring.set(self.colouring_for(w.colour_key, self.layout))
        self.update_heatmap()
        w.set_alert_ids(a.target for a in result.alerts if a.severity in ALERT_SEVERITIES)
        w.metrics_panel.set_result(result, snap)
        w.alerts_panel.set_alerts(result.alerts)
        self._show_fresh(result, info)
        self.result_shown.emit(info)

    # ========================================================================= status
    def _busy_text(self, what: str) -> str:
        """'Stale · solving…' while old results are on screen, else 'Solving…'."""
        what = what if "\u2026" in what else what + "\u2026"
        return f"Stale \u00b7 {what}" if self.result is not None else what.capitalize()

    def _set_busy_status(self, text: str, tooltip: str) -> None:
        self._busy_status = (text, tooltip)
        if not self._status_timer.isActive():
            self._status_timer.start()

    def _show_busy_status(self) -> None:
        if self._busy_status is not None:
            self.window.set_solve_state(*self._busy_status)
            self._busy_status = None

    def _set_status(self, text: str, tooltip: str, error: bool = False) -> None:
        """Show a final state now (result, error); drops a pending busy state."""
        self._busy_status = None
        self._status_timer.stop()
        self.window.set_solve_state(text, tooltip)
        self.window.solve_label.setStyleSheet(
            f"color: {COLOURS['error']}; font-weight: 600;" if error else "")

    def _show_fresh(self, result: TwinResult, info: SolveInfo) -> None:
        took = result.timing_s.get("total_s", info.latency_s)
        air = result.air
        balance = (air.residual_pct if air is not None
                   else 100 * result.facility.energy_residual)
        parts = [f"{k.removesuffix('_s')} {_seconds(v)}" for k, v in result.timing_s.items()
                 if k != "total_s"]
        if info.cached:
            how = "Same layout as an earlier solve (e.g. after undo): its result again"
        elif info.coarse:
            how = "Fast (coarse) pass while dragging"
        else:
            how = "Refined solve" + (", airflow re-solved" if info.geometry_changed
                                     else ", airflow reused")
        tip = (f"{how}\n"
               f"Solve {_seconds(took)} ({', '.join(parts)}); edit to result "
               f"{_seconds(info.latency_s)}\nEnergy balance residual {_sci(balance)} % of "
               f"the heat in\n{len(result.alerts)} alert(s)")
        state = "Fast pass" if info.coarse else "Fresh" if self.up_to_date else "Stale"
        if info.cached and state == "Fresh":
            state = "Fresh (cached)"
        self._set_status(f"{state} \u00b7 {_seconds(took)} \u00b7 balance {_sci(balance)} %",
                         tip)

    @property
    def up_to_date(self) -> bool:
        """The refined result (or error) of the latest edit is what the window shows."""
        s = self._shown
        return s is not None and not s.coarse and s.submitted_s >= self._last_change_s

    # ====================================================================== colourings
    def to_live(self, values: np.ndarray, layout: Layout) -> np.ndarray:
        """Per-rack values of the latest result, re-ordered for ``layout``'s rack table
        (racks added since the result get NaN)."""
        ids = layout.racks.ids
        res_ids = self.result.rack_ids if self.result is not None else []
        if len(ids) == len(res_ids) and all(a == b for a, b in zip(ids, res_ids)):
            return values
        idx = np.array([self._index.get(str(i), -1) for i in ids], dtype=int)
        out = np.full(len(ids), np.nan)
        have = idx >= 0
        out[have] = np.asarray(values, float)[idx[have]]
        return out

    def colouring_for(self, key: str, layout: Layout) -> Colouring:
        """The colour-by ``key`` from the latest result, aligned with ``layout``."""
        label, unit, cmap = layers.METRICS[key]
        if self.result is None:
            values = np.full(len(layout.racks), np.nan)
            lo, hi = layers.value_range(key, values)
            return Colouring(key, label, unit, values, lo, hi, cmap)
        c = layers.rack_colouring(key, self.result)
        return dataclasses.replace(c, values=self.to_live(c.values, layout))

    # ======================================================================== heatmap
    def update_heatmap(self) -> None:
        """Redraw the plan heatmap, airflow arrows and 3-D slice from the latest result
        (each view is only touched when it shows, or stops showing, something)."""
        ctl, plan, view3d = self.controls, self._plan, self.window.view3d
        res, snap = self.result, self.snapshot
        hm = None
        if res is not None and ctl.metric != "off":
            hm = layers.heatmap(ctl.metric, snap, res, ctl.height_m)
        notes = [self._why_no_heatmap(ctl.metric, res)] if (
            hm is None and res is not None and ctl.metric != "off") else []
        if plan is not None:
            if hm is not None:
                plan.set_heatmap(hm.image, hm.extent, hm.levels, hm.colormap, hm.label,
                                 hm.unit)
            elif plan.heatmap_item().isVisible():
                plan.clear_heatmap()
        if view3d is not None:
            if hm is not None and ctl.slice_3d:
                rgba = colormap_rgba(hm.image.ravel(), *hm.levels, hm.colormap)
                rgba[:, 3] = np.where(np.isfinite(hm.image.ravel()), SLICE_ALPHA, 0.0)
                z = ctl.height_m if ctl.metric == "air" else FLOOR_SLICE_Z_M
                view3d.set_slice(rgba.reshape(*hm.image.shape, 4), z, hm.extent)
                self._slice_shown = True
            elif self._slice_shown:
                view3d.clear_slice()
                self._slice_shown = False
        air = res.air if res is not None else None
        if ctl.arrows and air is not None and air.field_current:
            xs, ys, ref = arrow_segments(air, ctl.height_m)
            self.arrows.set_arrows(xs, ys)
            notes.append(f"Arrows at {ctl.height_m:.2f} m: a full-length arrow is "
                         f"{ref:.2f} m/s or faster")
        elif self.arrows.isVisible():
            self.arrows.clear_arrows()
        ctl.set_note("\n".join(notes))

    @staticmethod
    def _why_no_heatmap(metric: str, res: TwinResult) -> str:
        if metric == "coolant":
            return "No coolant return to show: no rack here is on a CDU loop."
        if res.air is None:
            return "No air temperatures: no cooling unit moves air in this layout."
        if metric == "air":
            return "The air field is being refreshed\u2026"
        return "Nothing to show for this layout."

    # ======================================================================== tooltips
    def tooltip_lines(self, item_id: str) -> str:
        """Live figures for the plan tooltip of a rack, cooling unit or CDU."""
        res = self.result
        if res is None:
            return ""
        if self.error is not None:
            head = "(last good result; the current layout did not solve)\n"
        elif not self.up_to_date:
            head = "(updating\u2026)\n"
        else:
            head = ""
        lines = []
        air, liq = res.air, res.liquid
        if item_id in self._index:
            i = self._index[item_id]
            if air is not None:
                lines.append(f"Inlet {air.rack_inlet_mean_c[i]:.1f} \u00b0C "
                             f"(max {air.rack_inlet_max_c[i]:.1f} \u00b0C) \u00b7 exhaust "
                             f"{air.rack_exhaust_c[i]:.1f} \u00b0C")
            power = f"Power {res.rack_power_kw[i]:.1f} kW"
            if res.rack_liquid_heat_kw[i] > 0:
                power += (f" (air {res.rack_air_heat_kw[i]:.1f}, liquid "
                          f"{res.rack_liquid_heat_kw[i]:.1f} kW)")
            lines.append(power)
            if liq is not None and liq.racks.cdu_index[i] >= 0:
                b = liq.racks
                lines.append(f"Coolant {b.flow_lpm[i]:.0f} L/min (needs {b.need_lpm[i]:.0f}), "
                             f"supply {b.supply_c[i]:.1f} \u00b0C, return "
                             f"{b.return_c[i]:.1f} \u00b0C")
            if air is not None:
                lines.append(f"Capture index {air.rack_capture_index[i]:.2f}")
        elif item_id in res.unit_ids and air is not None:
            j = res.unit_ids.index(item_id)
            if np.isfinite(air.unit_return_c[j]):
                lines.append(f"Load {air.unit_load_w[j] / 1e3:.1f} kW "
                             f"({air.unit_capacity_fraction[j] * 100:.0f} % of capacity)")
                lines.append(f"Return {air.unit_return_c[j]:.1f} \u00b0C \u00b7 supply "
                             f"{air.unit_supply_c[j]:.1f} \u00b0C \u00b7 "
                             f"{air.unit_airflow_m3s[j]:.2f} m\u00b3/s")
            else:
                lines.append("Off (disabled)")
        elif item_id in res.cdu_ids and liq is not None:
            j = res.cdu_ids.index(item_id)
            c = liq.cdus
            lines.append(f"Load {c.load_w[j] / 1e3:.0f} kW "
                         f"({c.capacity_fraction[j] * 100:.0f} % of capacity)")
            lines.append(f"Flow {c.flow_lpm[j]:.0f} L/min \u00b7 loop supply "
                         f"{c.loop_supply_c[j]:.1f} \u00b0C, return {c.loop_return_c[j]:.1f} \u00b0C")
        alerts = [a.message for a in res.alerts if a.target == item_id]
        lines += [f"\u26a0 {m}" for m in alerts[:3]]
        return head + "\n".join(lines) if lines else ""

    # ========================================================================= alerts
    def activate_target(self, target: str) -> None:
        """An alert was clicked: select its target and frame it in both views."""
        w = self.window
        coll = w.editor.collection_of(target)
        if coll is None:
            w.statusBar().showMessage(f"The alert concerns {target}, which is not an item "
                                      "of the layout (see the alert text)", 6000)
            return
        w.selection.set({target})
        if coll in PLACED_COLLECTIONS:
            w.view_frame_selection()
        else:
            w.statusBar().showMessage(f"Selected {target}: it is not on the floor plan; "
                                      "see Properties", 6000)

    # ===================================================================== scripts
    def settled(self) -> bool:
        """Process pending events; True when the latest edit's refined result (or its
        error) is on screen and no solve is queued or running (tests, scripts)."""
        idle = self.engine is not None and not self.engine.busy
        QCoreApplication.processEvents()   # what the worker posted before it went idle
        return idle and self.up_to_date

    def wait_shown(self, timeout_s: float = 60.0) -> bool:
        """Block (processing events) until ``settled``; False on timeout."""
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            if self.settled():
                return True
            time.sleep(0.002)
        return False
