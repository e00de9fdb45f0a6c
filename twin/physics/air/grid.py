"""Structured 3-D grid over the hall and the blocked geometry on it.

Cells are indexed ``c = (k * ny + j) * nx + i`` and fields are shaped
``(nz, ny, nx)``.  Racks and cooling units fill the cells whose centres lie in
their footprint (at least one cell) up to their height; those cells are solid.
Face openness arrays hold a multiplier per face (1 open, 0 closed, a small
leakage fraction for containment panels) and include the wall faces, which
are always closed:  ``open_x`` (nz, ny, nx+1), ``open_y`` (nz, ny+1, nx),
``open_z`` (nz+1, ny, nx).

Ceiling return: when the hall returns through a ceiling plenum (and a
CRAH uses it), the top-layer cells open to the plenum form ``return_mask`` —
the hot-aisle chimneys if there are any (the ceiling is closed elsewhere),
else the whole ceiling.  A hot aisle is a chimney in a ceiling-return hall
when it has a roof (ducted to the plenum) or its panels reach the ceiling
(open top into the plenum).  The end doors of any other roofed aisle are sealed:
their leak goes through the roof, weighted towards mid-row, where the warm infiltration
that enters at the door heads and runs along the roof comes down (docs/physics.md §2.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .rows import closed_ends, end_codes, front_vector, tile_aisle_end_faces
from .scene import AirScene, Hall, SolverSettings
from .snapping import SNAP_TOLERANCE, snap

__all__ = ["Grid", "GridTooLarge", "MAX_AIR_CELLS", "Geometry", "make_grid", "build_geometry",
           "footprint_cells", "front_vector", "uses_return_plenum", "snap", "on_grid",
           "SNAP_TOLERANCE"]

ROOM_AREA_LIMIT_M2 = 600.0   # halls up to this floor area get the fine 0.3 m grid

#: Cell budget of one air grid. The solver holds about ``BYTES_PER_CELL`` per cell (fields,
#: sparse operators, multigrid levels: measured 1.15 kB), so 3 M cells need about 3.6 GB
#: and a couple of minutes on one laptop core. Larger grids are refused before any array
#: is allocated (``GridTooLarge``, a ``ValueError``).
MAX_AIR_CELLS = 3_000_000
BYTES_PER_CELL = 1200


class GridTooLarge(ValueError):
    """The hall's air grid is above ``MAX_AIR_CELLS``; ``str()`` is one line."""


def grid_budget_problem(grid: Grid, hall: Hall) -> str | None:
    """Why ``grid`` is too large for the solver, or None when it fits the budget."""
    if grid.n <= MAX_AIR_CELLS:
        return None
    return (f"the air grid of the {hall.width_m:g} x {hall.length_m:g} x {hall.height_m:g} m "
            f"hall would have {grid.n:,} cells ({grid.nx} x {grid.ny} x {grid.nz}) and need "
            f"about {grid.n * BYTES_PER_CELL / 1e9:,.1f} GB; the solver's budget is "
            f"{MAX_AIR_CELLS:,} cells (about {MAX_AIR_CELLS * BYTES_PER_CELL / 1e9:.1f} GB): "
            "make the hall smaller or its ceiling lower")


@dataclass(frozen=True)
class Grid:
    nx: int
    ny: int
    nz: int
    dx: float          # horizontal cell size (x and y)
    dz: float

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.nz, self.ny, self.nx)

    @property
    def n(self) -> int:
        return self.nx * self.ny * self.nz

    @property
    def x_m(self) -> np.ndarray:
        return (np.arange(self.nx) + 0.5) * self.dx

    @property
    def y_m(self) -> np.ndarray:
        return (np.arange(self.ny) + 0.5) * self.dx

    @property
    def z_m(self) -> np.ndarray:
        return (np.arange(self.nz) + 0.5) * self.dz

    def cell_of(self, x, y, z) -> np.ndarray:
        """Flat cell index of points (clipped into the grid); a point on a cell boundary
        belongs to the cell above it, as :func:`snap` puts an edge there."""
        i = np.clip(np.floor(np.asarray(x) / self.dx + SNAP_TOLERANCE).astype(int), 0, self.nx - 1)
        j = np.clip(np.floor(np.asarray(y) / self.dx + SNAP_TOLERANCE).astype(int), 0, self.ny - 1)
        k = np.clip(np.floor(np.asarray(z) / self.dz + SNAP_TOLERANCE).astype(int), 0, self.nz - 1)
        return (k * self.ny + j) * self.nx + i


def make_grid(hall: Hall, settings: SolverSettings, coarse: bool = False) -> Grid:
    """Grid from the hall: 0.3 m for rooms, 0.6 m (one floor tile) for halls;
    ``coarse`` doubles the horizontal size for a quick pass during drags."""
    h = settings.cell_m
    if h is None:
        h = 0.3 if hall.width_m * hall.length_m <= ROOM_AREA_LIMIT_M2 else 0.6
    if coarse:
        h *= 2.0
    nx = max(2, int(round(hall.width_m / h)))
    ny = max(2, int(round(hall.length_m / h)))
    dz_target = settings.cell_z_m or 0.45
    nz = max(3, int(round(hall.height_m / dz_target)))
    dx = 0.5 * (hall.width_m / nx + hall.length_m / ny)
    grid = Grid(nx, ny, nz, dx, hall.height_m / nz)
    problem = grid_budget_problem(grid, hall)
    if problem:
        raise GridTooLarge(problem)
    return grid


def footprint_cells(grid: Grid, centers_xy, sizes, rotations_deg) -> np.ndarray:
    """Index ranges of the cells boxes occupy: (n, 5) int rows (i0, i1, j0, j1, k1),
    at least one cell each; ``centers_xy`` (n, 2), ``sizes`` (n, 3)."""
    c = np.asarray(centers_xy, float).reshape(-1, 2)
    sz = np.asarray(sizes, float).reshape(-1, 3)
    along_x = np.mod(np.round(np.asarray(rotations_deg, float)).astype(int), 180).reshape(-1) == 0
    hx = np.where(along_x, sz[:, 0], sz[:, 1]) / 2
    hy = np.where(along_x, sz[:, 1], sz[:, 0]) / 2
    i0, i1 = snap(c[:, 0] - hx, grid.dx), snap(c[:, 0] + hx, grid.dx)
    j0, j1 = snap(c[:, 1] - hy, grid.dx), snap(c[:, 1] + hy, grid.dx)
    i1 = np.maximum(i1, i0 + 1); j1 = np.maximum(j1, j0 + 1)
    i0, i1 = np.maximum(0, i0), np.minimum(grid.nx, i1)
    j0, j1 = np.maximum(0, j0), np.minimum(grid.ny, j1)
    k1 = np.minimum(grid.nz, np.maximum(1, snap(sz[:, 2], grid.dz)))
    return np.stack([i0, np.maximum(i1, i0 + 1), j0, np.maximum(j1, j0 + 1), k1], axis=1)


def on_grid(scene: AirScene, grid: Grid) -> AirScene:
    """The scene as the grid can hold it: every rack and in-hall cooling unit moved and
    sized to the whole cells its footprint fills (:func:`footprint_cells`), every
    containment rectangle and grille (at least one cell) to the cell boundaries
    :func:`snap` picks.  Whatever the model
    derives from positions — face samples, rows and their ends, the corner a row-end rack
    draws from, the closed half aisle — then agrees with the blocked cells: a rack 0.15 m
    off the 0.3 m grid sits where its cells are, not half a cell beside them (the CFD
    library's ceiling-return room shifted by 0.15 m moved its end racks' inlets by 3.2 K
    before, 0.1 K now; docs/physics.md §2.1)."""
    def boxes(centers, sizes, rots):
        fp = footprint_cells(grid, centers, sizes, rots)
        along_x = np.mod(np.round(np.asarray(rots, float)).astype(int), 180) == 0
        ex, ey = (fp[:, 1] - fp[:, 0]) * grid.dx, (fp[:, 3] - fp[:, 2]) * grid.dx
        c = np.stack([(fp[:, 0] + fp[:, 1]) * grid.dx / 2, (fp[:, 2] + fp[:, 3]) * grid.dx / 2], 1)
        sz = np.array(sizes, float).reshape(-1, 3)
        sz[:, 0], sz[:, 1] = np.where(along_x, ex, ey), np.where(along_x, ey, ex)
        return c, sz

    r, u, c = scene.racks, scene.cooling, scene.containment
    rc, rs = boxes(r.center_xy_m, r.size_m, r.rotation_deg)
    uc, us = u.center_xy_m.copy(), u.size_m.copy()
    inside = ~u.outside
    if inside.any():
        uc[inside], us[inside] = boxes(u.center_xy_m[inside], u.size_m[inside], u.rotation_deg[inside])
    rect = snap(c.rect_m, grid.dx) * grid.dx if c.n else c.rect_m
    gr = scene.grilles
    lo = snap(gr.center_xy_m - gr.size_m / 2, grid.dx)
    hi = snap(gr.center_xy_m + gr.size_m / 2, grid.dx)
    small = hi <= lo                      # under a cell: the cell that holds its centre
    lo = np.where(small, np.floor(gr.center_xy_m / grid.dx + SNAP_TOLERANCE).astype(int), lo)
    hi = np.where(small, lo + 1, hi)
    return replace(scene, racks=replace(r, center_xy_m=rc, size_m=rs),
                   cooling=replace(u, center_xy_m=uc, size_m=us),
                   containment=replace(c, rect_m=rect),
                   grilles=replace(gr, center_xy_m=(lo + hi) * grid.dx / 2, size_m=(hi - lo) * grid.dx))


@dataclass(frozen=True, eq=False)
class Geometry:
    grid: Grid
    solid: np.ndarray      # (nz, ny, nx) bool
    open_x: np.ndarray     # (nz, ny, nx+1) float
    open_y: np.ndarray     # (nz, ny+1, nx)
    open_z: np.ndarray     # (nz+1, ny, nx)
    return_mask: np.ndarray  # (ny, nx) bool: top-layer cells open to the return plenum
    #: flat indices of cells below the top layer open to the plenum (wall/duct return
    #: grilles), each through one vertical face
    return_side: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: the row ends whose half aisle is closed (rows.closed_ends, as rows.end_codes)
    closed_ends: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def key(self) -> bytes:
        """Bytes that change whenever the blocked geometry changes."""
        return b"".join(a.tobytes() for a in (self.solid, self.open_x, self.open_y, self.open_z,
                                              self.return_mask, self.return_side))

    def return_conductance(self) -> np.ndarray:
        """Per cell (flat) conductance a = A / d to the plenum at the ceiling
        (A the cell's top area, d half the layer height); for a wall return cell A is
        one vertical face and d half a cell; zero elsewhere."""
        g = self.grid
        a = np.zeros(g.shape)
        a[-1] = self.return_mask * (g.dx * g.dx / (0.5 * g.dz))
        flat = a.ravel()
        flat[self.return_side] = g.dx * g.dz / (0.5 * g.dx)
        return flat


def _block_boxes(grid: Grid, solid: np.ndarray, centers, sizes, rots) -> None:
    for i0, i1, j0, j1, k1 in footprint_cells(grid, centers, sizes, rots).tolist():
        solid[:k1, j0:j1, i0:i1] = True


def door_weights(n: int) -> np.ndarray:
    """Leak weights of the ``n`` cells along a roofed aisle with end doors: the distance of
    each cell's centre to the nearer door, scaled to a mean of 1 (a triangle, 0 at the
    doors, highest mid-row)."""
    pos = np.arange(n) + 0.5
    d = np.minimum(pos, n - pos)
    return d / d.mean()


def build_geometry(scene: AirScene, grid: Grid) -> Geometry:
    nz, ny, nx = grid.shape
    solid = np.zeros(grid.shape, bool)
    r = scene.racks
    _block_boxes(grid, solid, r.center_xy_m, r.size_m, r.rotation_deg)
    u = scene.cooling
    inside = ~u.outside
    _block_boxes(grid, solid, u.center_xy_m[inside], u.size_m[inside], u.rotation_deg[inside])

    ox = np.ones((nz, ny, nx + 1)); ox[:, :, [0, -1]] = 0
    oy = np.ones((nz, ny + 1, nx)); oy[:, [0, -1], :] = 0
    oz = np.ones((nz + 1, ny, nx)); oz[[0, -1], :, :] = 0
    chimney = np.zeros((ny, nx), bool)
    leak = scene.settings.containment_leakage
    c = scene.containment
    for rect, kind, hgt, roof, doors in zip(c.rect_m, c.kind, c.height_m, c.roof, c.end_doors):
        i0, j0, i1, j1 = snap(rect, grid.dx).tolist()
        i0, i1 = sorted((max(0, min(nx, i0)), max(0, min(nx, i1))))
        j0, j1 = sorted((max(0, min(ny, j0)), max(0, min(ny, j1))))
        if i1 <= i0 or j1 <= j0:
            continue
        kh = min(nz, max(1, int(snap(hgt, grid.dz))))
        is_chimney = (kind == "hot_aisle" and scene.hall.ceiling_return
                      and (roof or kh >= nz))
        ktop = nz if is_chimney else kh
        long_x = (i1 - i0) >= (j1 - j0)      # aisle runs along x
        end_faces: tuple[np.ndarray, tuple[Any, Any, Any]]   # openings, index of the two ends
        # long sides up to the panel height (chimney walls to the ceiling)
        if long_x:
            oy[:ktop, j0, i0:i1] = np.minimum(oy[:ktop, j0, i0:i1], leak)
            oy[:ktop, j1, i0:i1] = np.minimum(oy[:ktop, j1, i0:i1], leak)
            end_faces = (ox, (slice(None), slice(j0, j1), [i0, i1]))
        else:
            ox[:ktop, j0:j1, i0] = np.minimum(ox[:ktop, j0:j1, i0], leak)
            ox[:ktop, j0:j1, i1] = np.minimum(ox[:ktop, j0:j1, i1], leak)
            end_faces = (oy, (slice(None), [j0, j1], slice(i0, i1)))
        arr, (_, s1, s2) = end_faces
        roofed = roof and kh < nz and not is_chimney
        if doors:
            # under a roof the doors leak only through the roof (docs/physics.md §2.5)
            arr[:kh, s1, s2] = 0.0 if roofed else np.minimum(arr[:kh, s1, s2], leak)
        if is_chimney:
            arr[kh:ktop, s1, s2] = np.minimum(arr[kh:ktop, s1, s2], leak)
            chimney[j0:j1, i0:i1] = True
        elif roofed:
            # a cold aisle's door leak (warm room air) runs along the roof from both door
            # heads and comes down where the two currents meet (docs/physics.md §2.5)
            along = door_weights((i1 - i0) if long_x else (j1 - j0))
            w = along if doors and kind == "cold_aisle" else np.ones(1)
            w = w[None, :] if long_x else w[:, None]
            oz[kh, j0:j1, i0:i1] = np.minimum(oz[kh, j0:j1, i0:i1], leak * w)

    # the half aisle in front of the end racks of a tile-fed aisle (rows.py)
    ends = closed_ends(scene, grid.dz)
    close_x, close_y = tile_aisle_end_faces(scene, grid.dx, grid.dz, grid.shape, ends)
    ox[close_x] = 0.0
    oy[close_y] = 0.0
    # faces touching a solid cell are closed
    ox[:, :, 1:-1] *= ~(solid[:, :, 1:] | solid[:, :, :-1])
    oy[:, 1:-1, :] *= ~(solid[:, 1:, :] | solid[:, :-1, :])
    oz[1:-1, :, :] *= ~(solid[1:] | solid[:-1])
    returns = np.zeros((ny, nx), bool)
    side = np.zeros(0, np.int64)
    if uses_return_plenum(scene):
        gr = scene.grilles
        is_ret = ~gr.is_supply
        if is_ret.any():     # return grilles (and chimneys) are the only openings
            own, cells = grille_cells(grid, gr, solid)
            cells = cells[is_ret[own]]
            top = cells >= (nz - 1) * ny * nx
            returns = chimney.copy()
            returns.ravel()[cells[top] - (nz - 1) * ny * nx] = True
            side = np.unique(cells[~top])
        else:
            returns = chimney if chimney.any() else np.ones((ny, nx), bool)
        returns &= ~solid[-1]
    return Geometry(grid, solid, ox, oy, oz, returns, side, end_codes(ends[0], ends[1]))


def grille_cells(grid: Grid, grilles, solid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, flat cell) of the free air cells each grille covers (see ``Grilles``):
    the cells whose centres lie in its rectangle, at least the nearest one."""
    owners, cells = [], []
    free = ~solid.ravel()
    for k in range(grilles.n):
        (cx, cy), (w, ln) = grilles.center_xy_m[k], grilles.size_m[k]
        i = _span(cx, w, grid.dx, grid.nx)
        j = _span(cy, ln, grid.dx, grid.ny)
        z = grilles.z_m[k]
        kk = (np.array([grid.nz - 1]) if not np.isfinite(z)
              else _span(z, grilles.height_m[k], grid.dz, grid.nz))
        c = ((kk[:, None, None] * grid.ny + j[None, :, None]) * grid.nx + i[None, None, :]).ravel()
        c = c[free[c]]
        owners.append(np.full(len(c), k)); cells.append(c)
    if not owners:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(owners).astype(np.int64), np.concatenate(cells).astype(np.int64)


def _span(centre: float, size: float, d: float, n: int) -> np.ndarray:
    """Indices of the cells whose centres lie within centre ± size/2 (at least the nearest)."""
    idx = np.arange(n)
    mid = (idx + 0.5) * d
    hit = idx[np.abs(mid - centre) <= size / 2 + 1e-9]
    return hit if len(hit) else np.array([int(min(max(centre // d, 0), n - 1))])


def uses_return_plenum(scene: AirScene) -> bool:
    """Ceiling-return hall with at least one enabled CRAH moving air."""
    u = scene.cooling
    crah = np.array([k == "crah" for k in u.kind], bool)
    return bool(scene.hall.ceiling_return and np.any(crah & u.enabled & (u.airflow_m3s > 0)))
