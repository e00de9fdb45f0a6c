"""Floor loading (docs/physics.md §15): rack and equipment weights against the floor's
distributed and concentrated ratings.

- **Weights**: a rack's ``weight_kg`` override, else its catalogue weight, plus the rear
  doors hung on it; cooling units, CDUs and tanks stand on their own footprints with their
  catalogue weights.
- **Distributed load**: every weight spread over the plan raster cells its footprint
  covers (kg/m²), then averaged over a square bay of ``hall.floor_bay_m`` — the load a
  slab or floor panel of that span carries. A rack's figure is the highest load of any
  bay that touches its footprint; checked against ``hall.floor_rating_kg_m2``.
- **Concentrated load**: a rack stands on four casters or feet, ``W g / 4``; checked
  against ``hall.floor_point_rating_kn``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.engine import raster
from twin.model import Layout
from twin.physics.facility import Alert

G_MS2 = 9.80665
FEET_PER_RACK = 4
#: equipment standing on the floor with its own footprint (rear doors hang on racks)
STANDING = ("cooling_units", "cdus", "tanks")


@dataclass(frozen=True)
class FloorLoad:
    """Per rack (layout order) and the load map of the plan raster."""

    rack_weight_kg: np.ndarray
    rack_point_kn: np.ndarray            # per caster / foot
    rack_area_kg_m2: np.ndarray          # highest load of a bay touching the rack
    load_kg_m2: np.ndarray               # (ny, nx) bay-averaged load on the plan raster
    extent: tuple[float, float, float, float]
    rating_kg_m2: float | None
    point_rating_kn: float | None
    bay_m: float

    @property
    def max_area_kg_m2(self) -> float:
        return float(self.load_kg_m2.max()) if self.load_kg_m2.size else 0.0


def rack_weights_kg(layout: Layout) -> np.ndarray:
    """Each rack's weight: its override, else the catalogue's, plus its rear doors."""
    cat = layout.catalogue
    r = layout.racks
    own = np.asarray(r["weight_kg"], float) if len(r) else np.zeros(0)
    base = np.array([cat[m].get("weight_kg") if m in cat else 0.0 for m in r["model"]], float)
    w = np.where(np.isfinite(own), own, base)
    for u in layout.cooling_units.values():
        if u.rack and r.has(u.rack) and u.model in cat:
            w[r.index_of(u.rack)] += cat[u.model].get("weight_kg")
    return w


def floor_load(layout: Layout) -> FloorLoad:
    """The floor's load map and each rack's figures (module docstring)."""
    h, cat = layout.hall, layout.catalogue
    weights = rack_weights_kg(layout)
    bounds = [layout.rack_bounds_m()]
    values = [weights]
    for coll in STANDING:
        items = [it for it in layout.items[coll].values()
                 if not getattr(it, "rack", "") and it.model in cat]
        if items:
            bounds.append(np.array(list(layout.item_bounds_m(coll, items).values())))
            values.append(np.array([cat[it.model].get("weight_kg") for it in items], float))
    load = raster.density(layout, np.concatenate(bounds), np.concatenate(values), h.floor_bay_m)
    ny, nx = load.shape
    # the bay of map cell j spans cells j - win//2 .. j + win - 1 - win//2 (scipy's
    # uniform_filter): the bays that touch a footprint are those of the cells around it
    win = max(int(round(h.floor_bay_m / raster.RASTER_M)), 1)
    lo, hi = win - 1 - win // 2, win // 2
    area = np.zeros(len(weights))
    for k, b in enumerate(layout.rack_bounds_m()):
        rows, cols = raster.cells(b, ny, nx)
        block = load[max(rows.start - lo, 0):rows.stop + hi, max(cols.start - lo, 0):cols.stop + hi]
        area[k] = float(block.max()) if block.size else 0.0
    return FloorLoad(weights, weights * G_MS2 / FEET_PER_RACK / 1e3, area, load,
                     raster.extent(layout), h.floor_rating_kg_m2, h.floor_point_rating_kn,
                     h.floor_bay_m)


def floor_alerts(layout: Layout, fl: FloorLoad) -> list[Alert]:
    """A critical alert per rack over a set rating (distributed or concentrated)."""
    ids = [str(i) for i in layout.racks.ids]
    out: list[Alert] = []
    if fl.rating_kg_m2 is not None:
        for k in np.flatnonzero(fl.rack_area_kg_m2 > fl.rating_kg_m2):
            out.append(Alert("critical", "floor_overload", ids[k],
                             f"floor load {fl.rack_area_kg_m2[k]:,.0f} kg/m\u00b2 over a "
                             f"{fl.bay_m:g} m bay exceeds the rating of "
                             f"{fl.rating_kg_m2:,.0f} kg/m\u00b2"))
    if fl.point_rating_kn is not None:
        for k in np.flatnonzero(fl.rack_point_kn > fl.point_rating_kn):
            out.append(Alert("critical", "floor_point_load", ids[k],
                             f"{fl.rack_point_kn[k]:.2f} kN per caster ({fl.rack_weight_kg[k]:,.0f}"
                             f" kg on {FEET_PER_RACK}) exceeds the point rating of "
                             f"{fl.point_rating_kn:g} kN"))
    return out
