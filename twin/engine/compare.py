"""Two solved floors side by side (issue 18's comparison): the key metrics with their
difference and change in per cent, racks whose ASHRAE inlet class changed, racks only in
one of them, and the difference of the air at mid rack height where both halls have the
same air grid (B − A, °C).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.engine.export import result_document
from twin.engine.simulate import TwinResult
from twin.model import Layout

#: differences up to this are round-off (the units of each figure)
SAME = 1e-6
#: the air field of two solves of one floor agrees to the solver's tolerance, not to
#: round-off (a warm iterative solve after a cold one: ~3e-5 K on the pod)
SAME_AIR_K = 1e-3
#: metrics compared, in table order (``twin simulate --json`` names)
KEYS = ("it_power_kw", "facility_power_kw", "pue", "cooling_power_kw", "electrical_loss_kw",
        "tokens_per_s", "tokens_per_kwh", "usd_per_million_tokens", "worst_inlet_c",
        "mean_inlet_c", "rci_hi_pct", "capture_index")


@dataclass
class Comparison:
    """A against B: metric rows (name, a, b, delta, percent), racks whose inlet class
    changed (id, a, b), racks in one only, and the mid-height air difference."""

    rows: list[tuple[str, float | None, float | None, float | None, float | None]]
    changed: list[tuple[str, str | None, str | None]]
    only_a: list[str]
    only_b: list[str]
    rack_inlet_delta_k: dict[str, float] = field(default_factory=dict)
    air_delta_c: np.ndarray | None = None       # (ny, nx) B − A at mid rack height

    @property
    def identical(self) -> bool:
        """Nothing differs by more than ``SAME`` (figures) or ``SAME_AIR_K`` (the air
        field): two solves of one floor agree to round-off and solver tolerance."""
        return (not self.changed and not self.only_a and not self.only_b
                and all(d is None or abs(d) <= SAME for _n, _a, _b, d, _p in self.rows)
                and all(abs(v) <= SAME for v in self.rack_inlet_delta_k.values())
                and (self.air_delta_c is None
                     or not np.any(np.abs(np.nan_to_num(self.air_delta_c)) > SAME_AIR_K)))

    def to_json(self) -> dict[str, Any]:
        air = None
        if self.air_delta_c is not None and np.isfinite(self.air_delta_c).any():
            d = self.air_delta_c[np.isfinite(self.air_delta_c)]
            air = {"min_k": round(float(d.min()), 3), "max_k": round(float(d.max()), 3),
                   "mean_k": round(float(d.mean()), 3)}
        worst = sorted(self.rack_inlet_delta_k.items(), key=lambda kv: -abs(kv[1]))[:20]
        return {"metrics": [{"name": n, "a": a, "b": b, "delta": d, "percent": p}
                            for n, a, b, d, p in self.rows],
                "inlet_class_changed": [{"rack": r, "a": a, "b": b} for r, a, b in self.changed],
                "racks_only_in_a": self.only_a, "racks_only_in_b": self.only_b,
                "largest_inlet_changes_k": [{"rack": r, "delta_k": round(v, 3)} for r, v in worst],
                "air_mid_height_delta": air, "identical": self.identical}


def compare(layout_a: Layout, res_a: TwinResult, layout_b: Layout, res_b: TwinResult
            ) -> Comparison:
    """B against A (differences are B − A)."""
    da, db = result_document(layout_a, res_a), result_document(layout_b, res_b)
    rows = []
    for k in KEYS:
        a, b = da["metrics"].get(k), db["metrics"].get(k)
        if a is None and b is None:
            continue
        d = (b - a) if a is not None and b is not None else None
        p = (100.0 * d / a) if d is not None and a not in (0, 0.0) else None
        rows.append((k, a, b, None if d is None else round(d, 6),
                     None if p is None else round(p, 4)))
    ra = {r["id"]: r for r in da["racks"]}
    rb = {r["id"]: r for r in db["racks"]}
    both = [i for i in ra if i in rb]
    changed = [(i, ra[i].get("ashrae"), rb[i].get("ashrae")) for i in both
               if ra[i].get("ashrae") != rb[i].get("ashrae")]
    inlet = {i: float(rb[i]["inlet_max_c"] - ra[i]["inlet_max_c"]) for i in both
             if ra[i].get("inlet_max_c") is not None and rb[i].get("inlet_max_c") is not None}
    air = None
    if (res_a.air is not None and res_b.air is not None
            and res_a.air.temperature_c.shape == res_b.air.temperature_c.shape):
        heights = layout_a.rack_sizes_m()[:, 2] if len(layout_a.racks) else np.array([2.0])
        z = float(np.median(heights)) / 2
        air = res_b.air.slice_at(z) - res_a.air.slice_at(z)
    return Comparison(rows, changed, [i for i in ra if i not in rb], [i for i in rb if i not in ra],
                      inlet, air)
