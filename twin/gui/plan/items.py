"""Batched pyqtgraph graphics items for the plan view.

Everything here draws *many* footprints with a handful of QPainter calls: rectangles live in
numpy arrays and reach Qt through one contiguous QRectF array per colour bucket
(``drawRects(ptr, count)``), never as one QGraphicsItem per rack. Coordinates are hall
metres (x east, y north); text is drawn in device pixels so it stays readable at any zoom.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QPointF, QRectF, Qt

from twin.model.viewstate import COLORMAPS, colormap_rgba

try:  # fast path: numpy memory handed to QPainter::drawRects as one C array
    from pyqtgraph.Qt.internals import PrimitiveArray as _PrimitiveArray
except Exception:  # pragma: no cover - older pyqtgraph
    _PrimitiveArray = None

# ----- palette ----------------------------------------------------------------------
BACKGROUND = QtGui.QColor(250, 251, 252)
FLOOR = QtGui.QColor(236, 240, 244)
GRID = QtGui.QColor(203, 211, 220)
HALL_EDGE = QtGui.QColor(55, 71, 79)
RACK_EDGE = QtGui.QColor(38, 50, 56, 170)
FRONT_MARK = QtGui.QColor(33, 33, 33, 215)
DOOR = QtGui.QColor(0, 150, 136)
SELECT = QtGui.QColor(255, 214, 0)
SELECT_HALO = QtGui.QColor(20, 20, 20, 200)
ALERT = QtGui.QColor(213, 0, 0)
CONFLICT = QtGui.QColor(229, 57, 53)
NEUTRAL = QtGui.QColor(158, 158, 158)
KIND_COLOURS = {
    "crah": QtGui.QColor(2, 119, 189),
    "inrow": QtGui.QColor(79, 195, 247),
    "rdhx": DOOR,
    "cdu": QtGui.QColor(126, 87, 194),
    "tank": QtGui.QColor(0, 105, 92),
    "tile": QtGui.QColor(100, 181, 246),
}
KIND_LABELS = {"crah": "CRAH", "inrow": "IRC", "rdhx": "RDHX", "cdu": "CDU", "tank": "TANK"}
N_LEVELS = 64  # continuous colourings are drawn in this many colour buckets


def pg_colormap(name: str) -> pg.ColorMap:
    """The shared colour map ``name`` (twin.model.viewstate.COLORMAPS) as a pyqtgraph map."""
    stops = COLORMAPS.get(name, COLORMAPS["thermal"])
    return pg.ColorMap([s[0] for s in stops], [s[1] for s in stops], name=name)


def colour_buckets(values: np.ndarray, vmin: float, vmax: float, colormap: str,
                   categories: Sequence[str], colours: Sequence[tuple[int, int, int]] = ()
                   ) -> tuple[np.ndarray, list[QtGui.QColor]]:
    """Per-rack bucket index and one QColor per bucket (last bucket = no value, grey).
    ``colours``: RGB per category (default: the shared category colours)."""
    v = np.asarray(values, dtype=float)
    if categories:
        from twin.model.viewstate import CATEGORY_COLOURS
        cols = [QtGui.QColor(*c) for c in (colours or CATEGORY_COLOURS)]
        idx = np.where(np.isfinite(v), v, -1).astype(int)
        bucket = np.where(idx >= 0, idx % len(cols), len(cols))
        return bucket, cols + [NEUTRAL]
    span = vmax - vmin if vmax > vmin else 1.0
    t = np.clip((np.nan_to_num(v, nan=vmin) - vmin) / span, 0.0, 1.0)
    bucket = np.rint(t * (N_LEVELS - 1)).astype(int)
    bucket[~np.isfinite(v)] = N_LEVELS
    rgba = colormap_rgba(np.linspace(0, 1, N_LEVELS), 0.0, 1.0, colormap)
    cols = [QtGui.QColor.fromRgbF(*c) for c in rgba]
    return bucket, cols + [NEUTRAL]


def front_strips(bounds: np.ndarray, rotation_deg: np.ndarray, depth_m: float,
                 rear: bool = False) -> np.ndarray:
    """(n, 4) x0, y0, x1, y1 of a strip along each footprint's front (or rear) edge."""
    b = np.asarray(bounds, dtype=float)
    out = b.copy()
    rot = (np.asarray(rotation_deg, dtype=int) // 90) % 4
    if rear:
        rot = (rot + 2) % 4
    d = depth_m
    out[rot == 0, 3] = b[rot == 0, 1] + d          # faces south: strip at y0
    out[rot == 1, 0] = b[rot == 1, 2] - d          # east: at x1
    out[rot == 2, 1] = b[rot == 2, 3] - d          # north: at y1
    out[rot == 3, 2] = b[rot == 3, 0] + d          # west: at x0
    return out


class RectArray:
    """A reusable contiguous array of QRectF filled from numpy (x0, y0, x1, y1) rows."""

    def __init__(self) -> None:
        self._arr = _PrimitiveArray(QRectF, 4) if _PrimitiveArray is not None else None
        self._list: list[QRectF] = []
        self.n = 0

    def set(self, bounds: np.ndarray) -> None:
        b = np.asarray(bounds, dtype=float).reshape(-1, 4)
        self.n = len(b)
        if self._arr is not None:
            self._arr.resize(self.n)
            if self.n:
                mem = self._arr.ndarray()
                mem[:, 0] = b[:, 0]
                mem[:, 1] = b[:, 1]
                mem[:, 2] = b[:, 2] - b[:, 0]
                mem[:, 3] = b[:, 3] - b[:, 1]
        else:
            self._list = [QRectF(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in b]

    def draw(self, painter: QtGui.QPainter) -> None:
        if not self.n:
            return
        if self._arr is not None:
            painter.drawRects(*self._arr.drawargs())
        else:
            painter.drawRects(self._list)


def pixels_per_metre(painter: QtGui.QPainter) -> float:
    t = painter.worldTransform()
    return float(min(np.hypot(t.m11(), t.m12()), np.hypot(t.m21(), t.m22())))


def _cosmetic(colour: QtGui.QColor, width: float, style=Qt.PenStyle.SolidLine) -> QtGui.QPen:
    pen = QtGui.QPen(colour, width, style)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen


class _PlanItem(pg.GraphicsObject):
    """Base: a fixed bounding rect (the hall plus margin) so the ViewBox never re-fits."""

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF(0, 0, 1, 1)

    def set_extent(self, rect: QRectF) -> None:
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds


class FloorItem(_PlanItem):
    """Hall floor, tile grid at the tile pitch (faded out when too dense) and outline."""

    def __init__(self, part: str = "fill") -> None:
        super().__init__()
        self.part = part  # "fill": floor colour; "lines": tile grid and hall outline
        self.width_m, self.length_m, self.pitch_m = 1.0, 1.0, 0.6

    def set_hall(self, width_m: float, length_m: float, pitch_m: float) -> None:
        self.width_m, self.length_m, self.pitch_m = width_m, length_m, max(pitch_m, 0.05)
        m = 2.0
        self.set_extent(QRectF(-m, -m, width_m + 2 * m, length_m + 2 * m))

    def paint(self, p: QtGui.QPainter, *args) -> None:
        w, l, pitch = self.width_m, self.length_m, self.pitch_m
        hall = QRectF(0, 0, w, l)
        if self.part == "fill":
            p.fillRect(hall, FLOOR)
            return
        ppm = pixels_per_metre(p)
        px = pitch * ppm
        if px >= 3.0:
            grid = QtGui.QColor(GRID)
            grid.setAlphaF(float(np.clip((px - 3.0) / 9.0, 0.2, 0.7)))
            p.setPen(_cosmetic(grid, 1.0))
            xs = np.arange(1, int(np.floor(w / pitch + 1e-9)) + 1) * pitch
            ys = np.arange(1, int(np.floor(l / pitch + 1e-9)) + 1) * pitch
            lines = [QtCore.QLineF(x, 0, x, l) for x in xs if x < w - 1e-9]
            lines += [QtCore.QLineF(0, y, w, y) for y in ys if y < l - 1e-9]
            p.drawLines(lines)
        p.setPen(_cosmetic(HALL_EDGE, 2.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(hall)


#: Outline colours of supply and return grilles in the plan.
GRILLE_COLOURS = {"supply": QtGui.QColor(30, 136, 229), "return": QtGui.QColor(239, 108, 0)}


class ZoneItem(_PlanItem):
    """Containment zones (hatched, translucent), perforated floor tiles and supply / return
    grilles (outlined, crossed: supply blue, return orange)."""

    def __init__(self) -> None:
        super().__init__()
        self.zones: list[tuple[str, str, QRectF]] = []  # id, kind, rect
        self.tiles = RectArray()
        self.tile_bounds = np.empty((0, 4))
        self.selected: set[str] = set()
        self.tile_ids: list[str] = []
        self.grilles: list[tuple[str, str, np.ndarray]] = []   # id, kind, bounds

    def set_data(self, zones: list[tuple[str, str, QRectF]], tile_ids: list[str],
                 tile_bounds: np.ndarray, grilles: list[tuple[str, str, np.ndarray]] = ()
                 ) -> None:
        self.zones = zones
        self.grilles = list(grilles)
        self.tile_ids = tile_ids
        self.tile_bounds = np.asarray(tile_bounds, dtype=float).reshape(-1, 4)
        self.tiles.set(self.tile_bounds)
        self.update()

    def set_selected(self, ids: set[str]) -> None:
        mine = set(self.tile_ids) | {z[0] for z in self.zones} | {g[0] for g in self.grilles}
        if (ids & mine) != (self.selected & mine):
            self.update()
        self.selected = ids

    def paint(self, p: QtGui.QPainter, *args) -> None:
        ppm = pixels_per_metre(p)
        tile = KIND_COLOURS["tile"]
        p.setPen(_cosmetic(QtGui.QColor(30, 136, 229, 200), 1.0) if ppm > 12
                 else Qt.PenStyle.NoPen)
        p.setBrush(QtGui.QColor(tile.red(), tile.green(), tile.blue(), 120))
        self.tiles.draw(p)
        if ppm > 12:  # perforation dots
            p.setBrush(QtGui.QBrush(QtGui.QColor(13, 71, 161, 150), Qt.BrushStyle.Dense6Pattern))
            p.setPen(Qt.PenStyle.NoPen)
            self.tiles.draw(p)
        sel = [QRectF(*b[:2], b[2] - b[0], b[3] - b[1])
               for i, b in zip(self.tile_ids, self.tile_bounds) if i in self.selected]
        for gid, kind, b in self.grilles:
            rect = QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1])
            colour = GRILLE_COLOURS.get(kind, GRILLE_COLOURS["return"])
            fill = QtGui.QColor(colour)
            fill.setAlpha(70)
            p.setBrush(fill)
            p.setPen(_cosmetic(colour, 1.5))
            p.drawRect(rect)
            p.drawLine(rect.topLeft(), rect.bottomRight())
            p.drawLine(rect.topRight(), rect.bottomLeft())
            if gid in self.selected:
                sel.append(rect)
        for zid, kind, rect in self.zones:
            hot = kind == "hot_aisle"
            base = QtGui.QColor(229, 57, 53) if hot else QtGui.QColor(30, 136, 229)
            fill = QtGui.QColor(base)
            fill.setAlpha(38)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawRect(rect)
            hatch = QtGui.QColor(base)
            hatch.setAlpha(110)
            brush = QtGui.QBrush(hatch, Qt.BrushStyle.BDiagPattern if hot
                                 else Qt.BrushStyle.FDiagPattern)
            p.setBrush(brush)
            p.drawRect(rect)
            edge = QtGui.QColor(base)
            edge.setAlpha(200)
            p.setPen(_cosmetic(edge, 1.5, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            if zid in self.selected:
                sel.append(rect)
        if sel:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_cosmetic(SELECT_HALO, 4.0))
            p.drawRects(sel)
            p.setPen(_cosmetic(SELECT, 2.0))
            p.drawRects(sel)
        # zone labels
        if ppm > 14 and self.zones:
            _draw_labels(p, [(rect.center(), f"{zid} · {'hot' if k == 'hot_aisle' else 'cold'}"
                              " aisle") for zid, k, rect in self.zones],
                         QtGui.QColor(90, 20, 20), 8, rect_width_px=None, boxed=True)


class FootprintLayer(_PlanItem):
    """Many rectangles in colour buckets, with front/rear strips, state outlines and labels.

    ``bounds`` (n, 4) hall metres; ``bucket`` (n,) index into ``palette``. Flags are boolean
    masks aligned with the rows: selected, alert (red outline), conflict (red hatched fill).
    """

    def __init__(self, edge: QtGui.QColor = RACK_EDGE, label_ppm: float = 60.0,
                 label_pt: int = 7, fills: bool = True) -> None:
        super().__init__()
        self.fills = fills  # False: draw only state (selection/alert) outlines
        self.edge = edge
        self.label_ppm = label_ppm
        self.label_pt = label_pt
        self.bounds = np.empty((0, 4))
        self.bucket = np.empty(0, dtype=int)
        self.palette: list[QtGui.QColor] = []
        self.strips: list[tuple[np.ndarray, QtGui.QColor]] = []
        self.labels: list[str] = []
        self.glyphs: np.ndarray | None = None  # per-row kind symbol code
        self.selected = np.zeros(0, bool)
        self.alert = np.zeros(0, bool)
        self.conflict = np.zeros(0, bool)
        self.hidden = np.zeros(0, bool)
        self._fills: list[tuple[QtGui.QColor, RectArray]] = []
        self._all = RectArray()
        self._strip_arrays: list[tuple[QtGui.QColor, RectArray]] = []
        self._state = {k: RectArray() for k in ("selected", "alert", "conflict")}
        self._dirty = True
        self.paint_count = 0  # for tests and benchmarks

    # -- data ---------------------------------------------------------------------------
    def _changed(self, region: QRectF | None) -> None:
        self._dirty = True
        if region is None:
            self.update()
        else:
            self.update(region)

    def set_data(self, bounds: np.ndarray, bucket: np.ndarray, palette: list[QtGui.QColor],
                 strips: list[tuple[np.ndarray, QtGui.QColor]] = (),
                 labels: list[str] | None = None, glyphs: np.ndarray | None = None,
                 region: QRectF | None = None) -> None:
        self.bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        n = len(self.bounds)
        self.bucket = np.asarray(bucket, dtype=int)
        self.palette = list(palette)
        self.strips = list(strips)
        self.labels = list(labels) if labels is not None else []
        self.glyphs = glyphs
        for name in ("selected", "alert", "conflict", "hidden"):
            if len(getattr(self, name)) != n:
                setattr(self, name, np.zeros(n, bool))
        self._changed(region)

    def set_colours(self, bucket: np.ndarray, palette: list[QtGui.QColor]) -> None:
        self.bucket = np.asarray(bucket, dtype=int)
        self.palette = list(palette)
        self._changed(None)

    def set_flags(self, region: QRectF | None = None, **masks: np.ndarray) -> None:
        for name, mask in masks.items():
            setattr(self, name, np.asarray(mask, bool))
        self._changed(region)

    def _rebuild(self) -> None:
        b = self.bounds
        show = ~self.hidden if len(self.hidden) == len(b) else np.ones(len(b), bool)
        self._fills = []
        if len(b):
            bk = self.bucket
            order = np.argsort(bk, kind="stable")
            order = order[show[order]]
            keys, starts = np.unique(bk[order], return_index=True)
            ends = list(starts[1:]) + [len(order)]
            for key, s, e in zip(keys, starts, ends):
                arr = RectArray()
                arr.set(b[order[s:e]])
                colour = self.palette[key] if 0 <= key < len(self.palette) else NEUTRAL
                self._fills.append((colour, arr))
        self._all.set(b[show])
        self._strip_arrays = []
        for rects, colour in self.strips:
            arr = RectArray()
            rects = np.asarray(rects, dtype=float).reshape(-1, 4)
            arr.set(rects[show] if len(rects) == len(b) else rects)
            self._strip_arrays.append((colour, arr))
        for name, arr in self._state.items():
            mask = getattr(self, name)
            arr.set(b[mask & show] if len(mask) == len(b) else np.empty((0, 4)))
        self._dirty = False

    # -- painting -----------------------------------------------------------------------
    def paint(self, p: QtGui.QPainter, *args) -> None:
        self.paint_count += 1
        if self._dirty:
            self._rebuild()
        ppm = pixels_per_metre(p)
        p.setPen(Qt.PenStyle.NoPen)
        for colour, arr in self._fills if self.fills else ():
            p.setBrush(colour)
            arr.draw(p)
        for colour, arr in self._strip_arrays:
            p.setBrush(colour)
            arr.draw(p)
        if ppm >= 6 and self.fills:
            p.setBrush(Qt.BrushStyle.NoBrush)
            edge = QtGui.QColor(self.edge)
            if ppm < 14:
                edge.setAlpha(int(edge.alpha() * (ppm - 6) / 8))
            p.setPen(_cosmetic(edge, 1.0))
            self._all.draw(p)
        if self.glyphs is not None and ppm >= 18:
            self._paint_glyphs(p)
        conflict = self._state["conflict"]
        if conflict.n:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QtGui.QColor(CONFLICT.red(), CONFLICT.green(), CONFLICT.blue(), 200))
            conflict.draw(p)
            p.setBrush(QtGui.QBrush(QtGui.QColor(255, 255, 255, 170),
                                    Qt.BrushStyle.BDiagPattern))
            conflict.draw(p)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_cosmetic(QtGui.QColor(120, 0, 0), 2.0))
            conflict.draw(p)
        alert = self._state["alert"]
        if alert.n:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_cosmetic(ALERT, 2.5))
            alert.draw(p)
        sel = self._state["selected"]
        if sel.n:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(_cosmetic(SELECT_HALO, 4.5))
            sel.draw(p)
            p.setPen(_cosmetic(SELECT, 2.5))
            sel.draw(p)
        if self.labels and ppm >= self.label_ppm:
            self._paint_labels(p, ppm)

    def _visible_rows(self) -> np.ndarray:
        vr = self.viewRect()
        b = self.bounds
        if vr is None or not len(b):
            return np.arange(len(b))
        keep = ((b[:, 2] >= vr.left()) & (b[:, 0] <= vr.right())
                & (b[:, 3] >= vr.top()) & (b[:, 1] <= vr.bottom()))
        if len(self.hidden) == len(b):
            keep &= ~self.hidden
        return np.nonzero(keep)[0]

    def _paint_glyphs(self, p: QtGui.QPainter) -> None:
        rows = self._visible_rows()
        if len(rows) > 600:
            return
        pen = _cosmetic(QtGui.QColor(255, 255, 255, 210), 1.2)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for i in rows:
            code = int(self.glyphs[i])
            x0, y0, x1, y1 = self.bounds[i]
            r = QRectF(x0, y0, x1 - x0, y1 - y0)
            inset = 0.12 * min(r.width(), r.height())
            r2 = r.adjusted(inset, inset, -inset, -inset)
            if code == 1:  # CRAH: cross (HVAC drawing convention)
                p.drawLine(r2.topLeft(), r2.bottomRight())
                p.drawLine(r2.topRight(), r2.bottomLeft())
            elif code == 2:  # in-row cooler: parallel fins along the long side
                if r.width() < r.height():
                    for k in (0.25, 0.5, 0.75):
                        y = r2.top() + k * r2.height()
                        p.drawLine(QPointF(r2.left(), y), QPointF(r2.right(), y))
                else:
                    for k in (0.25, 0.5, 0.75):
                        x = r2.left() + k * r2.width()
                        p.drawLine(QPointF(x, r2.top()), QPointF(x, r2.bottom()))
            elif code == 3:  # CDU: pump circle
                s = min(r2.width(), r2.height())
                p.drawEllipse(r2.center(), s / 2, s / 2)
            elif code == 4:  # tank: double border
                p.drawRect(r2)

    def _paint_labels(self, p: QtGui.QPainter, ppm: float) -> None:
        rows = self._visible_rows()
        if len(rows) > 400:
            return
        items = []
        for i in rows:
            x0, y0, x1, y1 = self.bounds[i]
            items.append((QPointF((x0 + x1) / 2, (y0 + y1) / 2), self.labels[i],
                          (x1 - x0) * ppm, self._text_colour(i)))
        _draw_labels_coloured(p, items, self.label_pt)

    def _text_colour(self, i: int) -> QtGui.QColor:
        if self.conflict[i] if len(self.conflict) > i else False:
            return QtGui.QColor(255, 255, 255)
        k = self.bucket[i] if i < len(self.bucket) else -1
        c = self.palette[k] if 0 <= k < len(self.palette) else NEUTRAL
        lum = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()
        return QtGui.QColor(20, 20, 20) if lum > 150 else QtGui.QColor(255, 255, 255)


def _draw_labels(p: QtGui.QPainter, items: list[tuple[QPointF, str]], colour: QtGui.QColor,
                 pt: int, rect_width_px: float | None = None, boxed: bool = False) -> None:
    _draw_labels_coloured(p, [(pos, text, rect_width_px, colour) for pos, text in items], pt,
                          boxed)


def _draw_labels_coloured(p: QtGui.QPainter, items, pt: int, boxed: bool = False) -> None:
    """Text centred on view points, drawn in device pixels (not scaled with the plan)."""
    if not items:
        return
    tr = p.worldTransform()
    p.save()
    p.resetTransform()
    font = QtGui.QFont()
    font.setPointSize(pt)
    p.setFont(font)
    fm = QtGui.QFontMetricsF(font)
    for pos, text, width_px, colour in items:
        dp = tr.map(pos)
        tw = fm.horizontalAdvance(text)
        if width_px is not None and tw > width_px * 1.15:
            # vertical text for tall narrow footprints
            continue
        box = QRectF(dp.x() - tw / 2 - 3, dp.y() - fm.height() / 2 - 1, tw + 6,
                     fm.height() + 2)
        if boxed:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QtGui.QColor(255, 255, 255, 215))
            p.drawRoundedRect(box, 3, 3)
        p.setPen(colour)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    p.restore()


class GhostItem(_PlanItem):
    """Footprint preview while dragging a catalogue model over the plan."""

    def __init__(self) -> None:
        super().__init__()
        self.rect: QRectF | None = None
        self.front: QRectF | None = None
        self.ok = True
        self.text = ""

    def show_at(self, rect: QRectF, front: QRectF | None, ok: bool, text: str) -> None:
        self.rect, self.front, self.ok, self.text = rect, front, ok, text
        self.set_extent(rect.adjusted(-1, -1, 1, 1))
        self.show()

    def paint(self, p: QtGui.QPainter, *args) -> None:
        if self.rect is None:
            return
        colour = QtGui.QColor(67, 160, 71) if self.ok else CONFLICT
        fill = QtGui.QColor(colour)
        fill.setAlpha(110)
        p.setBrush(fill)
        p.setPen(_cosmetic(colour, 2.0, Qt.PenStyle.DashLine))
        p.drawRect(self.rect)
        if self.front is not None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(FRONT_MARK)
            p.drawRect(self.front)
        if self.text:
            _draw_labels(p, [(QPointF(self.rect.center().x(), self.rect.bottom()), self.text)],
                         QtGui.QColor(30, 30, 30), 8)


class CategoryLegend(pg.GraphicsWidget):
    """A compact legend for categorical colouring: title, then a swatch per category."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.entries: list[tuple[QtGui.QColor, str]] = []
        self.font = QtGui.QFont()
        self.font.setPointSize(8)
        policy = QtWidgets.QSizePolicy.Policy
        self.setSizePolicy(policy.Fixed, policy.Preferred)

    def set_entries(self, title: str, entries: list[tuple[QtGui.QColor, str]]) -> None:
        self.title, self.entries = title, entries
        fm = QtGui.QFontMetricsF(self.font)
        width = max([fm.horizontalAdvance(e[1]) for e in entries]
                    + [fm.horizontalAdvance(title) - 16], default=60) + 34
        self.setFixedWidth(min(width, 300))
        self.setMinimumHeight(24 + 18 * len(entries))
        self.update()

    def paint(self, p: QtGui.QPainter, *args) -> None:
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setFont(self.font)
        fm = QtGui.QFontMetricsF(self.font)
        bold = QtGui.QFont(self.font)
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(QtGui.QColor(40, 40, 40))
        w = self.size().width()
        p.drawText(QRectF(4, 4, w - 8, 18), Qt.AlignmentFlag.AlignLeft
                   | Qt.AlignmentFlag.AlignVCenter,
                   QtGui.QFontMetricsF(bold).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                        w - 8))
        p.setFont(self.font)
        y = 26.0
        for entry in self.entries:
            colour, text = entry[0], entry[1]
            style = entry[2] if len(entry) > 2 else "fill"
            swatch = QRectF(6, y + 2, 14, 11)
            p.setPen(QtGui.QColor(60, 60, 60))
            if style == "strip":
                p.setBrush(QtGui.QColor(200, 205, 210))
                p.drawRect(swatch)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(colour)
                p.drawRect(QRectF(swatch.left(), swatch.bottom() - 3.5, swatch.width(), 3.5))
            elif style == "hatch":
                fill = QtGui.QColor(colour)
                fill.setAlpha(50)
                p.setBrush(fill)
                p.drawRect(swatch)
                p.setBrush(QtGui.QBrush(colour, Qt.BrushStyle.BDiagPattern))
                p.drawRect(swatch)
            elif style == "line":
                p.setPen(QtGui.QPen(colour, 4.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
                p.drawLine(swatch.left(), swatch.center().y(), swatch.right(), swatch.center().y())
            elif style == "outline":
                p.setPen(QtGui.QPen(colour, 2.0))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(swatch.adjusted(1, 1, -1, -1))
            else:
                p.setBrush(colour)
                p.drawRect(swatch)
            p.setPen(QtGui.QColor(40, 40, 40))
            p.drawText(QRectF(26, y, w - 30, 16), Qt.AlignmentFlag.AlignLeft
                       | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, w - 30))
            y += 18
