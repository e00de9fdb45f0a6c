"""Row-end entrainment: end racks breathe room air drawn round an open row end.

Potential flow has no momentum, so nothing in it entrains: with a balanced
supply it feeds every rack from the tiles and shows no end-of-row hot spot,
and the diffusivity terms can only spread recirculation evenly along the row.
In CFD (``tests/bench/cfd``) and in real halls the hot exhaust wraps round
the open ends of a row and lands almost entirely on the END rack (6–7 K above
supply) while mid-row racks stay within ~1 K of supply, whether the tiles
cover the racks' airflow or not.  The mechanism: the end rack's intake face
sits at the edge of the opening, so its suction (a sink at a corner) draws
from the room round the corner about as readily as from the aisle, and the
shear layer of the aisle's supply jet at the open end entrains room air
there; the exchange is confined to about one rack pitch from the end.

Model (applied in :func:`.devices.build_devices`): the end rack of an open
row end draws the share ``s = row_end_entrainment`` of its own airflow
(capped at ``MAX_ENTRAINED_SHARE``; a lone rack with two open ends splits it)
from the air round the corner and ``1 − s`` from its front face as before.
"Round the corner" = the air cells one rack pitch beyond the rack's open
side, from ``BACK_REACH_M`` behind its back face to the aisle middle, up to
its height (room air there includes exhaust wrapping round the back).  The
share scales with the rack's own flow because the intake velocity field —
and so the reach of its suction round the corner — scales with it.  The CFD
library's end racks imply ``s ≈ (T_end − T_front)/(T_corner − T_front) ≈
0.42–0.53`` in its open and ceiling-return rooms; the joint fit over the
library gives 0.48 (README_air.md, "Closed aisle ends and the joint refit").
The air round the corner is room air because the ends of tile-fed aisles are
closed to the rack tops (:mod:`.rows`): before, the aisle's supply spilled out
of its ends into the corner and the share had to be 0.7 to make up for it.

**The wrap reaches the neighbour.**  The end rack's inward neighbour (the next
rack of the row, not an in-row cooler) draws ``NEIGHBOUR_SHARE`` = 0.1 of the
end rack's share from the same corner cells: in CFD the neighbours sit
0.6–0.9 K above mid-row where the end racks sit 4.4–8.8 K above it (0.05–0.15
of the end's rise), and their hottest intake cell is at their edge next to the
end rack, in the top layer, 0.02–0.9 of their own rise above their mean
(median 0.5; 0.4–0.85 in the first rooms) —
the wrapped exhaust runs along the top of the face past the end rack.  The
neighbour takes the hottest-intake rule below as well.

**A stronger sink reaches further.**  The wrapped exhaust that the end rack leaves runs
on along the row's face, and how far into the neighbour's face it is drawn depends on
how hard the neighbour pulls against the end rack.  The neighbour's fraction is scaled
by its airflow over the end rack's: ``NEIGHBOUR_SHARE · V_nb / V_end`` of the end rack's
share (the same 0.1 where the two move the same air; never more than the end rack's own
share).  In the CFD library's mixed-density room a 40 kW rack (3.0 m³/s) beside an 8 kW
end rack (0.6 m³/s) takes the wrapped exhaust down the whole edge of its face next to
the end rack (22–28 °C there from the top to 0.8 m; 18 °C across the rest) and draws
about 0.2 of its air from the corner (mean 20.8 °C, 2.7 K above mid-row): 0.24 by this
rule, 0.048 with the fixed fraction, which left it 2.0 K too cold.  Of the two 8 kW
racks beside its 4 kW ends one draws 0.09 and its mirror 0.04 (0.096 by this rule);
the 8 kW rack beside the 12 kW end 0.06 (0.032).  Linear in the ratio fits best: the
room's MAE is 0.74 K with the fixed fraction, 0.68 K with its square root, 0.64 K
linear and 1.04 K with the power 1.5; the shipped small-room sample (mixed air-cooled
and liquid-cooled racks) 0.71 / 0.68 / 0.61 / 0.59 K.

**Longer rows entrain less.**  With the same 1.2 m aisle, tiles and units on the aisle's
axis, the CFD library's end racks sit at 24.2 °C in rows of five, 24.4 °C in rows of
seven, 22.6 °C in rows of ten, 20.7 °C in rows of thirteen (8 kW racks) and of sixteen
(mid-row 18–20 °C): measured against their own corner air, those of five, ten and
sixteen draw 0.48–0.54, 0.34–0.40 and 0.07–0.30 of their air round the corner.  What
changes with the length is where the aisle exchanges air with the room.  In rows of five
the tiles' supply column stands to the ceiling and the room air comes in round the ends;
in rows of ten it stops at 1.3 m mid-row and warm air comes in over the racks' tops there
(:mod:`.hottest`, the top edge); in rows of sixteen the supply it displaces spills out
over the row ends (above 1.5 m at one row's ends), and that spill dilutes the exhaust
the end racks draw round the corner.  The potential flow has no along-aisle momentum and
cannot move the exchange, so the share is scaled by the row's length ``L`` (outer side
of its first member to its last, :func:`.rows.row_lengths_m`):
``(ROW_LENGTH_REF_M / L) ** ROW_LENGTH_EXPONENT`` = ``4.2 m / L``, 1 for rows up to
seven 0.6 m racks.  Inverse in the length is what a fixed wrapped flow per end diluted
by a spill that grows with the aisle gives once the spill dominates.  Both numbers are
the library's choice, not a derivation.  Over 25 rooms the square root from 3.0 m fitted
best (mean MAE 0.680 K without the scaling, 0.647 K with it); three rooms drawn after
that was fixed tested it: rows of thirteen 0.83 → 0.39 K, the 1.8 m aisle with rows of
twelve 1.74 → 1.68 K, but rows of seven 0.37 → 0.58 K (their ends are as warm as five's).
Over all 28, choosing the pair on 27 rooms picks 4.2 m and 1 for 26 of the 28 held out
(mean MAE 0.712 K without, 0.672 K with the square root from 3.0 m, 0.665 K with
this).  It gives 0.34 / 0.26 / 0.21 of the share's 0.48 for rows of 10 / 13 / 16.  Rows
of ten go 0.70 → 0.43 K, rows of thirteen 0.83 → 0.31 K (worst rack 4.4 → 1.5 K), rows
of sixteen 0.96 → 0.65 K (5.4 → 1.8 K), the 1.8 m aisles with rows of eight and twelve
1.13 → 0.93 K and 1.74 → 1.71 K (the latter's ends go from 0.6–2.6 K too warm to 0.2–2.2 K too cold, its
middle stays 2 K too cold).  Two rooms drawn once this was fixed, run once: rows of
twenty 0.72 → 0.40 K, rows of nine with 16 kW racks 0.71 → 0.80 K (their ends entrain as
short rows do); over all 30 rooms 4.2 m and 1 still fit best (0.661 K; 0.713 K without).

**A row that draws more holds its supply column up further.**  The 4.2 m hold for rows
whose racks draw ``ROW_FLOW_REF_M3S_PER_M`` = 1.5 m³/s per metre of row (the library's
12 kW racks of 0.6 m moving 0.9 m³/s each) and scale with that draw ``q`` (:func:`.rows.row_totals`
of the racks' airflow over :func:`.rows.row_lengths_m`; in-row coolers add length, not
draw): ``4.2 m · q / 1.5``, with ``q`` held within ``ROW_FLOW_RANGE_M3S_PER_M`` = 1–2
m³/s per m, the library's range (2.8–5.6 m).  A balanced aisle's tiles blow what its
racks draw, so a denser row's jets are faster and stand higher over a longer aisle
before the exchange moves over the tops; the linear form is the simplest and, like the
range, the library's choice.  The CFD's rows of nine at 16 kW (2.0 m³/s per m) entrain
at their ends as rows of five do (24.1 °C), the 8 kW rows of thirteen (1.0) as rows of
sixteen, and the ceiling-vent rooms' 8 kW rows of six (1.0, 3.6 m) came out 2–3 K
conservative at their ends with the full share.  Chosen over the reference (3.6–4.8 m),
the draw it holds for (1.25–2.0 m³/s per m, or none) and the exponent (1, 1.5), each of
the 30 rooms held out at the shipped recirculation constants: every held-out choice
scales with the draw, and the held-out mean MAE is 0.648 K against 0.667 K for the same
choice without the draw.  Shipped: the starved ceiling vents 1.08 → 0.86 K, the balanced
0.56 → 0.42 K, rows of nine 0.80 → 0.71 K (end rack's hottest intake 1.35 → 0.74 K
optimistic), the 1.8 m aisle's rows of twelve 1.71 → 1.63 K (1.39 → 0.95 K), rows of
thirteen's worst rack 1.51 → 1.17 K; rows drawing 1.5 m³/s per m do not move.  Outside
the range the reference stays at its edge: lighter rows (liquid-cooled racks' residual
air) entrain as 1 m³/s per m does, which is warmer at their ends than the linear law
would make them.  Checked once fixed on two rooms drawn for it and run once, rows of ten
with 8 and with 16 kW racks: the CFD's end racks sit at 20.7–21.9 °C and 23.4–24.7 °C,
the twin's at 20.9 and 24.0 °C (22.3 and 22.4 °C without the draw): MAE 0.48 → 0.31 K
and 0.65 → 0.47 K, worst rack 1.62 → 0.99 K and 2.32 → 0.93 K.
The neighbour's draw is a fraction of its end rack's share and scales with it.

It is a re-routing of the rack's own intake, not an extra flow: mass and
energy balance exactly as before (the rack still moves ``V`` and carries heat
at cell temperatures), the potential sees the sink moved round the corner
(devices enter its source term, so flow reuse and AMG reuse are unchanged),
and power-only updates touch nothing here.  In a starved aisle the end racks
thereby take part of their deficit round the ends, as the CFD shows.

Where the corner air comes from depends on where the room returns (CFD library,
``tests/bench/cfd``).  With units returning from the room the aisle's surplus
spreads over the row end above the racks towards them, and the end rack draws
from the corner beside it, from just behind its back to the aisle middle.  With
a ceiling return the supply column rises straight into the plenum and the air
round the end is exhaust from floor to ceiling (CFD: 33–34 °C): the end rack's
share is drawn from the exhaust side only, beside the rack's rear half and one
rack pitch behind its back corner.

**Where the surplus rises** the corner stops at the rack's front face.  Where no unit
returning from the room stands on the aisle's line beyond a closed end, the aisle's
surplus rises as a column and the half aisle in front of the end is closed to the
ceiling (:func:`.rows.surplus_rises`).  The cells beyond the end plane across that half
aisle are then a pocket the potential flow reaches only round the closure, and the
twin keeps it near supply by exchange with the column (21–24 °C in the room with CRAHs
behind both rows) where the CFD has exhaust from floor to ceiling (29–33 °C): the end
racks came out up to 3.1 K too cold.  So at such an end between facing rows the end
rack draws beside itself only, from just behind its back to its front face.  Facing
rows only: a single row's aisle is open on its far side and its end is swept (the
library's same-direction rows and the third row of three, whose ends are already too
warm: 1.16 → 1.27 K and 0.99 → 1.06 K had they been included).  Library, shipped
constants (against the draw-per-metre law alone): the small-room sample 0.46 → 0.14 K
(worst rack 1.71 → 0.69 K), CRAHs off the aisle's axis 1.31 → 1.17 K, CRAHs behind both
rows 0.91 → 0.84 K (an end rack's hottest intake 1.79 → 1.49 K optimistic), CRAHs
behind one row 0.37 → 0.43 K, three rows 0.94 → 0.99 K; mean over 30 rooms 0.642 →
0.628 K, per-rack hottest intake unchanged (MAE 1.97 → 1.99 K).  Drawing from the
exhaust side alone, as with a ceiling return, gave 0.620 K but sent the small room's
hottest intakes 3–7 K over the CFD's, so the region is the rack's own side.  Checked
once fixed on a room drawn for it and run once, CRAHs on both long walls behind rows of
seven: MAE 0.80 → 0.75 K, but its end racks stay 1.3–3.0 K too cold (CFD 24.4–26.3 °C,
the twin 22.8–23.3 °C) and their hottest intake up to 1.9 K optimistic, so the corner
air of rows whose units stand behind them is still too cool in the twin.

**Hottest intake at an open end** (:func:`.hottest.row_end_hottest_c`).  The end rack's
hottest intake point is the top of its open edge, where the wrapped exhaust
enters before it has mixed with the aisle air: in the CFD library that cell
is in the edge column at the open end in every open-ended room (in its
upper layers but for the same-direction back row), and sits 0.53–0.67
of the rack's own rise (exhaust − mean inlet) above its mean inlet where the aisle's end
is closed (:func:`.rows.closed_ends`), 0.68–0.85 where it spills its supply (the
ceiling-vent rooms, top layer: the spill covers the lower edge, the wrapped exhaust
enters above it undiluted, and the mean is lower), while
the twin's per-layer mixture cannot show it (it reported 3.9–10.9 K too
low).  The end rack reports the hotter of the peak over its hottest mixture layer
(:mod:`.hottest`), ``mean + φ (T_exhaust − mean)``, ``φ = row_end_hot_share = 0.67``
at a closed end and ``row_end_hot_share_open = 0.85`` at a spilling one (an end rack
with both takes the larger): the top of the CFD's ranges, because this figure decides
the ASHRAE verdict and must not be optimistic; and the hottest layer of the corner air it
entrains (``Devices.edge_air``, each layer's cells averaged), which the top of its open
edge takes before it mixes.  That air
decides with a ceiling return, where it is exhaust from floor to ceiling (the CFD's
hottest end cells sit 0.79 of the rise above the mean there); before this floor a
closed-end φ of 0.75 had to carry that room too and left the room-return halls' ends
1–3 K conservative (docs/physics.md §2.9).  Its inward
neighbour takes ``row_end_neighbour_hot_share = 0.65`` at either kind of end: the upper
quartile of the CFD's spread (0.02–0.9 of its rise with the aisle's balance, median
0.5), since the wrap reaches it across the end rack's face; the median would leave a
fifth of the neighbours more than 1 K optimistic.  It uses the rack's exhaust after any rear door (a
door that holds its water temperature leaves nothing hot to wrap), and is
off where the exhaust is sealed in a hot-aisle containment with end doors.

An in-row cooler standing at a row end does not close it for the rack beside it: its
discharge face is a jet blowing across the aisle (3–4 m/s), not a wall, and the room
air wraps round it into the aisle (CFD library, in-row cooler room: the racks beside
the end coolers are the hottest, 24.4–25.7 °C against 22.5–23.5 °C mid-row, and came
out 2.8–5.0 K too cold while the cooler counted as a closed end; 1.3–3.5 K after).
Running in-row coolers within a row are row members like racks; a stopped one is a
gap (hot-aisle air comes back through it), and the racks on both sides entrain.

Not applied where the aisle end is closed: a rack whose cold aisle lies in a
cold-aisle containment with end doors (containment without end doors does
entrain).  Cells inside any containment volume are not drawn from (another,
sealed air region); an end against a wall or equipment (no free cell round
the corner) does not entrain.  A gap of a rack slot in a row (no blanking) is
an opening too: the racks on both sides of it entrain from it.
(Rows and their aisles: :mod:`.rows`.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .grid import SNAP_TOLERANCE, Geometry, front_vector, snap
from .rows import (end_codes, facing_distance_m, frames, in_boxes, row_boxes, row_ends, row_heads,
                   row_lengths_m, row_links, row_totals, surplus_rises)
from .scene import AirScene

__all__ = ["Ports", "entrainment_ports", "neighbour_weights", "length_weights", "door_edges",
           "MAX_ENTRAINED_SHARE", "NEIGHBOUR_SHARE", "ROW_LENGTH_REF_M", "ROW_LENGTH_EXPONENT",
           "ROW_FLOW_REF_M3S_PER_M", "ROW_FLOW_RANGE_M3S_PER_M"]

#: no rack draws more than this share of its air round the corner (a lone rack has two ends)
MAX_ENTRAINED_SHARE = 0.9
#: the end rack's inward neighbour draws this fraction of the end rack's share from the
#: same corner (module docstring, "The wrap reaches the neighbour")
NEIGHBOUR_SHARE = 0.1

#: rows up to this long (seven 0.6 m racks) entrain the full share; longer rows' ends
#: take ``(ROW_LENGTH_REF_M / L) ** ROW_LENGTH_EXPONENT`` of it (module docstring,
#: "Longer rows entrain less")
ROW_LENGTH_REF_M = 4.2
ROW_LENGTH_EXPONENT = 1.0
#: that length is for rows whose racks draw this much air per metre of row; the length
#: scales with the row's draw per metre, taken within the range the library checks
#: (module docstring, "Longer rows entrain less")
ROW_FLOW_REF_M3S_PER_M = 1.5
ROW_FLOW_RANGE_M3S_PER_M = (1.0, 2.0)

BACK_REACH_M = 0.3         # intake region reaches this far behind the end rack's back


def _region_cells(geom: Geometry, origin, ax_u, ax_v, u0, u1, v0, v1, h, excluded):
    """(owner, cell) of the non-solid cells whose centres lie in the local boxes
    u ∈ [u0, u1] (along ax_u), v ∈ [v0, v1] (along ax_v), z ∈ [0, h] (edges included,
    within ``SNAP_TOLERANCE`` of a cell: a box edge through a row of cell centres takes
    the row on both sides alike, so a mirrored room draws from the mirrored cells)."""
    g = geom.grid
    m = len(origin)
    if m == 0:
        return np.zeros(0, int), np.zeros(0, int)
    # the cells to look at: each box's bounding cell range from its four corners
    cu = np.stack([u0, u1, u0, u1], 1); cv = np.stack([v0, v0, v1, v1], 1)
    cx = origin[:, 0, None] + ax_u[:, 0, None] * cu + ax_v[:, 0, None] * cv
    cy = origin[:, 1, None] + ax_u[:, 1, None] * cu + ax_v[:, 1, None] * cv
    i0 = np.floor(cx.min(1) / g.dx).astype(int)
    j0 = np.floor(cy.min(1) / g.dx).astype(int)
    ni = int((np.ceil(cx.max(1) / g.dx).astype(int) - i0).max())
    nj = int((np.ceil(cy.max(1) / g.dx).astype(int) - j0).max())
    nk = np.clip(snap(h, g.dz), 1, g.nz)
    shape = (m, ni, nj, int(nk.max()))
    ii = np.broadcast_to(i0[:, None, None, None] + np.arange(ni)[None, :, None, None], shape)
    jj = np.broadcast_to(j0[:, None, None, None] + np.arange(nj)[None, None, :, None], shape)
    kk = np.broadcast_to(np.arange(shape[3])[None, None, None, :], shape)
    px, py, pz = (ii + 0.5) * g.dx, (jj + 0.5) * g.dx, (kk + 0.5) * g.dz
    dxo = px - origin[:, 0, None, None, None]; dyo = py - origin[:, 1, None, None, None]
    u = dxo * ax_u[:, 0, None, None, None] + dyo * ax_u[:, 1, None, None, None]
    v = dxo * ax_v[:, 0, None, None, None] + dyo * ax_v[:, 1, None, None, None]
    tol = SNAP_TOLERANCE * g.dx
    ok = ((ii >= 0) & (ii < g.nx) & (jj >= 0) & (jj < g.ny) & (kk < nk[:, None, None, None])
          & (u >= u0[:, None, None, None] - tol) & (u <= u1[:, None, None, None] + tol)
          & (v >= v0[:, None, None, None] - tol) & (v <= v1[:, None, None, None] + tol))
    own = np.broadcast_to(np.arange(m)[:, None, None, None], shape)[ok]
    cells = ((kk[ok] * g.ny + jj[ok]) * g.nx + ii[ok])
    keep = ~geom.solid.ravel()[cells]
    if excluded is not None:
        keep &= ~excluded(px[ok], py[ok], pz[ok])
    pairs = np.unique(own[keep].astype(np.int64) * g.n + cells[keep])
    return pairs // g.n, pairs % g.n


def _even_rows(own: np.ndarray, cell: np.ndarray, n_owners: int, n_cells: int):
    """(which of ``n_owners`` own any cell, one row per such owner weighting its cells
    evenly: each row sums to 1)."""
    ok = np.zeros(n_owners, bool); ok[own] = True
    own = (np.cumsum(ok) - 1)[own]
    m = int(ok.sum())
    wgt = 1.0 / np.bincount(own, minlength=m)[own]
    return ok, sp.csr_matrix((wgt, (own, cell)), shape=(m, n_cells))


@dataclass(frozen=True)
class Ports:
    """Where racks draw air round open row ends: per port the rack, its weight (1 for the
    end rack; for the end rack's inward neighbour ``NEIGHBOUR_SHARE`` times its airflow
    over the end rack's, at most 1: the fraction of ``row_end_entrainment`` it draws
    there), in ``corner`` (n_ports × n_cells, each row summing to 1) the
    round-the-corner cells, whether the end's half aisle is closed
    (:func:`.rows.closed_ends`; the neighbour's port takes its end's) and whether the
    port is an end rack's (not a neighbour's)."""

    rack: np.ndarray
    weight: np.ndarray
    corner: sp.csr_matrix
    closed: np.ndarray
    is_end: np.ndarray

    def __len__(self) -> int:
        return len(self.rack)

    def ends(self) -> "Ports":
        """The end racks' ports alone (without their neighbours')."""
        at = self.is_end
        return Ports(self.rack[at], self.weight[at], self.corner[np.flatnonzero(at)],
                     self.closed[at], at[at])


def entrainment_ports(scene: AirScene, geom: Geometry) -> Ports:
    """Open row ends that entrain: the end racks and their inward neighbours (:class:`Ports`).
    Empty when ``row_end_entrainment`` is 0."""
    g = geom.grid
    r, c = scene.racks, scene.containment
    empty = Ports(np.zeros(0, int), np.zeros(0), sp.csr_matrix((0, g.n)), np.zeros(0, bool),
                  np.zeros(0, bool))
    if scene.settings.row_end_entrainment <= 0 or r.n == 0:
        return empty
    centers, sizes, rots = row_boxes(scene)
    # an in-row cooler at a row end blows across the aisle: its face is a jet, not a
    # wall, and does not shelter the rack beside it from the open end
    ends_all, _, _ = row_ends(centers, sizes, rots)
    keep = ~np.isin(np.arange(len(centers)), ends_all[ends_all >= r.n])
    centers, sizes, rots = centers[keep], sizes[keep], rots[keep]     # racks keep their index
    box, side, aisle = row_ends(centers, sizes, rots, r.n)
    if len(box) == 0:
        return empty
    f, t = frames(r.rotation_deg[box])
    w, d, h = r.size_m[box, 0], r.size_m[box, 1], r.size_m[box, 2]
    half = aisle / 2
    # an aisle closed by a cold-aisle containment with end doors does not entrain
    doors = np.array([k == "cold_aisle" for k in c.kind], bool) & c.end_doors
    if doors.any():
        probe = r.center_xy_m[box] + f * (d / 2 + half / 2)[:, None]
        inside = ~in_boxes(probe[:, 0], probe[:, 1], np.full(len(box), 0.5 * g.dz),
                           c.rect_m[doors], c.height_m[doors])
        box, side, f, t, w, d, h, half = (a[inside] for a in (box, side, f, t, w, d, h, half))
        if len(box) == 0:
            return empty
    excluded = (lambda x, y, z: in_boxes(x, y, z, c.rect_m, c.height_m)) if c.n else None
    # one rack pitch beyond the open side, up to the rack's height
    pitch = np.maximum(w, g.dx)
    if scene.hall.ceiling_return:
        # the exhaust side: beside the rear half and one pitch behind the back corner
        v0, v1 = -d / 2 - pitch, np.zeros(len(box))
    else:
        # round the corner: from just behind the back face to the aisle middle, or to the
        # front face where the aisle's surplus rises as a column at a closed end between
        # facing rows (module docstring, "Where the surplus rises")
        rises = (np.isin(end_codes(box, side), geom.closed_ends) & surplus_rises(scene, box, side, 2 * half)
                 & np.isfinite(facing_distance_m(centers, sizes, rots, box)))
        v0, v1 = -d / 2 - BACK_REACH_M, np.where(rises, d / 2, d / 2 + half)
    own, cell = _region_cells(geom, r.center_xy_m[box], t * side[:, None], f,
                              w / 2, w / 2 + pitch, v0, v1, h, excluded)
    ok, corner = _even_rows(own, cell, len(box), g.n)       # ends with free air there
    box, side = box[ok], side[ok]
    closed = np.isin(end_codes(box, side), geom.closed_ends)
    # the inward neighbour (a rack, not an in-row cooler) draws from the same corner
    minus, plus = row_links(centers, sizes, rots)
    inward = np.where(side > 0, minus[box], plus[box])
    nb = np.flatnonzero((inward >= 0) & (inward < r.n))
    head = row_heads(centers, sizes, rots, minus)
    length = row_lengths_m(centers, sizes, rots, head)
    draw = np.concatenate([r.airflow_m3s, np.zeros(len(centers) - r.n)])  # coolers supply
    flow = row_totals(centers, sizes, rots, draw, head)
    weight = length_weights(length[box], flow[box] / length[box])
    return Ports(np.concatenate([box, inward[nb]]),
                 np.concatenate([weight, weight[nb] * neighbour_weights(r.airflow_m3s, box[nb], inward[nb])]),
                 sp.vstack([corner, corner[nb]]).tocsr(), np.concatenate([closed, closed[nb]]),
                 np.arange(len(box) + len(nb)) < len(box))


def length_weights(row_length_m: np.ndarray, row_m3s_per_m: np.ndarray) -> np.ndarray:
    """The end racks' fractions of ``row_end_entrainment`` by the length ``L`` of their
    rows and the air their racks draw per metre of row, ``q``:
    ``(ROW_LENGTH_REF_M × q / ROW_FLOW_REF_M3S_PER_M / L) ** ROW_LENGTH_EXPONENT``, with
    ``q`` held within ``ROW_FLOW_RANGE_M3S_PER_M``, at most 1 (module docstring, "Longer
    rows entrain less")."""
    ref_m = ROW_LENGTH_REF_M * np.clip(row_m3s_per_m, *ROW_FLOW_RANGE_M3S_PER_M) / ROW_FLOW_REF_M3S_PER_M
    return np.minimum(1.0, (ref_m / np.maximum(row_length_m, SNAP_TOLERANCE)) ** ROW_LENGTH_EXPONENT)


def neighbour_weights(airflow_m3s: np.ndarray, end: np.ndarray, neighbour: np.ndarray) -> np.ndarray:
    """The neighbours' fractions of their end racks' share: ``NEIGHBOUR_SHARE`` times the
    neighbour's airflow over its end rack's, at most 1 (module docstring, "A stronger sink
    reaches further"; every rack moves air, :class:`.scene.Racks`)."""
    return np.minimum(NEIGHBOUR_SHARE * airflow_m3s[neighbour] / airflow_m3s[end], 1.0)


def door_edges(scene: AirScene, geom: Geometry, tile_m3s: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    """The end racks at the doors of a starved roofed cold aisle, and the room air outside
    each one's door (the cells one rack pitch beyond its side, outside the aisle, from its
    front to the aisle middle, up to its height; rows summing to 1).  Starved: the aisle's
    tiles (``tile_m3s``, delivered) and the running in-row coolers that discharge into it
    give less than its racks draw.  The door head's leak runs past the end rack's top
    edge before it mixes (module docstring of :mod:`.hottest`, "Door ends")."""
    g = geom.grid
    r, c, u = scene.racks, scene.containment, scene.cooling
    none = (np.zeros(0, int), sp.csr_matrix((0, g.n)))
    aisles = [a for a in range(c.n) if c.kind[a] == "cold_aisle" and c.roof[a] and c.end_doors[a]
              and c.height_m[a] < scene.hall.height_m]
    if not aisles or r.n == 0:
        return none

    def fronts(center, size, rot):
        return center + front_vector(rot) * (size[:, 1] / 2 + 0.5 * g.dx)[:, None]

    def inside(xy, a):
        return in_boxes(xy[:, 0], xy[:, 1], np.full(len(xy), 0.5 * g.dz), c.rect_m[a:a + 1],
                        c.height_m[a:a + 1])
    coolers = np.flatnonzero(np.array([k == "inrow" for k in u.kind], bool) & u.enabled)
    intake = fronts(r.center_xy_m, r.size_m, r.rotation_deg)
    discharge = fronts(u.center_xy_m[coolers], u.size_m[coolers], u.rotation_deg[coolers])
    box, side, aisle = row_ends(*row_boxes(scene), r.n)
    f, t = frames(r.rotation_deg[box])
    d = r.size_m[box, 1]
    probe = r.center_xy_m[box] + f * (d / 2 + aisle / 4)[:, None]
    at = np.zeros(len(box), bool)
    for a in aisles:
        supply = (tile_m3s[inside(scene.tiles.center_xy_m, a)].sum()
                  + u.airflow_m3s[coolers][inside(discharge, a)].sum())
        if supply < r.airflow_m3s[inside(intake, a)].sum():
            at |= inside(probe, a)
    box, side, f, t, d, aisle = (v[at] for v in (box, side, f, t, d, aisle))
    if len(box) == 0:
        return none
    w, h = r.size_m[box, 0], r.size_m[box, 2]
    own, cell = _region_cells(geom, r.center_xy_m[box], t * side[:, None], f, w / 2,
                              w / 2 + np.maximum(w, g.dx), d / 2, d / 2 + aisle / 2,
                              h, lambda x, y, z: in_boxes(x, y, z, c.rect_m, c.height_m))
    ok, air = _even_rows(own, cell, len(box), g.n)
    return box[ok], air


def exhaust_sealed(scene: AirScene, racks: np.ndarray) -> np.ndarray:
    """Whether each of ``racks`` discharges into a hot-aisle containment with end
    doors (its exhaust cannot wrap round the row end)."""
    c, r = scene.containment, scene.racks
    doors = np.array([k == "hot_aisle" for k in c.kind], bool) & c.end_doors
    if not doors.any() or len(racks) == 0:
        return np.zeros(len(racks), bool)
    f = front_vector(r.rotation_deg[racks])
    # a point just behind the back face, near the floor
    probe = r.center_xy_m[racks] - f * (r.size_m[racks, 1] / 2 + 0.1)[:, None]
    return in_boxes(probe[:, 0], probe[:, 1], np.full(len(racks), 0.1),
                     c.rect_m[doors], c.height_m[doors])
