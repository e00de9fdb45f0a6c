"""The CAD drawing under the plan: ``UnderlayItem`` draws a flattened DXF (one painter
path per layer, dimmed layer colours, cosmetic 1-px lines) and its texts, placed by the
layout's underlay transform, above the floor fill and below the heatmap, grid and racks.
``PickOverlay`` takes the plan's left clicks while points are picked for the two-point
alignment, with snapping markers (it draws no drawing itself).

Paths are built once per drawing (pyqtgraph's ``arrayToQPath``: 100,000 segments in a few
tens of milliseconds); the transform is the item's ``QTransform``, so moving, turning or
scaling the drawing never rebuilds them. Texts are drawn in device pixels, only when at
least ``MIN_TEXT_PX`` tall and at most ``MAX_TEXTS_DRAWN`` of them are in view.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import QPointF, QRectF, Qt

from twin.interchange.dxf_read import DEFAULT_RGB, Drawing
from twin.interchange.underlay import underlay_matrix
from twin.model.equipment import Underlay

#: z of the drawing: above the floor fill (-100) and the heatmap (-60), so its thin lines
#: stay readable over a field, below the tile grid (-50) and the racks.
UNDERLAY_Z = -55
#: z of the pick overlay: above everything in the plan.
PICK_Z = 500
#: Neutral grey the layer colours are blended towards, and the share of the layer colour.
MUTED = QtGui.QColor(110, 120, 130)
LAYER_SHARE = 0.45
LINE_ALPHA = 210
#: Texts are drawn when at least this many pixels tall, and only this many at most.
MIN_TEXT_PX = 5.0
MAX_TEXTS_DRAWN = 4000
#: Cap height of a font as a share of its pixel size (DXF heights are cap heights).
CAP_SHARE = 0.72


def muted_colour(rgb: tuple[int, int, int], alpha: int = LINE_ALPHA) -> QtGui.QColor:
    """A layer colour dimmed for the underlay (the default grey stays grey)."""
    if tuple(rgb) == tuple(DEFAULT_RGB):
        c = QtGui.QColor(MUTED)
    else:
        k = LAYER_SHARE
        c = QtGui.QColor(int(k * rgb[0] + (1 - k) * MUTED.red()),
                         int(k * rgb[1] + (1 - k) * MUTED.green()),
                         int(k * rgb[2] + (1 - k) * MUTED.blue()))
    c.setAlpha(alpha)
    return c


def qtransform(underlay: Underlay) -> QtGui.QTransform:
    """The underlay transform as a ``QTransform`` (drawing metres -> hall metres)."""
    m = underlay_matrix(underlay)
    return QtGui.QTransform(m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])


class UnderlayItem(pg.GraphicsObject):
    """A flattened drawing in drawing metres, transformed into the hall by its underlay."""

    def __init__(self) -> None:
        super().__init__()
        self.drawing: Drawing | None = None
        self.hidden: frozenset[str] = frozenset()
        self._paths: list[tuple[str, QtGui.QPainterPath, QtGui.QPen]] = []
        self._rect = QRectF()
        self._text_xy = np.empty((0, 2))
        self._text_h = np.empty(0)
        self._text_layer = np.empty(0, dtype=np.int64)
        self._text_rot = np.empty(0)
        self._layer_index: dict[str, int] = {}
        self._colours: list[QtGui.QColor] = []
        self.setZValue(UNDERLAY_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    # ----- data --------------------------------------------------------------------------
    def set_drawing(self, drawing: Drawing | None) -> None:
        """Show ``drawing`` (None: nothing); builds one painter path per layer."""
        self.prepareGeometryChange()
        self.drawing = drawing
        self._paths = []
        self._layer_index = {}
        self._colours = []
        if drawing is None:
            self._rect = QRectF()
            self._text_xy = np.empty((0, 2))
            self._text_h = np.empty(0)
            self._text_rot = np.empty(0)
            self._text_layer = np.empty(0, dtype=np.int64)
            self.update()
            return
        for k, layer in enumerate(drawing.layers):
            self._layer_index[layer.name] = k
            colour = muted_colour(layer.colour_rgb)
            self._colours.append(colour)
            segs = layer.segments_m
            if not len(segs):
                continue
            pts = segs.reshape(-1, 2)
            path = pg.arrayToQPath(np.ascontiguousarray(pts[:, 0]),
                                   np.ascontiguousarray(pts[:, 1]), connect="pairs",
                                   finiteCheck=False)
            pen = QtGui.QPen(colour)
            pen.setCosmetic(True)
            pen.setWidthF(1.0)
            self._paths.append((layer.name, path, pen))
        texts = drawing.texts
        self._text_xy = np.array([(t.x_m, t.y_m) for t in texts], float).reshape(-1, 2)
        self._text_h = np.array([t.height_m for t in texts], float)
        self._text_rot = np.radians(np.array([t.rotation_deg for t in texts], float))
        self._text_layer = np.array([self._layer_index.get(t.layer, -1) for t in texts],
                                    dtype=np.int64)
        x0, y0, x1, y1 = drawing.extents_m
        pad = max(x1 - x0, y1 - y0, 1e-3) * 0.02
        self._rect = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        self.update()

    def set_underlay(self, underlay: Underlay) -> None:
        """Place, show or hide the drawing and its layers as ``underlay`` says."""
        self.setTransform(qtransform(underlay))
        hidden = frozenset(underlay.hidden_layers)
        if hidden != self.hidden:
            self.hidden = hidden
            self.update()
        self.setVisible(bool(underlay.visible) and self.drawing is not None
                        and underlay.scale > 0)

    def set_hidden_layers(self, names: Iterable[str]) -> None:
        self.hidden = frozenset(names)
        self.update()

    def visible_segments(self) -> int:
        """Segments drawn (layers not hidden)."""
        d = self.drawing
        if d is None:
            return 0
        return sum(len(layer) for layer in d.layers if layer.name not in self.hidden)

    def hall_bounds(self) -> QRectF:
        """The drawing's extent in hall metres."""
        return self.transform().mapRect(self._rect)

    # ----- drawing -----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QtGui.QPainter, option: Any, widget: Any = None) -> None:
        if self.drawing is None:
            return
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        for name, path, pen in self._paths:
            if name in self.hidden:
                continue
            painter.setPen(pen)
            painter.drawPath(path)
        if len(self._text_xy):
            self._paint_texts(painter, option)

    def _paint_texts(self, painter: QtGui.QPainter, option: Any) -> None:
        wt = painter.worldTransform()
        px_per_m = math.sqrt(abs(wt.determinant()))
        if not px_per_m > 0:
            return
        height_px = self._text_h * px_per_m
        show = height_px >= MIN_TEXT_PX
        if self.hidden:
            hidden_idx = [self._layer_index[n] for n in self.hidden if n in self._layer_index]
            show &= ~np.isin(self._text_layer, hidden_idx)
        exposed = option.exposedRect if option is not None else self._rect
        x, y = self._text_xy[:, 0], self._text_xy[:, 1]
        reach = self._text_h * 20      # a text's anchor may be outside while its glyphs show
        show &= ((x + reach >= exposed.left()) & (x - reach <= exposed.right())
                 & (y + reach >= exposed.top()) & (y - reach <= exposed.bottom()))
        idx = np.flatnonzero(show)
        if not len(idx) or len(idx) > MAX_TEXTS_DRAWN:
            return
        texts = self.drawing.texts if self.drawing is not None else ()
        painter.save()
        painter.resetTransform()
        font = QtGui.QFont(painter.font())
        for k in idx:
            t = texts[k]
            colour = self._colours[self._text_layer[k]] if self._text_layer[k] >= 0 else MUTED
            anchor = wt.map(QPointF(t.x_m, t.y_m))
            ahead = wt.map(QPointF(t.x_m + math.cos(self._text_rot[k]),
                                   t.y_m + math.sin(self._text_rot[k])))
            angle = math.degrees(math.atan2(ahead.y() - anchor.y(), ahead.x() - anchor.x()))
            cap = float(height_px[k])
            font.setPixelSize(max(1, int(round(cap / CAP_SHARE))))
            painter.setFont(font)
            metrics = QtGui.QFontMetricsF(font)
            lines = t.text.split("\n")
            step = metrics.lineSpacing()
            block = cap + step * (len(lines) - 1)
            top = {0: 0.0, 1: -metrics.descent(), 2: -block / 2 + cap,
                   3: cap}.get(t.valign, 0.0)
            if t.valign in (0, 1):
                top -= step * (len(lines) - 1)
            painter.save()
            painter.translate(anchor)
            painter.rotate(angle)
            painter.setPen(colour)
            for n, line in enumerate(lines):
                width = metrics.horizontalAdvance(line)
                dx = (0.0, -width / 2, -width)[min(2, max(0, t.halign))]
                painter.drawText(QPointF(dx, top + n * step), line)
            painter.restore()
        painter.restore()


class PickOverlay(pg.GraphicsObject):
    """Takes left clicks in the plan while points are picked (nothing else moves or gets
    selected meanwhile) and draws the picked points and the snap target under the mouse.

    ``on_click(x_m, y_m)`` gets each click in hall metres; ``snap(x_m, y_m, px_m)`` (the
    size of a screen pixel in metres) returns the point a click there would take, or None
    for the raw position."""

    def __init__(self, on_click: Callable[[float, float], None],
                 snap: Callable[[float, float, float], tuple[float, float] | None] | None = None):
        super().__init__()
        self.on_click = on_click
        self.snap = snap
        #: (x_m, y_m, colour, label) of points already picked
        self.markers: list[tuple[float, float, QtGui.QColor, str]] = []
        self.target: tuple[float, float] | None = None
        self.setZValue(PICK_Z)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def boundingRect(self) -> QRectF:
        return QRectF(-1e6, -1e6, 2e6, 2e6)

    def shape(self) -> QtGui.QPainterPath:
        path = QtGui.QPainterPath()
        path.addRect(self.boundingRect())
        return path

    def set_markers(self, markers: list[tuple[float, float, QtGui.QColor, str]]) -> None:
        self.markers = list(markers)
        self.update()

    def _pixel_m(self) -> float:
        vb = self.getViewBox()
        if vb is None:
            return 0.01
        px = vb.viewPixelSize()
        return float(max(px[0], px[1]))

    def snapped(self, x: float, y: float) -> tuple[float, float]:
        if self.snap is not None:
            found = self.snap(x, y, self._pixel_m())
            if found is not None:
                return float(found[0]), float(found[1])
        return x, y

    def hoverEvent(self, ev: Any) -> None:
        if ev.isExit():
            self.target = None
        else:
            ev.acceptClicks(Qt.MouseButton.LeftButton)
            ev.acceptDrags(Qt.MouseButton.LeftButton)
            p = ev.pos()
            self.target = self.snapped(p.x(), p.y())
        self.update()

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        p = ev.pos()
        x, y = self.snapped(p.x(), p.y())
        self.on_click(x, y)

    def mouseDragEvent(self, ev: Any) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()              # no rubber band, no moves while picking
        else:
            ev.ignore()

    def paint(self, painter: QtGui.QPainter, option: Any, widget: Any = None) -> None:
        wt = painter.worldTransform()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        font = QtGui.QFont(painter.font())
        font.setPixelSize(12)
        font.setBold(True)
        painter.setFont(font)
        for x, y, colour, label in self.markers:
            c = wt.map(QPointF(x, y))
            pen = QtGui.QPen(colour, 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(c.x() - 9, c.y()), QPointF(c.x() + 9, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 9), QPointF(c.x(), c.y() + 9))
            painter.drawEllipse(c, 5, 5)
            painter.drawText(QPointF(c.x() + 8, c.y() - 8), label)
        if self.target is not None:
            c = wt.map(QPointF(*self.target))
            painter.setPen(QtGui.QPen(QtGui.QColor(25, 118, 210), 1.5))
            painter.drawRect(QRectF(c.x() - 6, c.y() - 6, 12, 12))
        painter.restore()
