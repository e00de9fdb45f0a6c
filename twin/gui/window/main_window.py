"""The main window: 3-D view and plan (split or one at a time), equipment palette,
properties inspector, metrics and alerts docks, menus, status bar and file handling.

The window holds one Qt-free ``Session`` (layout, selection, colouring, heatmap choice,
latest result, solve status); views and docks observe it and change the layout only
through the ``Editor``. ``LiveBridge`` carries the session's announcements to the widgets.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox,
    QScrollArea, QSplitter, QToolTip, QWidget,
)

import twin
from twin.paths import file_slug
from twin.gui.window import actions as acts
from twin.gui.docks.alerts import AlertsPanel
from twin.gui.window.clipboard import clipboard_document, copy_to_clipboard, paste_records
from twin.gui.window import export_image as export
from twin.gui.base.dialogs import LAYOUT_FILTER, ask_save_changes, show_problems
from twin.gui.base.document import Document
from twin.gui.docks.heatmap import HeatmapControls
from twin.gui.docks.inspector import COLLECTION_LABELS, Inspector
from twin.gui.plan.view import PlanView
from twin.gui.window import help as help_pages
from twin.gui.window.autosave import Autosaver
from twin.gui.window.help import HelpDialog
from twin.gui.window.live import LiveBridge, QtPost, error_style
from twin.gui.base.views import FloorView, ViewPlaceholder
from twin.gui.docks.metrics import MetricsPanel
from twin.gui.docks.timeline import TimelineDock
from twin.gui.docks.palette import EquipmentPalette
from twin.gui.base.placement import add_from_catalogue, is_placeable
from twin.gui.window.settings import AppSettings
from twin.gui.docks.workloads import WorkloadPanel
from twin.io import LayoutError
from twin.io.equipment import equipment_warnings, read_equipment
from twin.io.recovery import RecoveryStore
from twin.model import Layout, units
from twin.model.events import Change, ChangeKind
from twin.model.viewstate import Colouring
from twin.session import Session, SolveStatus

APP_TITLE = "AI Factory Floor Twin"
#: Things Select All picks: racks and every placed item collection.
PLACED = ("cooling_units", "cdus", "tanks", "containment", "tiles", "grilles")
#: Collections drawn on the floor (an alert on anything else cannot be framed).
PLACED_COLLECTIONS = ("racks",) + PLACED
#: after a drag, the 3-D view draws full-resolution frames again just after the next
#: result's frame (``RESULT_FULL_FRAME_MS`` later, in a paint of its own) or this long
#: after release at the latest
FULL_FRAME_DELAY_MS = 600
RESULT_FULL_FRAME_MS = 40


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


#: below this window width the side docks narrow so the views keep room (1024 x 700)
NARROW_BELOW_PX = 1280
#: (equipment, properties) dock widths in px: normal, narrow (also their minimum)
DOCK_WIDTHS_PX = {False: (300, 330), True: (230, 290)}


class MainWindow(QMainWindow):
    """The desktop editor. ``first_frame`` fires once after the first paint."""

    first_frame = Signal()

    def __init__(self, document: Document | None = None, settings: AppSettings | None = None,
                 enable_3d: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.document = document or Document()
        self.settings = settings or AppSettings()
        self.floor_layout: Layout = self.document.layout
        self.editor = self.document.editor
        self._post = QtPost()
        self.session = Session(self.floor_layout, post=self._post)
        #: the last what-if analyses (layout snapshot, answer): the review report carries
        #: those of the layout it reports on
        self.last_sweep: tuple | None = None
        self.last_rides: list[tuple] = []
        self.last_swaps: list[tuple] = []     # (layout before, SwapReport), for the report
        self.last_comparison: tuple | None = None    # (layout A, path of B, Comparison)
        self.last_swing = None                       # SwingReport of Analysis > Power Swings
        self.selection = self.session.selection
        self.colouring = self.session.colouring
        self._paste_count = 0
        self._first_frame_done = False
        self.view_mode = "split"
        self.setWindowTitle(APP_TITLE)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)
        self.floor_layout.changed.connect(self._on_layout_changed)

        self.actions = acts.build_actions(self)
        acts.build_menus(self)
        self.toolbar = acts.build_toolbar(self)
        self._build_status_bar()
        self._build_views(enable_3d)
        self._build_docks()
        for key, (label, _f) in self.session.colour_sources.items():
            acts.add_colour_action(self, key, label)
        ev = self.session.events
        ev.colour_sources.connect(lambda key, label: acts.add_colour_action(self, key, label))
        ev.colour_key.connect(self._on_colour_key)
        ev.alert_ids.connect(self.set_alert_ids)
        self.live = LiveBridge(self.session, plan=self.plan_view, view3d=self.view3d,
                               controls=self.heatmap_controls, metrics=self.metrics_panel,
                               alerts=self.alerts_panel, show_status=self.show_solve_status,
                               parent=self)
        self.live.sections.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.live.result_shown.connect(
            lambda _info: QTimer.singleShot(RESULT_FULL_FRAME_MS, self._full_frames))
        self.alerts_panel.target_activated.connect(self.activate_target)
        self.metrics_panel.target_activated.connect(self.activate_target)
        self.colour_combo.currentIndexChanged.connect(
            lambda i: self.set_colour_by(self.colour_combo.itemData(i)))
        self._sync_colour_widgets()

        self.selection.changed.connect(self._on_selection_changed)
        self.autosaver = Autosaver(self.document, RecoveryStore(self.settings.recovery_dir()),
                                   parent=self)
        self.document.stack.cleanChanged.connect(self._update_title)
        self.document.file_changed.connect(self._on_file_changed)
        QApplication.clipboard().dataChanged.connect(self._update_paste_enabled)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self._update_selection_summary)

        remembered = self.settings.colour_by()
        if remembered in self.session.colour_sources and remembered != self.colour_key:
            self.session.set_colour_by(remembered)
        self.actions.snap.setChecked(self.settings.snap())
        self.set_snap(self.settings.snap())
        self._restore_window_state()
        self._update_title()
        self._update_edit_actions()
        self._update_paste_enabled()
        self._update_selection_summary()

    # ======================================================================== building
    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        sb.setSizeGripEnabled(True)
        self.gl_label = QLabel()
        self.gl_label.setStyleSheet("color: #e0a84e;")
        self.gl_label.hide()
        self.selection_label = QLabel()
        self.selection_label.setToolTip("Selection (or whole layout) with its nameplate IT "
                                        "power in kW")
        self.solve_label = QLabel("Simulation: not run")
        self.solve_label.setObjectName("hint")
        self.solve_label.setToolTip("State of the thermal and power solve")
        sb.addPermanentWidget(self.gl_label)
        sb.addPermanentWidget(self.selection_label)
        sb.addPermanentWidget(self.solve_label)

    def _build_views(self, enable_3d: bool) -> None:
        self.plan_view = self._make_plan_view()
        self.view3d, reason = self._make_3d_view(enable_3d)
        self.gl_reason = reason
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("viewSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(3)
        self.view3d_widget = self.view3d.native if self.view3d is not None else \
            ViewPlaceholder("3-D view unavailable", reason)
        self.view3d_widget.setMinimumSize(200, 150)
        self.plan_widget = self.plan_view if isinstance(self.plan_view, QWidget) else \
            self.plan_view.native
        self.plan_widget.setMinimumSize(200, 150)
        self.splitter.addWidget(self.view3d_widget)
        self.splitter.addWidget(self.plan_widget)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.splitter)
        self._plan_dragging = False
        if self.view3d is not None and isinstance(self.plan_view, PlanView):
            # a plan drag repaints the 3-D view at mouse rate: lighter frames until release
            self.plan_view.drag_started.connect(lambda: self._set_dragging(True))
            self.plan_view.drag_finished.connect(lambda: self._set_dragging(False))
        if self.view3d is None:
            text = f"3-D view off: {reason}"
            metrics = self.gl_label.fontMetrics()
            self.gl_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, 460))
            self.gl_label.setToolTip(f"{text}. The plan view and all editing still work.")
            self.gl_label.show()
            self.statusBar().showMessage(f"3-D view off: {reason}. Showing the plan view.",
                                         15000)
            for act in (self.actions.view_3d, self.actions.view_split):
                act.setEnabled(False)
                act.setToolTip(f"Unavailable: {reason}")

    def _make_plan_view(self) -> PlanView:
        view = PlanView(self.floor_layout, self.selection, self.colouring, self.editor,
                        floor=self.session.floor)
        view.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        return view

    def _set_dragging(self, on: bool) -> None:
        """Light 3-D frames while a plan drag is in progress; full ones again right
        after the first result's frame (the solve it waits for gets the cores
        meanwhile, and the result's own frame stays light: the GUI is never busy for
        both at once) or ``FULL_FRAME_DELAY_MS`` after release at the latest."""
        self._plan_dragging = on
        if on:
            self.view3d.set_interactive(True)
        else:
            QTimer.singleShot(FULL_FRAME_DELAY_MS, self._full_frames)

    def _full_frames(self) -> None:
        if not self._plan_dragging and self.view3d is not None:
            self.view3d.set_interactive(False)

    def _make_3d_view(self, enable_3d: bool):
        if not enable_3d:
            return None, "disabled by the caller"
        try:
            from twin.view3d.gl import opengl_available
        except ImportError as exc:
            return None, f"the 3-D view module is missing ({exc})"
        try:
            ok, reason = opengl_available()
        except Exception as exc:  # a broken driver must not stop the editor
            ok, reason = False, f"OpenGL check failed: {exc}"
        if not ok:
            return None, reason or "OpenGL is not available"
        try:
            from twin.view3d import FloorView3D
            view = FloorView3D(self.floor_layout, self.selection, self.colouring, parent=None,
                               floor=self.session.floor)
        except Exception as exc:
            return None, f"cannot create the 3-D canvas ({type(exc).__name__}: {exc})"
        view.picked.connect(self._on_picked)
        view.hovered.connect(self._on_hovered)
        return view, ""

    def _dock(self, title: str, name: str, widget: QWidget, area, tip: str,
              scroll: bool = False) -> QDockWidget:
        """A dock of ``widget``; with ``scroll`` inside a scroll area, so a short dock
        scrolls its form instead of cutting it off."""
        d = QDockWidget(title, self)
        d.setObjectName(name)
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QFrame.Shape.NoFrame)
            area_widget.setWidget(widget)
            widget = area_widget
        d.setWidget(widget)
        d.setToolTip(tip)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                      | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        self.panels_menu.addAction(d.toggleViewAction())
        return d

    def _build_docks(self) -> None:
        A = Qt.DockWidgetArea
        self.palette = EquipmentPalette(self.floor_layout.catalogue)
        self.palette.setMinimumWidth(DOCK_WIDTHS_PX[True][0])
        self.palette.add_requested.connect(self.add_equipment)
        self.palette_dock = self._dock("Equipment", "paletteDock", self.palette, A.LeftDockWidgetArea,
                                       "Catalogue equipment: drag onto the plan or double-click")
        self.inspector = Inspector(self.editor, self.selection)
        self.inspector.setMinimumWidth(DOCK_WIDTHS_PX[True][1])
        self.inspector_dock = self._dock("Properties", "inspectorDock", self.inspector,
                                         A.RightDockWidgetArea,
                                         "Properties of the selection, or of the hall")
        self.metrics_panel = MetricsPanel()
        self.metrics_dock = self._dock("Metrics", "metricsDock", self.metrics_panel,
                                       A.RightDockWidgetArea,
                                       "Facility metrics from the live simulation")
        self.heatmap_controls = HeatmapControls()
        self.heatmap_dock = self._dock("Heatmap", "heatmapDock", self.heatmap_controls,
                                       A.LeftDockWidgetArea,
                                       "What the plan heatmap shows, at what height",
                                       scroll=True)
        self.alerts_panel = AlertsPanel()
        self.alerts_dock = self._dock("Alerts", "alertsDock", self.alerts_panel,
                                      A.LeftDockWidgetArea,
                                      "Alerts from the live simulation; click one to find it")
        self.workload_panel = WorkloadPanel(self.floor_layout, self.selection, self.editor)
        self.workloads_dock = self._dock("Workloads", "workloadsDock", self.workload_panel,
                                         A.LeftDockWidgetArea,
                                         "Workloads of the racks: assign, edit, what-if")
        self.timeline_panel = TimelineDock(self.session, self.floor_layout,
                                           lambda: self.document.path)
        self.timeline_dock = self._dock("Timeline", "timelineDock", self.timeline_panel,
                                        A.BottomDockWidgetArea,
                                        "The floor over its 24-hour profile or a workload trace",
                                        scroll=True)
        self.timeline_dock.hide()
        self.floor_layout.changed.connect(self._on_trace_changed)
        self.splitDockWidget(self.inspector_dock, self.metrics_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.palette_dock, self.heatmap_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(self.heatmap_dock, self.alerts_dock, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.palette_dock, self.workloads_dock)
        self.palette_dock.raise_()
        self.resizeDocks([self.palette_dock, self.inspector_dock], list(DOCK_WIDTHS_PX[False]),
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.inspector_dock, self.metrics_dock], [420, 420],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.palette_dock, self.heatmap_dock, self.alerts_dock],
                         [400, 180, 240], Qt.Orientation.Vertical)

    def _on_trace_changed(self, change: Change) -> None:
        if change.is_reset or change.any_of(ChangeKind.SETTINGS_CHANGED, collection="trace"):
            self.timeline_panel.refresh_sources()
        if change.is_reset or change.collection == "scenarios":
            self.scenario_switcher.refresh()

    # ================================================================= window state
    def _restore_window_state(self) -> None:
        geometry, state, splitter = self.settings.window_state()
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        orientation = self.settings.split_orientation()
        self._auto_orientation = False
        if isinstance(splitter, QByteArray) and not splitter.isEmpty() and \
                self.splitter.restoreState(splitter):
            stacked = self.splitter.orientation() == Qt.Orientation.Vertical
            self.actions.stacked.blockSignals(True)
            self.actions.stacked.setChecked(stacked)
            self.actions.stacked.blockSignals(False)
        elif orientation == "auto":
            self._auto_orientation = True      # decided at the first show
            self._apply_orientation(True)
        else:
            self._apply_orientation(orientation == "stacked")
        self.set_view_mode(self.settings.view_mode(), remember=False)

    def _save_window_state(self) -> None:
        self.settings.set_window_state(self.saveGeometry(), self.saveState(),
                                       self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self._save_window_state()
        self.autosaver.close()
        # the undo stack emits cleanChanged while it is destroyed: not for a closed window
        try:
            self.document.stack.cleanChanged.disconnect(self._update_title)
        except (RuntimeError, TypeError):   # a second close: already disconnected
            pass
        self.live.close()
        if self.view3d is not None:
            try:
                self.view3d.close()
            except Exception:   # a broken GL driver must not keep the window open
                pass
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        narrow = self.width() < NARROW_BELOW_PX
        if narrow != getattr(self, "_narrow", False):
            # crossing the threshold (only then: the user's own dock widths are kept)
            self._narrow = narrow
            self.resizeDocks([self.palette_dock, self.inspector_dock],
                             list(DOCK_WIDTHS_PX[narrow]), Qt.Orientation.Horizontal)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            # the views know their real size only now: frame the hall once
            if self._auto_orientation:
                self._apply_orientation(None)
            QTimer.singleShot(0, self.view_reset)

    def event(self, e: QEvent) -> bool:
        result = super().event(e)
        if not self._first_frame_done and e.type() == QEvent.Type.UpdateRequest:
            self._first_frame_done = True
            QTimer.singleShot(0, self.first_frame.emit)
        return result

    # ========================================================================= title
    def _update_title(self, *_: Any) -> None:
        self.setWindowTitle(self.document.title)
        self.setWindowModified(self.document.modified)

    def _on_file_changed(self) -> None:
        self._paste_count = 0
        self._update_title()
        self.selection.clear()
        self.view_reset()

    # ==================================================================== model events
    def _on_layout_changed(self, change: Change) -> None:
        if change.is_reset:
            self._update_title()
        if change.is_reset or change.any_of(ChangeKind.SETTINGS_CHANGED, collection="catalogue"):
            self.palette.set_catalogue(self.floor_layout.catalogue)
        self._summary_timer.start()

    def _on_selection_changed(self, ids) -> None:
        self._update_edit_actions()
        self._summary_timer.start()

    def _update_edit_actions(self) -> None:
        has = bool(self.selection.ids)
        a = self.actions
        for act in (a.cut, a.copy, a.duplicate, a.delete, a.rotate, a.frame_selection,
                    a.select_none):
            act.setEnabled(has)

    def _update_paste_enabled(self) -> None:
        self.actions.paste.setEnabled(clipboard_document() is not None)

    def nameplate_kw(self, rack_ids) -> float:
        racks = self.floor_layout.racks
        ids = [i for i in rack_ids if racks.has(i)]
        if not ids:
            return 0.0
        models = racks["model"][racks.indices_of(ids)].astype(str)
        uniq, counts = np.unique(models, return_counts=True)
        cat = self.floor_layout.catalogue
        return float(sum(n * (cat[m].get("nameplate_kw") if m in cat else 0.0)
                         for m, n in zip(uniq, counts)))

    def selection_summary(self) -> str:
        """E.g. "3 racks selected, 396 kW nameplate"; the layout totals when none."""
        ids = self.selection.ids
        racks = self.floor_layout.racks
        if not ids:
            return (f"{_plural(len(racks), 'rack', 'racks')}, "
                    f"{self.nameplate_kw(racks.ids.tolist()):,.0f} kW nameplate")
        groups: dict[str, int] = {}
        for i in ids:
            coll = self.editor.collection_of(i)
            if coll:
                groups[coll] = groups.get(coll, 0) + 1
        parts = [_plural(n, *COLLECTION_LABELS.get(c, (c, c))) for c, n in
                 sorted(groups.items(), key=lambda kv: kv[0] != "racks")]
        text = ", ".join(parts) + " selected"
        if "racks" in groups:
            text += f", {self.nameplate_kw(ids):,.0f} kW nameplate"
        return text

    def _update_selection_summary(self) -> None:
        self.selection_label.setText(self.selection_summary())

    def refresh_units(self) -> None:
        """View > Units changed (``units_menu``): drop a status message printed in the
        old units; the docks and views refresh themselves."""
        self.statusBar().clearMessage()
        self._update_selection_summary()

    # ====================================================================== colouring
    @property
    def colour_key(self) -> str:
        return self.session.colour_key

    def add_colouring(self, key: str, label: str, func: Callable[[Layout], Colouring]) -> None:
        """Offer another colour-by choice (a menu entry appears through the session)."""
        self.session.add_colouring(key, label, func)

    def set_colour_by(self, key: str) -> None:
        if key in self.session.colour_sources:
            self.session.set_colour_by(key)

    def _on_colour_key(self, key: str) -> None:
        self._sync_colour_widgets()
        self.settings.set_colour_by(key)

    def _sync_colour_widgets(self) -> None:
        act = self.actions.colour_actions.get(self.colour_key)
        if act is not None and not act.isChecked():
            act.setChecked(True)
        i = self.colour_combo.findData(self.colour_key)
        if i >= 0 and i != self.colour_combo.currentIndex():
            self.colour_combo.blockSignals(True)
            self.colour_combo.setCurrentIndex(i)
            self.colour_combo.blockSignals(False)

    # ========================================================================== views
    def set_view_mode(self, mode: str, remember: bool = True) -> None:
        """'3d', 'plan' or 'split'; without OpenGL always the plan."""
        if self.view3d is None:
            mode = "plan"
        self.view_mode = mode
        self.view3d_widget.setVisible(mode in ("3d", "split"))
        self.plan_widget.setVisible(mode in ("plan", "split"))
        {"3d": self.actions.view_3d, "plan": self.actions.view_plan,
         "split": self.actions.view_split}[mode].setChecked(True)
        # the views change size: frame the hall again (the 3-D view re-frames once more
        # when its new size arrives, until the user moves its camera)
        if self.view3d is not None:
            self.view3d.refit()
        self.plan_view.reset_view()
        if remember and self.view3d is not None:
            self.settings.set_view_mode(mode)

    def _plan_min_width(self) -> int:
        """Width below which the plan's axes and legends would be clipped."""
        ci = getattr(getattr(self.plan_view, "canvas", None), "ci", None)
        if ci is None:
            return 200
        return int(ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()) + 4

    def _apply_orientation(self, stacked: bool | None) -> None:
        """Split side by side or stacked; ``None`` decides from the space available."""
        if stacked is None:
            docks = sum(d.width() for d in (self.palette_dock, self.inspector_dock)
                        if d.isVisible() and not d.isFloating()) or 640
            central_w = self.width() - docks
            central_h = max(self.splitter.height(), self.height() - 120)
            # side by side only when both panes get a landscape-ish area
            stacked = central_w < self._plan_min_width() + 480 or central_w < 1.5 * central_h
        self.splitter.setOrientation(Qt.Orientation.Vertical if stacked
                                     else Qt.Orientation.Horizontal)
        self.actions.stacked.blockSignals(True)
        self.actions.stacked.setChecked(stacked)
        self.actions.stacked.blockSignals(False)
        if stacked:
            total = sum(self.splitter.sizes()) or 900
            self.splitter.setSizes([total * 55 // 100, total - total * 55 // 100])
        else:   # give the plan the width its axes and legends need when there is room
            total = sum(self.splitter.sizes()) or 1000
            plan = min(max(self._plan_min_width(), total * 45 // 100), total - 200)
            self.splitter.setSizes([total - plan, plan])

    def set_stacked(self, on: bool) -> None:
        self._apply_orientation(bool(on))
        self.settings.set_split_orientation("stacked" if on else "side")

    @property
    def views(self) -> tuple[FloorView, ...]:
        """The floor views shown (the 3-D view when it exists, and the plan)."""
        return tuple(v for v in (self.view3d, self.plan_view) if v is not None)

    def set_alert_ids(self, ids) -> None:
        """Mark racks/items in alert in both views (for the live twin)."""
        ids = frozenset(ids)
        for view in self.views:
            view.set_alert_ids(ids)

    def set_snap(self, on: bool) -> None:
        self.plan_view.set_snap(bool(on))
        self.settings.set_snap(bool(on))

    def view_reset(self) -> None:
        for view in self.views:
            view.reset_view()

    def view_preset(self, key: str) -> None:
        """View > Camera Presets: apply a preset of ``twin.view3d.presets`` to the 3-D
        view (shown beside the plan when only the plan was)."""
        if self.view3d is None:
            self.statusBar().showMessage(f"Camera presets need the 3-D view ({self.gl_reason})",
                                         6000)
            return
        if self.view_mode == "plan":
            self.set_view_mode("split")
        self.view3d.set_preset(key)

    def view_frame_selection(self) -> None:
        ids = sorted(self.selection.ids)
        if not ids:
            return
        for view in self.views:
            view.frame_ids(ids)

    def activate_target(self, target: str) -> None:
        """An alert was clicked: select its target and frame it in both views."""
        coll = self.editor.collection_of(target)
        if coll is None:
            self.statusBar().showMessage(f"The alert concerns {target}, which is not an item "
                                         "of the layout (see the alert text)", 6000)
            return
        self.selection.set({target})
        if coll in PLACED_COLLECTIONS:
            self.view_frame_selection()
        else:
            self.statusBar().showMessage(f"Selected {target}: it is not on the floor plan; "
                                         "see Properties", 6000)

    def _on_picked(self, item_id, modifiers=None) -> None:
        """The 3-D view updates the selection itself; say what was clicked."""
        if item_id is not None:
            self.statusBar().showMessage(self.describe(item_id), 5000)

    def _on_hovered(self, item_id, pos=None) -> None:
        """The mouse is over a rack or item in the 3-D view: the plan's tooltip text at
        the cursor, one line in the status bar."""
        if item_id is None:
            self.statusBar().clearMessage()
            QToolTip.hideText()
            return
        self.statusBar().showMessage(self.describe(item_id), 4000)
        text = self.plan_view.tooltip_text(item_id)
        if text and pos is not None and self.view3d is not None:
            at = self.view3d.native.mapToGlobal(QPoint(int(pos[0]) + 14, int(pos[1]) + 18))
            QToolTip.showText(at, text, self.view3d.native)

    def describe(self, item_id: str) -> str:
        """One line about a rack or item for the status bar."""
        coll = self.editor.collection_of(item_id)
        if coll == "racks":
            i = self.floor_layout.racks.index_of(item_id)
            model = self.floor_layout.racks["model"][i]
            e = self.floor_layout.catalogue[model] if model in self.floor_layout.catalogue else None
            x, y = self.editor.position_of(item_id)
            return (f"Rack {item_id} \u2014 {e.name if e else model}, "
                    f"{e.get('nameplate_kw') if e else 0:g} kW nameplate, at "
                    f"({units.quantities(units.LENGTH, (x, y))})")
        if coll is None:
            return item_id
        item = self.floor_layout.items[coll][item_id]
        model = getattr(item, "model", "")
        name = self.floor_layout.catalogue[model].name if model in self.floor_layout.catalogue else ""
        return f"{COLLECTION_LABELS.get(coll, (coll,))[0].capitalize()} {item_id}" + \
            (f" \u2014 {name}" if name else "")

    # ========================================================================== files
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved or discarded)."""
        if not self.document.modified:
            return True
        answer = ask_save_changes(self, self.document.file_label)
        B = QMessageBox.StandardButton
        if answer == B.Save:
            return self.file_save()
        return answer == B.Discard

    def file_new(self) -> None:
        if not self.maybe_save():
            return
        self.document.new()
        self.statusBar().showMessage("New layout: an empty 14.4 \u00d7 10.8 m hall", 5000)

    def file_open(self) -> None:
        if not self.maybe_save():
            return
        start = self.settings.last_directory() or (str(self.document.path.parent)
                                                   if self.document.path else "")
        path, _ = QFileDialog.getOpenFileName(self, "Open Layout", start, LAYOUT_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open ``path``; on errors show them and keep the current document."""
        if ask and not self.maybe_save():
            return False
        t0 = time.perf_counter()
        try:
            self.document.open(path)
        except LayoutError as exc:
            self.report_open_error(path, exc)
            return False
        self.note_opened(path, time.perf_counter() - t0)
        return True

    def report_open_error(self, path: str | Path, exc: LayoutError) -> None:
        n = len(exc.lines)
        show_problems(self, "Cannot Open Layout",
                      f"<b>{Path(path).name}</b> could not be opened "
                      f"({_plural(n, 'problem', 'problems')}). "
                      "The current layout is unchanged.", exc.lines)
        if not Path(path).exists():
            self.settings.remove_recent_file(path)

    def note_opened(self, path: str | Path, seconds: float) -> None:
        """Remember a successfully opened file and say so in the status bar; frame the
        new hall."""
        if self.view3d is not None:
            self.view3d.set_preset("default")
        self.settings.add_recent_file(path)
        self.settings.set_last_directory(path)
        warn = self.document.warnings
        took = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
        msg = (f"Opened {Path(path).name}: "
               f"{_plural(len(self.floor_layout.racks), 'rack', 'racks')} in {took}")
        if warn:
            msg += f" \u2014 {_plural(len(warn), 'warning', 'warnings')} (e.g. {warn[0].format()})"
        self.statusBar().showMessage(msg, 10000)

    def file_save(self) -> bool:
        if self.document.path is None:
            return self.file_save_as()
        return self.save_to(self.document.path)

    def file_save_as(self) -> bool:
        start = str(self.document.path) if self.document.path else str(
            Path(self.settings.last_directory() or ".") / (file_slug(self.floor_layout.name) + ".json"))
        path, _ = QFileDialog.getSaveFileName(self, "Save Layout As", start, LAYOUT_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".json"
        return self.save_to(path)

    def save_to(self, path: str | Path) -> bool:
        """Save atomically; on failure show why and keep the document (still modified)."""
        try:
            self.document.save(path)
        except LayoutError as exc:
            show_problems(self, "Cannot Save Layout",
                          f"The layout could not be saved to <b>{Path(path).name}</b>. "
                          "Nothing was changed on disk and your edits are kept; "
                          "try Save As\u2026 with another folder or name.", exc.lines)
            return False
        self.settings.add_recent_file(path)
        self.settings.set_last_directory(path)
        self._update_title()
        self.statusBar().showMessage(f"Saved {Path(path).name}", 5000)
        return True

    def update_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        for i, f in enumerate(files):
            act = menu.addAction(f"&{i + 1} {Path(f).name}")
            act.setToolTip(f)
            act.setStatusTip(f)
            act.triggered.connect(lambda _=False, f=f: self.open_path(f))
        if not files:
            none = menu.addAction("No recent files")
            none.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("&Clear Menu")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.settings.clear_recent_files)

    # ========================================================================= export
    def export_targets(self) -> dict[str, tuple[str, tuple[int, int]]]:
        return export.export_targets(self)

    def file_export(self) -> None:
        export.file_export(self)

    def file_import_equipment(self, path: str | Path | None = None) -> list[str]:
        """File > Import Equipment: add the models of a JSON file to the layout's own
        catalogue as one undoable edit; problems are listed in a dialog."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import equipment", self.settings.last_directory() or "",
                "Equipment (*.json);;All files (*)")
            if not path:
                return []
        try:
            entries = read_equipment(path)
        except LayoutError as exc:
            show_problems(self, "Import equipment", f"Could not import {Path(path).name}",
                          exc.lines)
            return []
        lay = self.floor_layout
        warnings = equipment_warnings(entries, lay.base_catalogue, "equipment")
        self.editor.set_equipment({**lay.equipment, **entries},
                                  text=f"Import {len(entries)} equipment model(s)")
        names = ", ".join(sorted(entries)[:4]) + (" \u2026" if len(entries) > 4 else "")
        self.statusBar().showMessage(f"Imported {len(entries)} equipment model(s): {names}",
                                     8000)
        if warnings:
            show_problems(self, "Import equipment", f"Imported {Path(path).name} with "
                          "warnings", [w.format(str(path)) for w in warnings])
        return sorted(entries)

    def file_export_report(self) -> None:
        from twin.gui.window.export_report import export_report
        export_report(self)

    def analysis_failure_sweep(self):
        from twin.gui.window.whatif import open_failure_sweep
        self.whatif_dialog = open_failure_sweep(self)
        return self.whatif_dialog

    def analysis_swap(self):
        from twin.gui.window.swap import open_swap
        self.whatif_dialog = open_swap(self)
        return self.whatif_dialog

    def analysis_compare(self, path: str | None = None):
        from twin.gui.window.compare import open_compare
        self.whatif_dialog = open_compare(self, path)
        return self.whatif_dialog

    def view_temperature_scale(self):
        from twin.gui.window.temperature_scale import open_temperature_scale
        self.scale_dialog = open_temperature_scale(self)
        return self.scale_dialog

    def analysis_scenarios(self):
        from twin.gui.window.scenarios import open_scenarios
        self.scenario_dialog = open_scenarios(self)
        return self.scenario_dialog

    def analysis_compare_scenarios(self):
        from twin.gui.window.compare import open_compare_scenarios
        self.whatif_dialog = open_compare_scenarios(self)
        return self.whatif_dialog

    def analysis_swing(self):
        from twin.gui.window.swing import open_swing
        self.whatif_dialog = open_swing(self)
        return self.whatif_dialog

    def analysis_power_architecture(self):
        from twin.gui.window.power_arch import open_power_architecture
        self.whatif_dialog = open_power_architecture(self)
        return self.whatif_dialog

    def analysis_ride_through(self):
        from twin.gui.window.whatif import open_ride_through
        self.whatif_dialog = open_ride_through(self)
        return self.whatif_dialog

    def render_target(self, target: str, size: tuple[int, int], scale: float = 1.0,
                      caption: bool = True, selection: bool = False) -> QImage:
        """An image of 'window', '3d' or 'plan' (see ``twin.gui.window.export_image.render_target``)."""
        return export.render_target(self, target, size, scale, caption, selection)

    def export_image(self, path: str | Path, target: str = "window",
                     size: tuple[int, int] | None = None, scale: float = 1.0,
                     caption: bool = True, selection: bool = False) -> Path:
        export.export_image(self, path, target, size, scale, caption, selection=selection)
        return Path(path)

    # =========================================================================== edit
    def add_equipment(self, key: str, position: tuple[float, float] | None = None) -> str:
        """Add catalogue equipment at ``position`` or a free spot and select it."""
        new_id = add_from_catalogue(self.editor, key, position)
        self.selection.set([new_id])
        name = self.floor_layout.catalogue[key].name
        if is_placeable(self.floor_layout, key):
            x, y = self.editor.position_of(new_id)
            self.statusBar().showMessage(f"Added {name} as {new_id} at "
                                         f"({units.quantities(units.LENGTH, (x, y))})",
                                         5000)
        else:
            self.statusBar().showMessage(f"Added {name} as {new_id} to the power chain", 5000)
        return new_id

    def edit_copy(self) -> int:
        n = copy_to_clipboard(self.floor_layout, self.selection.ids)
        self._paste_count = 0
        self._update_paste_enabled()
        if n:
            self.statusBar().showMessage(f"Copied {_plural(n, 'item', 'items')}", 3000)
        return n

    def edit_cut(self) -> None:
        if self.edit_copy():
            ids = list(self.selection.ids)
            self.editor.stack.beginMacro(f"Cut {_plural(len(ids), 'item', 'items')}")
            self.editor.delete(ids)
            self.editor.stack.endMacro()
            self._paste_count = -1   # the first paste after a cut goes back in place
            self.selection.clear()

    def edit_paste(self) -> list[str]:
        doc = clipboard_document()
        if doc is None:
            return []
        self._paste_count += 1
        step = self.floor_layout.hall.tile_pitch_m * self._paste_count
        new_ids = paste_records(self.editor, doc, (step, step))
        if new_ids:
            self.selection.set(new_ids)
            self.statusBar().showMessage(f"Pasted {_plural(len(new_ids), 'item', 'items')}",
                                         3000)
        return new_ids

    def edit_duplicate(self) -> list[str]:
        new_ids = self.editor.duplicate(sorted(self.selection.ids))
        if new_ids:
            self.selection.set(new_ids)
        return new_ids

    def edit_delete(self) -> None:
        ids = list(self.selection.ids)
        if ids:
            self.editor.delete(ids)
            self.selection.clear()

    def edit_select_all(self) -> None:
        ids = set(self.floor_layout.racks.ids.tolist())
        for coll in PLACED:
            ids.update(self.floor_layout.items[coll])
        self.selection.set(ids)

    def edit_rotate(self) -> None:
        if self.selection.ids:
            self.editor.rotate(sorted(self.selection.ids))

    # =========================================================================== help
    def show_solve_status(self, status: SolveStatus) -> None:
        """The live twin's state in the status bar: e.g. "Fresh · 0.31 s" or "Solving…"."""
        self.solve_label.setText(status.text)
        self.solve_label.setToolTip(status.tooltip or "State of the thermal and power solve")
        self.solve_label.setStyleSheet(error_style(status))

    def show_help(self, key: str) -> HelpDialog:
        """Show a Help page (``help.PAGES`` key) in a non-modal window."""
        _text, title, doc, section = help_pages.PAGES[key]
        return self._show_help_dialog(title, help_pages.document_text(doc, section))

    def show_shortcuts(self) -> HelpDialog:
        acts = [a for a in self.findChildren(QAction) if not a.shortcut().isEmpty()]
        return self._show_help_dialog("Keyboard shortcuts",
                                      help_pages.shortcuts_markdown(acts))

    def _show_help_dialog(self, title: str, markdown: str) -> HelpDialog:
        dlg = HelpDialog(title, markdown, self)
        self.help_dialog = dlg
        dlg.show()
        return dlg

    def help_about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_TITLE}",
            f"<h3>{APP_TITLE}</h3><p>Version {twin.__version__}</p>"
            "<p>A desktop digital twin of an AI data hall: racks, cooling units, liquid "
            "loops and the power chain, in 3-D and in plan.</p>"
            "<p>Equipment numbers come from the bundled catalogue; each records its source "
            "and whether it is a projection.</p>")

    def help_about_qt(self) -> None:
        QMessageBox.aboutQt(self)
