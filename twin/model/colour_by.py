"""Per-rack values the views can colour by before any physics runs: model and power.

The live-twin layer adds temperatures and other results with the same ``Colouring`` type.
"""

from __future__ import annotations

import numpy as np

from twin.model.layout import Layout
from twin.model.viewstate import Colouring


def by_model(layout: Layout) -> Colouring:
    models = layout.racks["model"]
    names = tuple(sorted(set(models.tolist())))
    index = {m: i for i, m in enumerate(names)}
    values = np.fromiter((index[m] for m in models), dtype=float, count=len(models))
    labels = tuple(layout.catalogue[m].name if m in layout.catalogue else m for m in names)
    return Colouring("model", "Rack model", "", values, 0, max(len(names) - 1, 1),
                     categories=labels)


def by_nameplate_power(layout: Layout) -> Colouring:
    cat = layout.catalogue
    cache: dict[str, float] = {}
    values = np.array([cache.setdefault(m, cat[m].get("nameplate_kw") if m in cat else np.nan)
                       for m in layout.racks["model"]], dtype=float)
    vmax = float(np.nanmax(values)) if len(values) and np.isfinite(values).any() else 1.0
    return Colouring("nameplate_kw", "Rack nameplate power", "kW", values, 0.0, vmax, "power")


STATIC_COLOURINGS = {"model": by_model, "nameplate_kw": by_nameplate_power}
