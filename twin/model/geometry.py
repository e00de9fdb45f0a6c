"""Plan geometry of racks and items: rotated footprints, bounds, overlaps, out-of-hall."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Index pairs (i < j, sorted) whose footprints overlap by more than ``tol_m``."""
    return overlap_scan(bounds, tol_m).pairs


@dataclass
class OverlapScan:
    """Overlaps among footprints: ``pairs`` (i < j, sorted), ``overlapping`` (a mask of the
    footprints that overlap at least one other) and whether ``pairs`` lists all of them."""

    pairs: list[tuple[int, int]]
    overlapping: np.ndarray
    complete: bool = True


#: Most cells across the neighbourhood searched for partners of one footprint (per axis,
#: each side). Footprints of very different sizes fall back to the sweep.
_MAX_REACH_CELLS = 8
#: Cell pairs with more candidate pairs than this, both holding several footprints, are
#: only compared when every pair is wanted (their footprints are known to overlap anyway).
_SMALL_BLOCK = 64
_CHUNK = 1 << 21


def overlap_scan(bounds: np.ndarray, tol_m: float = 1e-6, limit: int | None = None) -> OverlapScan:
    """Overlapping footprints in O(n) for footprints of similar size (spatial binning).

    Centres are binned into square cells smaller than the smallest footprint side, so two
    footprints in one cell always overlap; partners in other cells are looked for in the
    cells within reach of the largest footprint. With ``limit`` the listing of pairs may
    stop early (``complete`` False), which keeps 100,000 racks at one spot (5e9 pairs)
    fast; ``overlapping`` is always exact.
    """
    b = np.asarray(bounds, dtype=float).reshape(-1, 4)
    n = len(b)
    mask = np.zeros(n, bool)
    if n < 2:
        return OverlapScan([], mask)
    ext = np.column_stack([b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]])
    smallest, largest = float(ext.min()), float(ext.max())
    cell = 0.999 * (smallest - tol_m)
    centre = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
    finite = bool(np.isfinite(b).all())
    span = float(np.ptp(centre, axis=0).max()) if finite else np.inf
    # cell indices are packed into one int64 key: a floor wider than 2**30 cells is swept
    if not (cell > 0 and finite and largest / cell <= _MAX_REACH_CELLS and span / cell < 2**30):
        pairs = _sweep_pairs(b, tol_m)
        for i, j in pairs:
            mask[i] = mask[j] = True
        return OverlapScan(pairs, mask)
    reach = int(np.ceil(largest / cell))
    idx = np.floor((centre - centre.min(axis=0)) / cell).astype(np.int64)
    key = idx[:, 0] * 2**31 + idx[:, 1]
    order = np.argsort(key, kind="stable")
    cells, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    crowded = counts >= 2
    mask[order[np.repeat(crowded, counts)]] = True
    found: list[np.ndarray] = []
    complete = True
    # pairs inside one cell: all overlap (listed up to one past the limit, which is then
    # known to be exceeded)
    budget = np.inf if limit is None else limit + 1
    n_inside = 0
    for c in np.flatnonzero(crowded):
        members = np.sort(order[starts[c]:starts[c] + counts[c]])
        for k in range(len(members) - 1):
            if n_inside >= budget:
                break
            row = np.column_stack([np.full(len(members) - k - 1, members[k]), members[k + 1:]])
            row = row[:int(min(len(row), budget - n_inside))]
            found.append(row)
            n_inside += len(row)
        if n_inside >= budget:
            break
    # pairs across neighbouring cells (half the neighbourhood: each cell pair once)
    for dx in range(0, reach + 1):
        for dy in range(-reach, reach + 1):
            if dx == 0 and dy <= 0:
                continue
            target = cells + dx * 2**31 + dy
            pos = np.searchsorted(cells, target)
            pos[pos >= len(cells)] = 0
            hit = cells[pos] == target
            ca, cb = np.flatnonzero(hit), pos[hit]
            na, nb = counts[ca], counts[cb]
            full = (na == 1) | (nb == 1) | (na * nb <= _SMALL_BLOCK) | (limit is None)
            if not full.all():
                complete = False
            ca, cb, na, nb = ca[full], cb[full], na[full], nb[full]
            for rows in _cross_pairs(b, order, starts, ca, cb, na, nb, tol_m):
                mask[rows.ravel()] = True
                found.append(rows)
    rows = np.concatenate(found) if found else np.empty((0, 2), np.int64)
    rows = np.sort(rows, axis=1)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    if limit is not None and len(rows) > limit:
        rows, complete = rows[:limit], False
    return OverlapScan([(int(i), int(j)) for i, j in rows], mask, complete)


def _cross_pairs(b, order, starts, ca, cb, na, nb, tol_m):
    """Overlapping pairs between the footprints of cells ``ca[k]`` and ``cb[k]``, in chunks."""
    work = na * nb
    done = 0
    while done < len(ca):
        total = np.cumsum(work[done:])
        stop = done + max(1, int(np.searchsorted(total, _CHUNK, side="right")))
        sa, sb, wa, wb = ca[done:stop], cb[done:stop], na[done:stop], nb[done:stop]
        rep = wa * wb
        k = np.repeat(np.arange(len(sa)), rep)
        local = np.arange(int(rep.sum())) - np.repeat(np.cumsum(rep) - rep, rep)
        ia = order[starts[sa][k] + local // wb[k]]
        ib = order[starts[sb][k] + local % wb[k]]
        A, B = b[ia], b[ib]
        hit = ((A[:, 0] < B[:, 2] - tol_m) & (B[:, 0] < A[:, 2] - tol_m)
               & (A[:, 1] < B[:, 3] - tol_m) & (B[:, 1] < A[:, 3] - tol_m))
        if hit.any():
            yield np.column_stack([ia[hit], ib[hit]])
        done = stop


def _sweep_pairs(b: np.ndarray, tol_m: float) -> list[tuple[int, int]]:
    """The exact sweep on x, for footprints of very different sizes."""
    order = np.argsort(b[:, 0], kind="stable")
    s = b[order]
    pairs = []
    active: list[int] = []
    for k in range(len(s)):
        x0 = s[k, 0]
        active = [j for j in active if s[j, 2] > x0 + tol_m]
        for j in active:
            if s[j, 1] < s[k, 3] - tol_m and s[k, 1] < s[j, 3] - tol_m:
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
