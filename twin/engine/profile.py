"""The 24-hour profile: each hour is a quasi-steady state of the same floor.

Hour h scales every workload's utilisation by its ``profile[h]`` (workloads without a
profile stay flat) and sets the site's dry bulb to ``daily_dry_bulb_c[h]`` (the wet bulb
moves by the same amount). The airflow field is solved once and reused for every hour.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from twin.engine.simulate import Simulator
from twin.model import Layout


def hour_snapshot(layout: Layout, hour: int) -> Layout:
    """The layout as it runs in hour ``hour`` (0..23)."""
    snap = layout.snapshot()
    for key, w in layout.workloads.items():
        if w.profile:
            u = min(1.0, max(0.0, w.utilisation * w.profile[hour]))
            snap.items["workloads"][key] = dataclasses.replace(w, utilisation=u)
    s = layout.site
    if s.daily_dry_bulb_c:
        shift = s.daily_dry_bulb_c[hour] - s.dry_bulb_c
        snap.site = dataclasses.replace(s, dry_bulb_c=s.daily_dry_bulb_c[hour],
                                        wet_bulb_c=s.wet_bulb_c + shift)
    return snap


def daily_profile(layout: Layout, progress: Callable[[float, str], None] | None = None
                  ) -> list[dict[str, Any]]:
    """One row of figures per hour."""
    sim = Simulator()
    rows = []
    for hour in range(24):
        if progress:
            progress(hour / 24, f"hour {hour:02d}")
        snap = hour_snapshot(layout, hour)
        res = sim.run(snap, geometry_changed=hour == 0)
        f = res.facility
        rows.append({
            "hour": hour, "dry_bulb_c": snap.site.dry_bulb_c, "it_kw": f.it_kw,
            "facility_kw": f.facility_kw, "cooling_kw": f.cooling_kw, "chiller_kw": f.chiller_kw,
            "electrical_loss_kw": f.electrical_loss_kw, "pue": f.pue,
            "tokens_per_s": f.tokens_per_s, "tokens_per_kwh": f.tokens_per_kwh,
            "plant_mode": f.plant.mode,
            "worst_inlet_c": res.metrics.get("worst_inlet_c"),
            "alerts": len(res.alerts)})
    if progress:
        progress(1.0, "done")
    return rows
