"""In-row cooler jets: where a cooler's supply goes before the racks draw it.

An in-row cooler blows its whole airflow out of a 0.3 m wide face at 3–7 m/s.  The
jet crosses the aisle.  Where it meets the jet of a cooler facing it, the two splash
along the aisle, over the rack tops and out of the row ends; where it meets racks,
they take it in front of the cooler.  Potential flow from a source at the face has no
momentum and gives the supply to the nearest intakes — the racks beside the cooler —
so against CFD the coolers' neighbours came out too cold and the racks between or
across from the coolers too warm (docs/physics.md §2.3, "In-row cooler jets").

The **splash zone** of a cooler (:func:`splash_cells`) is the air in front of its face
out to its throw ``L`` ahead, up to its height, and beside the face by its spread
(:func:`spread_m`): ``L`` where another cooler faces it within ``L``, nothing where
racks do (the lane straight ahead).  It holds the cells the jet reaches from its face
through fully open faces — along the face's first row of cells, and otherwise only
ahead — so a solid, a containment panel or a door cuts off what lies behind it, and the
zone does not wrap round a row end into the air behind.  ``L = inrow_jet_throw_s ×
face velocity`` (:func:`throw_m`): the distance the jet carries its air at its face
velocity in the throw time.  The zone takes the cooler's supply evenly, at the supply
temperature: the jet's core, not a mixture.  Where the zone reaches past a row end,
that part of the supply leaves the aisle, as the CFD's splash does.  Mass and energy
balance exactly: the zone only moves where the supply enters the room.

Measured against the CFD library's in-row rooms (docs/physics.md §2.3): a splash along
the aisle for every cooler hid the hot end of a room whose coolers do not face each
other (staggered: CFD 34 °C at its west end; twin 24 °C, the room's hottest intake
2.6 K optimistic); a flux carrying the supply from the face through the zone (as the
tile jets carry theirs, ``devices.tile_jets``) mixed it on the way and did worse
(1.14 K against 0.71 K over the first three rooms).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from .grid import Geometry, snap
from .rows import frames

__all__ = ["throw_m", "spread_m", "splash_cells", "splash_zones"]


def throw_m(airflow_m3s: np.ndarray, size_m: np.ndarray, throw_s: float) -> np.ndarray:
    """How far each cooler's jet carries its supply (m): its face velocity (airflow over
    the face, width × height) times ``throw_s``."""
    return throw_s * airflow_m3s / (size_m[:, 0] * size_m[:, 2])


def spread_m(center_xy_m: np.ndarray, size_m: np.ndarray, rotation_deg: np.ndarray,
             throw_m: np.ndarray) -> np.ndarray:
    """How far beyond either side of its face each cooler's splash zone reaches (m): its
    throw where another cooler faces it across less than that throw (their faces
    overlapping side to side), so the two jets meet and splash along the aisle; nothing
    where its jet meets racks, which take it in the lane straight ahead."""
    f, t = frames(np.asarray(rotation_deg, float))
    face = np.asarray(center_xy_m, float) + f * (size_m[:, 1:2] / 2)
    rel = face[None, :, :] - face[:, None, :]                 # [i, j]: j's face from i's
    ahead = np.einsum("ijk,ik->ij", rel, f)
    across = np.abs(np.einsum("ijk,ik->ij", rel, t))
    facing = np.einsum("ik,jk->ij", f, f) < -0.99
    meets = (facing & (ahead > 0) & (ahead <= throw_m[:, None])
             & (across < (size_m[:, None, 0] + size_m[None, :, 0]) / 2))
    return np.where(meets.any(axis=1), throw_m, 0.0)


def splash_cells(geom: Geometry, center_xy_m, size_m, rotation_deg, throw: float,
                 spread: float) -> np.ndarray:
    """Flat cells of one cooler's splash zone (sorted): of the air cells whose centres lie
    ahead of its face by less than ``throw`` (at least the first cell), within
    ``spread`` beyond either side of it and below its top, those the jet reaches, layer
    by layer, from the cells at its face through fully open faces: along the face's
    first row of cells, otherwise only ahead — so a solid, a containment panel or a
    door cuts off what lies behind it, and the zone does not wrap round a row's end
    into the air behind the row.  Where no cell at the face is air (a face on a cell
    centre), the next cells ahead stand for it."""
    g = geom.grid
    f, t = (v[0] for v in frames(np.array([rotation_deg])))
    face = np.asarray(center_xy_m, float) + f * (size_m[1] / 2)
    # the window of columns the zone can reach (everything outside it is out of reach)
    reach = max(throw, g.dx) + size_m[0] / 2 + spread + g.dx
    i0, j0 = (max(0, int(np.floor((v - reach) / g.dx))) for v in face)
    i1, j1 = min(g.nx, int(np.ceil((face[0] + reach) / g.dx))), min(g.ny, int(np.ceil((face[1] + reach) / g.dx)))
    dx_m = (np.arange(i0, i1) + 0.5)[None, :] * g.dx - face[0]
    dy_m = (np.arange(j0, j1) + 0.5)[:, None] * g.dx - face[1]
    ahead = dx_m * f[0] + dy_m * f[1]                     # (window ny, window nx)
    across = np.abs(dx_m * t[0] + dy_m * t[1])
    eps = 1e-6 * g.dx
    column = (ahead > 0) & (ahead < max(throw, g.dx) - eps) & (across <= size_m[0] / 2 + spread + eps)
    n_k = int(np.clip(snap(size_m[2], g.dz), 1, g.nz))
    air = ~geom.solid[:n_k, j0:j1, i0:i1] & column[None]
    lane = (across <= size_m[0] / 2 + eps)[None]
    first = (ahead < g.dx)[None]
    seeds = air & lane & first
    if not seeds.any():
        seeds, first = air & lane & (ahead < 2 * g.dx)[None], (ahead < 2 * g.dx)[None]
    if not seeds.any():
        return np.zeros(0, np.int64)
    wy, wx = air.shape[1:]
    cells = np.flatnonzero(air)                            # flat over the window's layers
    n = len(cells)
    pos = np.full(air.size, -1); pos[cells] = np.arange(n)
    a = np.broadcast_to(ahead[None], air.shape).ravel()[cells]
    row0 = np.broadcast_to(first, air.shape).ravel()[cells]
    k, rem = np.divmod(cells, wx * wy)
    j, i = np.divmod(rem, wx)
    src, dst = [np.full(int(seeds.sum()), n)], [pos[np.flatnonzero(seeds)]]
    for step, ok, opened in ((1, i < wx - 1, lambda: geom.open_x[k, j0 + j, i0 + i + 1]),
                             (wx, j < wy - 1, lambda: geom.open_y[k, j0 + j + 1, i0 + i])):
        nb = np.where(ok, cells + step, 0)
        link = ok & (pos[nb] >= 0) & (np.where(ok, opened(), 0.0) >= 1.0)
        p, q = np.flatnonzero(link), pos[nb[link]]
        both = row0[p] & row0[q]
        fwd = both | (a[q] > a[p] + eps)
        back = both | (a[p] > a[q] + eps)
        src += [p[fwd], q[back]]; dst += [q[fwd], p[back]]
    s_all, d_all = np.concatenate(src), np.concatenate(dst)
    graph = sp.csr_matrix((np.ones(len(s_all)), (s_all, d_all)), shape=(n + 1, n + 1))
    reached = cells[np.sort(breadth_first_order(graph, n, directed=True, return_predecessors=False)[1:])]
    k, rem = np.divmod(reached, wx * wy)
    j, i = np.divmod(rem, wx)
    return np.sort((k * g.ny + j0 + j) * g.nx + i0 + i)


def splash_zones(geom: Geometry, centers_xy_m, sizes_m, rotations_deg, throws_m):
    """(owner, flat cell) of every cooler's splash zone, for ``devices.build_devices``
    to spread each cooler's discharge evenly over."""
    owners, cells = [], []
    spreads = spread_m(centers_xy_m, sizes_m, rotations_deg, throws_m)
    for i, (c, s, r, L, w) in enumerate(zip(centers_xy_m, sizes_m, rotations_deg, throws_m, spreads)):
        zone = splash_cells(geom, c, s, float(r), float(L), float(w))
        owners.append(np.full(len(zone), i)); cells.append(zone)
    if not cells:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(owners), np.concatenate(cells)
