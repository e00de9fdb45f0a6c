"""The plan raster shared by the heatmaps and the floor-load check: 0.3 m cells over the
hall, footprints spread over the cells they cover, averages over a square window."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import distance_transform_edt, uniform_filter, zoom

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


#: Longest side of a smoothed heatmap image (pixels).
SMOOTH_MAX_PX = 1600


def smoothed(image: np.ndarray, max_px: int = SMOOTH_MAX_PX) -> np.ndarray:
    """``image`` resampled bilinearly (up to 4 x, at most ``max_px`` along its longer
    side) over the same extent; cells without a value (NaN) stay empty, and their
    neighbours are not pulled towards them (NaNs are filled from the nearest value before
    interpolating, then masked again)."""
    img = np.asarray(image, dtype=float)
    if img.ndim != 2 or min(img.shape) < 2:
        return img
    factor = int(min(4, max(1, max_px // max(img.shape))))
    if factor == 1:
        return img
    valid = np.isfinite(img)
    if not valid.any():
        return img
    if not valid.all():
        idx = distance_transform_edt(~valid, return_distances=False, return_indices=True)
        img = img[tuple(idx)]
    out = zoom(img, factor, order=1, mode="nearest", grid_mode=True)
    mask = zoom(valid.astype(np.uint8), factor, order=0, mode="nearest", grid_mode=True)
    out[mask == 0] = np.nan
    return out
