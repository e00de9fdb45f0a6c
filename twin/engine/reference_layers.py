"""Plan heatmaps of a reference beside the live model: a CFD run's rack inlets
(``twin import-openfoam`` / File > Import > OpenFOAM Result) and the difference
twin − CFD, and the colour scale of measured-vs-predicted residuals.

Qt-free, like ``twin.engine.layers``: the CFD inlets are drawn as the twin's inlets are
(on each rack and the intake zone in front of it) on the same ASHRAE-class scale, so the
two maps read alike; differences use the diverging map, centred on 0 K with symmetric
levels (blue: the twin colder than the reference, red: warmer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.engine import layers, raster
from twin.engine.simulate import TwinResult
from twin.model import Layout

#: heatmap keys of the reference layers -> (label, unit)
METRICS = {"cfd_inlet": ("CFD rack inlet (hottest intake cell)", "\u00b0C"),
           "cfd_diff": ("Twin \u2212 CFD rack mean inlet", "K")}
DIVERGING = "diverging"
#: the smallest half-range of a difference scale (K): a near-perfect match is not blown
#: up into full colour
MIN_HALF_RANGE_K = 1.0


@dataclass(frozen=True, eq=False)
class RackReference:
    """Reference rack inlets (°C) by rack id: a CFD run's mean and hottest intake cell."""

    source: str
    rack_ids: tuple[str, ...]
    mean_c: np.ndarray
    max_c: np.ndarray

    def on_layout(self, layout: Layout, values: np.ndarray) -> np.ndarray:
        """``values`` (one per reference rack) in the layout's rack order; NaN for racks
        the reference does not have."""
        out = np.full(len(layout.racks), np.nan)
        for rid, v in zip(self.rack_ids, values):
            if layout.racks.has(rid):
                out[layout.racks.index_of(rid)] = v
        return out


def symmetric_levels(values: np.ndarray, step_k: float = 0.5) -> tuple[float, float]:
    """(−a, a): ``a`` the largest |value| rounded up to ``step_k``, at least
    ``MIN_HALF_RANGE_K``; 0 sits at the map's centre."""
    v = np.abs(np.asarray(values, float))
    v = v[np.isfinite(v)]
    top = float(np.ceil(v.max() / step_k) * step_k) if v.size else 0.0
    a = max(top, MIN_HALF_RANGE_K)
    return (-a, a)


def reference_heatmap(metric: str, layout: Layout, result: TwinResult,
                      ref: RackReference | None,
                      temperature_range: tuple[float, float] | None = None
                      ) -> tuple[layers.Heatmap | None, str]:
    """The heatmap of a reference layer and a note when there is none. The layout must be
    the one ``result`` was solved from (its snapshot)."""
    if ref is None:
        return None, ("No CFD result: File \u25b8 Import \u25b8 OpenFOAM Result\u2026 "
                      "reads a run case.")
    label, unit = METRICS[metric]
    if metric == "cfd_inlet":
        values = ref.on_layout(layout, ref.max_c)
        cls = layout.hall.ashrae_class
        levels = layers.value_range("inlet", values, cls)
        cmap = layers.colormap_of("inlet", cls)
        if temperature_range is not None:
            levels, cmap = temperature_range, layers.USER_RANGE_COLORMAP
        worst = "max"
    else:
        if result.air is None:
            return None, "No air result to compare with the CFD."
        twin = np.full(len(layout.racks), np.nan)
        idx = {r: i for i, r in enumerate(result.rack_ids)}
        for k, rid in enumerate(layout.racks.ids):
            if rid in idx:
                twin[k] = result.air.rack_inlet_mean_c[idx[rid]]
        values = twin - ref.on_layout(layout, ref.mean_c)
        levels, cmap, worst = symmetric_levels(values), DIVERGING, "absmax"
    if not np.isfinite(values).any():
        return None, f"No rack of this layout is in the CFD result ({ref.source})."
    img = layers.intake_raster(layout, values, worst)
    return layers.Heatmap(img, raster.extent(layout), levels, cmap, label, unit), ""
