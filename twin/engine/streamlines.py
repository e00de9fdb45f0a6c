"""Streamlines of the solved air field, for the plan and the 3-D view (Qt-free;
docs/physics.md §24).

The air solve returns flows on the faces of its cells (``AirResult.fluxes``). Lines are
traced in that staggered field: each velocity component is interpolated trilinearly
between the faces that carry it (the MAC-grid interpolation of CFD codes), so a closed
face — a wall, a rack side, the floor, a containment panel — has exactly zero normal
velocity and no line crosses it, and the air converges onto the cells that draw it in.

Seeds are the cells where devices discharge air: perforated tiles, supply grilles, unit
supply faces (in-row coolers, CRAHs without a raised floor) and rack exhausts. They are
read off the solved field itself (cells whose outflow exceeds their inflow), thinned to
an even density on the plan (one plan bin per seed column, the bin size chosen so the
number of lines stays readable) and seeded at two heights of each column (three in small
rooms).

All lines advance together (numpy, one array operation per step for every live line):
midpoint (RK2) steps of a fixed fraction of a cell along the direction of the flow.
A line ends

- in a cell that draws air in (a rack or cooler intake, a unit return, a ceiling or
  return-grille cell): each such cell takes the share of the air passing it that it
  draws in, and the line ends there with that probability — a fixed low-discrepancy
  threshold per line, so the picture is stable from one solve to the next and the share
  of lines ending at each intake follows its flow;
- where the air stalls (speed below ``STILL_FRACTION`` of the field's 95th percentile,
  or the direction reverses at a stagnation point);
- where a step would leave the air — into equipment, through a wall or the ceiling:
  from a cell that draws air in this is its intake or return; from open air a step
  into equipment slides along the face instead (the air's normal speed there is zero)
  and a step through a wall ends the line (only a field with open walls, e.g. a test's
  uniform flow, lets air out);
- after ``max_length_m`` / ``max_steps``: every loop is bounded.

Each point carries the air temperature there (trilinear between cell centres, solid
cells left out) and the travel time from the seed, so the views can colour lines on the
hall's temperature scale and move particles at the air's own speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from twin.engine.layers import USER_RANGE_COLORMAP, temperature_scale
from twin.model.viewstate import colormap_rgba
from twin.physics.air.result import AirResult
from twin.physics.cancel import Cancelled

__all__ = ["Streamlines", "StreamlinePicture", "horizontal_velocity", "device_seeds", "trace",
           "streamlines", "picture", "particle_positions", "END_INTAKE", "END_STILL", "END_SOLID", "END_WALL",
           "END_LENGTH", "END_NAMES"]

#: why a line ended
END_INTAKE, END_STILL, END_SOLID, END_WALL, END_LENGTH = 0, 1, 2, 3, 4
END_NAMES = ("intake", "still", "solid", "wall", "length")

#: default number of seed columns on the plan (two lines each)
MAX_COLUMNS = 320
#: lines per seed column (heights spread over the column of discharge cells); three
#: where the columns fill less than half of ``MAX_COLUMNS`` (small rooms)
LINES_PER_COLUMN = 2
#: step length as a fraction of the smallest cell size
STEP_CELLS = 0.3
#: the air is "still" below this fraction of the field's 95th-percentile speed
STILL_FRACTION = 0.01
#: a cell discharges (seeds) when its net outflow is at least this share of its outflow
SOURCE_SHARE = 0.3
#: net inflows below this share of a cell's through-flow are solver noise (CG tolerance)
NOISE_SHARE = 1e-3
#: a point is kept every this many steps (and the last point of each line)
KEEP_EVERY = 2
#: the plan arrowhead of a line points along its last this many metres (seen from above)
HEAD_BACK_M = 0.6
#: animated particles: one per this much travel time along a line, at most this many
PARTICLE_SPACING_S = 1.5
MAX_PARTICLES_PER_LINE = 12
#: golden-ratio step of the per-line intake thresholds (a low-discrepancy sequence)
_GOLDEN = 0.6180339887498949


@dataclass(frozen=True, eq=False)
class Streamlines:
    """Polylines as flat arrays: line ``i`` is ``points_m[offsets[i]:offsets[i + 1]]``.

    ``temperature_c`` and ``time_s`` (travel time from the seed) are per point; ``end``
    holds one ``END_*`` code per line."""

    points_m: np.ndarray
    temperature_c: np.ndarray
    time_s: np.ndarray
    offsets: np.ndarray
    end: np.ndarray

    @property
    def n_lines(self) -> int:
        return len(self.offsets) - 1

    def segment_index(self) -> np.ndarray:
        """(n_segments, 2) point indices of consecutive points of the same line (the
        ``connect`` array of a line visual)."""
        n = len(self.points_m)
        if n < 2:
            return np.zeros((0, 2), np.int64)
        last = np.zeros(n, bool)
        last[self.offsets[1:] - 1] = True
        first = np.flatnonzero(~last[:-1])
        return np.column_stack([first, first + 1])

    def ends(self) -> np.ndarray:
        """(n_lines, 3) last point of each line."""
        return self.points_m[self.offsets[1:] - 1]

    def starts(self) -> np.ndarray:
        """(n_lines, 3) seed of each line."""
        return self.points_m[self.offsets[:-1]]

    def length_m(self, plan: bool = False) -> np.ndarray:
        """(n_lines,) length of each line (``plan``: of its projection on the floor)."""
        seg = self.segment_index()
        axes = slice(0, 2) if plan else slice(0, 3)
        d = np.linalg.norm(self.points_m[seg[:, 1], axes] - self.points_m[seg[:, 0], axes], axis=1)
        line = np.searchsorted(self.offsets, seg[:, 0], side="right") - 1
        return np.bincount(line, d, minlength=self.n_lines)


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


def _face_velocities(air: AirResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Velocities on the faces (m/s): x (nz, ny, nx+1), y (nz, ny+1, nx), z (nz+1, ny, nx)."""
    g, f = air.grid, air.fluxes
    return f.x / (g.dx * g.dz), f.y / (g.dx * g.dz), f.z / (g.dx * g.dx)


def _cell_balance(air: AirResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell (nz, ny, nx): inflow, outflow (m³/s through its faces) and the net
    outflow (positive where a device discharges, negative where one draws air in)."""
    f = air.fluxes
    lo_x, hi_x = f.x[:, :, :-1], f.x[:, :, 1:]
    lo_y, hi_y = f.y[:, :-1, :], f.y[:, 1:, :]
    lo_z, hi_z = f.z[:-1], f.z[1:]
    inflow = (np.maximum(lo_x, 0) + np.maximum(-hi_x, 0) + np.maximum(lo_y, 0)
              + np.maximum(-hi_y, 0) + np.maximum(lo_z, 0) + np.maximum(-hi_z, 0))
    outflow = (np.maximum(-lo_x, 0) + np.maximum(hi_x, 0) + np.maximum(-lo_y, 0)
               + np.maximum(hi_y, 0) + np.maximum(-lo_z, 0) + np.maximum(hi_z, 0))
    return inflow, outflow, outflow - inflow


def _intake_share(air: AirResult) -> np.ndarray:
    """Per cell (flat): the share of the air entering it that a device draws in there."""
    inflow, _out, net = _cell_balance(air)
    drawn = np.where(-net > NOISE_SHARE * inflow, -net, 0.0)
    return np.clip(drawn / np.maximum(inflow, 1e-30), 0.0, 1.0).ravel()


def device_seeds(air: AirResult, max_columns: int = MAX_COLUMNS,
                 per_column: int | None = None) -> np.ndarray:
    """(n, 3) seed points (m): centres of the cells where devices discharge air, thinned
    to at most ``max_columns`` plan bins of equal size and ``per_column`` heights each
    (default ``LINES_PER_COLUMN``, one more in small rooms)."""
    g = air.grid
    _in, outflow, net = _cell_balance(air)
    k, j, i = np.nonzero((net > SOURCE_SHARE * outflow) & (net > 0))
    if not len(k):
        return np.zeros((0, 3))
    x, y = (i + 0.5) * g.dx, (j + 0.5) * g.dx
    spacing = g.dx
    for _ in range(12):       # grow the bins until the columns fit (bounded)
        bx, by = np.floor(x / spacing).astype(np.int64), np.floor(y / spacing).astype(np.int64)
        key = by * (int(g.nx * g.dx / spacing) + 2) + bx
        n_bins = len(np.unique(key))
        if n_bins <= max_columns:
            break
        spacing *= max(1.05, float(np.sqrt(n_bins / max_columns)))
    if per_column is None:
        per_column = LINES_PER_COLUMN + (n_bins <= max_columns // 2)
    order = np.lexsort((k, key))
    key_s = key[order]
    start = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]])
    count = np.diff(np.r_[start, len(key_s)])
    q = (np.arange(per_column) + 1.0) / (per_column + 1.0)
    pick = np.unique((start[:, None] + np.floor(q[None, :] * count[:, None]).astype(np.int64))
                     .ravel())
    sel = order[pick]
    return np.column_stack([x[sel], y[sel], (k[sel] + 0.5) * g.dz])


class _Field:
    """Trilinear sampling of the staggered velocity and the cell-centred temperature."""

    def __init__(self, air: AirResult):
        g = self.grid = air.grid
        self.u, self.v, self.w = (a.ravel() for a in _face_velocities(air))
        self.temp = air.temperature_c.ravel()
        self.solid = np.isnan(self.temp)
        self.t_known = np.where(self.solid, 0.0, self.temp)
        nx, ny, nz = g.nx, g.ny, g.nz
        # (shape (nz, ny, nx) of the array, offset of its first node in cells per axis)
        self.u_shape, self.v_shape, self.w_shape = (nz, ny, nx + 1), (nz, ny + 1, nx), (nz + 1, ny, nx)
        self.c_shape = (nz, ny, nx)

    def _weights(self, p: np.ndarray, shape, offset):
        """Flat indices (8, n) and weights (8, n) of the nodes round points ``p`` (n, 3)
        on an array of ``shape`` whose node (0, 0, 0) sits at ``offset`` cells."""
        g = self.grid
        f = [p[:, 0] / g.dx - offset[0], p[:, 1] / g.dx - offset[1], p[:, 2] / g.dz - offset[2]]
        nzz, nyy, nxx = shape
        lo, t = [], []
        for a, n in zip(f, (nxx, nyy, nzz)):
            a = np.clip(a, 0.0, n - 1.0)
            i0 = np.minimum(a.astype(np.int64), max(n - 2, 0))
            lo.append(i0)
            t.append(a - i0 if n > 1 else np.zeros_like(a))
        i0, j0, k0 = lo
        tx, ty, tz = t
        sx, sy = 1 if nxx > 1 else 0, nxx if nyy > 1 else 0
        sz = nxx * nyy if nzz > 1 else 0
        base = (k0 * nyy + j0) * nxx + i0
        idx = np.empty((8, len(p)), np.int64)
        wts = np.empty((8, len(p)))
        n = 0
        for dz, wz in ((0, 1 - tz), (sz, tz)):
            for dy, wy in ((0, 1 - ty), (sy, ty)):
                for dx, wx in ((0, 1 - tx), (sx, tx)):
                    idx[n] = base + dz + dy + dx
                    wts[n] = wz * wy * wx
                    n += 1
        return idx, wts

    def velocity(self, p: np.ndarray) -> np.ndarray:
        """(n, 3) velocity (m/s) at points ``p`` (n, 3)."""
        out = np.empty_like(p)
        for c, (arr, shape, off) in enumerate(((self.u, self.u_shape, (0.0, 0.5, 0.5)),
                                               (self.v, self.v_shape, (0.5, 0.0, 0.5)),
                                               (self.w, self.w_shape, (0.5, 0.5, 0.0)))):
            idx, wts = self._weights(p, shape, off)
            out[:, c] = (arr[idx] * wts).sum(axis=0)
        return out

    def temperature(self, p: np.ndarray) -> np.ndarray:
        """(n,) air temperature (°C) at ``p``: trilinear over the air cells round it."""
        idx, wts = self._weights(p, self.c_shape, (0.5, 0.5, 0.5))
        wts = np.where(self.solid[idx], 0.0, wts)
        total = wts.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (self.t_known[idx] * wts).sum(axis=0) / total, np.nan)

    def cell(self, p: np.ndarray) -> np.ndarray:
        g = self.grid
        return g.cell_of(p[:, 0], p[:, 1], p[:, 2])

    def ijk(self, p: np.ndarray) -> np.ndarray:
        """(n, 3) integer cell coordinates (i, j, k) of points ``p``."""
        g = self.grid
        return np.floor(p / np.array([g.dx, g.dx, g.dz])).astype(np.int64)


def trace(air: AirResult, seeds_m: np.ndarray, step_cells: float = STEP_CELLS,
          max_length_m: float | None = None, max_steps: int | None = None,
          cancel: Callable[[], bool] | None = None) -> Streamlines:
    """Trace a streamline forward from every seed (n, 3) through the solved air field.

    ``max_length_m`` defaults to 1.5 times the hall's width + length + height and
    ``max_steps`` to what that length needs; ``cancel()`` true raises ``Cancelled``."""
    g = air.grid
    fld = _Field(air)
    seeds = np.asarray(seeds_m, float).reshape(-1, 3)
    n = len(seeds)
    size = np.array([g.nx * g.dx, g.ny * g.dx, g.nz * g.dz])
    h = step_cells * min(g.dx, g.dz)
    if max_length_m is None:
        max_length_m = 1.5 * float(size[0] + size[1] + size[2])
    if max_steps is None:
        max_steps = int(np.ceil(max_length_m / h)) + 1
    speed_all = np.sqrt((air.velocity_m_s() ** 2).sum(axis=0))
    moving = speed_all[np.isfinite(speed_all) & (speed_all > 0)]
    v_still = STILL_FRACTION * (float(np.percentile(moving, 95)) if len(moving) else 1.0)
    share = _intake_share(air)

    eps = 1e-6
    p = np.clip(seeds, eps, size - eps)
    line = np.arange(n)
    threshold = ((np.arange(n) + 0.5) * _GOLDEN) % 1.0    # the air a line stands for
    survive = np.ones(n)
    last_cell = fld.cell(p)
    time_s = np.zeros(n)
    length = np.zeros(n)
    prev_dir = np.zeros((n, 3))
    end = np.full(n, END_LENGTH, np.int8)
    # recorded points: (line, step, x, y, z, time); the seed first
    rec_line, rec_step, rec_p, rec_t = [line.copy()], [np.zeros(n, np.int64)], [p.copy()], [time_s.copy()]
    v0 = fld.velocity(p)
    s0 = np.linalg.norm(v0, axis=1)
    alive = s0 >= v_still
    end[~alive] = END_STILL
    alive &= ~fld.solid[last_cell]
    line, p, v, s = line[alive], p[alive], v0[alive], s0[alive]
    for step in range(1, max_steps + 1):
        if not len(line):
            break
        if cancel is not None and cancel():
            raise Cancelled()
        d1 = v / s[:, None]
        mid = np.clip(p + 0.5 * h * d1, eps, size - eps)
        vm = fld.velocity(mid)
        sm = np.linalg.norm(vm, axis=1)
        ok = sm >= v_still
        d2 = vm / np.where(ok, sm, 1.0)[:, None]
        raw = p + h * d2
        new = np.clip(raw, eps, size - eps)
        out = np.any(raw != new, axis=1)
        cell = fld.cell(new)
        # a step that would cut into equipment from open air slides along the face
        # instead (the air's normal speed there is zero; a fixed-length step is not)
        blocked = np.flatnonzero(fld.solid[cell] & (share[last_cell[line]] == 0))
        if len(blocked):
            crossed = fld.ijk(new[blocked]) != fld.ijk(p[blocked])
            new[blocked] = np.where(crossed, p[blocked], new[blocked])
            cell[blocked] = fld.cell(new[blocked])
        step_m = np.linalg.norm(new - p, axis=1)
        dt = step_m / np.where(ok, sm, 1.0)
        hit_solid = fld.solid[cell]
        vn = fld.velocity(new)
        sn = np.linalg.norm(vn, axis=1)
        reversed_ = (prev_dir[line] * d2).sum(axis=1) < -0.5
        still = ~ok | (sn < v_still) | reversed_ | (step_m < 0.05 * h)
        entered = cell != last_cell[line]
        survive[line] = np.where(entered & ~hit_solid, survive[line] * (1.0 - share[cell]),
                                 survive[line])
        # a step into equipment or through the ceiling from a cell that draws air in
        # ends there too: the step is a fixed length, the air's approach to the intake
        # face (or the return's ceiling) is not
        drawn = ((survive[line] < threshold[line])
                 | ((hit_solid | out) & (share[last_cell[line]] > 0)))
        moved = ~hit_solid & ok
        time_s[line] = np.where(moved, time_s[line] + dt, time_s[line])
        length[line] = np.where(moved, length[line] + step_m, length[line])
        too_long = length[line] >= max_length_m
        stop = hit_solid | still | drawn | out | too_long
        keep_point = moved & ((step % KEEP_EVERY == 0) | stop)
        if keep_point.any():
            rec_line.append(line[keep_point]); rec_step.append(np.full(int(keep_point.sum()), step))
            rec_p.append(new[keep_point]); rec_t.append(time_s[line[keep_point]])
        code = np.select([drawn, hit_solid, out, still],
                         [END_INTAKE, END_SOLID, END_WALL, END_STILL], END_LENGTH)
        end[line[stop]] = code[stop]
        last_cell[line] = cell
        prev_dir[line] = d2
        go = ~stop
        line, p, v, s = line[go], new[go], vn[go], sn[go]
    ln = np.concatenate(rec_line)
    order = np.lexsort((np.concatenate(rec_step), ln))
    pts = np.concatenate(rec_p)[order]
    counts = np.bincount(ln, minlength=n)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    return Streamlines(pts, fld.temperature(pts), np.concatenate(rec_t)[order], offsets, end)


def streamlines(air: AirResult, max_columns: int = MAX_COLUMNS,
                cancel: Callable[[], bool] | None = None) -> Streamlines:
    """Lines from the device discharges of ``air`` (``device_seeds``), traced forward."""
    return trace(air, device_seeds(air, max_columns), cancel=cancel)


@dataclass(frozen=True, eq=False)
class StreamlinePicture:
    """What the views draw: the lines, RGBA (0..1) per point on the temperature scale, and
    the plan arrowheads (tip, unit direction, colour and the plan length of the line, for
    each line that moves in plan)."""

    lines: Streamlines
    rgba: np.ndarray
    head_xy_m: np.ndarray
    head_dir: np.ndarray
    head_rgba: np.ndarray
    head_span_m: np.ndarray
    elapsed_s: float


def temperature_colours(temperature_c: np.ndarray, ashrae_class: str = "A1",
                        temperature_range: tuple[float, float] | None = None) -> np.ndarray:
    """(n, 4) RGBA 0..1 on the scale the heatmaps use: the hall's ASHRAE-class scale, or
    the user's locked range (``HeatmapChoice.temperature_range``)."""
    if temperature_range is not None:
        return colormap_rgba(temperature_c, *temperature_range, USER_RANGE_COLORMAP)
    lo, hi, cmap = temperature_scale(ashrae_class)
    return colormap_rgba(temperature_c, lo, hi, cmap)


def plan_heads(lines: Streamlines, back_m: float = HEAD_BACK_M) -> tuple[np.ndarray, np.ndarray]:
    """Line indices and unit plan directions (k, 2) of arrowheads at the line ends: the
    direction from the point ``back_m`` (plan distance) before the end to the end; lines
    that end moving vertically (less than a tenth of ``back_m`` in plan) get none."""
    if lines.n_lines == 0:
        return np.zeros(0, np.int64), np.zeros((0, 2))
    xy = lines.points_m[:, :2]
    last = lines.offsets[1:] - 1
    first = lines.offsets[:-1]
    tip = xy[last]
    # points of each line, walking back from its end: the first one back_m away in plan
    line_of = np.repeat(np.arange(lines.n_lines), np.diff(lines.offsets))
    far = np.linalg.norm(xy - tip[line_of], axis=1) >= back_m
    idx = np.arange(len(xy))
    cand = np.where(far, idx, -1)
    back = np.maximum.reduceat(cand, first) if len(first) else np.zeros(0, np.int64)
    back = np.where(back >= first, back, first)
    d = tip - xy[back]
    n = np.linalg.norm(d, axis=1)
    ok = n >= 0.1 * back_m
    return np.flatnonzero(ok), d[ok] / n[ok, None]


def picture(air: AirResult, ashrae_class: str = "A1",
            temperature_range: tuple[float, float] | None = None,
            max_columns: int = MAX_COLUMNS,
            cancel: Callable[[], bool] | None = None) -> StreamlinePicture:
    """Streamlines of ``air`` coloured by temperature, with their plan arrowheads."""
    t0 = time.perf_counter()
    lines = streamlines(air, max_columns, cancel)
    rgba = temperature_colours(lines.temperature_c, ashrae_class, temperature_range)
    heads, direction = plan_heads(lines)
    last = lines.offsets[1:] - 1
    return StreamlinePicture(lines, rgba, lines.points_m[last[heads], :2], direction,
                             rgba[last[heads]], lines.length_m(plan=True)[heads],
                             time.perf_counter() - t0)


def particle_positions(lines: Streamlines, t_s: float, spacing_s: float = PARTICLE_SPACING_S
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 3) and line indices (n,) of particles riding the lines at the air's own
    speed at time ``t_s``: one per ``spacing_s`` of a line's travel time (so they bunch
    where the air is slow), each line's set shifted by its own phase, starting over at
    the seed when they reach the end."""
    ends = lines.offsets[1:] - 1
    travel = lines.time_s[ends]
    moving = np.flatnonzero(travel > 0)
    if not len(moving):
        return np.zeros((0, 3)), np.zeros(0, np.int64)
    count = np.clip(np.floor(travel[moving] / spacing_s), 1, MAX_PARTICLES_PER_LINE).astype(np.int64)
    line = np.repeat(moving, count)
    k = np.arange(len(line)) - np.repeat(np.cumsum(count) - count, count)
    period = travel[line]
    phase = ((line + 0.5) * _GOLDEN) % 1.0
    tau = np.mod(t_s + (k / np.repeat(count, count) + phase) * period, period)
    # every line's times laid end to end, one second apart: a single sorted array
    base = np.r_[0.0, np.cumsum(travel + 1.0)[:-1]]
    line_of_point = np.repeat(np.arange(lines.n_lines), np.diff(lines.offsets))
    cum = lines.time_s + base[line_of_point]
    q = base[line] + tau
    j = np.clip(np.searchsorted(cum, q, side="right") - 1, lines.offsets[line], ends[line] - 1)
    span = cum[j + 1] - cum[j]
    frac = np.clip((q - cum[j]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    pts = lines.points_m
    return pts[j] + frac[:, None] * (pts[j + 1] - pts[j]), line
