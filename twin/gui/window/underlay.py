"""File > Import > Floor Plan (DXF): the CAD drawing under the plan, its settings dialog
(layers, scale, rotation, offset, two-point alignment) and File > Export As > Floor Plan
(DXF).

``UnderlayController`` (``window.underlay``) keeps the plan's ``UnderlayItem`` in step with
``layout.underlay``: every change of the reference or its transform is one undoable
``Editor.set_settings("underlay", ...)``, and undo/redo, File > Open and New redraw from the
layout. A drawing is read once per file (on a worker thread when it is large); a missing or
unreadable drawing of an opened layout is a status-bar note, never a dialog.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
)

from twin.interchange.dxf_read import Drawing, DrawingError, read_drawing
from twin.interchange.underlay import (
    MAX_OFFSET_M, MAX_SCALE, UnderlayFitError, apply_underlay, fitted, invert_underlay,
    resolved_path, stored_path,
)
from twin.model.equipment import Underlay
from twin.model.events import Change, ChangeKind
from twin.gui.base.emit import emit

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

DXF_FILTER = "DXF drawings (*.dxf *.DXF);;All files (*)"
#: Drawings larger than this (bytes) are read on a worker thread.
ASYNC_BYTES = 3 * 1024 * 1024
#: A click snaps to a drawing end point or a footprint corner within this many pixels.
SNAP_PX = 12.0
#: Order and labels of the four picks of the two-point alignment.
PICKS = (("drawing_a", "drawing point 1"), ("drawing_b", "drawing point 2"),
         ("hall_a", "where point 1 belongs in the hall"),
         ("hall_b", "where point 2 belongs in the hall"))
PICK_COLOURS = {"drawing_a": QColor(216, 67, 21), "drawing_b": QColor(216, 67, 21),
                "hall_a": QColor(46, 125, 50), "hall_b": QColor(46, 125, 50)}


def install(window: "MainWindow") -> None:
    """Add this module's actions to the window's File > Import / Export As menus and
    attach the controller (the plan item comes once the plan view exists)."""
    ctrl = UnderlayController(window)
    window.underlay = ctrl
    imp = QAction("Floor &Plan (DXF)\u2026", window)
    imp.setStatusTip("Show a CAD floor plan (DXF) under the plan view, to scale")
    imp.triggered.connect(lambda: ctrl.import_dxf())
    settings = QAction("Floor Plan &Settings\u2026", window)
    settings.setStatusTip("Layers, scale, rotation and offset of the floor plan; align it "
                          "by two points")
    settings.triggered.connect(lambda: ctrl.show_dialog())
    window.import_menu.addActions([imp, settings])
    exp = QAction("Floor &Plan (DXF)\u2026", window)
    exp.setStatusTip("The layout as a DXF plan in metres: racks as blocks with attributes, "
                     "rows, units, CDUs, tiles, containment")
    exp.triggered.connect(lambda: ctrl.export_dxf())
    window.export_menu.addAction(exp)
    window.actions.import_floor_plan = imp
    window.actions.floor_plan_settings = settings
    window.actions.export_dxf = exp
    ctrl.update_actions()
    QTimer.singleShot(0, ctrl.attach)     # the views are built after the menus


class _Bridge(QObject):
    """Carries a worker thread's answer to the GUI thread."""

    done = Signal(object, object)        # token, Drawing or DrawingError


class UnderlayController(QObject):
    """The window's floor-plan underlay: reading, showing, editing, aligning, exporting."""

    #: a drawing was read and shown (or cleared: None)
    drawing_changed = Signal(object)

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window
        self.drawing: Drawing | None = None
        #: the file ``drawing`` was read from (resolved), or None
        self.drawing_file: Path | None = None
        self.item: Any = None
        self.overlay: Any = None
        self.dialog: UnderlayDialog | None = None
        #: picks of the two-point alignment so far: key -> (x, y) (drawing or hall metres)
        self.picks: dict[str, tuple[float, float]] = {}
        self.picking = False
        self._token = 0
        self._pending: Path | None = None
        self._missing_noted: str | None = None
        #: (size, mtime) of ``drawing_file`` when it was read
        self._file_key: tuple[int, int] | None = None
        self._tree: Any = None
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._on_read)
        self._attached = False
        window.floor_layout.changed.connect(self._on_layout_changed)
        window.document.file_changed.connect(self._on_file_changed)

    # ----- plumbing ----------------------------------------------------------------------
    @property
    def layout(self) -> Any:
        return self.window.floor_layout

    @property
    def underlay(self) -> Underlay:
        return self.layout.underlay

    def plan(self) -> Any:
        from twin.gui.plan.view import PlanView
        plan = getattr(self.window, "plan_view", None)
        return plan if isinstance(plan, PlanView) else None

    def attach(self) -> None:
        """Put the drawing item into the plan and show the layout's drawing (once the
        window's views exist)."""
        if self._attached:
            return
        plan = self.plan()
        if plan is None:
            return
        from twin.gui.plan.underlay import UnderlayItem
        self.item = UnderlayItem()
        plan.view_box.addItem(self.item, ignoreBounds=True)
        self._attached = True
        self.sync()

    def layout_file(self) -> Path | None:
        return self.window.document.path

    def target_file(self) -> Path | None:
        """The drawing file the layout refers to (resolved), or None."""
        return resolved_path(self.underlay.path, self.layout_file())

    def _status(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def update_actions(self) -> None:
        act = getattr(self.window.actions, "floor_plan_settings", None)
        if act is not None:
            act.setEnabled(bool(self.underlay.path))

    # ----- layout -> drawing --------------------------------------------------------------
    def _on_layout_changed(self, change: Change) -> None:
        if change.is_reset or change.any_of(ChangeKind.SETTINGS_CHANGED, collection="underlay"):
            self.sync()

    def _on_file_changed(self) -> None:
        # New, Open, Save As: a relative drawing path now resolves against another folder
        self._missing_noted = None
        self.sync()

    def sync(self, *_: Any) -> None:
        """Show what ``layout.underlay`` says: read its drawing if it is not the one shown,
        place it, hide its hidden layers."""
        self.update_actions()
        if self.item is None:
            return
        target = self.target_file()
        if target is None:
            self._set_drawing(None, None)
            self._cancel_picking()
        elif target != self.drawing_file or _file_key(target) != self._file_key:
            if target != self._pending:          # new, changed on disk or gone: read again
                self._load(target, quiet=True)
        else:
            self.item.set_underlay(self.underlay)
        if self.dialog is not None:
            self.dialog.refresh()

    def _set_drawing(self, drawing: Drawing | None, file: Path | None) -> None:
        self.drawing, self.drawing_file = drawing, file
        self._file_key = _file_key(file) if file is not None else None
        self._tree = None
        if self.item is not None:
            self.item.set_drawing(drawing)
            self.item.set_underlay(self.underlay)
        self.drawing_changed.emit(drawing)
        if self.dialog is not None:
            self.dialog.refresh(layers=True)

    def _load(self, target: Path, quiet: bool,
              then: Callable[[Drawing], None] | None = None) -> Drawing | None:
        """Read ``target`` (on a worker thread when large; ``then`` runs with the drawing
        once read). Errors: a status-bar note when ``quiet``, else a dialog."""
        self._token += 1
        token = self._token
        try:
            size = target.stat().st_size
        except OSError:
            size = 0
        if size <= ASYNC_BYTES:
            self._pending = None
            answer = self._read(target)
            return self._finish(token, target, answer, quiet, then)
        self._pending = target
        self._status(f"Reading floor plan {target.name} ({size / 2**20:.0f} MB)\u2026", 0)

        def work() -> None:
            answer = self._read(target)
            emit(self._bridge.done, token, (target, answer, quiet, then))   # unless closed

        threading.Thread(target=work, name="twin-dxf-read", daemon=True).start()
        return None

    @staticmethod
    def _read(target: Path) -> Drawing | DrawingError:
        try:
            return read_drawing(target)
        except DrawingError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 — ezdxf's own failures: one line, never lost
            return DrawingError(str(target), " ".join(str(exc).split()) or type(exc).__name__)

    def _on_read(self, token: int, payload: tuple) -> None:
        target, answer, quiet, then = payload
        self._finish(token, target, answer, quiet, then)

    def _finish(self, token: int, target: Path, answer: Drawing | DrawingError, quiet: bool,
                then: Callable[[Drawing], None] | None) -> Drawing | None:
        if token != self._token:
            return None                        # a newer read superseded this one
        self._pending = None
        if isinstance(answer, DrawingError):
            if quiet:
                if self.target_file() == target:
                    self._set_drawing(None, None)
                if self._missing_noted != str(target):
                    self._missing_noted = str(target)
                    what = "not found" if not target.exists() else "cannot be read"
                    text = (f"Floor plan {what}: {answer.message if what != 'not found' else target}"
                            " \u2014 File > Import > Floor Plan (DXF) to pick it again")
                    # after the window's "Opened ..." note of the same open
                    QTimer.singleShot(0, lambda: self._status(text, 15000))
            else:
                self._status(f"Could not read {target.name}", 8000)
                from twin.gui.base import dialogs
                dialogs.show_problems(self.window, "Cannot Import Floor Plan",
                                      f"<b>{target.name}</b> could not be read as a DXF "
                                      "drawing. The layout is unchanged.", [str(answer)])
            return None
        if then is not None:
            then(answer)
        elif self.target_file() == target:
            self._set_drawing(answer, target)
        return answer

    # ----- user actions -------------------------------------------------------------------
    def import_dxf(self, path: str | Path | None = None) -> bool:
        """Pick a DXF (unless ``path``), read it and refer to it from the layout as one
        undoable step; True when the drawing was read and shown (a large drawing is read
        on a worker thread: False now, shown when read)."""
        self.attach()
        if path is None:
            start = self.window.settings.last_directory() or (
                str(self.layout_file().parent) if self.layout_file() else "")
            path, _ = QFileDialog.getOpenFileName(self.window, "Import Floor Plan (DXF)",
                                                  start, DXF_FILTER)
            if not path:
                return False
        target = Path(path).resolve()
        shown: list[bool] = []
        self._load(target, quiet=False, then=lambda d: shown.append(self._adopt(target, d)))
        return bool(shown and shown[0])

    def _adopt(self, target: Path, drawing: Drawing) -> bool:
        """Refer to a freshly read drawing from the layout (one undo step) and show it."""
        self.window.settings.set_last_directory(target)
        hidden = tuple(layer.name for layer in drawing.layers if layer.off)
        ox, oy = self._initial_offset(drawing)
        new = Underlay(path=stored_path(target, self.layout_file()), scale=1.0,
                       rotation_deg=0.0, offset_x_m=ox, offset_y_m=oy,
                       hidden_layers=hidden, visible=True)
        self._set_drawing(drawing, self.drawing_file)
        self.window.editor.set_settings("underlay", new, text=f"Import floor plan {target.name}")
        notes = f" \u2014 {drawing.notes[0]}" if drawing.notes else ""
        self._status(f"Floor plan {target.name}: {drawing.n_segments:,} segments on "
                     f"{len(drawing.layers)} layers, {len(drawing.texts):,} texts, units "
                     f"{drawing.units}{notes}", 12000)
        self.show_dialog()
        return True

    def _initial_offset(self, d: Drawing) -> tuple[float, float]:
        """Keep the drawing's own coordinates when it overlaps the hall; else put its
        lower-left corner at the hall's origin (within the file's offset limits)."""
        hall = self.layout.hall
        x0, y0, x1, y1 = d.extents_m
        overlaps = x0 < hall.width_m and x1 > 0 and y0 < hall.length_m and y1 > 0
        if overlaps or max(abs(x0), abs(y0)) > MAX_OFFSET_M:
            return 0.0, 0.0
        return float(-x0), float(-y0)

    def _push(self, new: Underlay, text: str) -> None:
        if new != self.underlay:
            self.window.editor.set_settings("underlay", new, text=text)

    def set_transform(self, scale: float, rotation_deg: float, offset_x_m: float,
                      offset_y_m: float) -> None:
        """Scale, rotation and offset as one undoable step."""
        if not 0 < scale <= MAX_SCALE:
            self._status(f"The scale must be above 0 and at most {MAX_SCALE:g}", 6000)
            return
        self._push(dataclasses.replace(self.underlay, scale=float(scale),
                                       rotation_deg=float(rotation_deg),
                                       offset_x_m=float(offset_x_m),
                                       offset_y_m=float(offset_y_m)), "Move floor plan")

    def set_layers_hidden(self, names: list[str], hidden: bool) -> None:
        now = list(self.underlay.hidden_layers)
        if hidden:
            now += [n for n in names if n not in now]
        else:
            now = [n for n in now if n not in names]
        what = names[0] if len(names) == 1 else f"{len(names)} layers"
        self._push(dataclasses.replace(self.underlay, hidden_layers=tuple(now)),
                   f"{'Hide' if hidden else 'Show'} floor plan layer {what}")

    def set_visible(self, on: bool) -> None:
        self._push(dataclasses.replace(self.underlay, visible=bool(on)),
                   "Show floor plan" if on else "Hide floor plan")

    def remove(self) -> None:
        """Drop the floor plan reference (undoable)."""
        self._cancel_picking()
        self._push(Underlay(), "Remove floor plan")

    def fit(self, drawing_a: tuple[float, float], drawing_b: tuple[float, float],
            hall_a: tuple[float, float], hall_b: tuple[float, float]) -> bool:
        """Place the drawing so its points A and B (drawing metres) lie on hall points A
        and B (one undoable step); False with a status note when the points cannot."""
        try:
            new = fitted(self.underlay, drawing_a, drawing_b, hall_a, hall_b)
        except UnderlayFitError as exc:
            self._status(f"Cannot align the floor plan: {exc}", 10000)
            if self.dialog is not None:
                self.dialog.show_message(str(exc), error=True)
            return False
        self._push(new, "Align floor plan by two points")
        self._status(f"Floor plan aligned: scale {new.scale:.6g}, rotation "
                     f"{new.rotation_deg:.3f}\u00b0, offset {new.offset_x_m:.3f}, "
                     f"{new.offset_y_m:.3f} m", 10000)
        return True

    # ----- two-point alignment by clicks ------------------------------------------------------
    def start_picking(self) -> bool:
        """Take the next four clicks in the plan: drawing point 1 and 2 (snapped to the
        drawing's end points), then the hall points where they belong (snapped to
        footprint corners and centres); the fit is applied after the fourth."""
        plan = self.plan()
        if plan is None or self.drawing is None or self.item is None:
            self._status("Import a floor plan first", 5000)
            return False
        if not self.item.isVisible():
            self.set_visible(True)
        self.picks = {}
        self.picking = True
        if self.overlay is None:
            from twin.gui.plan.underlay import PickOverlay
            self.overlay = PickOverlay(self.pick, self._snap)
            plan.view_box.addItem(self.overlay, ignoreBounds=True)
        self.overlay.set_markers([])
        self.overlay.show()
        self._prompt()
        return True

    def _cancel_picking(self) -> None:
        self.picking = False
        if self.overlay is not None:
            self.overlay.hide()
        if self.dialog is not None:
            self.dialog.refresh()

    def cancel_picking(self) -> None:
        self._cancel_picking()
        self._status("Alignment cancelled", 3000)

    def next_pick(self) -> str | None:
        for key, _label in PICKS:
            if key not in self.picks:
                return key
        return None

    def _prompt(self) -> None:
        key = self.next_pick()
        label = dict(PICKS).get(key or "", "")
        if key is not None:
            self._status(f"Align floor plan: click {label} in the plan", 0)
        if self.dialog is not None:
            self.dialog.refresh()

    def pick(self, x_m: float, y_m: float) -> None:
        """One click of the alignment at hall point (x_m, y_m) (already snapped)."""
        if not self.picking:
            return
        key = self.next_pick()
        if key is None:
            return
        if key.startswith("drawing"):
            dx, dy = invert_underlay(self.underlay, np.array([x_m, y_m]))
            self.picks[key] = (float(dx), float(dy))
        else:
            self.picks[key] = (float(x_m), float(y_m))
        self._update_markers()
        if self.next_pick() is None:
            self.picking = False
            if self.overlay is not None:
                self.overlay.hide()
            p = self.picks
            self.fit(p["drawing_a"], p["drawing_b"], p["hall_a"], p["hall_b"])
        else:
            self._prompt()

    def _update_markers(self) -> None:
        if self.overlay is None:
            return
        marks = []
        for key, (x, y) in self.picks.items():
            if key.startswith("drawing"):
                x, y = (float(v) for v in apply_underlay(self.underlay, np.array([x, y])))
            marks.append((x, y, PICK_COLOURS[key], "12"[key.endswith("b")]))
        self.overlay.set_markers(marks)

    def _snap(self, x_m: float, y_m: float, px_m: float) -> tuple[float, float] | None:
        key = self.next_pick()
        radius = SNAP_PX * px_m
        if key is None:
            return None
        if key.startswith("drawing"):
            tree = self._drawing_tree()
            if tree is None or not self.underlay.scale:
                return None
            q = invert_underlay(self.underlay, np.array([x_m, y_m]))
            dist, k = tree.query(q, distance_upper_bound=radius / self.underlay.scale)
            if not np.isfinite(dist):
                return None
            hx, hy = apply_underlay(self.underlay, tree.data[k])
            return float(hx), float(hy)
        pts = self._hall_points()
        if not len(pts):
            return None
        d = np.hypot(pts[:, 0] - x_m, pts[:, 1] - y_m)
        k = int(np.argmin(d))
        return (float(pts[k, 0]), float(pts[k, 1])) if d[k] <= radius else None

    def _drawing_tree(self) -> Any:
        if self._tree is None and self.drawing is not None:
            from scipy.spatial import cKDTree
            hidden = set(self.underlay.hidden_layers)
            pts = self.drawing.segments_m(hidden).reshape(-1, 2)
            pts = np.unique(pts, axis=0) if len(pts) else pts
            self._tree = (cKDTree(pts), hidden) if len(pts) else (None, hidden)
        if self._tree is None:
            return None
        tree, hidden = self._tree
        if hidden != set(self.underlay.hidden_layers):
            self._tree = None
            return self._drawing_tree()
        return tree

    def _hall_points(self) -> np.ndarray:
        """Footprint corners and centres of racks and equipment, and the hall's corners."""
        floor = self.window.session.floor
        boxes = [np.asarray(floor.rack_bounds_m).reshape(-1, 4),
                 np.asarray(floor.eq_bounds_m).reshape(-1, 4)]
        b = np.vstack(boxes)
        hall = self.layout.hall
        pts = [b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]],
               np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2]),
               np.array([[0, 0], [hall.width_m, 0], [hall.width_m, hall.length_m],
                         [0, hall.length_m]], float)]
        return np.vstack(pts)

    # ----- dialog and export ----------------------------------------------------------------
    def show_dialog(self) -> "UnderlayDialog":
        self.attach()
        if self.dialog is None:
            self.dialog = UnderlayDialog(self)
        self.dialog.refresh(layers=True)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def export_dxf(self, path: str | Path | None = None) -> Any:
        """File > Export As > Floor Plan (DXF): the layout (with the live result when it
        is a refined solve of the layout on screen) as a DXF plan; returns the summary, or
        None when cancelled or failed (a dialog says why)."""
        from twin.gui.window.scene_export import current_scene_source
        from twin.interchange.dxf_write import DxfWriteError, write_dxf
        from twin.paths import file_slug
        if path is None:
            start = Path(self.window.settings.last_directory() or ".") / (
                file_slug(self.layout.name) + ".dxf")
            path, _ = QFileDialog.getSaveFileName(self.window, "Export Floor Plan (DXF)",
                                                  str(start), "DXF drawings (*.dxf)")
            if not path:
                return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".dxf")
        layout, result, _colour = current_scene_source(self.window)
        t0 = time.perf_counter()
        try:
            summary = write_dxf(layout, target, result)
        except DxfWriteError as exc:
            from twin.gui.base import dialogs
            dialogs.show_problems(self.window, "Cannot Export Floor Plan",
                                  f"The plan could not be written to <b>{target.name}</b>.",
                                  [str(exc)])
            return None
        self.window.settings.set_last_directory(target)
        note = "" if result is not None else " \u2014 without results (the simulation is not up to date)"
        self._status(f"Exported {target.name}: {summary.racks:,} racks, {summary.rows} rows in "
                     f"{time.perf_counter() - t0:.2f} s{note}", 10000)
        return summary


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# ==========================================================================================
class UnderlayDialog(QDialog):
    """Floor plan settings: the drawing, its layers, the transform typed in, and the
    two-point alignment (clicked in the plan, or hall points typed in)."""

    def __init__(self, ctrl: UnderlayController):
        super().__init__(ctrl.window)
        self.ctrl = ctrl
        self.setWindowTitle("Floor Plan")
        self.setModal(False)
        self.resize(440, 700)
        self._updating = False
        lay = QVBoxLayout(self)

        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setObjectName("hint")
        self.visible_box = QCheckBox("Show the floor plan under the plan view")
        self.visible_box.toggled.connect(self._on_visible)
        lay.addWidget(self.file_label)
        lay.addWidget(self.info_label)
        lay.addWidget(self.visible_box)

        layers = QGroupBox("Layers")
        ll = QVBoxLayout(layers)
        self.layer_list = QListWidget()
        self.layer_list.itemChanged.connect(self._on_layer_item)
        ll.addWidget(self.layer_list)
        row = QHBoxLayout()
        self.all_button = QPushButton("Show All")
        self.none_button = QPushButton("Hide All")
        self.all_button.clicked.connect(lambda: self._all_layers(False))
        self.none_button.clicked.connect(lambda: self._all_layers(True))
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        ll.addLayout(row)
        lay.addWidget(layers, 1)

        tf = QGroupBox("Placement")
        form = QFormLayout(tf)
        self.scale = _spin(1e-6, MAX_SCALE, 6, "", "metres of the hall per metre of the drawing")
        self.rotation = _spin(-360, 360, 3, " \u00b0", "counter-clockwise about the drawing origin")
        self.offset_x = _spin(-MAX_OFFSET_M, MAX_OFFSET_M, 3, " m", "where the drawing origin lands")
        self.offset_y = _spin(-MAX_OFFSET_M, MAX_OFFSET_M, 3, " m", "where the drawing origin lands")
        form.addRow("Scale", self.scale)
        form.addRow("Rotation", self.rotation)
        form.addRow("Offset x", self.offset_x)
        form.addRow("Offset y", self.offset_y)
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self._apply_transform)
        form.addRow("", self.apply_button)
        lay.addWidget(tf)

        al = QGroupBox("Align by two points")
        grid = QGridLayout(al)
        self.step_label = QLabel()
        self.step_label.setWordWrap(True)
        self.step_label.setMinimumHeight(3 * self.fontMetrics().lineSpacing())
        grid.addWidget(self.step_label, 0, 0, 1, 4)
        self.drawing_labels: dict[str, QLabel] = {}
        self.hall_spins: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox]] = {}
        for r, (key, title) in enumerate((("a", "Point 1"), ("b", "Point 2")), start=1):
            grid.addWidget(QLabel(f"<b>{title}</b>"), r * 2 - 1, 0)
            lab = QLabel("drawing: \u2014")
            self.drawing_labels[f"drawing_{key}"] = lab
            grid.addWidget(lab, r * 2 - 1, 1, 1, 3)
            sx = _spin(-MAX_OFFSET_M, MAX_OFFSET_M, 3, " m", "hall x")
            sy = _spin(-MAX_OFFSET_M, MAX_OFFSET_M, 3, " m", "hall y")
            self.hall_spins[f"hall_{key}"] = (sx, sy)
            grid.addWidget(QLabel("hall x, y"), r * 2, 1)
            grid.addWidget(sx, r * 2, 2)
            grid.addWidget(sy, r * 2, 3)
        buttons = QHBoxLayout()
        self.pick_button = QPushButton("Pick in Plan")
        self.pick_button.setToolTip("Click drawing point 1 and 2, then where they belong in "
                                    "the hall (clicks snap to drawing end points and "
                                    "footprint corners)")
        self.pick_button.clicked.connect(self._on_pick)
        self.fit_button = QPushButton("Fit to Typed Hall Points")
        self.fit_button.setToolTip("Align with the two drawing points picked and the hall "
                                   "coordinates typed above")
        self.fit_button.clicked.connect(self._on_fit)
        buttons.addWidget(self.pick_button)
        buttons.addWidget(self.fit_button)
        grid.addLayout(buttons, 5, 0, 1, 4)
        self.message = QLabel()
        self.message.setWordWrap(True)
        grid.addWidget(self.message, 6, 0, 1, 4)
        lay.addWidget(al)

        bottom = QHBoxLayout()
        self.remove_button = QPushButton("Remove Floor Plan")
        self.remove_button.clicked.connect(ctrl.remove)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay.addLayout(bottom)

    # ----- model -> widgets ---------------------------------------------------------------
    def refresh(self, layers: bool = False) -> None:
        ctrl, u, d = self.ctrl, self.ctrl.underlay, self.ctrl.drawing
        self._updating = True
        try:
            self.file_label.setText(f"<b>{Path(u.path).name}</b><br>{u.path}" if u.path
                                    else "<b>No floor plan</b> \u2014 File > Import > Floor "
                                    "Plan (DXF)\u2026")
            if d is not None:
                x0, y0, x1, y1 = d.extents_m
                info = (f"{d.version}, units {d.units}; {d.n_segments:,} segments, "
                        f"{len(d.texts):,} texts; {x1 - x0:,.2f} \u00d7 {y1 - y0:,.2f} m")
                if d.notes:
                    info += "<br>" + "<br>".join(d.notes[:4])
            elif u.path:
                info = "The drawing is not loaded (missing or unreadable file)."
            else:
                info = ""
            self.info_label.setText(info)
            self.visible_box.setChecked(bool(u.visible))
            for w in (self.scale, self.rotation, self.offset_x, self.offset_y):
                w.blockSignals(True)
            self.scale.setValue(u.scale)
            self.rotation.setValue(u.rotation_deg)
            self.offset_x.setValue(u.offset_x_m)
            self.offset_y.setValue(u.offset_y_m)
            for w in (self.scale, self.rotation, self.offset_x, self.offset_y):
                w.blockSignals(False)
            if layers or self.layer_list.count() != (len(d.layers) if d else 0):
                self._fill_layers()
            else:
                hidden = set(u.hidden_layers)
                for k in range(self.layer_list.count()):
                    it = self.layer_list.item(k)
                    it.setCheckState(Qt.CheckState.Unchecked if it.text() in hidden
                                     else Qt.CheckState.Checked)
            has = d is not None
            for w in (self.layer_list, self.all_button, self.none_button, self.apply_button,
                      self.pick_button, self.remove_button, self.visible_box):
                w.setEnabled(has or (w is self.remove_button and bool(u.path)))
            for key, lab in self.drawing_labels.items():
                p = ctrl.picks.get(key)
                lab.setText(f"drawing: {p[0]:,.3f}, {p[1]:,.3f} m" if p else "drawing: \u2014")
            for key, (sx, sy) in self.hall_spins.items():
                p = ctrl.picks.get(key)
                if p is not None:
                    sx.setValue(p[0]); sy.setValue(p[1])
            self.fit_button.setEnabled(has and "drawing_a" in ctrl.picks
                                       and "drawing_b" in ctrl.picks)
            if ctrl.picking:
                key = ctrl.next_pick()
                self.step_label.setText(f"<b>Click {dict(PICKS).get(key or '', '')}</b> in "
                                        "the plan view.")
                self.pick_button.setText("Cancel Picking")
            else:
                self.step_label.setText("Click two points of the drawing, then where they "
                                        "belong in the hall; or pick the drawing points and "
                                        "type the hall coordinates.")
                self.pick_button.setText("Pick in Plan")
        finally:
            self._updating = False

    def _fill_layers(self) -> None:
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        d = self.ctrl.drawing
        hidden = set(self.ctrl.underlay.hidden_layers)
        if d is not None:
            from twin.gui.plan.underlay import muted_colour
            for layer in d.layers:
                it = QListWidgetItem(layer.name)
                pix = QPixmap(14, 14)
                pix.fill(muted_colour(layer.colour_rgb, 255))
                it.setIcon(QIcon(pix))
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                it.setCheckState(Qt.CheckState.Unchecked if layer.name in hidden
                                 else Qt.CheckState.Checked)
                tip = f"{len(layer):,} segments"
                if layer.off:
                    tip += "; off or frozen in the drawing"
                it.setToolTip(tip)
                self.layer_list.addItem(it)
        self.layer_list.blockSignals(False)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "")
        self.message.setText(text)

    # ----- widgets -> controller ------------------------------------------------------------
    def _on_visible(self, on: bool) -> None:
        if not self._updating:
            self.ctrl.set_visible(on)

    def _on_layer_item(self, item: QListWidgetItem) -> None:
        if not self._updating:
            self.ctrl.set_layers_hidden([item.text()],
                                        item.checkState() != Qt.CheckState.Checked)

    def _all_layers(self, hidden: bool) -> None:
        if self.ctrl.drawing is not None:
            self.ctrl.set_layers_hidden(self.ctrl.drawing.layer_names, hidden)

    def _apply_transform(self) -> None:
        self.ctrl.set_transform(self.scale.value(), self.rotation.value(),
                                self.offset_x.value(), self.offset_y.value())

    def _on_pick(self) -> None:
        if self.ctrl.picking:
            self.ctrl.cancel_picking()
        else:
            self.show_message("")
            self.ctrl.start_picking()

    def _on_fit(self) -> None:
        p = self.ctrl.picks
        if "drawing_a" not in p or "drawing_b" not in p:
            return
        self.ctrl.picking = False
        if self.ctrl.overlay is not None:
            self.ctrl.overlay.hide()
        ha = tuple(s.value() for s in self.hall_spins["hall_a"])
        hb = tuple(s.value() for s in self.hall_spins["hall_b"])
        if self.ctrl.fit(p["drawing_a"], p["drawing_b"], (ha[0], ha[1]), (hb[0], hb[1])):
            self.show_message("Aligned.")
        self.refresh()


def _spin(lo: float, hi: float, decimals: int, suffix: str, tip: str) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSuffix(suffix)
    s.setToolTip(tip)
    s.setKeyboardTracking(False)
    s.setMinimumWidth(110)
    return s

