"""Named scenarios of a layout (its ``scenarios`` block, docs/physics.md §21): each a set
of edits over the base — workload utilisation, failed equipment, cooling set-points, rack
models — applied to a snapshot, never to the layout itself."""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.engine.whatif.components import with_failed
from twin.model import Layout

BASE = ""        # the scenario id of the layout as it is


def apply_scenario(layout: Layout, scenario_id: str) -> Layout:
    """A snapshot of ``layout`` under the scenario ``scenario_id`` (``BASE``: unchanged).
    Raises KeyError naming an unknown scenario."""
    if scenario_id == BASE:
        return layout.snapshot()
    if scenario_id not in layout.scenarios:
        raise KeyError(f"no scenario {scenario_id!r}; scenarios: "
                       + (", ".join(layout.scenarios) or "none"))
    sc = layout.scenarios[scenario_id]
    snap = with_failed(layout, list(sc.failed))
    items = snap.items
    for wid, u in sc.utilisation.items():
        items["workloads"][wid] = dataclasses.replace(items["workloads"][wid], utilisation=u)
    for uid, sp in sc.setpoints_c.items():
        items["cooling_units"][uid] = dataclasses.replace(items["cooling_units"][uid],
                                                          supply_setpoint_c=sp)
    if sc.rack_models:
        ids = list(sc.rack_models)
        snap.racks.set_values(snap.racks.indices_of(ids), "model",
                              np.array([sc.rack_models[r] for r in ids], dtype=object))
    return snap


def scenario_label(layout: Layout, scenario_id: str) -> str:
    if scenario_id == BASE:
        return "base"
    sc = layout.scenarios[scenario_id]
    return sc.name or sc.id
