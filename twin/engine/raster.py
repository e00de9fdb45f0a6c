"""The plan raster shared by the heatmaps and the floor-load check: 0.3 m cells over the
hall, footprints spread over the cells they cover, averages over a square window."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

from twin.model import Layout

RASTER_M = 0.3


def raster_shape(layout: Layout) -> tuple[int, int]:
    h = layout.hall
    nx = max(int(np.ceil(h.width_m / RASTER_M - 1e-9)), 1)   # 10.8 / 0.3 is 36.000000000000004
    ny = max(int(np.ceil(h.length_m / RASTER_M - 1e-9)), 1)
    return ny, nx


def cells(b, ny: int, nx: int) -> tuple[slice, slice]:
    """Raster rows and columns covered by the rectangle x0, y0, x1, y1."""
    x0, y0, x1, y1 = b
    i0, i1 = int(np.floor(x0 / RASTER_M + 1e-6)), int(np.ceil(x1 / RASTER_M - 1e-6))
    j0, j1 = int(np.floor(y0 / RASTER_M + 1e-6)), int(np.ceil(y1 / RASTER_M - 1e-6))
    return slice(max(j0, 0), max(min(j1, ny), 0)), slice(max(i0, 0), max(min(i1, nx), 0))


def density(layout: Layout, bounds: np.ndarray, values: np.ndarray, window_m: float
            ) -> np.ndarray:
    """Values spread over their footprints per m² (each over the raster cells it covers),
    averaged over a ``window_m`` square."""
    ny, nx = raster_shape(layout)
    img = np.zeros((ny, nx))
    for b, v in zip(bounds, values):
        if np.isfinite(v):
            rows, cols = cells(b, ny, nx)
            n = (rows.stop - rows.start) * (cols.stop - cols.start)
            if n > 0:
                img[rows, cols] += v / (n * RASTER_M * RASTER_M)
    win = max(int(round(window_m / RASTER_M)), 1)
    return uniform_filter(img, size=win, mode="constant")


def extent(layout: Layout) -> tuple[float, float, float, float]:
    ny, nx = raster_shape(layout)
    return (0.0, 0.0, nx * RASTER_M, ny * RASTER_M)
