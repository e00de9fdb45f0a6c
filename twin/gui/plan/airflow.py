"""Airflow arrows on the plan: the horizontal air velocity at a height, subsampled.

All arrows are one ``PlotCurveItem`` drawn as line pairs (shaft and two head strokes per
arrow), so a few thousand arrows cost one path, not thousands of items.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from twin.physics.air.result import AirResult

MAX_ARROWS_PER_SIDE = 32
HEAD_FRACTION = 0.38
HEAD_ANGLE_RAD = np.radians(26.0)


def horizontal_velocity(air: AirResult, height_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) in m/s on the (ny, nx) cell centres at ``height_m``, linear in z."""
    vel = air.velocity_m_s()
    z = air.z_m
    if len(z) == 1:
        return vel[0, 0], vel[1, 0]
    h = float(np.clip(height_m, z[0], z[-1]))
    k = int(np.clip(np.searchsorted(z, h) - 1, 0, len(z) - 2))
    w = (h - z[k]) / (z[k + 1] - z[k])
    return ((1 - w) * vel[0, k] + w * vel[0, k + 1],
            (1 - w) * vel[1, k] + w * vel[1, k + 1])


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
