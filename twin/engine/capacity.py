"""Headroom (docs/physics.md §18): where the next rack fits, how much it could draw there,
and which capacity is stranded.

For a rack model and every free floor position (a tile-pitch grid position where its
footprint lies in the hall and overlaps nothing), the largest IT load ``P`` a new rack
there could draw before a limit binds — closed-form monotone bounds from the solved
floor, no solve per position:

- **power**: it joins the feeds of the nearest rack that has feeds; every component on
  those paths must carry it: ``P ≤ 2 min(rating − load)`` over both paths in normal
  operation for a dual-fed rack (half on each side; the whole of it single-fed), and
  ``P ≤ min(rating − worst 2N failover load)`` (all of it on one side);
- **liquid** (a model with a liquid share ``f``): the CDU of the nearest rack on a CDU,
  ``f P ≤ capacity − load`` (no CDU: nothing);
- **air**: the room units' spare capacity, ``(1 − f) P ≤ Σ (capacity − load)``, and the
  air where it would stand: none where the air at mid rack height already passes the
  ASHRAE recommended maximum (its own recirculation is not modelled);
- **floor** (with ratings): none where its weight would put a bay over the rating or its
  casters over the point rating.

Stranded capacity, per resource: installed, used, the IT a new rack population of the
model could add on that resource alone, and what of it cannot be used because another
resource runs out first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from twin.engine import inputs, raster
from twin.engine.floorload import FEET_PER_RACK, G_MS2
from twin.engine.simulate import TwinResult
from twin.model import Layout
from twin.physics.metrics import ASHRAE_RECOMMENDED_C

#: Binding limits, in the order of the ``binding`` codes.
LIMITS = ("power", "liquid", "air", "inlet", "floor")


@dataclass(frozen=True)
class CapacityMap:
    """Per free position: the largest IT load and the limit that binds (``binding`` index
    into LIMITS); positions on the tile-pitch grid (centres ``x_m``, ``y_m``)."""

    model: str
    x_m: np.ndarray
    y_m: np.ndarray
    capacity_kw: np.ndarray           # (ny, nx), NaN where the rack does not fit
    binding: np.ndarray               # (ny, nx) int, −1 where it does not fit
    nameplate_kw: float
    stranded: list[dict[str, Any]]

    @property
    def free_positions(self) -> int:
        return int(np.isfinite(self.capacity_kw).sum())

    def best(self, n: int = 10) -> list[tuple[float, float, float, str]]:
        """The ``n`` positions with the most headroom: (x, y, kW, binding limit)."""
        cap = np.where(np.isfinite(self.capacity_kw), self.capacity_kw, -np.inf).ravel()
        order = np.argsort(-cap, kind="stable")[:n]
        out = []
        for k in order:
            if not np.isfinite(cap[k]):
                break
            j, i = divmod(int(k), len(self.x_m))
            out.append((float(self.x_m[i]), float(self.y_m[j]), float(cap[k]),
                        LIMITS[int(self.binding.ravel()[k])]))
        return out

    def to_json(self) -> dict[str, Any]:
        fin = np.isfinite(self.capacity_kw)
        counts = {name: int(((self.binding == k) & fin).sum()) for k, name in enumerate(LIMITS)}
        return {"model": self.model, "nameplate_kw": self.nameplate_kw,
                "free_positions": self.free_positions,
                "positions_at_nameplate": int((self.capacity_kw[fin] >= self.nameplate_kw).sum()),
                "max_kw": round(float(self.capacity_kw[fin].max()), 3) if fin.any() else None,
                "binding_counts": counts,
                "best": [{"x_m": x, "y_m": y, "capacity_kw": round(kw, 3), "binding": b}
                         for x, y, kw, b in self.best()],
                "stranded": self.stranded}


def _free(layout: Layout, w: float, d: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tile-pitch centres and whether a w x d footprint there is in the hall and free."""
    h = layout.hall
    pitch = h.tile_pitch_m
    xs = np.arange(pitch / 2, h.width_m, pitch)
    ys = np.arange(pitch / 2, h.length_m, pitch)
    ny, nx = raster.raster_shape(layout)
    occ = np.zeros((ny, nx))
    boxes = [layout.rack_bounds_m()]
    for coll in ("cooling_units", "cdus", "tanks"):
        items = [it for it in layout.items[coll].values()
                 if not getattr(it, "rack", "") and getattr(it, "location", "hall") == "hall"
                 and it.model in layout.catalogue]
        if items:
            boxes.append(np.array(list(layout.item_bounds_m(coll, items).values())))
    for b in np.concatenate(boxes) if boxes else []:
        rows, cols = raster.cells(b, ny, nx)
        occ[rows, cols] = 1.0
    sat = np.zeros((ny + 1, nx + 1))
    sat[1:, 1:] = occ.cumsum(0).cumsum(1)
    X, Y = np.meshgrid(xs, ys)
    x0, x1, y0, y1 = X - w / 2, X + w / 2, Y - d / 2, Y + d / 2
    inside = (x0 >= -1e-9) & (y0 >= -1e-9) & (x1 <= h.width_m + 1e-9) & (y1 <= h.length_m + 1e-9)
    r = raster.RASTER_M
    i0 = np.clip(np.floor(x0 / r + 1e-6).astype(int), 0, nx)
    i1 = np.clip(np.ceil(x1 / r - 1e-6).astype(int), 0, nx)
    j0 = np.clip(np.floor(y0 / r + 1e-6).astype(int), 0, ny)
    j1 = np.clip(np.ceil(y1 / r - 1e-6).astype(int), 0, ny)
    used = sat[j1, i1] - sat[j0, i1] - sat[j1, i0] + sat[j0, i0]
    return xs, ys, inside & (used < 0.5)


def _power_spare(layout: Layout, res: TwinResult) -> tuple[dict[str, float], dict[str, float]]:
    """Per component: spare in normal operation and in the worst 2N failover (kW)."""
    p, f = res.power, res.failover
    normal = {cid: float(p.rating_kw[i] - p.load_kw[i]) for i, cid in enumerate(res.power_ids)}
    fail = {cid: float(p.rating_kw[i] * (1.0 - f.worst_load_fraction[i]))
            for i, cid in enumerate(res.power_ids)}
    return normal, fail


def _path(layout: Layout, leaf: str) -> list[str]:
    out, seen = [], set()
    while leaf and leaf in layout.power and leaf not in seen:
        seen.add(leaf)
        out.append(leaf)
        leaf = layout.power[leaf].upstream
    return out


def capacity_map(layout: Layout, res: TwinResult, model: str | None = None) -> CapacityMap:
    """The headroom of ``model`` (default: the floor's most common rack model with GPUs,
    else its most common) at every free position (module docstring)."""
    cat = layout.catalogue
    r = layout.racks
    if model is None:
        models = r["model"].tolist()
        gpu = [m for m in models if m in cat and cat[m].get("gpus") > 0]
        pool = gpu or models or [e.key for e in cat.of_kind("rack")][:1]
        model = max(set(pool), key=pool.count)
    if model not in cat or cat[model].kind != "rack":
        raise KeyError(f"{model!r} is not a rack model of the catalogue")
    e = cat[model]
    w, d = e.footprint_m[0], e.footprint_m[1]
    frac = float(e.get("liquid_fraction"))
    xs, ys, free = _free(layout, w, d)
    shape = free.shape
    X, Y = np.meshgrid(xs, ys)
    pts = np.column_stack([X.ravel(), Y.ravel()])
    limits = np.full((len(LIMITS), pts.shape[0]), np.inf)

    # power: the feeds of the nearest rack that has feeds
    normal, fail = _power_spare(layout, res)
    fed = [k for k in range(len(r)) if r["feed_a"][k] or r["feed_b"][k]]
    if fed:
        tree = cKDTree(np.column_stack([r["x_m"][fed], r["y_m"][fed]]))
        _d, near = tree.query(pts)
        per_rack = {}
        for k in set(int(n) for n in near):
            i = fed[k]
            paths = [_path(layout, str(r[side][i])) for side in ("feed_a", "feed_b")]
            paths = [p for p in paths if p]
            lim = np.inf
            if paths:
                share = 0.5 if len(paths) == 2 else 1.0
                lim = min(min(normal.get(c, 0.0) for c in p) for p in paths) / share
                if len(paths) == 2:
                    lim = min(lim, min(fail.get(c, 0.0) for p in paths for c in p))
            per_rack[k] = max(lim, 0.0)
        limits[0] = np.array([per_rack[int(n)] for n in near])
    else:
        limits[0] = 0.0 if layout.power else np.inf
    # liquid: the CDU of the nearest rack on a CDU
    if frac > 0:
        liq = res.liquid
        on = [k for k in range(len(r)) if r["cdu"][k] in layout.cdus]
        if liq is not None and on:
            spare = {cid: float(liq.cdus.load_w[i] / max(liq.cdus.capacity_fraction[i], 1e-12)
                                - liq.cdus.load_w[i]) / 1e3
                     for i, cid in enumerate(res.cdu_ids)}
            _d, near = cKDTree(np.column_stack([r["x_m"][on], r["y_m"][on]])).query(pts)
            limits[1] = np.array([max(spare.get(str(r["cdu"][on[int(n)]]), 0.0), 0.0) / frac
                                  for n in near])
        else:
            limits[1] = 0.0
    # air: the room units' spare, and the air where it would stand
    air = res.air
    if frac < 1:
        if air is not None:
            spare_air = float(np.nansum(np.clip(
                air.unit_load_w / np.where(air.unit_capacity_fraction > 0,
                                           air.unit_capacity_fraction, np.inf)
                - air.unit_load_w, 0.0, None))) / 1e3
            limits[2] = spare_air / (1.0 - frac)
        else:
            limits[2] = 0.0
    if air is not None and air.field_current:
        field = air.slice_at(e.footprint_m[2] / 2)
        g = air.grid
        ii = np.clip((pts[:, 0] / g.dx).astype(int), 0, field.shape[1] - 1)
        jj = np.clip((pts[:, 1] / g.dx).astype(int), 0, field.shape[0] - 1)
        t = field[jj, ii]
        limits[3] = np.where(np.isfinite(t) & (t > ASHRAE_RECOMMENDED_C[1]), 0.0, np.inf)
    # floor: its weight where it would stand
    fl, h = res.floor, layout.hall
    weight = float(e.get("weight_kg"))
    if fl is not None and (h.floor_rating_kg_m2 is not None or h.floor_point_rating_kn is not None):
        ok = np.ones(pts.shape[0], bool)
        if h.floor_point_rating_kn is not None:
            ok &= weight * G_MS2 / FEET_PER_RACK / 1e3 <= h.floor_point_rating_kn
        if h.floor_rating_kg_m2 is not None:
            # a bay around the position carries the map's load plus this rack's weight
            bay = max(h.floor_bay_m, 1e-9)
            add = weight * min(w * d, bay * bay) / (w * d) / (bay * bay)
            ny, nx = fl.load_kg_m2.shape
            ri = np.clip((pts[:, 0] / raster.RASTER_M).astype(int), 0, nx - 1)
            rj = np.clip((pts[:, 1] / raster.RASTER_M).astype(int), 0, ny - 1)
            ok &= fl.load_kg_m2[rj, ri] + add <= h.floor_rating_kg_m2
        limits[4] = np.where(ok, np.inf, 0.0)

    cap = limits.min(axis=0)
    binding = limits.argmin(axis=0)
    unbounded = ~np.isfinite(cap)
    cap = np.where(unbounded, np.nan, cap)     # nothing binds: not a usable answer
    capacity = np.where(free.ravel() & ~unbounded, cap, np.nan).reshape(shape)
    binding = np.where(np.isfinite(capacity.ravel()), binding, -1).reshape(shape)
    return CapacityMap(model, xs, ys, capacity, binding, float(e.get("nameplate_kw")),
                       stranded(layout, res, frac, free.sum() * float(e.get("nameplate_kw"))))


def stranded(layout: Layout, res: TwinResult, frac: float, space_kw: float
             ) -> list[dict[str, Any]]:
    """Per resource: installed, used, the IT it alone could add (kW), and what of that is
    stranded because another resource runs out first (in IT kW)."""
    rows: list[dict[str, Any]] = []
    p = res.power
    leaves = [i for i, cid in enumerate(res.power_ids)
              if not any(q.upstream == cid for q in layout.power.values())]
    if leaves:
        cap = float(p.rating_kw[leaves].sum())
        used = float(p.load_kw[leaves].sum())
        # racks fed from both sides (2N) can use half of what is installed
        r = layout.racks
        dual = bool(len(r)) and bool(np.all((r["feed_a"] != "") & (r["feed_b"] != "")))
        usable = cap / 2 if dual else cap
        rows.append({"resource": "power (rack feeds" + (", 2N: half usable)" if dual else ")"),
                     "unit": "kW", "installed": cap, "used": used,
                     "it_headroom_kw": max(usable - used, 0.0)})
    air = res.air
    if air is not None and frac < 1:
        cap_a = float(np.nansum(air.unit_load_w / np.where(air.unit_capacity_fraction > 0,
                                                           air.unit_capacity_fraction, np.inf)))
        used_a = float(np.nansum(air.unit_load_w))
        rows.append({"resource": "air cooling", "unit": "kW", "installed": cap_a / 1e3,
                     "used": used_a / 1e3,
                     "it_headroom_kw": max(cap_a - used_a, 0.0) / 1e3 / (1 - frac)})
    liq = res.liquid
    if liq is not None and frac > 0:
        cap_l = float(np.sum(liq.cdus.load_w / np.maximum(liq.cdus.capacity_fraction, 1e-12)))
        used_l = float(np.sum(liq.cdus.load_w))
        rows.append({"resource": "liquid cooling (CDUs)", "unit": "kW", "installed": cap_l / 1e3,
                     "used": used_l / 1e3,
                     "it_headroom_kw": max(cap_l - used_l, 0.0) / 1e3 / frac})
    rows.append({"resource": "space (free positions)", "unit": "kW of racks",
                 "installed": space_kw + float(inputs.rack_numbers(layout, "nameplate_kw").sum()),
                 "used": float(inputs.rack_numbers(layout, "nameplate_kw").sum()),
                 "it_headroom_kw": space_kw})
    usable = min(row["it_headroom_kw"] for row in rows)
    for row in rows:
        row["stranded_it_kw"] = row["it_headroom_kw"] - usable
        row["binds"] = bool(row["it_headroom_kw"] == usable)
        for k in ("installed", "used", "it_headroom_kw", "stranded_it_kw"):
            row[k] = round(float(row[k]), 3)
    return rows
