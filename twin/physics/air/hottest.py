"""Hottest intake point of a rack (``AirResult.rack_inlet_max_c``): the figure the ASHRAE
check and the over-temperature alerts read.

The twin knows a rack's intake as the temperatures of the air cells in front of its
face (0.3 m wide, about 0.45 m high in a room).  The hottest *point* of a face is
smaller than a cell: the top edge, where air that comes over the row enters before it
mixes down the face, or the open side at a row end, where the exhaust wraps round.  A
cell averages that edge with the air beside and below it, so its excess over the rack's
mean understates the point's.

**Peak factor** (:func:`intake_peak_c`).  The hottest point lies
``inlet_peak_factor`` (κ = 1.4) times as far above the mean as the hottest intake cell
(for a rack that entrains round a row end, the hottest layer of its mixture, because its
round-the-corner cells are not on its face): ``T_max = T_mean + κ (T_cell − T_mean)``.
It changes nothing where the face is uniform and scales with the face's own gradient.
Evidence (CFD library, ``tests/bench/cfd``, 0.15 × 0.15 × 0.2 m cells against the
twin's 0.3 × 0.3 × 0.43 m): where a mid-row rack's hottest twin cell is more than 1 K
above its mean, the CFD's hottest intake cell is 0.9–3.1 times as far above the CFD's
mean (median 1.9; 0.9–1.3 where the twin's excess is 4–8 K).  κ = 1.4 was chosen with
the neighbour's share (:func:`.devices.build_devices`) on the library's 161 racks, the
end racks' rule held: hottest-intake MAE 2.41 → 1.99 K, racks more than 1 K optimistic
29 → 20, more than 3 K conservative 50 → 40 (docs/physics.md §2.13).
It is calibrated at the room grid (0.3 m); on the 0.6 m hall grid it under-corrects.

**Bound** (:func:`neighbour_max_c`).  The hot edge the factor stands for is air from a
hotter neighbour (over the row top, round the row end), so the peak stops at the
hottest air cell next to any of the rack's intake cells through an open or leaking
face, and never falls below the hottest intake cell itself.  Without it the peak passed
every temperature in the hall where a face's top layer was nearly pure hot air (a
starved roofed cold aisle before its leak was mixed down the column: the CFD library's
uneven contained aisle's hottest intake 4.4 K above the CFD's, 2.6 K with the bound);
it makes no rack optimistic (docs/physics.md §2.13).

**Row ends** (:func:`row_end_hottest_c`).  A rack that entrains round an open row end
takes the hottest of that peak, ``T_mean + φ (T_exhaust − T_mean)`` (the wrapped
exhaust at its open edge; φ per end from :func:`.devices.build_devices`) and, at an end
rack's open edge, the hottest layer of the air round the corner that it entrains there
(each layer's cells averaged): the edge takes that air before it mixes with the aisle's,
so its hottest point is not cooler than it (:mod:`.entrainment`, "Hottest intake at an
open end").

**Top edge** (:func:`over_top_c`).  The air over a rack's top enters the top edge of its
face before it mixes down, and a cell 0.43 m high in front of the top of the face can be
cool where the layer above it is warm: the supply column of a tile-fed aisle stops below
the top of the faces in the CFD library's long rows, its wide aisle and its ceiling-vent
rooms (18 °C to 1.1–1.3 m, 21–29 °C above), while the twin's aisle, with no jet
momentum, is at supply up to its top intake layer and warm only above it.  The peak
factor scales the top cell's small excess and left those racks 3–5 K optimistic, with
the warm air one layer up.  So no rack's hottest intake is below its mean plus
``top_edge_share`` (ψ = 0.75) of the excess over it of the air over its top: the cells
just above its top intake cells, through faces open to at least half (a containment
roof, which leaks a few per cent, shuts it off), weighted as the rack draws the cells
below them.  Evidence (CFD library, first 24 rooms: the 121 racks that draw nothing
round a row end): where that air is more than 1 K above the twin's mean (58 racks in 14
rooms), the CFD's hottest intake cell lies 0.34–0.95 of the excess above the twin's mean
(10th–90th percentile; median 0.70, upper quartile 0.85); 0.75, between the two, because
the figure decides the ASHRAE verdict: over those rooms' 277 racks the hottest-intake
MAE goes 2.06 → 1.84 K, racks more than 1 K optimistic 45 → 17, more than 3 K
conservative 60 → 61 (docs/physics.md §2.13).  Where the air over the top is warm and
the CFD's top is not (the balanced open aisle, the liquid-cooled row: 1.5 K over the
mean, the CFD at supply) it costs about 1 K of conservatism.

**Door ends.**  At the end doors of a starved roofed cold aisle the leaked room air
enters at the door head and runs along under the roof (the grid seals the doors and
leaks it through the roof, mid-row: :func:`.grid.door_weights`), passing the top of
the door-end racks' door-side edge before it mixes.  Their hottest intake is at least
their mean plus ``door_hot_share`` (0.75) of the excess over it of the hottest layer of
the room air outside the door (:func:`.entrainment.door_edges`): the CFD library's
three starved contained aisles put those racks' hottest cells 0.48–0.75 of that excess
above their means, and the top of the range is taken because the figure decides the
ASHRAE verdict (docs/physics.md §2.5).
"""

from __future__ import annotations

import numpy as np

__all__ = ["intake_peak_c", "row_end_hottest_c", "rack_hottest_c", "neighbour_max_c", "over_top_c",
           "OPEN_OVER_TOP"]

#: a face passes the air over a rack's top to its top edge when at least this fraction of
#: it is open (containment panels leak a few per cent; module docstring, "Top edge")
OPEN_OVER_TOP = 0.5


def intake_peak_c(hottest_c: np.ndarray, mean_c: np.ndarray, peak_factor: float) -> np.ndarray:
    """The face's hottest point from its hottest cell (or layer) and its mean inlet."""
    return mean_c + peak_factor * (hottest_c - mean_c)


def row_end_hottest_c(peak_c: np.ndarray, mean_c: np.ndarray, exhaust_c: np.ndarray,
                      hot_share: np.ndarray) -> np.ndarray:
    """Hottest intake of racks that entrain round an open row end: the peak of their
    mixture, or their mean plus the share ``hot_share`` of their own rise (exhaust −
    mean: the wrapped exhaust at the open edge), whichever is hotter."""
    return np.maximum(peak_c, mean_c + hot_share * np.maximum(exhaust_c - mean_c, 0.0))


def rack_hottest_c(cell_max_c: np.ndarray, layer_max_c: np.ndarray, mean_c: np.ndarray,
                   exhaust_c: np.ndarray, hot_share: np.ndarray, entrained: np.ndarray,
                   peak_factor: float, bound_c: np.ndarray | None = None,
                   edge_c: np.ndarray | None = None) -> np.ndarray:
    """``rack_inlet_max_c`` of every rack: the peak over the hottest intake cell, or for
    the racks that ``entrained`` (bool) round a row end the row-end rule over the peak of
    their hottest layer; the peak stops at ``bound_c`` (:func:`neighbour_max_c`) but not
    below that cell or layer.  ``edge_c`` (−inf where none) is what a rack's edges take
    from the air beside them (an end rack's open or door-side edge, any rack's top edge:
    :func:`over_top_c`); no rack reports less."""
    hottest = np.where(entrained, layer_max_c, cell_max_c)
    peak = intake_peak_c(hottest, mean_c, peak_factor)
    if bound_c is not None:
        peak = np.maximum(np.minimum(peak, bound_c), hottest)
    out = np.where(entrained, row_end_hottest_c(peak, mean_c, exhaust_c, hot_share), peak)
    return out if edge_c is None else np.maximum(out, edge_c)


def neighbour_max_c(field_c: np.ndarray, open_x: np.ndarray, open_y: np.ndarray,
                    open_z: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """The hottest of each flat cell in ``cells`` and its air neighbours through open or
    leaking faces (``field_c`` (nz, ny, nx), NaN in solid cells): the hottest air that
    can feed a sub-cell hot edge of it."""
    nz, ny, nx = field_c.shape
    k, j, i = np.unravel_index(cells, field_c.shape)
    out = field_c[k, j, i].copy()
    for arr, axis, n in ((open_x, 2, nx), (open_y, 1, ny), (open_z, 0, nz)):
        idx = [k, j, i]
        for step, face in ((-1, idx[axis]), (1, idx[axis] + 1)):
            fidx = list(idx); fidx[axis] = face
            # past the grid's edge the index stays on the cell itself, which adds nothing
            nidx = list(idx); nidx[axis] = np.clip(idx[axis] + step, 0, n - 1)
            val = field_c[tuple(nidx)]
            out = np.where((arr[tuple(fidx)] > 0) & np.isfinite(val), np.fmax(out, val), out)
    return out


def over_top_c(rows: np.ndarray, cells: np.ndarray, weights: np.ndarray, n_racks: int,
               t_cells: np.ndarray, open_z: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """The air over each rack's top (module docstring, "Top edge"): the mean, weighted as
    the rack draws the cells below them, of the cells just above the rack's top intake
    layer (``rows``, ``cells``, ``weights``: the racks' intake weights, rack index, flat
    cell and weight) through horizontal faces open to at least ``OPEN_OVER_TOP``
    (``open_z`` (nz + 1, ny, nx)); −inf for a rack with none (its top layer the grid's
    top, or under a roof)."""
    nz, ny, nx = shape
    nxy = nx * ny
    layer = cells // nxy
    top = np.full(n_racks, -1)
    np.maximum.at(top, rows, layer)
    at = (layer == top[rows]) & (layer + 1 < nz)
    rows, cells, weights = rows[at], cells[at], weights[at]
    # the face between a top cell and the cell above it is face layer + 1 of open_z
    ok = open_z.reshape(-1)[cells + nxy] >= OPEN_OVER_TOP
    rows, cells, weights = rows[ok], cells[ok], weights[ok]
    num = np.zeros(n_racks); den = np.zeros(n_racks)
    np.add.at(num, rows, weights * t_cells[cells + nxy])
    np.add.at(den, rows, weights)
    return np.divide(num, den, out=np.full(n_racks, -np.inf), where=den > 0)
