"""Plan geometry of racks and items: rotated footprints, bounds, overlaps, out-of-hall."""

from __future__ import annotations

import numpy as np

from twin.model.catalogue import Catalogue


def footprint_sizes(catalogue: Catalogue, models: np.ndarray) -> np.ndarray:
    """(n, 3) width, depth, height in metres for each catalogue model key."""
    cache: dict[str, tuple[float, float, float]] = {}
    out = np.empty((len(models), 3))
    for i, m in enumerate(models):
        if m not in cache:
            cache[m] = catalogue[m].footprint_m if m in catalogue else (0.6, 1.2, 2.0)
        out[i] = cache[m]
    return out


def plan_extent(size_m: np.ndarray, rotation_deg: np.ndarray) -> np.ndarray:
    """(n, 2) extent along x and y of footprints rotated by 0/90/180/270 degrees."""
    size_m = np.asarray(size_m, dtype=float).reshape(-1, size_m.shape[-1])
    turned = (np.asarray(rotation_deg).reshape(-1) // 90) % 2 == 1
    ext = size_m[:, :2].copy()
    ext[turned] = ext[turned][:, ::-1]
    return ext


def plan_bounds(x_m, y_m, size_m, rotation_deg) -> np.ndarray:
    """(n, 4) x0, y0, x1, y1 of each footprint."""
    ext = plan_extent(size_m, rotation_deg)
    cx = np.asarray(x_m, dtype=float)
    cy = np.asarray(y_m, dtype=float)
    return np.column_stack([cx - ext[:, 0] / 2, cy - ext[:, 1] / 2,
                            cx + ext[:, 0] / 2, cy + ext[:, 1] / 2])


def front_vectors(rotation_deg) -> np.ndarray:
    """(n, 2) unit vector each rack front (air intake) faces: 0 -> (0, -1)."""
    a = np.radians(np.asarray(rotation_deg, dtype=float))
    return np.column_stack([np.sin(a), -np.cos(a)]).round(12)


def overlapping_pairs(bounds: np.ndarray, tol_m: float = 1e-6) -> list[tuple[int, int]]:
    """Index pairs whose footprints overlap by more than ``tol_m`` (sweep on x)."""
    order = np.argsort(bounds[:, 0], kind="stable")
    b = bounds[order]
    pairs = []
    active: list[int] = []
    for k in range(len(b)):
        x0 = b[k, 0]
        active = [j for j in active if b[j, 2] > x0 + tol_m]
        for j in active:
            if b[j, 1] < b[k, 3] - tol_m and b[k, 1] < b[j, 3] - tol_m:
                i1, i2 = int(order[j]), int(order[k])
                pairs.append((min(i1, i2), max(i1, i2)))
        active.append(k)
    return sorted(pairs)


def rects_overlap(a: np.ndarray, b: np.ndarray, tol_m: float = 1e-6) -> np.ndarray:
    """(len(a), len(b)) boolean: rectangles x0, y0, x1, y1 overlap by more than ``tol_m``."""
    a = np.asarray(a, dtype=float)[:, None, :]
    b = np.asarray(b, dtype=float)[None, :, :]
    return ((a[..., 0] < b[..., 2] - tol_m) & (b[..., 0] < a[..., 2] - tol_m)
            & (a[..., 1] < b[..., 3] - tol_m) & (b[..., 1] < a[..., 3] - tol_m))


def outside_hall(bounds: np.ndarray, width_m: float, length_m: float,
                 tol_m: float = 1e-6) -> np.ndarray:
    """Boolean mask of footprints that leave the hall rectangle."""
    return ((bounds[:, 0] < -tol_m) | (bounds[:, 1] < -tol_m)
            | (bounds[:, 2] > width_m + tol_m) | (bounds[:, 3] > length_m + tol_m))
