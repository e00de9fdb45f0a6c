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
from PySide6.QtCore import QRectF, Qt, Signal

from twin.engine import raster
from twin.engine.layers import Heatmap
from twin.model import Layout, units
from twin.model.colour_by import STATIC_COLOURINGS
from twin.model.events import Change
from twin.model.floor import FloorGeometry
from twin.model.viewstate import RackColouring, Selection
from twin.gui.plan import items as pi
from twin.gui.base.commands import Editor
from twin.gui.plan.legends import PlanLegends
from twin.gui.plan.row_labels import RowLabels
from twin.gui.plan.interaction import (
    DOOR_STRIP_M, FRONT_STRIP_M, PlanInteraction, PlanCanvas, PlanViewBox,
)

_GLYPH = {"crah": 1, "inrow": 2, "cdu": 3, "tank": 4}
_FACING = {0: "south", 90: "east", 180: "north", 270: "west"}


#: below this width (px) the plan shows its colour bars but not the symbol key
COMPACT_BELOW_PX = 720


class PlanView(PlanInteraction, QtWidgets.QWidget):
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
                 editor: Editor, floor: FloorGeometry | None = None,
                 parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.layout_model = layout
        #: The shared plan geometry (footprints, conflicts); its own when none is given.
        self.floor = floor if floor is not None else FloorGeometry(layout)
        self.selection = selection
        self.colouring = colouring
        self.editor = editor
        self.tooltip_extra: Callable[[str], str] | None = None
        #: draw the selection highlight (``set_selection_shown``)
        self.show_selection = True
        self.snap = True
        self._alert_ids: frozenset[str] = frozenset()
        self._drag: dict[str, Any] | None = None

        # ---- widgets and items ---------------------------------------------------------
        self.canvas = PlanCanvas(self)
        self.canvas.setBackground(pi.BACKGROUND)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)

        self.view_box = PlanViewBox(self)
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
        self._label_axes()
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
        #: row names while the racks are too small for their ids (as in the 3-D view)
        self._row_labels = RowLabels(layout, self._racks)
        self._row_labels.setZValue(6)
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
                     self._equipment, self._row_labels, self._ghost, self._band):
            self.view_box.addItem(item, ignoreBounds=True)

        self.legends = PlanLegends(self.canvas.ci, self.plot, self._heat)
        #: The heatmap shown (for export captions), or None.
        self.heatmap: Heatmap | None = None

        #: Drawn rear-door strips (their depth is a drawing choice, so they live here).
        self._door_bounds = np.empty((0, 4))

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
                    unit: str = "", categories: tuple[str, ...] = (), smooth: bool = True
                    ) -> None:
        """Show a plan field (ny, nx), row 0 at y0, under the racks; updated in place.
        ``categories``: labels of the integer values of a categorical field (never
        smoothed); ``smooth``: resampled bilinearly (``raster.smoothed``) for display."""
        img = np.asarray(image, dtype=np.float32)
        x0, y0, x1, y1 = (float(v) for v in extent)
        shown = raster.smoothed(img).astype(np.float32) if smooth and not categories else img
        self._heat.setImage(shown, autoLevels=False, levels=tuple(levels))
        self._heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.legends.show_heat(colormap, tuple(levels), label, unit, tuple(categories))
        self.heatmap = Heatmap(img, (x0, y0, x1, y1), tuple(levels), colormap, label, unit,
                               tuple(categories))
        self._heat.show()

    def clear_heatmap(self) -> None:
        self.heatmap = None
        self._heat.hide()
        self.legends.hide_heat()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        compact = self.width() < COMPACT_BELOW_PX
        if compact != self.legends.compact:
            self.legends.set_compact(compact)
            self._set_title()
            # the canvas was laid out (clamped to the old minimum width) before this
            # widget's resize event: lay it out again once the grid has its new items
            QtCore.QTimer.singleShot(0, self._fit_canvas)

    def _fit_canvas(self) -> None:
        self.canvas.ci.setGeometry(QRectF(self.canvas.range))

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

    def conflict_ids(self) -> frozenset[str]:
        """Ids currently drawn red: overlapping another footprint or outside the hall."""
        return self.floor.conflict_ids()

    def bounds_of(self, item_id: str) -> tuple[float, float, float, float] | None:
        """Plan rectangle of an item as drawn (a rear door: its strip on the rack)."""
        k = self.floor.door_index.get(item_id)
        if k is not None and k < len(self._door_bounds):
            b = self._door_bounds[k]
            return float(b[0]), float(b[1]), float(b[2]), float(b[3])
        return self.floor.bounds_of(item_id)

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
                lines.append(f"Nameplate {units.kw(entry.get('nameplate_kw'))} kW")
            rot = int(lay.racks["rotation_deg"][i])
            lines.append(f"Front (intake) faces {_FACING.get(rot, f'{rot}°')}")
            x, y = lay.racks["x_m"][i], lay.racks["y_m"][i]
            lines.append(f"Position {units.quantities(units.LENGTH, (x, y))}")
            wl = lay.racks["workload"][i]
            if wl:
                lines.append(f"Workload {wl}")
            if lay.racks["cdu"][i]:
                lines.append(f"CDU {lay.racks['cdu'][i]}")
            if item_id in self.floor.door_of_rack:
                lines.append(f"Rear door {self.floor.door_of_rack[item_id]}")
        else:
            coll = self.editor.collection_of(item_id)
            if coll is None:
                return ""
            item = lay.items[coll][item_id]
            model = getattr(item, "model", None)
            entry = cat[model] if model in cat else None
            if coll == "containment":
                lines = [f"{item_id} — {item.kind.replace('_', ' ')} containment",
                         units.quantities(units.LENGTH, (item.x1_m - item.x0_m,
                                                         item.y1_m - item.y0_m), 1, " × ")
                         + f", height {units.quantity(units.LENGTH, item.height_m, 2)}"]
            elif coll == "tiles":
                lines = [f"{item_id} — perforated tile",
                         f"Open area {item.open_fraction * 100:.0f} %"]
            else:
                lines = [f"{item_id} — {entry.name if entry else model}"]
                if entry is not None and entry.get("capacity_kw"):
                    lines.append(f"Capacity {units.capacity(entry.get('capacity_kw'))}")
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
            partners = sorted(self.floor.neighbours.get(item_id, ()))
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
        """Redraw what the change touched; ``self.floor`` has already followed it and says
        what moved and where it was before, so a drag repaints only that region."""
        u = self.floor.last
        if u.rebuilt:
            self._rebuild_all()
            if u.reset:
                self.reset_view()
            self._update_flags()
            return
        regions = []
        if len(u.rack_rows):
            rows = u.rack_rows
            regions.append(self._region(np.vstack([u.rack_bounds_before,
                                                   self.floor.rack_bounds_m[rows]]),
                                        u.conflicts_before ^ self.conflict_ids()))
        if u.rack_models_changed:
            self._update_rack_colours()
        if u.equipment_rebuilt:
            self._push_equipment()
            self._push_racks()
            regions = []
        elif u.eq_rows:
            regions.append(self._region(np.vstack([u.eq_bounds_before,
                                                   self.floor.eq_bounds_m[u.eq_rows]]),
                                        u.conflicts_before ^ self.conflict_ids()))
            self._push_equipment(regions[-1])
        if len(u.rack_rows) and not u.equipment_rebuilt:
            self._push_racks(regions[0])
        if u.zones_rebuilt:
            self._push_zones()
        region = None
        if len(regions) == 1:
            region = regions[0]
        elif regions:
            region = regions[0].united(regions[1])
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
        self._racks.labels = [str(i) for i in r.ids]
        for layer in (self._racks, self._doors, self._equipment, self._zones,
                      self._row_labels):
            layer.set_extent(extent)
        self._push_zones()
        self._update_rack_colours(push=False)
        self._push_racks()
        self._push_equipment()
        self.legends.show_symbols(self.layout_model, self.floor)
        self._set_title()

    def _set_title(self) -> None:
        lay, n = self.layout_model, len(self.layout_model.racks)
        size = units.quantities(units.LENGTH, (lay.hall.width_m, lay.hall.length_m), 1, " × ")
        title = (lay.name if self.legends.compact
                 else f"{lay.name}  ·  {size}  ·  {n:,} rack{'s' if n != 1 else ''}")
        self.plot.setTitle(title, color="#37474F", size="10pt")
        # the title never widens the plot: a long one is cut, the colour bars stay in view
        self.plot.titleLabel.setMinimumWidth(0)

    def _label_axes(self) -> None:
        """Axis titles and tick labels in the current length unit (the data stay metres)."""
        for name, axis in (("bottom", "x"), ("left", "y")):
            self.plot.setLabel(name, units.title(axis, units.LENGTH))
            self.plot.getAxis(name).setScale(units.convert(units.LENGTH, 1.0))

    def refresh_units(self) -> None:
        """Axes, title, colour keys and the heatmap's bar in the current unit system."""
        self._label_axes()
        self._set_title()
        self.legends.rack_key_shown = None
        self._update_colour_key()
        hm = self.heatmap
        if hm is not None:
            self.legends.show_heat(hm.colormap, hm.levels, hm.label, hm.unit, hm.categories)

    def _push_racks(self, region: QRectF | None = None) -> None:
        r = self.layout_model.racks
        b = self.floor.rack_bounds_m
        doors = self.floor.door_rack_index
        front = pi.front_strips(b, r["rotation_deg"], FRONT_STRIP_M)
        if len(doors):
            self._door_bounds = pi.front_strips(b[doors], r["rotation_deg"][doors],
                                                DOOR_STRIP_M, rear=True)
        else:
            self._door_bounds = np.empty((0, 4))
        self._racks.set_data(b, self._rack_bucket, self._rack_palette,
                             strips=[(front, pi.FRONT_MARK), (self._door_bounds, pi.DOOR)],
                             labels=self._racks.labels, region=region)
        self._doors.set_data(self._door_bounds, np.zeros(len(self._door_bounds), int),
                             [pi.DOOR], region=region)
        self._row_labels.update()

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
            values, c.vmin, c.vmax, c.colormap, c.categories, c.colours)
        if push:
            self._racks.set_colours(self._rack_bucket, self._rack_palette)
            was = getattr(self, "_equipment_coloured", False)
            if c.equipment or was:
                self._equipment.set_colours(*self._equipment_colours())
                if was != bool(c.equipment):       # kind colours in the key, or not
                    self.legends.show_symbols(self.layout_model, self.floor, bool(c.equipment))

    def _equipment_colours(self) -> tuple[np.ndarray, list[QtGui.QColor]]:
        """Bucket and palette of the equipment: kind colours, or the values of a colouring
        that covers equipment too (the failure map; units it has no value for are grey)."""
        f = self.floor
        c = getattr(self, "_shown_colouring", self.colouring.current)
        self._equipment_coloured = bool(c.equipment)
        if c.equipment:
            values = np.array([c.equipment.get(i, np.nan) for i in f.eq_ids], dtype=float)
            return pi.colour_buckets(values, c.vmin, c.vmax, c.colormap, c.categories, c.colours)
        kinds = list(pi.KIND_COLOURS)
        bucket = np.array([kinds.index(k) if k in kinds else len(kinds)
                           for k in f.eq_kind], dtype=int)
        return bucket, [pi.KIND_COLOURS[k] for k in kinds]

    def _push_equipment(self, region: QRectF | None = None) -> None:
        f = self.floor
        bucket, palette = self._equipment_colours()
        front = pi.front_strips(f.eq_bounds_m, f.eq_rotation_deg, FRONT_STRIP_M)
        glyphs = np.array([_GLYPH.get(k, 0) for k in f.eq_kind], dtype=int)
        self._equipment.set_data(f.eq_bounds_m, bucket, palette,
                                 strips=[(front, QtGui.QColor(255, 255, 255, 200))],
                                 labels=list(f.eq_ids), glyphs=glyphs, region=region)

    def _push_zones(self) -> None:
        f = self.floor
        zones = [(z.id, z.kind, QRectF(z.x0_m, z.y0_m, z.x1_m - z.x0_m, z.y1_m - z.y0_m))
                 for z in self.layout_model.containment.values()]
        self._zones.set_data(zones, f.tile_ids, f.tile_bounds_m,
                             list(zip(f.grille_ids, f.grille_kinds, f.grille_bounds_m)))

    # ---- flags (selection, alerts, conflicts) --------------------------------------------
    def _update_flags(self, region: QRectF | None = None) -> None:
        """Selection / alert / conflict masks; only rows whose state changed are touched."""
        state = {"selected": frozenset(self.selection.ids) if self.show_selection
                 else frozenset(), "alert": self._alert_ids,
                 "conflict": self.conflict_ids()}
        f = self.floor
        key = (id(f.rack_ids), len(f.rack_ids), tuple(f.eq_ids), tuple(f.door_ids))
        layers = ((self._racks, self._rack_index_of), (self._equipment, f.eq_index.get),
                  (self._doors, f.door_index.get))
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

    def set_selection_shown(self, on: bool) -> None:
        """Draw the selection highlight (on) or not (an exported image without it);
        the selection itself is unchanged."""
        self.show_selection = bool(on)
        self._update_flags()

    def _on_colouring_changed(self, _c) -> None:
        self._update_rack_colours()
        self._update_colour_key()

    def _update_colour_key(self) -> None:
        self.legends.show_colouring(getattr(self, "_shown_colouring", self.colouring.current))
