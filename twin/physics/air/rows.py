"""Rows of racks and in-row coolers, their open ends and aisles, and the closed ends
of tile-fed aisles (pure geometry: no grid, no flow).

Rows are found from the rack and in-row cooler boxes alone (vectorised):
boxes with the same rotation and front line (to ``LINE_TOL_M``) sorted along
the row; neighbours touch when the gap between them is below half the
narrower width.  The aisle width is the distance to the nearest facing box
(opposite rotation, fronts facing, overlapping along the row, ≤
``MAX_AISLE_M``), else ``SINGLE_ROW_AISLE_M``.

**The end of a tile-fed aisle carries no flow below the rack tops**
(:func:`tile_aisle_end_faces`, docs/physics.md §2.9).  Perforated tiles blow their
supply upwards as jets; the racks draw it in along their height and what is left
rises out of the top of the aisle, while the end racks draw room air in round the
corner.  In the CFD library (``tests/bench/cfd``) the air just beyond a row end,
across the aisle, is at hot-aisle temperature from the floor to the rack tops (26–30 °C
against 18 °C supply) in the balanced, the 75 %-starved and the 130 %-over-supplied
aisles alike: no supply leaves through the end.  Potential flow has no jet momentum
and spills the aisle's supply out of its open ends at every height (18–20 °C beyond
the end in the twin), which then dilutes the air the end racks entrain.  The half
aisle in front of each open end rack, from the floor to the rack's top, is therefore
closed to the airflow (and to the turbulent exchange): the aisle's surplus leaves over
the top, a starved aisle draws its deficit from above and, through the end racks'
entrainment, from round the corner.  Where the hall returns through its ceiling the
closure reaches the ceiling, and above the end rack's top it spans the rack's depth as
well: the supply column rises straight into the plenum above the aisle (CFD: 18–22 °C
up to the ceiling over the aisle's middle, 33–35 °C beyond the row end from floor to
ceiling, above the racks too), whereas with units returning from the room the surplus
spreads over the row end above the racks towards them (CFD: 20–24 °C there).  Without
the part above the rack the ceiling-return room's surplus still spilled over the end
rack's top and down round its corner (25–27 °C there in the twin).
It applies only where tiles feed the aisle (a tile within the end rack's and its
neighbour's width across the aisle), not at the end of an aisle in a cold-aisle
containment (the containment's doors and roof are its panels) and not where an in-row
cooler ends the row (its discharge is a horizontal jet across the aisle).

**Not where return grilles leave the end alone** (:func:`closed_ends`,
:func:`_return_sweeps`).  In all those CFD rooms the air the units take back had to
reach them round the row ends (CRAHs returning through their tops at the aisle ends or
on the wall behind a row: the CFD's end zones are at exhaust temperature at every
height) or the whole ceiling was open to the plenum.  Where the hall returns through
grilles over the hot aisles instead (the library's ceiling-vent rooms, no unit in the
hall), the exhaust rises straight into them, nothing draws across the row ends and the aisle spills there at low level
(20–24 °C beyond the end below 1.5 m), the end zone stays at 25–29 °C and the end racks
only 1.3–4 K above mid-row; closed, the twin had them 5 K too warm.  So with return
grilles an end is closed only when one lies over its end zone: from the end plane
``END_ZONE_M`` out, from the end rack's back across the whole aisle (both rows of an
aisle judge the same band).

**Where the surplus goes** (:func:`surplus_rises`).  The aisle's surplus leaves over its
top.  Where a unit returning from the room stands on the aisle's line beyond the end (the
library's base rooms: CRAHs 1.2–3.2 m beyond the row ends, facing along the aisle) it
draws the surplus along the aisle over the end rack (CFD: 20–24 °C above the row end),
and the half aisle closes to the rack's top only.  Where none does (units on the walls
behind the rows or off the aisle's line: four CFD rooms), the surplus rises as a column
to the ceiling over the aisle (CFD, units on both walls behind the rows: 18–19 °C up to
the ceiling over the aisle, 29–33 °C beyond the ends from floor to ceiling).  Open above
the rack there, the twin let it spill over the end and sink (the buoyancy drift) into the
corner the end rack breathes (19–24 °C there, the end racks up to 3.7 K too cold), so
the half aisle closes to the ceiling, as with a ceiling return.  Those four rooms' MAE:
units on both long walls 1.13 → 0.91 K, off the aisle's line at the end walls
1.48 → 1.31 K, on the wall behind one row 0.54 → 0.37 K, the small-room sample (units
in line with the hot aisles) 0.61 → 0.46 K; three rows (units off both aisles'
lines) 0.89 → 0.94 K, rows facing the same way
1.14 → 1.16 K; no other room moves.  At such an end between facing rows the end rack
draws its corner share beside itself only (:mod:`.entrainment`, "Where the surplus
rises").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .snapping import snap

if TYPE_CHECKING:
    from .scene import AirScene

__all__ = ["front_vector", "frames", "row_links", "row_heads", "row_lengths_m", "row_totals", "row_ends", "facing_distance_m", "row_boxes", "in_boxes", "closed_ends",
           "surplus_rises", "end_codes", "tile_aisle_end_faces",
           "LINE_TOL_M", "MAX_AISLE_M", "SINGLE_ROW_AISLE_M"]

LINE_TOL_M = 0.15          # boxes whose front lines differ less are in one row
MAX_AISLE_M = 3.0          # facing rows further apart do not share a cold aisle
SINGLE_ROW_AISLE_M = 1.2   # aisle depth assumed in front of a row with no facing row
END_ZONE_M = 1.5           # how far beyond a row end the return must draw to close the aisle end
#: lengths closer than this are equal: a room and its mirror image give the same answers
#: (|4.5 − 3.9| is 0.6000000000000005 m, |7.5 − 8.1| 0.5999999999999996 m)
EDGE_TOL_M = 1e-6


def front_vector(rotation_deg) -> np.ndarray:
    """Unit front direction(s): (0, −1) rotated CCW by rotation_deg."""
    t = np.deg2rad(np.asarray(rotation_deg, float))
    return np.stack([np.sin(t), -np.cos(t)], axis=-1).round(12)


def frames(rots):
    """(front, width axis) unit vectors of boxes with rotations ``rots``."""
    f = front_vector(rots)
    t = np.stack([f[:, 1], -f[:, 0]], axis=1)        # width axis (local +x)
    return f, t


def row_links(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray):
    """The touching row neighbour of every box on its −t and +t side (its width axis),
    −1 where there is none: boxes with the same rotation and front line (to
    ``LINE_TOL_M``) sorted along the row, touching when the gap between them is below
    half the narrower width."""
    n = len(centers)
    minus = np.full(n, -1); plus = np.full(n, -1)
    if n == 0:
        return minus, plus
    f, t = frames(rots)
    rot = np.mod(np.round(rots).astype(int), 360)
    line = np.round(((centers * f).sum(1) + sizes[:, 1] / 2) / LINE_TOL_M).astype(int)
    along = (centers * t).sum(1)
    order = np.lexsort((along, line, rot))
    same = (rot[order][1:] == rot[order][:-1]) & (line[order][1:] == line[order][:-1])
    w = sizes[order, 0]
    gap = along[order][1:] - along[order][:-1] - (w[1:] + w[:-1]) / 2
    touch = same & (gap < 0.5 * np.minimum(w[1:], w[:-1]))
    plus[order[:-1][touch]] = order[1:][touch]        # next box along +t touches
    minus[order[1:][touch]] = order[:-1][touch]
    return minus, plus


def row_heads(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray,
              minus: np.ndarray | None = None) -> np.ndarray:
    """Per box, the index of its row's first member (on its −t side), the members chained
    by :func:`row_links` (touching boxes with the same rotation and front line; ``minus``:
    its −t links where already found); a lone box heads its own row."""
    n = len(centers)
    if minus is None:
        minus, _ = row_links(centers, sizes, rots)
    head = np.where(minus >= 0, minus, np.arange(n))   # by pointer jumping
    while not np.array_equal(head[head], head):
        head = head[head]
    return head


def row_lengths_m(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray,
                  head: np.ndarray | None = None) -> np.ndarray:
    """Per box, the length of its row (``head``: :func:`row_heads`, found where not
    given): from the outer side of its first member to the outer side of its last; a
    lone box's row is its own width."""
    n = len(centers)
    if n == 0:
        return np.zeros(0)
    head = row_heads(centers, sizes, rots) if head is None else head
    _, t = frames(rots)
    along = (centers * t).sum(1)
    lo, hi = along - sizes[:, 0] / 2, along + sizes[:, 0] / 2
    last_hi = np.full(n, -np.inf)
    np.maximum.at(last_hi, head, hi)
    return last_hi[head] - lo[head]


def row_totals(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray,
               values: np.ndarray, head: np.ndarray | None = None) -> np.ndarray:
    """Per box, the sum of ``values`` over the members of its row (``head``:
    :func:`row_heads`, found where not given)."""
    head = row_heads(centers, sizes, rots) if head is None else head
    total = np.zeros(len(centers))
    np.add.at(total, head, values)
    return total[head]


def row_ends(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray,
             members: int | None = None):
    """Open row ends among the first ``members`` boxes (default: all).

    Boxes are (centre, size w×d×h, rotation); all of them count as row
    neighbours, only the first ``members`` are returned.  Returns (box index,
    side σ = ±1 along the box's width axis, aisle width) per open end."""
    n = len(centers)
    members = n if members is None else members
    if members == 0:
        return np.zeros(0, int), np.zeros(0), np.zeros(0)
    minus, plus = row_links(centers, sizes, rots)
    idx = np.arange(members)
    box = np.concatenate([idx[plus[:members] < 0], idx[minus[:members] < 0]])
    side = np.concatenate([np.ones(int((plus[:members] < 0).sum())),
                           -np.ones(int((minus[:members] < 0).sum()))])
    if len(box) == 0:
        return box, side, np.zeros(0)
    aisle = facing_distance_m(centers, sizes, rots, box)
    return box, side, np.where(np.isfinite(aisle), aisle, SINGLE_ROW_AISLE_M)


def facing_distance_m(centers: np.ndarray, sizes: np.ndarray, rots: np.ndarray,
                      boxes: np.ndarray) -> np.ndarray:
    """Per box of ``boxes``, the distance from its front to the nearest box facing it
    across an aisle (fronts facing, overlapping along the row, within ``MAX_AISLE_M``),
    inf where none does (a single row)."""
    f, t = frames(rots)
    rot = np.mod(np.round(rots).astype(int), 360)
    out = np.full(len(boxes), np.inf)
    for r in np.unique(rot[boxes]):
        group = np.flatnonzero(rot[boxes] == r)
        out[group] = _facing(centers, sizes, f, t, boxes[group])
    return out


def _facing(centers, sizes, f, t, ends):
    """Distance from each end box (all of one rotation) to the nearest facing box, inf
    when none faces it within ``MAX_AISLE_M``."""
    fe, te = f[ends[0]], t[ends[0]]
    cand = np.flatnonzero(f @ fe < -0.99)               # fronts facing the ends' fronts
    dist = ((centers[cand] @ fe)[None, :] - (centers[ends] @ fe)[:, None]
            - sizes[ends, 1][:, None] / 2 - sizes[cand, 1][None, :] / 2)
    lateral = np.abs((centers[cand] @ te)[None, :] - (centers[ends] @ te)[:, None])
    # boxes that only touch corners (lateral offset = half widths, to rounding) do not face
    facing = (dist > 0) & (dist <= MAX_AISLE_M) \
        & (lateral < (sizes[ends, 0][:, None] + sizes[cand, 0][None, :]) / 2 - EDGE_TOL_M)
    return np.where(facing, dist, np.inf).min(1, initial=np.inf)


def in_boxes(x, y, z, rects, heights):
    """Points inside any containment volume (rect × height)."""
    inside = np.zeros(x.shape, bool)
    for (x0, y0, x1, y1), h in zip(rects, heights):
        inside |= (x > min(x0, x1)) & (x < max(x0, x1)) & (y > min(y0, y1)) & (y < max(y0, y1)) & (z < h)
    return inside


def row_boxes(scene: "AirScene") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centres, sizes, rotations) of the row members: the racks (in scene order, so
    their indices are the racks') and then the running in-row coolers."""
    r, u = scene.racks, scene.cooling
    inrow = np.flatnonzero(np.array([k == "inrow" for k in u.kind], bool) & u.enabled)
    return (np.concatenate([r.center_xy_m, u.center_xy_m[inrow]]),
            np.concatenate([r.size_m, u.size_m[inrow]]),
            np.concatenate([r.rotation_deg, u.rotation_deg[inrow]]))


def _rects_overlap(a, b):
    """(m, k) whether the axis-aligned rectangles a (m × [x0, y0, x1, y1]) and b overlap."""
    return ((a[:, None, 0] < b[None, :, 2]) & (b[None, :, 0] < a[:, None, 2])
            & (a[:, None, 1] < b[None, :, 3]) & (b[None, :, 1] < a[:, None, 3]))


def _return_sweeps(scene: "AirScene", center, f, t, w, d, aisle) -> np.ndarray:
    """Whether the hall's return draws air across each open end's end zone (beyond the
    end rack's open side ``END_ZONE_M`` out, from its back across the whole aisle): always
    where units return from the room or the ceiling is open to the plenum; with return
    grilles only where one lies over the zone (module docstring)."""
    gr = scene.grilles
    ret = ~gr.is_supply
    if not ret.any():
        return np.ones(len(center), bool)
    c0 = center + t * (w / 2)[:, None] - f * (d / 2)[:, None]
    c1 = center + t * (w / 2 + END_ZONE_M)[:, None] + f * (d / 2 + aisle)[:, None]
    zone = np.concatenate([np.minimum(c0, c1), np.maximum(c0, c1)], axis=1)
    rects = np.concatenate([gr.center_xy_m[ret] - gr.size_m[ret] / 2,
                            gr.center_xy_m[ret] + gr.size_m[ret] / 2], axis=1)
    return _rects_overlap(zone, rects).any(1)


def _end_frames(racks, box: np.ndarray, side: np.ndarray):
    """Per row end (rack ``box``, side ``side``): the end rack's front vector, the unit
    vector along its width towards the open side, its width and its depth."""
    f, t = frames(racks.rotation_deg[box])
    return f, t * side[:, None], racks.size_m[box, 0], racks.size_m[box, 1]


def surplus_rises(scene: "AirScene", box: np.ndarray, side: np.ndarray, aisle: np.ndarray) -> np.ndarray:
    """Whether the aisle's surplus rises as a column to the ceiling at each closed end
    (rack ``box``, side ``side``, aisle width ``aisle``; module docstring, "Where the
    surplus goes"): where the units return from the room and none stands on the aisle's
    line beyond the end (its centre between the end rack's front and the aisle's far
    side, beyond the open side).  With return grilles an end is closed only where one
    draws across it, and the surplus goes there; a ceiling return has its own closure."""
    u, r = scene.cooling, scene.racks
    if scene.hall.ceiling_return or (~scene.grilles.is_supply).any() or len(box) == 0:
        return np.zeros(len(box), bool)
    room = (np.array([k != "inrow" for k in u.kind], bool) & u.enabled & (u.airflow_m3s > 0)
            & ~u.outside)
    f, t, w, d = _end_frames(r, box, side)
    rel = u.center_xy_m[room][None, :, :] - r.center_xy_m[box][:, None, :]
    tu = (rel * t[:, None, :]).sum(2)
    tv = (rel * f[:, None, :]).sum(2)
    on_line = ((tu > (w / 2)[:, None]) & (tv >= (d / 2)[:, None] - EDGE_TOL_M)
               & (tv <= (d / 2 + aisle)[:, None] + EDGE_TOL_M))
    return ~on_line.any(1)


def closed_ends(scene: "AirScene", dz: float):
    """The open row ends whose half aisle is closed (module docstring): per end the rack,
    the side σ = ±1 along its width axis and the aisle width, tile-fed, not inside a
    cold-aisle containment and swept by the return."""
    r, c, tl = scene.racks, scene.containment, scene.tiles
    if not scene.hall.raised_floor or tl.n == 0 or r.n == 0:
        return np.zeros(0, int), np.zeros(0), np.zeros(0)
    box, side, aisle = row_ends(*row_boxes(scene), r.n)
    if len(box) == 0:
        return box, side, aisle
    f, t, w, d = _end_frames(r, box, side)
    rel = tl.center_xy_m[None, :, :] - r.center_xy_m[box][:, None, :]
    tu = (rel * t[:, None, :]).sum(2)
    tv = (rel * f[:, None, :]).sum(2)
    fed = ((tu >= -1.5 * w[:, None]) & (tu <= w[:, None] / 2)
           & (tv >= d[:, None] / 2) & (tv <= (d + 2 * aisle)[:, None] / 2)).any(1)
    cold = np.array([k == "cold_aisle" for k in c.kind], bool)
    if cold.any():
        probe = r.center_xy_m[box] + f * (d / 2 + aisle / 4)[:, None]
        fed &= ~in_boxes(probe[:, 0], probe[:, 1], np.full(len(box), 0.5 * dz),
                         c.rect_m[cold], c.height_m[cold])
    fed &= _return_sweeps(scene, r.center_xy_m[box], f, t, w, d, aisle)
    return box[fed], side[fed], aisle[fed]


def end_codes(box: np.ndarray, side: np.ndarray) -> np.ndarray:
    """One integer per row end (rack index and side), to match ends between lists."""
    return np.asarray(box, np.int64) * 2 + (np.asarray(side) > 0)


def tile_aisle_end_faces(scene: "AirScene", dx: float, dz: float,
                         shape: tuple[int, int, int], ends) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the x-normal ((nz, ny, nx+1)) and y-normal ((nz, ny+1, nx)) faces that
    close the half aisle in front of every closed end (``ends``: :func:`closed_ends`),
    from the floor to the rack's height, and to the ceiling where the aisle's surplus rises
    there (:func:`surplus_rises`; module docstring)."""
    nz, ny, nx = shape
    close_x = np.zeros((nz, ny, nx + 1), bool)
    close_y = np.zeros((nz, ny + 1, nx), bool)
    r = scene.racks
    box, side, aisle = ends
    if len(box) == 0:
        return close_x, close_y
    f, t, w, d = _end_frames(r, box, side)
    h = r.size_m[box, 2]
    rises = surplus_rises(scene, box, side, aisle)
    for e in range(len(box)):
        plane = r.center_xy_m[box[e]] + t[e] * w[e] / 2
        a0 = r.center_xy_m[box[e]] + f[e] * d[e] / 2
        a1 = a0 + f[e] * aisle[e] / 2
        # up to the rack's top (the layers it fills); where the hall returns
        # through its ceiling, above that from the rack's back across the half aisle;
        # where the surplus rises, above that across the half aisle
        k_top = min(nz, max(1, int(snap(h[e], dz))))       # the layers the rack fills
        normal_x = abs(t[e, 0]) > 0.5
        n_faces, n_cells = (nx, ny) if normal_x else (ny, nx)
        i = int(snap(plane[0 if normal_x else 1], dx))
        axis = 1 if normal_x else 0
        back = r.center_xy_m[box[e], axis] - f[e, axis] * d[e] / 2
        lo, hi = sorted((a0[axis], a1[axis]))
        centres = (np.arange(n_cells) + 0.5) * dx
        span = (centres > lo) & (centres < hi)
        if not 0 < i < n_faces or not span.any():
            continue
        over = span if rises[e] else np.zeros(n_cells, bool)
        if scene.hall.ceiling_return:
            lo2, hi2 = sorted((back, a1[axis]))
            over = (centres > lo2) & (centres < hi2)
        if normal_x:
            close_x[:k_top, span, i] = True
            close_x[k_top:, over, i] = True
        else:
            close_y[:k_top, i, span] = True
            close_y[k_top:, i, over] = True
    return close_x, close_y
