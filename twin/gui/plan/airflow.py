"""Airflow on the plan: arrows of the horizontal air velocity at a height, subsampled,
and the streamlines of the solved field seen from above.

All arrows are one ``PlotCurveItem`` drawn as line pairs (shaft and two head strokes per
arrow), so a few thousand arrows cost one path, not thousands of items. The streamlines
are one item too (``StreamlineLayer``): their segments grouped by colour into a few dozen
painter paths, drawn over a dark casing so a line stays visible on a heatmap of its own
colour, with an arrowhead of constant pixel size at the end of each line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from twin.engine.streamlines import StreamlinePicture, horizontal_velocity
from twin.physics.air.result import AirResult

MAX_ARROWS_PER_SIDE = 32
HEAD_FRACTION = 0.38
HEAD_ANGLE_RAD = np.radians(26.0)


def arrow_segments(air: AirResult, height_m: float, max_per_side: int = MAX_ARROWS_PER_SIDE
                   ) -> tuple[np.ndarray, np.ndarray, float]:
    """Line-pair vertices (x, y) of the arrows and the speed of a full-length arrow.

    One arrow per ``stride`` cells, centred on its cell; length proportional to the speed,
    a full cell spacing at the 95th-percentile speed (faster air is clipped to that)."""
    u, v = horizontal_velocity(air, height_m)
    ny, nx = u.shape
    stride = max(1, int(np.ceil(max(nx, ny) / max_per_side)))
    js, is_ = np.mgrid[stride // 2:ny:stride, stride // 2:nx:stride]
    uu, vv = u[js, is_].ravel(), v[js, is_].ravel()
    speed = np.hypot(uu, vv)
    moving = speed[np.isfinite(speed) & (speed > 0)]
    if not len(moving):
        return np.empty(0), np.empty(0), 0.0
    ref = float(np.percentile(moving, 95))
    keep = np.isfinite(speed) & (speed > 0.12 * ref)   # no specks where the air is still
    cx, cy = air.x_m[is_.ravel()][keep], air.y_m[js.ravel()][keep]
    s = speed[keep]
    dx, dy = uu[keep] / s, vv[keep] / s
    length = 0.9 * stride * air.grid.dx * np.minimum(s / ref, 1.0)
    x0, y0 = cx - 0.5 * length * dx, cy - 0.5 * length * dy
    x1, y1 = cx + 0.5 * length * dx, cy + 0.5 * length * dy
    head = HEAD_FRACTION * length
    c, sn = np.cos(HEAD_ANGLE_RAD), np.sin(HEAD_ANGLE_RAD)
    # the two head strokes: the direction reversed and turned by +/- the head angle
    lx, ly = x1 - head * (c * dx - sn * dy), y1 - head * (sn * dx + c * dy)
    rx, ry = x1 - head * (c * dx + sn * dy), y1 - head * (-sn * dx + c * dy)
    xs = np.column_stack([x0, x1, x1, lx, x1, rx]).ravel()
    ys = np.column_stack([y0, y1, y1, ly, y1, ry]).ravel()
    return xs, ys, ref


class AirflowArrows(pg.PlotCurveItem):
    """The arrows as one batched line-pair path (cosmetic pen: constant pixel width)."""

    def __init__(self) -> None:
        pen = pg.mkPen(QColor(20, 28, 38, 190), width=1.2)
        pen.setCosmetic(True)
        super().__init__(pen=pen, connect="pairs", antialias=True)
        self.setZValue(-20)  # over the heatmap and aisles, under racks and equipment
        self.hide()

    def set_arrows(self, xs: np.ndarray, ys: np.ndarray) -> None:
        self.setData(xs, ys, connect="pairs")
        self.setVisible(len(xs) > 0)

    def clear_arrows(self) -> None:
        self.setData([], [])
        self.hide()


#: streamline stroke and its dark casing, in screen pixels
LINE_PX, CASING_PX = 2.0, 3.6
CASING_RGBA = (12, 16, 24, 120)
#: animated particles: dot diameter in pixels
PARTICLE_PX = 5.0
#: arrowhead stroke length (pixels); heads only on lines this many heads long on screen
HEAD_PX = 7.0
HEAD_MIN_SPAN = 4.0
#: colours are grouped by 3 bits less per channel (one path per group)
_COLOUR_SHIFT = 3


def _pen(rgba, width_px: float) -> QPen:
    pen = QPen(QColor(*(int(c) for c in rgba)))
    pen.setWidthF(width_px)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _colour_groups(rgba_u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each colour group, group of each row) of (n, 4) uint8 colours."""
    q = (rgba_u8[:, :3].astype(np.int64) >> _COLOUR_SHIFT)
    key = (q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2]
    _keys, first, group = np.unique(key, return_index=True, return_inverse=True)
    return first, group


def _pairs_path(x0, y0, x1, y1) -> QPainterPath:
    xs = np.column_stack([x0, x1]).ravel()
    ys = np.column_stack([y0, y1]).ravel()
    return pg.arrayToQPath(xs, ys, connect="pairs")


class StreamlineLayer(pg.GraphicsObject):
    """Streamlines seen from above, coloured by the air temperature along them."""

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QRectF()
        self._casing = QPainterPath()
        self._groups: list[tuple[QPen, QPainterPath]] = []
        self._head_xy = np.zeros((0, 2))
        self._head_dir = np.zeros((0, 2))
        self._head_span = np.zeros(0)
        self._head_pens: list[QPen] = []
        self._head_group = np.zeros(0, np.int64)
        self._heads_at: tuple[float, float] | None = None
        self._heads: tuple[QPainterPath, list[tuple[QPen, QPainterPath]]] = (QPainterPath(), [])
        self._casing_pen = _pen(CASING_RGBA, CASING_PX)
        self.setZValue(-19)  # over the heatmap and the arrows, under racks and equipment
        self.hide()

    @property
    def n_lines(self) -> int:
        return len(self._head_xy)

    def set_picture(self, pic: StreamlinePicture) -> None:
        """Show the lines of ``pic`` (plan projection of its 3-D lines)."""
        self.prepareGeometryChange()
        lines = pic.lines
        seg = lines.segment_index()
        xy = lines.points_m[:, :2]
        a, b = xy[seg[:, 0]], xy[seg[:, 1]]
        flat = np.hypot(*(b - a).T) > 1e-4          # vertical runs are points from above
        seg, a, b = seg[flat], a[flat], b[flat]
        rgba = (np.clip(pic.rgba, 0, 1) * 255).round().astype(np.uint8)
        seg_rgba = rgba[seg[:, 0]]
        seg_rgba[:, 3] = 235
        self._casing = _pairs_path(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        self._groups = []
        if len(seg):
            first, group = _colour_groups(seg_rgba)
            order = np.argsort(group, kind="stable")
            cuts = np.searchsorted(group[order], np.arange(len(first) + 1))
            for g, f in enumerate(first):
                rows = order[cuts[g]:cuts[g + 1]]
                self._groups.append((_pen(seg_rgba[f], LINE_PX),
                                     _pairs_path(a[rows, 0], a[rows, 1], b[rows, 0], b[rows, 1])))
        head_rgba = (np.clip(pic.head_rgba, 0, 1) * 255).round().astype(np.uint8)
        self._head_xy, self._head_dir, self._head_span = pic.head_xy_m, pic.head_dir, pic.head_span_m
        if len(head_rgba):
            first, self._head_group = _colour_groups(head_rgba)
            self._head_pens = [_pen(head_rgba[f], LINE_PX) for f in first]
        else:
            self._head_group, self._head_pens = np.zeros(0, np.int64), []
        self._heads_at = None
        pts = lines.points_m
        if len(pts):
            lo, hi = pts[:, :2].min(axis=0), pts[:, :2].max(axis=0)
            self._bounds = QRectF(lo[0] - 1.0, lo[1] - 1.0, hi[0] - lo[0] + 2.0, hi[1] - lo[1] + 2.0)
        else:
            self._bounds = QRectF()
        self.setVisible(len(pts) > 0)
        self.update()

    def clear_lines(self) -> None:
        self.prepareGeometryChange()
        self._casing, self._groups = QPainterPath(), []
        self._head_xy, self._head_dir, self._head_span = np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0)
        self._head_group, self._head_pens, self._heads_at = np.zeros(0, np.int64), [], None
        self._bounds = QRectF()
        self.hide()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _head_paths(self) -> tuple[QPainterPath, list[tuple[QPen, QPainterPath]]]:
        """The arrowheads (two strokes each), ``HEAD_PX`` long at the current zoom, on the
        lines at least ``HEAD_MIN_SPAN`` heads long on screen."""
        px = self.pixelSize()
        at = (round(float(px[0]), 12), round(float(px[1]), 12))
        if at == self._heads_at:
            return self._heads
        shown = self._head_span >= HEAD_MIN_SPAN * HEAD_PX * max(px[0], px[1])
        tip, d = self._head_xy[shown], self._head_dir[shown]
        c, s = np.cos(HEAD_ANGLE_RAD), np.sin(HEAD_ANGLE_RAD)
        hx, hy = HEAD_PX * px[0], HEAD_PX * px[1]
        lx, ly = tip[:, 0] - hx * (c * d[:, 0] - s * d[:, 1]), tip[:, 1] - hy * (s * d[:, 0] + c * d[:, 1])
        rx, ry = tip[:, 0] - hx * (c * d[:, 0] + s * d[:, 1]), tip[:, 1] - hy * (-s * d[:, 0] + c * d[:, 1])
        x0 = np.concatenate([lx, rx]); y0 = np.concatenate([ly, ry])
        x1 = np.concatenate([tip[:, 0], tip[:, 0]]); y1 = np.concatenate([tip[:, 1], tip[:, 1]])
        group = np.concatenate([self._head_group[shown], self._head_group[shown]])
        paths = [(pen, _pairs_path(x0[group == g], y0[group == g], x1[group == g], y1[group == g]))
                 for g, pen in enumerate(self._head_pens)]
        self._heads = (_pairs_path(x0, y0, x1, y1), paths)
        self._heads_at = at
        return self._heads

    def paint(self, p: QPainter, *_args) -> None:
        if not self._groups and not self._head_pens:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setBrush(Qt.BrushStyle.NoBrush)
        head_casing, heads = self._head_paths()
        p.setPen(self._casing_pen)
        p.drawPath(self._casing)
        p.drawPath(head_casing)
        for pen, path in self._groups:
            p.setPen(pen)
            p.drawPath(path)
        for pen, path in heads:
            p.setPen(pen)
            p.drawPath(path)


class ParticleLayer(pg.ScatterPlotItem):
    """Particles riding the streamlines (``twin.engine.streamlines.particle_positions``):
    light dots with a dark rim, constant pixel size, over the lines."""

    def __init__(self) -> None:
        super().__init__(size=PARTICLE_PX, pen=pg.mkPen(CASING_RGBA[:3] + (220,), width=1.0),
                         brush=pg.mkBrush(250, 252, 255, 235), pxMode=True)
        self.setZValue(-18)     # over the streamlines, under racks and equipment
        self.hide()

    def set_points(self, xy: np.ndarray) -> None:
        self.setData(pos=xy)
        self.setVisible(len(xy) > 0)

    def clear_points(self) -> None:
        self.setData(pos=np.zeros((0, 2)))
        self.hide()
