"""The bridge between the Qt-free ``Session`` and the window's widgets.

The session solves in the background and keeps the result, the colouring and the solve
status; this bridge only carries what it announces to the widgets on the GUI thread:
the status bar (busy states debounced), the metrics and alerts docks, the plan heatmap,
airflow arrows and 3-D slice, the heatmap dock's controls, plan tooltips and drags. The
engine's callbacks reach the session through ``QtPost``, a queued Qt signal, so widgets
and GL objects are touched on the GUI thread only.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from twin.engine.live import SolveInfo
from twin.engine.simulate import TwinResult
from twin.gui.base.style import COLOURS
from twin.gui.docks.alerts import AlertsPanel
from twin.gui.docks.heatmap import HeatmapControls
from twin.gui.docks.metrics import MetricsPanel
from twin.gui.plan.airflow import AirflowArrows, arrow_segments
from twin.gui.plan.fabric import FabricLayer
from twin.gui.plan.view import PlanView
from twin.model import units
from twin.gui.window.sections import SectionsBridge
from twin.gui.window.streamlines import StreamlinesBridge
from twin.model.viewstate import colormap_rgba
from twin.session import HeatmapChoice, Session, SolvePhase, SolveStatus

#: Busy states ("Stale", "Solving… 40 %") show after this delay and at most this often,
#: so a fast solve goes straight to "Fresh" and a slow one does not repaint per progress step.
BUSY_STATUS_MS = 150
SLICE_ALPHA = 0.5
FLOOR_SLICE_Z_M = 0.03


class QtPost(QObject):
    """Runs functions posted from any thread on the GUI thread (queued connection).
    Parentless: it lives as long as the engine's callbacks reference it, so a late post
    never reaches a deleted object."""

    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @staticmethod
    def _run(fn: Callable[[], None]) -> None:
        fn()


class LiveBridge(QObject):
    """Keeps the widgets in step with the session.

    Signals: ``result_shown(SolveInfo)`` after a result is on screen; ``failed(str)`` after
    a solver error is shown."""

    result_shown = Signal(object)
    failed = Signal(str)

    def __init__(self, session: Session, *, plan, view3d, controls: HeatmapControls,
                 metrics: MetricsPanel, alerts: AlertsPanel,
                 show_status: Callable[[SolveStatus], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.controls = controls
        self._plan = plan if isinstance(plan, PlanView) else None
        self._view3d = view3d
        self._metrics, self._alerts = metrics, alerts
        self._show_status = show_status
        self.arrows = AirflowArrows()
        self._slice_shown = False
        self._busy: SolveStatus | None = None
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(BUSY_STATUS_MS)
        self._status_timer.timeout.connect(self._show_busy_status)
        if self._plan is not None:
            self._plan.view_box.addItem(self.arrows, ignoreBounds=True)
            #: trays by fill and the selected racks' links (docs/physics.md §23)
            self.fabric: FabricLayer | None = FabricLayer(self._plan.view_box)
            session.selection.changed.connect(self.fabric.set_selection)
            self._plan.tooltip_extra = session.live_lines
            self._plan.drag_started.connect(session.begin_drag)
            self._plan.drag_finished.connect(session.end_drag)
        self._set_presets(session.heatmap_presets())
        controls.set_metric(session.heatmap.metric)
        controls.set_height(session.heatmap.height_m)
        controls.changed.connect(self._controls_changed)
        self._plan_choice = session.heatmap.plan_part()
        #: the 3-D vertical slices and iso-surface (computed on their own worker)
        self.sections = SectionsBridge(session, view3d, controls.sections, post=QtPost(),
                                       parent=self)
        #: streamlines on the plan and in 3-D (traced on their own worker)
        self.streamlines = StreamlinesBridge(session, self._plan, view3d, controls,
                                             post=QtPost(), parent=self)
        ev = session.events
        ev.status.connect(self._on_status)
        ev.result.connect(self._on_result)
        ev.failed.connect(self.failed.emit)
        ev.cleared.connect(self._on_cleared)
        ev.heatmap.connect(self._on_heatmap)
        ev.heatmap_presets.connect(self._set_presets)
        self._on_status(session.status)

    # ----- compatibility read-outs for scripts and tests -------------------------------
    @property
    def result(self) -> TwinResult | None:
        return self.session.result

    def close(self) -> None:
        self.sections.close()
        self.streamlines.close()
        self.session.close()

    # ================================================================ session -> widgets
    def _on_status(self, status: SolveStatus) -> None:
        if status.busy:                   # shown late, at most every BUSY_STATUS_MS
            self._busy = status
            if not self._status_timer.isActive():
                self._status_timer.start()
            return
        self._busy = None
        self._status_timer.stop()
        self._show_status(status)

    def _show_busy_status(self) -> None:
        if self._busy is not None:
            self._show_status(self._busy)
            self._busy = None

    def _on_result(self, info: SolveInfo) -> None:
        s = self.session
        self.update_heatmap()
        self._metrics.set_result(s.result, s.snapshot)
        self._alerts.set_alerts(s.result.alerts)
        if self._plan is not None:
            self.fabric.set_result(s.result.fabric)
        if self._view3d is not None:
            self._view3d.set_fabric(s.result.fabric)
        self.result_shown.emit(info)

    def _on_cleared(self) -> None:
        self._metrics.clear()
        self._alerts.clear()
        self.update_heatmap()

    def _set_presets(self, presets: tuple[float, float, float]) -> None:
        mid, top, ceiling = presets
        self.controls.set_height_range(ceiling)
        self.controls.set_presets(mid, top)
        self.controls.blockSignals(True)
        self.controls.set_height(self.session.heatmap.height_m)
        self.controls.blockSignals(False)

    def _controls_changed(self) -> None:
        c = self.controls
        self.session.set_heatmap(metric=c.metric, height_m=c.height_m, slice_3d=c.slice_3d,
                                 arrows=c.arrows, smooth=c.smooth, streamlines=c.streamlines)

    def _on_heatmap(self, choice: HeatmapChoice) -> None:
        if abs(choice.height_m - self.controls.height_m) > 1e-6:   # dragged in 3-D
            self.controls.blockSignals(True)
            self.controls.set_height(choice.height_m)
            self.controls.blockSignals(False)
        if choice.plan_part() == self._plan_choice:     # only the 3-D sections changed
            return
        self._plan_choice = choice.plan_part()
        self.update_heatmap()

    # ======================================================================== heatmap
    def update_heatmap(self) -> None:
        """Redraw the plan heatmap, airflow arrows and 3-D slice from the latest result
        (each view is only touched when it shows, or stops showing, something)."""
        s, plan, view3d = self.session, self._plan, self._view3d
        choice = s.heatmap
        hm, note = s.heatmap_image()
        notes = [note] if note else []
        if plan is not None:
            if hm is not None:
                plan.set_heatmap(hm.image, hm.extent, hm.levels, hm.colormap, hm.label,
                                 hm.unit, hm.categories, smooth=choice.smooth)
            elif plan.heatmap_item().isVisible():
                plan.clear_heatmap()
        if view3d is not None:
            if hm is not None and choice.slice_3d:
                rgba = colormap_rgba(hm.image.ravel(), *hm.levels, hm.colormap)
                rgba[:, 3] = np.where(np.isfinite(hm.image.ravel()), SLICE_ALPHA, 0.0)
                z = choice.height_m if choice.metric == "air" else FLOOR_SLICE_Z_M
                view3d.set_slice(rgba.reshape(*hm.image.shape, 4), z, hm.extent)
                self._slice_shown = True
            elif self._slice_shown:
                view3d.clear_slice()
                self._slice_shown = False
        air = s.result.air if s.result is not None else None
        if choice.arrows and air is not None and air.field_current:
            xs, ys, ref = arrow_segments(air, choice.height_m)
            self.arrows.set_arrows(xs, ys)
            notes.append(f"Arrows at {choice.height_m:.2f} m: a full-length arrow is "
                         f"{ref:.2f} m/s or faster")
        elif self.arrows.isVisible():
            self.arrows.clear_arrows()
        self.controls.set_note(units.localise("\n".join(notes)))

    def refresh_units(self) -> None:
        """View > Units changed: the heatmap's bar and the notes in the new units."""
        self.update_heatmap()

    # ===================================================================== scripts
    def settled(self) -> bool:
        """Process pending events; True when the latest edit's refined result (or its
        error) is on screen and no solve is queued or running (tests, scripts)."""
        idle = self.session.engine is not None and not self.session.busy
        QCoreApplication.processEvents()   # what the worker posted before it went idle
        return idle and self.session.up_to_date

    def wait_shown(self, timeout_s: float = 60.0) -> bool:
        """Block (processing events) until ``settled``; False on timeout."""
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            if self.settled():
                return True
            time.sleep(0.002)
        return False


def error_style(status: SolveStatus) -> str:
    """Style sheet of the status label for ``status`` (red and bold for errors)."""
    return (f"color: {COLOURS['error']}; font-weight: 600;"
            if status.phase is SolvePhase.ERROR else "")
