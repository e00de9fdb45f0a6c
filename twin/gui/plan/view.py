"""Top-down plan of the hall (pyqtgraph): racks to scale, colour-by, heatmap, editing.

``PlanView`` is a view: it draws the ``Layout`` and the shared ``Selection`` /
``RackColouring``, redraws from their events only, and edits through the undoable
``Editor``. Thousands of racks are a few batched items (see ``plan_items``), so a drag in the
1,440-rack hall stays well inside a frame.

Mouse: click selects (Shift adds, Ctrl toggles); drag on a footprint moves the selection
(snapped to the tile pitch, one undo step per drag); drag on empty floor draws a rubber
band; middle-drag pans, right-drag zooms, wheel zooms. Keys (when the plan has focus):
R rotate, Delete delete, Ctrl+D duplicate, Esc clear selection, F frame selection, Home
reset view. Catalogue models dropped with mime type ``application/x-twin-catalogue`` are
added at the snapped drop position.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QPointF, QRectF, Qt, Signal

from twin.engine.layers import Heatmap
from twin.model import Layout, geometry
from twin.model.colour_by import STATIC_COLOURINGS
from twin.model.equipment import Cdu, CoolingUnit, ImmersionTank
from twin.model.events import ITEM_KINDS, RACK_SET_KINDS, Change, ChangeKind
from twin.model.viewstate import RackColouring, Selection
from twin.gui.plan import items as pi
from twin.gui.base.commands import Editor

CATALOGUE_MIME = "application/x-twin-catalogue"
EQUIPMENT_COLLECTIONS = ("cooling_units", "cdus", "tanks")
FRONT_STRIP_M = 0.1
DOOR_STRIP_M = 0.14
_GLYPH = {"crah": 1, "inrow": 2, "cdu": 3, "tank": 4}
_FACING = {0: "south", 90: "east", 180: "north", 270: "west"}
_ID_PREFIX = {"rack": "R", "crah": "CRAH", "inrow": "IRC", "rdhx": "RDHX", "cdu": "CDU",
              "tank": "TANK"}


def catalogue_mime(model_key: str) -> QtCore.QMimeData:
    """Mime data for dragging a catalogue model (palette -> plan)."""
    mime = QtCore.QMimeData()
    mime.setData(CATALOGUE_MIME, QtCore.QByteArray(model_key.encode("utf-8")))
    return mime


def _rects_overlap(a: np.ndarray, b: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """(len(a), len(b)) boolean: rectangles overlap by more than ``tol``."""
    a = a[:, None, :]
    b = b[None, :, :]
    return ((a[..., 0] < b[..., 2] - tol) & (b[..., 0] < a[..., 2] - tol)
            & (a[..., 1] < b[..., 3] - tol) & (b[..., 1] < a[..., 3] - tol))


# ======================================================================================
class _PlanViewBox(pg.ViewBox):
    """ViewBox whose left button edits (select, move, rubber band); other buttons navigate."""

    def __init__(self, owner: "PlanView"):
        super().__init__(lockAspect=True, enableMenu=False)
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner._click(self.mapToView(ev.pos()), ev.modifiers())
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or axis is not None:
            if ev.button() == Qt.MouseButton.MiddleButton or ev.button() \
                    == Qt.MouseButton.RightButton:
                super().mouseDragEvent(ev, axis)
            else:
                ev.ignore()
            return
        ev.accept()
        pos = self.mapToView(ev.pos())
        if ev.isStart():
            self._owner._drag_start(self.mapToView(ev.buttonDownPos()), ev.modifiers())
        self._owner._drag_move(pos)
        if ev.isFinish():
            self._owner._drag_finish(pos)


class _PlanCanvas(pg.GraphicsLayoutWidget):
    """The graphics view: forwards keys, catalogue drops and tooltips to the PlanView."""

    def __init__(self, owner: "PlanView"):
        super().__init__()
        self._owner = owner
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.viewport() and ev.type() == QtCore.QEvent.Type.ToolTip:
            text = self._owner._tooltip_at(self.mapToScene(ev.pos()))
            if text:
                QtWidgets.QToolTip.showText(ev.globalPos(), text, self.viewport())
            else:
                QtWidgets.QToolTip.hideText()
                ev.ignore()
            return True
        return super().eventFilter(obj, ev)

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:
        if not self._owner._key(ev):
            super().keyPressEvent(ev)

    def mousePressEvent(self, ev) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(ev)

    # --- catalogue drag and drop ------------------------------------------------------
    def dragEnterEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._drop_preview(ev.mimeData(), self.mapToScene(ev.position().toPoint()))
        else:
            super().dragEnterEvent(ev)

    def dragMoveEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._drop_preview(ev.mimeData(), self.mapToScene(ev.position().toPoint()))
        else:
            super().dragMoveEvent(ev)

    def dragLeaveEvent(self, ev) -> None:
        self._owner._ghost.hide()
        super().dragLeaveEvent(ev)

    def dropEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._ghost.hide()
            key = bytes(ev.mimeData().data(CATALOGUE_MIME)).decode("utf-8").strip()
            view = self._owner.view_box.mapSceneToView(self.mapToScene(ev.position().toPoint()))
            self._owner.drop_model(key, view.x(), view.y())
        else:
            super().dropEvent(ev)


# ======================================================================================
class PlanView(QtWidgets.QWidget):
    """Top-down plan of a ``Layout`` with editing through an ``Editor``.

    Signals: ``message(str)`` status text for the status bar (refused moves, overlaps, adds);
    ``drag_started()`` / ``drag_finished()`` around a mouse drag that moves footprints (the
    live twin shows its fast pass in between).
    Hooks: ``tooltip_extra`` -- callable ``(rack_id) -> str`` adding lines to rack tooltips.
    """

    message = Signal(str)
    drag_started = Signal()
    drag_finished = Signal()

    def __init__(self, layout: Layout, selection: Selection, colouring: RackColouring,
                 editor: Editor, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.layout_model = layout
        self.selection = selection
        self.colouring = colouring
        self.editor = editor
        self.tooltip_extra: Callable[[str], str] | None = None
        self.snap = True
        self._alert_ids: frozenset[str] = frozenset()
        self._drag: dict[str, Any] | None = None

        # ---- widgets and items ---------------------------------------------------------
        self.canvas = _PlanCanvas(self)
        self.canvas.setBackground(pi.BACKGROUND)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)

        self.view_box = _PlanViewBox(self)
        self.plot = pg.PlotItem(viewBox=self.view_box)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        for name in ("bottom", "left", "top", "right"):
            self.plot.showAxis(name)
            ax = self.plot.getAxis(name)
            ax.setPen(pg.mkPen(90, 100, 110))
            ax.setTextPen(pg.mkPen(50, 55, 60))
            if name in ("top", "right"):
                ax.setStyle(showValues=False)
        self.plot.setLabel("bottom", "x [m]")
        self.plot.setLabel("left", "y [m]")
        self.canvas.ci.addItem(self.plot, 0, 0)
        self.canvas.ci.layout.setColumnStretchFactor(0, 10)
        self.view_box.disableAutoRange()

        self._floor = pi.FloorItem("fill")
        self._floor.setZValue(-100)
        self._grid = pi.FloorItem("lines")  # tile grid and outline stay visible over heat
        self._grid.setZValue(-50)
        self._heat = pg.ImageItem(axisOrder="row-major")
        self._heat.setZValue(-60)
        self._heat.setOpacity(0.82)
        self._heat.hide()
        self._zones = pi.ZoneItem()
        self._zones.setZValue(-30)
        self._racks = pi.FootprintLayer(label_ppm=55, label_pt=7)
        self._racks.setZValue(0)
        # rear doors: strips drawn by the rack layer; this layer only outlines selected doors
        self._doors = pi.FootprintLayer(edge=QtGui.QColor(0, 0, 0, 0), label_ppm=1e9,
                                        fills=False)
        self._doors.setZValue(2)
        self._equipment = pi.FootprintLayer(edge=QtGui.QColor(20, 30, 40, 200), label_ppm=24,
                                            label_pt=7)
        self._equipment.setZValue(5)
        self._ghost = pi.GhostItem()
        self._ghost.setZValue(50)
        self._ghost.hide()
        self._band = QtWidgets.QGraphicsRectItem()
        pen = QtGui.QPen(QtGui.QColor(25, 118, 210), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._band.setPen(pen)
        self._band.setBrush(QtGui.QColor(25, 118, 210, 40))
        self._band.setZValue(60)
        self._band.hide()
        for item in (self._floor, self._grid, self._heat, self._zones, self._racks, self._doors,
                     self._equipment, self._ghost, self._band):
            self.view_box.addItem(item, ignoreBounds=True)

        # colour bar for racks, legend for categories, colour bar for the heatmap
        self._rack_bar = pg.ColorBarItem(values=(0, 1), colorMap=pi.pg_colormap("thermal"),
                                         interactive=False, colorMapMenu=False, width=16)
        self._legend = pi.CategoryLegend()
        self._symbol_key = pi.CategoryLegend()  # what the plan's symbols mean
        self._heat_bar = pg.ColorBarItem(values=(0, 1), colorMap=pi.pg_colormap("thermal"),
                                         interactive=False, colorMapMenu=False, width=16)
        for bar in (self._rack_bar, self._heat_bar):
            for name in ("left", "right", "top", "bottom"):
                ax = bar.getAxis(name)
                ax.setPen(pg.mkPen(90, 100, 110))
                ax.setTextPen(pg.mkPen(50, 55, 60))
        self._heat_bar.setImageItem(self._heat)
        self._side: list[Any] = []
        self._heat_shown = False
        self._colour_key_shown: tuple | None = None
        self._heat_title = ""
        #: The heatmap shown (for export captions), or None.
        self.heatmap: Heatmap | None = None

        # ---- state derived from the model ---------------------------------------------
        self._rack_ids = np.empty(0, dtype=object)
        self._rack_sizes = np.empty((0, 3))
        self._rack_bounds = np.empty((0, 4))
        self._eq_ids: list[str] = []
        self._eq_index: dict[str, int] = {}
        self._eq_coll: list[str] = []
        self._eq_kind: list[str] = []
        self._eq_rot = np.empty(0, dtype=int)
        self._eq_bounds = np.empty((0, 4))
        self._door_ids: list[str] = []
        self._door_index: dict[str, int] = {}
        self._door_rack_idx = np.empty(0, dtype=int)
        self._door_of_rack: dict[str, str] = {}
        self._door_bounds = np.empty((0, 4))
        self._tile_ids: list[str] = []
        self._tile_bounds = np.empty((0, 4))
        self._zone_ids: list[str] = []
        self._zone_bounds = np.empty((0, 4))
        self._adj: dict[str, set[str]] = {}
        self._outside: set[str] = set()

        layout.changed.connect(self._on_layout_changed)
        selection.changed.connect(self._on_selection_changed)
        colouring.changed.connect(self._on_colouring_changed)
        self._rebuild_all()
        self._update_flags()
        self._update_colour_key()
        self.reset_view()

    # ==================================================================================
    # public API
    # ==================================================================================
    def set_snap(self, on: bool) -> None:
        """Snap dragged and dropped footprints to the tile grid."""
        self.snap = bool(on)

    def set_alert_ids(self, ids: Iterable[str]) -> None:
        """Outline these racks/items in red (alerts from the live physics)."""
        self._alert_ids = frozenset(ids)
        self._update_flags()

    def set_heatmap(self, image: np.ndarray, extent: tuple[float, float, float, float],
                    levels: tuple[float, float], colormap: str = "thermal", label: str = "",
                    unit: str = "") -> None:
        """Show a plan field (ny, nx), row 0 at y0, under the racks; updated in place."""
        img = np.asarray(image, dtype=np.float32)
        x0, y0, x1, y1 = (float(v) for v in extent)
        if self._heat_bar.colorMap() is None or self._heat_bar.colorMap().name != colormap:
            self._heat_bar.setColorMap(pi.pg_colormap(colormap))
        self._heat.setImage(img, autoLevels=False, levels=tuple(levels))
        self._heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        if tuple(self._heat_bar.levels()) != tuple(levels):
            self._heat_bar.setLevels(values=tuple(levels))
        title = f"{label} [{unit}]" if unit else label
        if title != self._heat_title:   # relabelling re-lays out the side panel: only on change
            self._heat_title = title
            self._heat_bar.getAxis("left").setLabel(title)
        self.heatmap = Heatmap(img, (x0, y0, x1, y1), tuple(levels), colormap, label, unit)
        self._heat.show()
        if not self._heat_shown:
            self._heat_shown = True
            self._arrange_side()

    def clear_heatmap(self) -> None:
        self.heatmap = None
        self._heat.hide()
        if self._heat_shown:
            self._heat_shown = False
            self._arrange_side()

    def heatmap_item(self) -> pg.ImageItem:
        return self._heat

    def frame_ids(self, ids: Iterable[str]) -> None:
        """Zoom to the footprints of these ids (with a margin)."""
        boxes = [b for i in ids if (b := self.bounds_of(i)) is not None]
        if not boxes:
            return
        b = np.array(boxes)
        x0, y0 = b[:, 0].min(), b[:, 1].min()
        x1, y1 = b[:, 2].max(), b[:, 3].max()
        m = max(1.5, 0.15 * max(x1 - x0, y1 - y0))
        self.view_box.setRange(xRange=(x0 - m, x1 + m), yRange=(y0 - m, y1 + m), padding=0)

    def reset_view(self) -> None:
        hall = self.layout_model.hall
        self.view_box.setRange(xRange=(-0.4, hall.width_m + 0.4),
                               yRange=(-0.4, hall.length_m + 0.4), padding=0.01)

    def rotate_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            self.editor.rotate(ids)

    def delete_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            self.editor.delete(ids)
            self.selection.set(self.selection.ids - set(ids))

    def duplicate_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            new = self.editor.duplicate(ids)
            if new:
                self.selection.set(new)

    def drop_model(self, model_key: str, x_m: float, y_m: float, rotation_deg: int = 0
                   ) -> str | None:
        """Add a catalogue model centred near (x_m, y_m), snapped; returns the new id or
        None when refused (unknown model, not placeable, or outside the hall)."""
        lay = self.layout_model
        if model_key not in lay.catalogue:
            self.message.emit(f"Unknown catalogue model {model_key!r}")
            return None
        entry = lay.catalogue[model_key]
        if entry.kind not in _ID_PREFIX or entry.kind == "rdhx":
            self.message.emit(f"{entry.name} cannot be placed on the plan"
                              + (" (rear doors belong to a rack)" if entry.kind == "rdhx"
                                 else ""))
            return None
        cx, cy, bounds = self._placement(model_key, x_m, y_m, rotation_deg)
        hall = lay.hall
        if geometry.outside_hall(bounds[None], hall.width_m, hall.length_m)[0]:
            self.message.emit(f"Cannot place {entry.name} there: it would leave the hall")
            return None
        new_id = lay.new_id(_ID_PREFIX[entry.kind])
        if entry.kind == "rack":
            self.editor.add_racks([{"id": new_id, "name": new_id, "model": model_key,
                                    "x_m": cx, "y_m": cy, "rotation_deg": rotation_deg}],
                                  text=f"Add {new_id}")
        elif entry.kind in ("crah", "inrow"):
            self.editor.add_item("cooling_units", CoolingUnit(new_id, model_key, cx, cy,
                                                              rotation_deg))
        elif entry.kind == "cdu":
            self.editor.add_item("cdus", Cdu(new_id, model_key, cx, cy, rotation_deg))
        elif entry.kind == "tank":
            self.editor.add_item("tanks", ImmersionTank(new_id, model_key, cx, cy,
                                                        rotation_deg))
        partners = sorted(self._adj.get(new_id, ()))
        if partners:
            self.message.emit(f"Added {new_id} ({entry.name}) overlapping "
                              f"{', '.join(partners[:3])}{'…' if len(partners) > 3 else ''}"
                              " — shown in red")
        else:
            self.message.emit(f"Added {new_id} ({entry.name})")
        self.selection.set({new_id})
        return new_id

    def conflict_ids(self) -> frozenset[str]:
        """Ids currently drawn red: overlapping another footprint or outside the hall."""
        return frozenset(k for k, v in self._adj.items() if v) | frozenset(self._outside)

    def bounds_of(self, item_id: str) -> tuple[float, float, float, float] | None:
        lay = self.layout_model
        if lay.racks.has(item_id):
            return tuple(self._rack_bounds[lay.racks.index_of(item_id)])
        if item_id in self._eq_index:
            return tuple(self._eq_bounds[self._eq_index[item_id]])
        for ids, b in ((self._door_ids, self._door_bounds), (self._tile_ids, self._tile_bounds),
                       (self._zone_ids, self._zone_bounds)):
            if item_id in ids:
                return tuple(b[ids.index(item_id)])
        return None

    def id_at(self, x_m: float, y_m: float) -> str | None:
        """The top-most footprint under a plan point."""
        return self._pick(x_m, y_m, self._ppm())

    def tooltip_text(self, item_id: str) -> str:
        lay = self.layout_model
        cat = lay.catalogue
        if lay.racks.has(item_id):
            i = lay.racks.index_of(item_id)
            model = lay.racks["model"][i]
            entry = cat[model] if model in cat else None
            lines = [f"{item_id} — {entry.name if entry else model}"]
            if entry is not None:
                lines.append(f"Nameplate {entry.get('nameplate_kw'):.0f} kW")
            rot = int(lay.racks["rotation_deg"][i])
            lines.append(f"Front (intake) faces {_FACING.get(rot, f'{rot}°')}")
            x, y = lay.racks["x_m"][i], lay.racks["y_m"][i]
            lines.append(f"Position {x:.2f}, {y:.2f} m")
            wl = lay.racks["workload"][i]
            if wl:
                lines.append(f"Workload {wl}")
            if lay.racks["cdu"][i]:
                lines.append(f"CDU {lay.racks['cdu'][i]}")
            if item_id in self._door_of_rack:
                lines.append(f"Rear door {self._door_of_rack[item_id]}")
        else:
            coll = self.editor.collection_of(item_id)
            if coll is None:
                return ""
            item = lay.items[coll][item_id]
            model = getattr(item, "model", None)
            entry = cat[model] if model in cat else None
            if coll == "containment":
                lines = [f"{item_id} — {item.kind.replace('_', ' ')} containment",
                         f"{item.x1_m - item.x0_m:.1f} × {item.y1_m - item.y0_m:.1f} m, "
                         f"height {item.height_m:.2f} m"]
            elif coll == "tiles":
                lines = [f"{item_id} — perforated tile",
                         f"Open area {item.open_fraction * 100:.0f} %"]
            else:
                lines = [f"{item_id} — {entry.name if entry else model}"]
                if entry is not None and entry.get("capacity_kw"):
                    lines.append(f"Capacity {entry.get('capacity_kw'):.0f} kW")
                if getattr(item, "rack", ""):
                    lines.append(f"On rack {item.rack}")
        if self.tooltip_extra is not None:
            try:
                extra = self.tooltip_extra(item_id)
            except Exception:  # a broken hook must not break hovering
                extra = ""
            if extra:
                lines.append(extra)
        if item_id in self.conflict_ids():
            partners = sorted(self._adj.get(item_id, ()))
            lines.append("⚠ " + (f"overlaps {', '.join(partners[:3])}" if partners
                                 else "outside the hall"))
        return "\n".join(lines)

    def render_image(self, size: tuple[int, int] | QtCore.QSize | None = None) -> QtGui.QImage:
        """Render the widget (at ``size`` if given) to a QImage, for tests and screenshots."""
        if size is not None:
            size = QtCore.QSize(*size) if not isinstance(size, QtCore.QSize) else size
            self.resize(size)
        if not self.isVisible():
            self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            self.show()
        QtWidgets.QApplication.processEvents()
        # render into a 32-bit QImage: exact colours whatever the X server's depth
        image = QtGui.QImage(self.size(), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(pi.BACKGROUND)
        self.render(image)
        return image

    # ==================================================================================
    # model -> drawing
    # ==================================================================================
    def _on_layout_changed(self, change: Change) -> None:
        if change.changes_rack_set:         # everything is rebuilt from the layout once
            parts = [p for p in change.elementary if p.kind in RACK_SET_KINDS][:1]
        else:
            parts = list(change.elementary)
        for part in parts:
            self._apply_change(part)

    def _apply_change(self, change: Change) -> None:
        """Update the drawing for one elementary change."""
        kind = change.kind
        region = None
        if kind is ChangeKind.RACKS_CHANGED:
            geo = {"x_m", "y_m", "rotation_deg", "model"} & set(change.fields)
            if geo:
                idx = self.layout_model.racks.indices_of(change.ids)
                before = self._rack_bounds[idx].copy()
                bad_before = self.conflict_ids()
                self._update_rack_rows(idx, "model" in geo)
                self._update_conflicts(list(change.ids))
                region = self._region(np.vstack([before, self._rack_bounds[idx]]),
                                      bad_before ^ self.conflict_ids())
                self._push_racks(region)
            if "model" in change.fields:
                self._update_rack_colours()
        elif kind in RACK_SET_KINDS:
            self._rebuild_all()
            if kind is ChangeKind.RESET:
                self.reset_view()
        elif kind in ITEM_KINDS:
            coll = change.collection
            if coll in EQUIPMENT_COLLECTIONS:
                if kind is ChangeKind.ITEM_CHANGED and all(i in self._eq_index for i in change.ids) \
                        and not set(change.fields) - {"x_m", "y_m", "rotation_deg"}:
                    rows = [self._eq_index[i] for i in change.ids]
                    before = self._eq_bounds[rows].copy()
                    bad_before = self.conflict_ids()
                    self._update_eq_rows(change.ids)
                    self._update_conflicts(list(change.ids))
                    region = self._region(np.vstack([before, self._eq_bounds[rows]]),
                                          bad_before ^ self.conflict_ids())
                    self._push_equipment(region)
                else:
                    self._rebuild_equipment()
                    self._rebuild_doors()
                    self._recompute_conflicts()
                    self._push_equipment()
                    self._push_racks()
            elif coll in ("tiles", "containment"):
                self._rebuild_zones()
        elif kind is ChangeKind.SETTINGS_CHANGED and change.collection == "hall":
            self._rebuild_all()
        self._update_flags(region)

    def _region(self, bounds: np.ndarray, ids: Iterable[str] = ()) -> QRectF:
        """Plan rectangle covering ``bounds`` rows and the footprints of ``ids``, padded
        for cosmetic outlines, so a drag repaints only what changed."""
        extra = [b for i in ids if (b := self.bounds_of(i)) is not None]
        b = np.vstack([bounds, np.array(extra).reshape(-1, 4)]) if extra else bounds
        px = self.view_box.viewPixelSize()
        pad = 0.05 + 8 * max(px[0], px[1])
        x0, y0 = b[:, 0].min() - pad, b[:, 1].min() - pad
        x1, y1 = b[:, 2].max() + pad, b[:, 3].max() + pad
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def _rebuild_all(self) -> None:
        lay = self.layout_model
        hall = lay.hall
        self._floor.set_hall(hall.width_m, hall.length_m, hall.tile_pitch_m)
        self._grid.set_hall(hall.width_m, hall.length_m, hall.tile_pitch_m)
        extent = self._floor.boundingRect().adjusted(-20, -20, 20, 20)
        r = lay.racks
        self._rack_ids = r.ids
        self._rack_sizes = lay.rack_sizes_m()
        self._rack_bounds = geometry.plan_bounds(r["x_m"], r["y_m"], self._rack_sizes,
                                                 r["rotation_deg"])
        self._racks.labels = [str(i) for i in r.ids]
        for layer in (self._racks, self._doors, self._equipment, self._zones):
            layer.set_extent(extent)
        self._rebuild_equipment()
        self._rebuild_doors()
        self._rebuild_zones()
        self._recompute_conflicts()
        self._update_rack_colours(push=False)
        self._push_racks()
        self._push_equipment()
        n = len(r)
        self._update_symbol_key()
        self.plot.setTitle(f"{lay.name}  ·  {hall.width_m:g} × {hall.length_m:g} m  ·  "
                           f"{n:,} rack{'s' if n != 1 else ''}", color="#37474F", size="10pt")

    def _update_rack_rows(self, idx: np.ndarray, model_changed: bool) -> None:
        r = self.layout_model.racks
        if model_changed:
            self._rack_sizes[idx] = geometry.footprint_sizes(self.layout_model.catalogue,
                                                             r["model"][idx])
        self._rack_bounds[idx] = geometry.plan_bounds(r["x_m"][idx], r["y_m"][idx],
                                                      self._rack_sizes[idx],
                                                      r["rotation_deg"][idx])

    def _push_racks(self, region: QRectF | None = None) -> None:
        r = self.layout_model.racks
        b = self._rack_bounds
        front = pi.front_strips(b, r["rotation_deg"], FRONT_STRIP_M)
        if len(self._door_rack_idx):
            self._door_bounds = pi.front_strips(b[self._door_rack_idx],
                                                r["rotation_deg"][self._door_rack_idx],
                                                DOOR_STRIP_M, rear=True)
        else:
            self._door_bounds = np.empty((0, 4))
        self._racks.set_data(b, self._rack_bucket, self._rack_palette,
                             strips=[(front, pi.FRONT_MARK), (self._door_bounds, pi.DOOR)],
                             labels=self._racks.labels, region=region)
        self._doors.set_data(self._door_bounds, np.zeros(len(self._door_bounds), int),
                             [pi.DOOR], region=region)

    def _update_rack_colours(self, push: bool = True) -> None:
        c = self.colouring.current
        n = len(self.layout_model.racks)
        values = np.asarray(c.values, dtype=float)
        if len(values) != n:
            maker = STATIC_COLOURINGS.get(c.key)
            if maker is not None:
                c = maker(self.layout_model)
                values = np.asarray(c.values, dtype=float)
            else:
                values = np.full(n, np.nan)
        self._shown_colouring = c
        self._rack_bucket, self._rack_palette = pi.colour_buckets(
            values, c.vmin, c.vmax, c.colormap, c.categories)
        if push:
            self._racks.set_colours(self._rack_bucket, self._rack_palette)

    def _rebuild_equipment(self) -> None:
        lay = self.layout_model
        cat = lay.catalogue
        ids, colls, kinds, rots, items = [], [], [], [], []
        for coll in EQUIPMENT_COLLECTIONS:
            for it in lay.items[coll].values():
                kind = cat[it.model].kind if it.model in cat else coll
                if kind == "rdhx" and getattr(it, "rack", ""):
                    continue  # rear doors are drawn on their rack
                ids.append(it.id)
                colls.append(coll)
                kinds.append(kind)
                rots.append(int(it.rotation_deg))
                items.append(it)
        self._eq_ids, self._eq_coll, self._eq_kind = ids, colls, kinds
        self._eq_index = {k: i for i, k in enumerate(ids)}
        self._eq_rot = np.array(rots, dtype=int)
        if items:
            size = np.array([cat[it.model].footprint_m if it.model in cat else (0.6, 0.6, 2.0)
                             for it in items])
            self._eq_sizes = size
            self._eq_bounds = geometry.plan_bounds([it.x_m for it in items],
                                                   [it.y_m for it in items], size, rots)
        else:
            self._eq_sizes = np.empty((0, 3))
            self._eq_bounds = np.empty((0, 4))

    def _update_eq_rows(self, ids: Iterable[str]) -> None:
        lay = self.layout_model
        for i in ids:
            k = self._eq_index[i]
            it = lay.items[self._eq_coll[k]][i]
            self._eq_rot[k] = int(it.rotation_deg)
            self._eq_bounds[k] = geometry.plan_bounds([it.x_m], [it.y_m],
                                                      self._eq_sizes[k:k + 1],
                                                      [it.rotation_deg])[0]

    def _push_equipment(self, region: QRectF | None = None) -> None:
        kinds = list(pi.KIND_COLOURS)
        bucket = np.array([kinds.index(k) if k in kinds else len(kinds)
                           for k in self._eq_kind], dtype=int)
        palette = [pi.KIND_COLOURS[k] for k in kinds]
        front = pi.front_strips(self._eq_bounds, self._eq_rot, FRONT_STRIP_M)
        glyphs = np.array([_GLYPH.get(k, 0) for k in self._eq_kind], dtype=int)
        self._equipment.set_data(self._eq_bounds, bucket, palette,
                                 strips=[(front, QtGui.QColor(255, 255, 255, 200))],
                                 labels=list(self._eq_ids), glyphs=glyphs, region=region)

    def _rebuild_doors(self) -> None:
        lay = self.layout_model
        ids, rack_idx = [], []
        self._door_of_rack = {}
        for it in lay.cooling_units.values():
            if it.rack and lay.racks.has(it.rack):
                ids.append(it.id)
                rack_idx.append(lay.racks.index_of(it.rack))
                self._door_of_rack[it.rack] = it.id
        self._door_ids = ids
        self._door_index = {k: i for i, k in enumerate(ids)}
        self._door_rack_idx = np.array(rack_idx, dtype=int)

    def _rebuild_zones(self) -> None:
        lay = self.layout_model
        pitch = lay.hall.tile_pitch_m
        zones, zb, zids = [], [], []
        for z in lay.containment.values():
            zones.append((z.id, z.kind, QRectF(z.x0_m, z.y0_m, z.x1_m - z.x0_m,
                                               z.y1_m - z.y0_m)))
            zb.append((z.x0_m, z.y0_m, z.x1_m, z.y1_m))
            zids.append(z.id)
        tiles = list(lay.tiles.values())
        self._tile_ids = [t.id for t in tiles]
        h = pitch / 2
        self._tile_bounds = np.array([(t.x_m - h, t.y_m - h, t.x_m + h, t.y_m + h)
                                      for t in tiles]).reshape(-1, 4)
        self._zone_ids = zids
        self._zone_bounds = np.array(zb, dtype=float).reshape(-1, 4)
        self._zones.set_data(zones, self._tile_ids, self._tile_bounds)

    # ---- overlaps -----------------------------------------------------------------------
    def _obstacles(self) -> tuple[np.ndarray, np.ndarray]:
        ids = np.concatenate([self._rack_ids.astype(object),
                              np.array(self._eq_ids, dtype=object)])
        bounds = np.vstack([self._rack_bounds, self._eq_bounds])
        return ids, bounds

    def _recompute_conflicts(self) -> None:
        ids, bounds = self._obstacles()
        self._adj = {}
        for a, b in geometry.overlapping_pairs(bounds):
            self._adj.setdefault(ids[a], set()).add(ids[b])
            self._adj.setdefault(ids[b], set()).add(ids[a])
        hall = self.layout_model.hall
        out = geometry.outside_hall(bounds, hall.width_m, hall.length_m)
        self._outside = set(ids[out].tolist())

    def _update_conflicts(self, moved: list[str]) -> None:
        """Incremental overlap update after ``moved`` footprints changed."""
        moved = [m for m in moved if self.layout_model.racks.has(m) or m in self._eq_index]
        if not moved:
            return
        for m in moved:
            for p in self._adj.pop(m, ()):
                s = self._adj.get(p)
                if s is not None:
                    s.discard(m)
                    if not s:
                        del self._adj[p]
        ids, bounds = self._obstacles()
        mb = np.array([self.bounds_of(m) for m in moved], dtype=float)
        hits = _rects_overlap(mb, bounds)
        for k, m in enumerate(moved):
            for j in np.nonzero(hits[k])[0]:
                p = ids[j]
                if p == m:
                    continue
                self._adj.setdefault(m, set()).add(p)
                self._adj.setdefault(p, set()).add(m)
        hall = self.layout_model.hall
        out = geometry.outside_hall(mb, hall.width_m, hall.length_m)
        for m, o in zip(moved, out):
            (self._outside.add if o else self._outside.discard)(m)

    # ---- flags (selection, alerts, conflicts) --------------------------------------------
    def _update_flags(self, region: QRectF | None = None) -> None:
        """Selection / alert / conflict masks; only rows whose state changed are touched."""
        state = {"selected": frozenset(self.selection.ids), "alert": self._alert_ids,
                 "conflict": self.conflict_ids()}
        key = (id(self._rack_ids), len(self._rack_ids), tuple(self._eq_ids),
               tuple(self._door_ids))
        layers = ((self._racks, self._rack_index_of), (self._equipment, self._eq_index.get),
                  (self._doors, self._door_index.get))
        if getattr(self, "_flag_key", None) != key:
            self._flag_key = key
            self._flag_state = {k: frozenset() for k in state}
            for layer, _ in layers:
                z = np.zeros(len(layer.bounds), bool)
                layer.set_flags(selected=z, alert=z.copy(), conflict=z.copy())
            region = None
        changed = False
        for name, ids in state.items():
            diff = ids ^ self._flag_state[name]
            if not diff:
                continue
            changed = True
            for layer, index_of in layers:
                mask = getattr(layer, name)
                for i in diff:
                    k = index_of(i)
                    if k is not None and k < len(mask):
                        mask[k] = i in ids
            self._flag_state[name] = ids
        self._doors.conflict[:] = False
        if changed:
            for layer, _ in layers:
                layer.set_flags(region=region)
        self._zones.set_selected(set(state["selected"]))

    def _rack_index_of(self, item_id: str) -> int | None:
        r = self.layout_model.racks
        return r.index_of(item_id) if r.has(item_id) else None

    def _on_selection_changed(self, _ids) -> None:
        self._update_flags()

    def _on_colouring_changed(self, _c) -> None:
        self._update_rack_colours()
        self._update_colour_key()

    def _update_colour_key(self) -> None:
        c = getattr(self, "_shown_colouring", self.colouring.current)
        label = f"{c.label} [{c.unit}]" if c.unit else c.label
        key = (label, c.colormap, c.vmin, c.vmax, tuple(c.categories or ()))
        if key == self._colour_key_shown:   # a live result in the same range: key unchanged
            return
        self._colour_key_shown = key
        if c.categories:
            from twin.model.viewstate import CATEGORY_COLOURS
            cols = [QtGui.QColor(*CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)])
                    for k in range(len(c.categories))]
            self._legend.set_entries(label, list(zip(cols, c.categories)))
            self._rack_key = self._legend
        else:
            self._rack_bar.setColorMap(pi.pg_colormap(c.colormap))
            self._rack_bar.setLevels(values=(c.vmin, c.vmax if c.vmax > c.vmin else c.vmin + 1))
            self._rack_bar.getAxis("left").setLabel(label)
            self._rack_key = self._rack_bar
        self._arrange_side()

    def _update_symbol_key(self) -> None:
        lay = self.layout_model
        entries: list[tuple] = [(pi.FRONT_MARK, "Rack front (air intake)", "strip")]
        if self._door_ids:
            entries.append((pi.DOOR, "Rear-door heat exchanger", "strip"))
        names = {"crah": "CRAH (perimeter)", "inrow": "In-row cooler", "cdu": "CDU",
                 "tank": "Immersion tank"}
        for kind, name in names.items():
            if kind in self._eq_kind:
                entries.append((pi.KIND_COLOURS[kind], name))
        kinds = {z.kind for z in lay.containment.values()}
        if "hot_aisle" in kinds:
            entries.append((QtGui.QColor(229, 57, 53), "Hot-aisle containment", "hatch"))
        if "cold_aisle" in kinds:
            entries.append((QtGui.QColor(30, 136, 229), "Cold-aisle containment", "hatch"))
        if lay.tiles:
            entries.append((pi.KIND_COLOURS["tile"], "Perforated tile"))
        entries.append((pi.CONFLICT, "Overlap / outside hall"))
        entries.append((pi.ALERT, "Alert", "outline"))
        self._symbol_key.set_entries("Plan symbols", entries)

    def _arrange_side(self) -> None:
        ci = self.canvas.ci
        for item in self._side:
            ci.removeItem(item)
        ci.removeItem(self.plot)
        ci.addItem(self.plot, 0, 0, rowspan=2)
        self._side = [self._rack_key, self._symbol_key]
        ci.addItem(self._rack_key, 0, 1)
        ci.addItem(self._symbol_key, 1, 1)
        if self._heat_shown:
            self._side.append(self._heat_bar)
            ci.addItem(self._heat_bar, 0, 2, rowspan=2)

    # ==================================================================================
    # interaction
    # ==================================================================================
    def _ppm(self) -> float:
        px = self.view_box.viewPixelSize()
        return 1.0 / max(px[0], 1e-9)

    def _pick(self, x: float, y: float, ppm: float) -> str | None:
        def inside(b: np.ndarray) -> np.ndarray:
            if not len(b):
                return np.empty(0, dtype=int)
            return np.nonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y)
                              & (y <= b[:, 3]))[0]

        hit = inside(self._eq_bounds)
        if len(hit):
            return self._eq_ids[hit[-1]]
        if DOOR_STRIP_M * ppm >= 6:
            hit = inside(self._door_bounds)
            if len(hit):
                return self._door_ids[hit[-1]]
        hit = inside(self._rack_bounds)
        if len(hit):
            return str(self._rack_ids[hit[-1]])
        hit = inside(self._tile_bounds)
        if len(hit):
            return self._tile_ids[hit[-1]]
        hit = inside(self._zone_bounds)
        if len(hit):
            return self._zone_ids[hit[-1]]
        return None

    def _editable(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if self.editor.collection_of(i) not in (None, "power",
                                                                        "workloads")]

    def _click(self, pos: QPointF, modifiers) -> None:
        hit = self._pick(pos.x(), pos.y(), self._ppm())
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(modifiers & (Qt.KeyboardModifier.ControlModifier
                                 | Qt.KeyboardModifier.MetaModifier))
        if hit is None:
            if not (shift or ctrl):
                self.selection.clear()
            return
        if ctrl:
            self.selection.toggle(hit)
        elif shift:
            self.selection.set(self.selection.ids | {hit})
        else:
            self.selection.set({hit})

    def _drag_start(self, pos: QPointF, modifiers) -> None:
        hit = self._pick(pos.x(), pos.y(), self._ppm())
        if hit is not None and hit in self._zone_ids and hit not in self.selection.ids:
            hit = None  # aisles are floor: drag there draws a rubber band
        if hit is None:
            self._drag = {"mode": "band", "p0": QPointF(pos), "mods": modifiers}
            self._band.setRect(QRectF(pos, pos))
            self._band.show()
            return
        if hit not in self.selection.ids:
            if modifiers & (Qt.KeyboardModifier.ShiftModifier
                            | Qt.KeyboardModifier.ControlModifier):
                self.selection.set(self.selection.ids | {hit})
            else:
                self.selection.set({hit})
        anchor = hit
        if hit in self._door_ids:  # a rear door drags its rack
            anchor = self.layout_model.cooling_units[hit].rack
        ids = set()
        for i in self.selection.ids:
            if i in self._door_ids:
                i = self.layout_model.cooling_units[i].rack
            if self.editor.collection_of(i) in ("racks", "cooling_units", "cdus", "tanks",
                                                "tiles", "containment"):
                ids.add(i)
        ids.add(anchor)
        starts = {i: self.editor.position_of(i) for i in ids}
        self._drag = {"mode": "move", "p0": QPointF(pos), "token": object(), "starts": starts,
                      "anchor": self.bounds_of(anchor), "delta": (0.0, 0.0), "moved": False}
        self.drag_started.emit()

    def _snap_delta(self, dx: float, dy: float) -> tuple[float, float]:
        """Snap a drag offset so the anchor footprint lands on the tile grid."""
        if not self.snap:
            return dx, dy
        x0, y0, x1, y1 = self._drag["anchor"]
        return (snap_axis(x0, x1 - x0, dx, self.layout_model.hall.tile_pitch_m),
                snap_axis(y0, y1 - y0, dy, self.layout_model.hall.tile_pitch_m))

    def _drag_move(self, pos: QPointF) -> None:
        d = self._drag
        if d is None:
            return
        if d["mode"] == "band":
            self._band.setRect(QRectF(d["p0"], pos).normalized())
            return
        delta = self._snap_delta(pos.x() - d["p0"].x(), pos.y() - d["p0"].y())
        if delta == d["delta"]:
            return
        d["delta"] = delta
        d["moved"] = True
        self.editor.move({i: (x + delta[0], y + delta[1]) for i, (x, y) in d["starts"].items()},
                         drag=d["token"])

    def _drag_finish(self, pos: QPointF) -> None:
        d, self._drag = self._drag, None
        if d is None:
            return
        if d["mode"] == "band":
            self._band.hide()
            self._band_select(QRectF(d["p0"], pos).normalized(), d["mods"])
            return
        try:
            self._finish_move(d)
        finally:
            self.drag_finished.emit()

    def _finish_move(self, d: dict[str, Any]) -> None:
        if not d["moved"]:
            return
        moved = list(d["starts"])
        bad_out = [i for i in moved if i in self._outside
                   or (i in self._tile_ids or i in self._zone_ids) and self._leaves_hall(i)]
        if bad_out:
            self.editor.move(d["starts"], drag=d["token"])  # merges into a no-op: dropped
            self.message.emit(f"Move refused: {_names(bad_out)} would leave the hall")
            return
        clashes = sorted({i for i in moved if self._adj.get(i)})
        if clashes:
            partners = sorted(set().union(*(self._adj[i] for i in clashes)) - set(moved))
            self.message.emit(f"Overlap: {_names(clashes)} overlaps {_names(partners)}"
                              " — kept and shown in red")
        else:
            self.message.emit(move_text(moved, d["delta"]))

    def _leaves_hall(self, item_id: str) -> bool:
        b = self.bounds_of(item_id)
        hall = self.layout_model.hall
        return b is not None and bool(geometry.outside_hall(np.array([b]), hall.width_m,
                                                            hall.length_m)[0])

    def _band_select(self, rect: QRectF, modifiers) -> None:
        x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()

        def crossing(b: np.ndarray) -> np.ndarray:
            if not len(b):
                return np.empty(0, dtype=int)
            return np.nonzero((b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1)
                              & (b[:, 3] > y0))[0]

        ids = [str(self._rack_ids[k]) for k in crossing(self._rack_bounds)]
        ids += [self._eq_ids[k] for k in crossing(self._eq_bounds)]
        ids += [self._tile_ids[k] for k in crossing(self._tile_bounds)]
        zb = self._zone_bounds
        if len(zb):
            inside = (zb[:, 0] >= x0) & (zb[:, 2] <= x1) & (zb[:, 1] >= y0) & (zb[:, 3] <= y1)
            ids += [self._zone_ids[k] for k in np.nonzero(inside)[0]]
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.selection.set(self.selection.ids ^ set(ids))
        elif modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.selection.set(self.selection.ids | set(ids))
        else:
            self.selection.set(ids)
        if ids:
            self.message.emit(f"Selected {len(ids)} item{'s' if len(ids) != 1 else ''}")

    def _key(self, ev: QtGui.QKeyEvent) -> bool:
        key, mods = ev.key(), ev.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_R and not ctrl:
            self.rotate_selection()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif key == Qt.Key.Key_D and ctrl:
            self.duplicate_selection()
        elif key == Qt.Key.Key_Escape:
            self.selection.clear()
        elif key == Qt.Key.Key_F and not ctrl:
            if self.selection.ids:
                self.frame_ids(self.selection.ids)
            else:
                self.reset_view()
        elif key == Qt.Key.Key_Home:
            self.reset_view()
        else:
            return False
        ev.accept()
        return True

    # ---- drop ---------------------------------------------------------------------------
    def _placement(self, model_key: str, x: float, y: float, rotation_deg: int = 0
                   ) -> tuple[float, float, np.ndarray]:
        size = np.array([self.layout_model.catalogue[model_key].footprint_m])
        ext = geometry.plan_extent(size, np.array([rotation_deg]))[0]
        x0, y0 = x - ext[0] / 2, y - ext[1] / 2
        if self.snap:
            p = self.layout_model.hall.tile_pitch_m
            x0 += snap_axis(x0, ext[0], 0.0, p, relative=False)
            y0 += snap_axis(y0, ext[1], 0.0, p, relative=False)
        cx, cy = round(x0 + ext[0] / 2, 9), round(y0 + ext[1] / 2, 9)
        return cx, cy, np.array([cx - ext[0] / 2, cy - ext[1] / 2, cx + ext[0] / 2,
                                 cy + ext[1] / 2])

    def _drop_preview(self, mime: QtCore.QMimeData, scene_pos: QPointF) -> None:
        key = bytes(mime.data(CATALOGUE_MIME)).decode("utf-8").strip()
        cat = self.layout_model.catalogue
        if key not in cat or cat[key].kind not in _ID_PREFIX or cat[key].kind == "rdhx":
            self._ghost.hide()
            return
        p = self.view_box.mapSceneToView(scene_pos)
        _cx, _cy, b = self._placement(key, p.x(), p.y())
        hall = self.layout_model.hall
        _ids, bounds = self._obstacles()
        ok = not geometry.outside_hall(b[None], hall.width_m, hall.length_m)[0] \
            and not _rects_overlap(b[None], bounds).any()
        front = pi.front_strips(b[None], np.array([0]), FRONT_STRIP_M)[0]
        self._ghost.show_at(QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1]),
                            QRectF(front[0], front[1], front[2] - front[0], front[3] - front[1]),
                            ok, cat[key].name)

    def _tooltip_at(self, scene_pos: QPointF) -> str:
        p = self.view_box.mapSceneToView(scene_pos)
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return ""
        hit = self._pick(p.x(), p.y(), self._ppm())
        return self.tooltip_text(hit) if hit else ""


def snap_axis(start_m: float, size_m: float, delta_m: float, pitch_m: float,
              relative: bool = True) -> float:
    """Snapped offset along one axis for a footprint starting at ``start_m``.

    Candidates: the footprint edge on a tile line, the footprint centre on a tile line
    (both conventions occur in real layouts: a 0.6 m rack covers one tile or straddles a
    tile line), and -- with ``relative`` -- the start moved by whole tiles, which keeps a
    rack in line with its row when the row itself is not on the grid. The candidate
    nearest to the unsnapped position wins (ties: edge, then centre).
    """
    raw = start_m + delta_m
    p = pitch_m
    cands = [round(raw / p) * p, round((raw + size_m / 2) / p) * p - size_m / 2]
    if relative:
        cands.append(start_m + round(delta_m / p) * p)
    best = min(cands, key=lambda c: abs(c - raw) + 1e-9 * cands.index(c))
    return round(best - start_m, 9)


def move_text(ids, delta_m) -> str:
    """Status text of a finished move, e.g. ``Moved A01 by +0.00, -1.20 m`` (a rounding
    residue of −4e-16 m reads +0.00, not −0.00)."""
    dx, dy = (round(float(v), 2) + 0.0 for v in delta_m[:2])
    return f"Moved {_names(ids)} by {dx:+.2f}, {dy:+.2f} m"


def _names(ids: Iterable[str], n: int = 3) -> str:
    ids = list(ids)
    if not ids:
        return "nothing"
    text = ", ".join(ids[:n])
    return text + (f" and {len(ids) - n} more" if len(ids) > n else "")
